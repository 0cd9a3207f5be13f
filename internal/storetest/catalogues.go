package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// catalogueTests are the tests of the catalogues.
var catalogueTests = []test{
	{"Empty", testCataloguesEmpty},
	{"RoundTrip", testCataloguesRoundTrip},
	{"PutReplaces", testCataloguesPutReplaces},
	{"Copies", testCataloguesCopies},
	{"Rollback", testCataloguesRollback},
}

// catalogues is the three catalogues at once.
type catalogues struct {
	Pickup   []model.Address
	Images   []model.CompatibleImage
	Versions []snowball.ServiceVersion
}

// newCatalogues returns catalogues with n entries each, every field set;
// salt tells them from other catalogues'.
func newCatalogues(n int, salt string) catalogues {
	var c catalogues
	for i := range n {
		a := NewAddress("ADID00000000-0000-0000-0000-00000000000"+string(rune('0'+i)), snowball.Owner{}).Address
		a.Name = model.Ptr("pickup " + salt)
		c.Pickup = append(c.Pickup, a)
		c.Images = append(c.Images, model.CompatibleImage{AmiId: model.Ptr("ami-" + salt + string(rune('0'+i))), Name: model.Ptr("image ünïcode " + salt)})
		c.Versions = append(c.Versions, snowball.ServiceVersion{
			ServiceName: model.ServiceNameKubernetes, Version: "1." + string(rune('0'+i)) + salt,
			DependentServices: []model.DependentService{{
				ServiceName:    model.Ptr(model.ServiceNameEksAnywhere),
				ServiceVersion: &model.ServiceVersion{Version: model.Ptr("0.1" + salt)},
			}},
		})
	}
	return c
}

func putCatalogues(t *testing.T, s snowball.Store, c catalogues) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		return errors.Join(tx.PutPickupLocations(ctx, c.Pickup), tx.PutCompatibleImages(ctx, c.Images), tx.PutServiceVersions(ctx, c.Versions))
	})
}

func mustCatalogues(t *testing.T, s snowball.Store) catalogues {
	t.Helper()
	var c catalogues
	view(t, s, func(ctx context.Context, tx snowball.Tx) error {
		var errs [3]error
		c.Pickup, errs[0] = tx.PickupLocations(ctx)
		c.Images, errs[1] = tx.CompatibleImages(ctx)
		c.Versions, errs[2] = tx.ServiceVersions(ctx)
		return errors.Join(errs[:]...)
	})
	return c
}

func testCataloguesEmpty(t *testing.T, s snowball.Store) {
	if got := mustCatalogues(t, s); got.Pickup != nil || got.Images != nil || got.Versions != nil {
		t.Errorf("catalogues of a new store = %+v, want nil", got)
	}
}

func testCataloguesRoundTrip(t *testing.T, s snowball.Store) {
	want := newCatalogues(3, "a")
	putCatalogues(t, s, want)
	if diff := cmp.Diff(want, mustCatalogues(t, s)); diff != "" {
		t.Errorf("catalogues after Put (-want +got):\n%s", diff)
	}
}

func testCataloguesPutReplaces(t *testing.T, s snowball.Store) {
	putCatalogues(t, s, newCatalogues(3, "a"))
	want := newCatalogues(1, "b")
	putCatalogues(t, s, want)
	if diff := cmp.Diff(want, mustCatalogues(t, s)); diff != "" {
		t.Errorf("catalogues after a second Put (-want +got):\n%s", diff)
	}

	// Each is replaced on its own.
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		return tx.PutCompatibleImages(ctx, newCatalogues(2, "c").Images)
	})
	want.Images = newCatalogues(2, "c").Images
	if diff := cmp.Diff(want, mustCatalogues(t, s)); diff != "" {
		t.Errorf("catalogues after putting the images only (-want +got):\n%s", diff)
	}

	// Put empty, each is empty again.
	putCatalogues(t, s, catalogues{Pickup: []model.Address{}})
	if got := mustCatalogues(t, s); got.Pickup != nil || got.Images != nil || got.Versions != nil {
		t.Errorf("catalogues after putting empty ones = %+v, want nil", got)
	}
}

func testCataloguesCopies(t *testing.T, s snowball.Store) {
	put := newCatalogues(2, "a")
	putCatalogues(t, s, put)
	put.Pickup[0].City = model.Ptr("Changed")
	put.Images[1].Name = model.Ptr("changed")
	put.Versions[0].DependentServices[0].ServiceVersion.Version = model.Ptr("changed")
	got := mustCatalogues(t, s)
	got.Pickup[0].City = model.Ptr("Changed")
	got.Versions[0].Version = "changed"
	if diff := cmp.Diff(newCatalogues(2, "a"), mustCatalogues(t, s)); diff != "" {
		t.Errorf("changing what was put or returned changed the catalogues (-want +got):\n%s", diff)
	}
}

func testCataloguesRollback(t *testing.T, s snowball.Store) {
	want := newCatalogues(2, "a")
	putCatalogues(t, s, want)
	errBoom := errors.New("boom")
	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		if err := errors.Join(tx.PutPickupLocations(t.Context(), nil), tx.PutCompatibleImages(t.Context(), newCatalogues(1, "b").Images)); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update = %v, want %v", err, errBoom)
	}
	if diff := cmp.Diff(want, mustCatalogues(t, s)); diff != "" {
		t.Errorf("catalogues after a rolled back Put (-want +got):\n%s", diff)
	}
}
