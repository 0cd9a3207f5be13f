package service

import (
	"context"
	"strings"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// CreateAddress stores a shipping address and returns its new ID. Every
// call creates a new address; a client-supplied AddressId is ignored.
// Errors: InvalidAddressException (Street1, City or Country missing).
func (s *Service) CreateAddress(ctx context.Context, in *model.CreateAddressRequest) (*model.CreateAddressResult, error) {
	owner, err := ownerFrom(ctx)
	if err != nil {
		return nil, err
	}
	rec, err := s.newAddress(owner, *in.Address)
	if err != nil {
		return nil, err
	}
	if err := s.write(ctx, func(tx snowball.Tx) error { return tx.InsertAddress(ctx, rec) }); err != nil {
		return nil, wrap("create address", err)
	}
	return &model.CreateAddressResult{AddressId: &rec.ID}, nil
}

// newAddress returns addr as a new address record of owner with a fresh
// ID, or InvalidAddressException.
func (s *Service) newAddress(owner snowball.Owner, addr model.Address) (*snowball.Address, error) {
	for _, f := range []struct {
		name  string
		value *string
	}{{"Street1", addr.Street1}, {"City", addr.City}, {"Country", addr.Country}} {
		if strings.TrimSpace(model.Deref(f.value)) == "" {
			return nil, snowball.Errorf(snowball.InvalidAddress, "The address is not valid: %s is required.", f.name)
		}
	}
	id, err := newID(s.rand, "ADID")
	if err != nil {
		return nil, err
	}
	addr.AddressId = &id
	// The service documents these two as no longer used and ignored.
	addr.PrefectureOrDistrict, addr.Landmark = nil, nil
	if addr.Type == nil {
		addr.Type = model.Ptr(model.AddressTypeAwsShip)
	}
	return &snowball.Address{ID: id, Owner: owner, CreatedAt: s.now(), Address: addr}, nil
}

// DescribeAddress returns one of the owner's addresses or a pickup location.
// Errors: InvalidResourceException.
func (s *Service) DescribeAddress(ctx context.Context, in *model.DescribeAddressRequest) (*model.DescribeAddressResult, error) {
	id := *in.AddressId
	var out *model.DescribeAddressResult
	err := s.view(ctx, "describe address", func(tx snowball.Tx, owner snowball.Owner) error {
		a, err := tx.Address(ctx, id)
		if err == nil && a.Owner == owner {
			out = &model.DescribeAddressResult{Address: &a.Address}
			return nil
		}
		if err != nil && !snowball.IsNotFound(err) {
			return err
		}
		p, ok, err := s.pickupLocation(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(snowball.ResourceAddress, id)
		}
		out = &model.DescribeAddressResult{Address: &p}
		return nil
	})
	return out, err
}

// DescribeAddresses lists the owner's addresses in creation order.
// Errors: InvalidResourceException, InvalidNextTokenException.
func (s *Service) DescribeAddresses(ctx context.Context, in *model.DescribeAddressesRequest) (*model.DescribeAddressesResult, error) {
	out := &model.DescribeAddressesResult{Addresses: []model.Address{}}
	err := s.view(ctx, "describe addresses", func(tx snowball.Tx, owner snowball.Owner) error {
		items, next, err := listPage(s, "DescribeAddresses", owner, "", in.NextToken, in.MaxResults,
			func(a *snowball.Address) int64 { return a.Seq },
			func(p snowball.Page) ([]*snowball.Address, error) { return tx.Addresses(ctx, owner, p) })
		for _, a := range items {
			out.Addresses = append(out.Addresses, a.Address)
		}
		out.NextToken = next
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
