package service

import (
	"context"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// LongTermPricingActive is the only status Frosty reports for a contract.
const LongTermPricingActive = "ACTIVE"

// CreateLongTermPricing starts a long-term pricing contract now.
func (s *Service) CreateLongTermPricing(ctx context.Context, in *model.CreateLongTermPricingRequest) (*model.CreateLongTermPricingResult, error) {
	owner, err := ownerFrom(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.newLongTermPricing(owner, in)
	if err != nil {
		return nil, err
	}
	if err := s.write(ctx, func(tx snowball.Tx) error { return tx.InsertLongTermPricing(ctx, l) }); err != nil {
		return nil, wrap("create long-term pricing", err)
	}
	return &model.CreateLongTermPricingResult{LongTermPricingId: &l.ID}, nil
}

// newLongTermPricing returns a contract of owner, as in, starting now.
func (s *Service) newLongTermPricing(owner snowball.Owner, in *model.CreateLongTermPricingRequest) (*snowball.LongTermPricing, error) {
	id, err := newID(s.rand, "LTPID")
	if err != nil {
		return nil, err
	}
	start := s.now()
	return &snowball.LongTermPricing{
		ID: id, Owner: owner, Type: *in.LongTermPricingType, SnowballType: *in.SnowballType,
		AutoRenew: model.Deref(in.IsLongTermPricingAutoRenew), StartDate: start, EndDate: contractEnd(start, *in.LongTermPricingType),
	}, nil
}

func contractEnd(start time.Time, t model.LongTermPricingType) time.Time {
	switch t {
	case model.LongTermPricingTypeOneMonth:
		return start.AddDate(0, 1, 0)
	case model.LongTermPricingTypeThreeYear:
		return start.AddDate(3, 0, 0)
	}
	return start.AddDate(1, 0, 0)
}

// ListLongTermPricing lists the owner's contracts in creation order.
// Errors: InvalidResourceException, InvalidNextTokenException.
func (s *Service) ListLongTermPricing(ctx context.Context, in *model.ListLongTermPricingRequest) (*model.ListLongTermPricingResult, error) {
	out := &model.ListLongTermPricingResult{LongTermPricingEntries: []model.LongTermPricingListEntry{}}
	err := s.view(ctx, "list long-term pricing", func(tx snowball.Tx, owner snowball.Owner) error {
		items, next, err := listPage(s, "ListLongTermPricing", owner, "", in.NextToken, in.MaxResults,
			func(l *snowball.LongTermPricing) int64 { return l.Seq },
			func(p snowball.Page) ([]*snowball.LongTermPricing, error) { return tx.LongTermPricings(ctx, owner, p) })
		if err != nil {
			return err
		}
		for _, l := range items {
			e, err := longTermPricingEntry(ctx, tx, l)
			if err != nil {
				return err
			}
			out.LongTermPricingEntries = append(out.LongTermPricingEntries, e)
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// longTermPricingEntry renders l; CurrentActiveJob is the newest of its
// jobs that is neither Complete nor Cancelled.
func longTermPricingEntry(ctx context.Context, tx snowball.Tx, l *snowball.LongTermPricing) (model.LongTermPricingListEntry, error) {
	e := model.LongTermPricingListEntry{
		LongTermPricingId:          &l.ID,
		LongTermPricingType:        model.Ptr(l.Type),
		SnowballType:               model.Ptr(l.SnowballType),
		LongTermPricingStartDate:   model.NewTimestamp(l.StartDate),
		LongTermPricingEndDate:     model.NewTimestamp(l.EndDate),
		IsLongTermPricingAutoRenew: model.Ptr(l.AutoRenew),
		LongTermPricingStatus:      model.Ptr(LongTermPricingActive),
		JobIds:                     append([]string{}, l.JobIDs...),
	}
	if l.ReplacementJob != "" {
		e.ReplacementJob = &l.ReplacementJob
	}
	for i := len(l.JobIDs) - 1; i >= 0; i-- {
		j, err := tx.Job(ctx, l.JobIDs[i])
		if err != nil {
			return e, err
		}
		if !snowball.IsFinal(j.State) {
			e.CurrentActiveJob = &j.ID
			break
		}
	}
	return e, nil
}

// UpdateLongTermPricing sets a contract's replacement job and/or auto-renewal.
// Errors: InvalidResourceException.
func (s *Service) UpdateLongTermPricing(ctx context.Context, in *model.UpdateLongTermPricingRequest) (*model.UpdateLongTermPricingResult, error) {
	err := s.update(ctx, "update long-term pricing", func(tx snowball.Tx, owner snowball.Owner) error {
		l, err := ownLongTermPricing(ctx, tx, owner, *in.LongTermPricingId)
		if err != nil {
			return err
		}
		if in.ReplacementJob != nil {
			if _, err := ownJob(ctx, tx, owner, *in.ReplacementJob); err != nil {
				return err
			}
			l.ReplacementJob = *in.ReplacementJob
		}
		if in.IsLongTermPricingAutoRenew != nil {
			l.AutoRenew = *in.IsLongTermPricingAutoRenew
		}
		return tx.PutLongTermPricing(ctx, l)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateLongTermPricingResult{}, nil
}
