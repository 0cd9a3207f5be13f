package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// resetTests are the tests of CountRecords and DeleteRecords.
var resetTests = []test{
	{"CountEmpty", testCountEmpty},
	{"DeleteOneAccount", testDeleteOneAccount},
	{"DeleteAll", testDeleteAll},
	{"SeqsKeepIncreasing", testDeleteSeqsKeepIncreasing},
	{"Rollback", testDeleteRollback},
}

// accountA is the account of ownerA and ownerC.
var accountA = ownerA.Account

// world stores records of ownerA and ownerC (one account in two
// partitions) and of ownerB, each with events, messages and sealed
// manifests, and a catalogue; it returns what CountRecords must find for
// accountA and for ownerB's account.
func world(t *testing.T, s snowball.Store) (a, b snowball.RecordCounts) {
	t.Helper()
	message := func(id, account string) *snowball.Message {
		m := NewMessage(id)
		m.Account = account
		return m
	}
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, err := range []error{
			tx.InsertAddress(ctx, NewAddress("a1", ownerA)),
			tx.InsertAddress(ctx, NewAddress("c1", ownerC)),
			tx.InsertAddress(ctx, NewAddress("b1", ownerB)),
			tx.InsertJob(ctx, NewJob("ja", ownerA)),
			tx.InsertJob(ctx, NewJob("jc", ownerC)),
			tx.InsertJob(ctx, NewJob("jb", ownerB)),
			tx.InsertCluster(ctx, NewCluster("ca", ownerA)),
			tx.InsertCluster(ctx, NewCluster("cb", ownerB)),
			tx.InsertLongTermPricing(ctx, NewLongTermPricing("la", ownerA)),
			tx.InsertLongTermPricing(ctx, NewLongTermPricing("lb", ownerB)),
			tx.AppendEvent(ctx, NewEvent("ja", "", model.JobStateNew)),
			tx.AppendEvent(ctx, NewEvent("ja", model.JobStateNew, model.JobStatePreparingAppliance)),
			tx.AppendEvent(ctx, NewEvent("jc", "", model.JobStateNew)),
			tx.AppendEvent(ctx, NewEvent("ca", "", model.ClusterStateAwaitingQuorum)),
			tx.AppendEvent(ctx, NewEvent("jb", "", model.JobStateNew)),
			tx.AppendEvent(ctx, NewEvent("jb", model.JobStateNew, model.JobStateCancelled)),
			tx.AppendEvent(ctx, NewEvent("cb", "", model.ClusterStateAwaitingQuorum)),
			tx.InsertMessage(ctx, message("ma1", accountA)),
			tx.InsertMessage(ctx, message("ma2", accountA)),
			tx.InsertMessage(ctx, message("mb", ownerB.Account)),
			tx.InsertSealedManifest(ctx, "ja", []byte("sealed a")),
			tx.InsertSealedManifest(ctx, "jb", []byte("sealed b")),
			tx.PutCompatibleImages(ctx, []model.CompatibleImage{{AmiId: model.Ptr("ami-1")}}),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	return snowball.RecordCounts{Addresses: 2, Jobs: 2, Clusters: 1, LongTermPricing: 1, Events: 4, Messages: 2, SealedManifests: 1},
		snowball.RecordCounts{Addresses: 1, Jobs: 1, Clusters: 1, LongTermPricing: 1, Events: 3, Messages: 1, SealedManifests: 1}
}

func sum(a, b snowball.RecordCounts) snowball.RecordCounts {
	return snowball.RecordCounts{
		Addresses: a.Addresses + b.Addresses, Jobs: a.Jobs + b.Jobs, Clusters: a.Clusters + b.Clusters,
		LongTermPricing: a.LongTermPricing + b.LongTermPricing, Events: a.Events + b.Events,
		Messages: a.Messages + b.Messages, SealedManifests: a.SealedManifests + b.SealedManifests,
	}
}

func mustCount(t *testing.T, s snowball.Store, account string) snowball.RecordCounts {
	t.Helper()
	var n snowball.RecordCounts
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		n, err = tx.CountRecords(ctx, account)
		return err
	})
	return n
}

func mustDelete(t *testing.T, s snowball.Store, account string) snowball.RecordCounts {
	t.Helper()
	var n snowball.RecordCounts
	update(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		n, err = tx.DeleteRecords(ctx, account)
		return err
	})
	return n
}

// wantGone fails the test unless every record named is gone.
func wantGone(t *testing.T, s snowball.Store, addresses, jobs, clusters, pricing []string) {
	t.Helper()
	view(t, s, func(ctx context.Context, tx snowball.Tx) error {
		check := func(kind, id string, err error) {
			if !snowball.IsNotFound(err) {
				t.Errorf("%s %s after the delete: error = %v, want NotFound", kind, id, err)
			}
		}
		for _, id := range addresses {
			_, err := tx.Address(ctx, id)
			check("address", id, err)
		}
		for _, id := range jobs {
			_, err := tx.Job(ctx, id)
			check("job", id, err)
			_, err = tx.SealedManifest(ctx, id)
			check("sealed manifest of", id, err)
			if es, err := tx.Events(ctx, id); err != nil || len(es) != 0 {
				t.Errorf("events of %s after the delete: %d, %v", id, len(es), err)
			}
		}
		for _, id := range clusters {
			_, err := tx.Cluster(ctx, id)
			check("cluster", id, err)
			if es, err := tx.Events(ctx, id); err != nil || len(es) != 0 {
				t.Errorf("events of %s after the delete: %d, %v", id, len(es), err)
			}
		}
		for _, id := range pricing {
			_, err := tx.LongTermPricing(ctx, id)
			check("long-term pricing", id, err)
		}
		return nil
	})
}

// wantImages fails the test unless the compatible images are those world put.
func wantImages(t *testing.T, s snowball.Store) {
	t.Helper()
	view(t, s, func(ctx context.Context, tx snowball.Tx) error {
		got, err := tx.CompatibleImages(ctx)
		if diff := cmp.Diff([]model.CompatibleImage{{AmiId: model.Ptr("ami-1")}}, got); diff != "" {
			t.Errorf("the catalogue did not stay (-want +got):\n%s", diff)
		}
		return err
	})
}

func testCountEmpty(t *testing.T, s snowball.Store) {
	for _, account := range []string{"", accountA} {
		if n := mustCount(t, s, account); n != (snowball.RecordCounts{}) {
			t.Errorf("CountRecords(%q) of an empty store = %+v", account, n)
		}
		if n := mustDelete(t, s, account); n != (snowball.RecordCounts{}) {
			t.Errorf("DeleteRecords(%q) of an empty store = %+v", account, n)
		}
	}
}

func testDeleteOneAccount(t *testing.T, s snowball.Store) {
	a, b := world(t, s)
	if diff := cmp.Diff(a, mustCount(t, s, accountA)); diff != "" {
		t.Errorf("CountRecords of A's account (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sum(a, b), mustCount(t, s, "")); diff != "" {
		t.Errorf("CountRecords of all (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(a, mustDelete(t, s, accountA)); diff != "" {
		t.Errorf("DeleteRecords of A's account (-want +got):\n%s", diff)
	}
	wantGone(t, s, []string{"a1", "c1"}, []string{"ja", "jc"}, []string{"ca"}, []string{"la"})
	if diff := cmp.Diff(b, mustCount(t, s, "")); diff != "" {
		t.Errorf("CountRecords after A's delete: all but B's should be gone (-want +got):\n%s", diff)
	}

	// B's records are untouched, with everything that belongs to them.
	if diff := cmp.Diff(NewJob("jb", ownerB), jobKind.mustGet(t, s, "jb"), equate, cmpopts.IgnoreFields(snowball.Job{}, "Seq")); diff != "" {
		t.Errorf("B's job after A's delete (-want +got):\n%s", diff)
	}
	addressKind.mustGet(t, s, "b1")
	clusterKind.mustGet(t, s, "cb")
	longTermPricingKind.mustGet(t, s, "lb")
	if got := mustSealedManifest(t, s, "jb"); string(got) != "sealed b" {
		t.Errorf("B's sealed manifest = %q", got)
	}
	view(t, s, func(ctx context.Context, tx snowball.Tx) error {
		es, err := tx.Events(ctx, "jb")
		if err != nil || len(es) != 2 {
			t.Errorf("B's job's events after A's delete: %d, %v; want 2", len(es), err)
		}
		return nil
	})
	var ids []string
	for _, m := range mustPending(t, s, snowball.Page{}) {
		ids = append(ids, m.ID)
	}
	if diff := cmp.Diff([]string{"mb"}, ids); diff != "" {
		t.Errorf("pending messages after A's delete (-want +got):\n%s", diff)
	}
	wantImages(t, s)
}

func testDeleteAll(t *testing.T, s snowball.Store) {
	a, b := world(t, s)
	if diff := cmp.Diff(sum(a, b), mustDelete(t, s, "")); diff != "" {
		t.Errorf("DeleteRecords of all (-want +got):\n%s", diff)
	}
	wantGone(t, s, []string{"a1", "c1", "b1"}, []string{"ja", "jc", "jb"}, []string{"ca", "cb"}, []string{"la", "lb"})
	if n := mustCount(t, s, ""); n != (snowball.RecordCounts{}) {
		t.Errorf("CountRecords after deleting all = %+v", n)
	}
	if got := mustPending(t, s, snowball.Page{}); len(got) != 0 {
		t.Errorf("%d messages pending after deleting all", len(got))
	}
	wantImages(t, s)
}

// testDeleteSeqsKeepIncreasing: a record inserted after a delete gets a
// greater Seq than any before it, so that a NextToken issued before the
// reset never skips or repeats records created after it.
func testDeleteSeqsKeepIncreasing(t *testing.T, s snowball.Store) {
	for _, account := range []string{accountA, ""} {
		before := NewJob("before-"+account, ownerA)
		jobKind.insertAll(t, s, before)
		e := NewEvent(before.ID, "", model.JobStateNew)
		update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.AppendEvent(ctx, e) })
		mustDelete(t, s, account)
		after := NewJob("after-"+account, ownerA)
		jobKind.insertAll(t, s, after)
		e2 := NewEvent(after.ID, "", model.JobStateNew)
		update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.AppendEvent(ctx, e2) })
		if after.Seq <= before.Seq || e2.Seq <= e.Seq {
			t.Errorf("DeleteRecords(%q): job Seq %d then %d, event Seq %d then %d; want increasing", account, before.Seq, after.Seq, e.Seq, e2.Seq)
		}
	}
}

func testDeleteRollback(t *testing.T, s snowball.Store) {
	a, b := world(t, s)
	errBoom := errors.New("boom")
	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		if _, err := tx.DeleteRecords(t.Context(), ""); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update = %v, want %v", err, errBoom)
	}
	if diff := cmp.Diff(sum(a, b), mustCount(t, s, "")); diff != "" {
		t.Errorf("records after a rolled back delete (-want +got):\n%s", diff)
	}
}
