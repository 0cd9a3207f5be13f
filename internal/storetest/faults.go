package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/snowball"
)

// NewFault returns a fault with every field set but Seq.
func NewFault(id string) *snowball.Fault {
	return &snowball.Fault{
		ID: id, CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC),
		Operation: "CreateJob", AccountID: ownerA.Account,
		Code: "KMSRequestFailedException", Message: "The KMS key is not usable: ünïcode \"quoted\"",
		Delay: 1500 * time.Millisecond, Probability: 0.25, Count: 3, Hits: 1,
	}
}

// faultTests are the tests of the operator's faults.
var faultTests = []test{
	{"InsertList", testFaultsInsertList},
	{"DuplicateID", testFaultsDuplicateID},
	{"Copies", testFaultsCopies},
	{"Delete", testFaultsDelete},
	{"DeleteAll", testFaultsDeleteAll},
	{"HitCounted", testFaultsHitCounted},
	{"HitUnlimited", testFaultsHitUnlimited},
	{"HitGone", testFaultsHitGone},
	{"HitConcurrent", testFaultsHitConcurrent},
	{"Rollback", testFaultsRollback},
}

func insertFaults(t *testing.T, s snowball.Store, fs ...*snowball.Fault) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, f := range fs {
			if err := tx.InsertFault(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
}

func mustFaults(t *testing.T, s snowball.Store) []*snowball.Fault {
	t.Helper()
	var fs []*snowball.Fault
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		fs, err = tx.Faults(ctx)
		return err
	})
	return fs
}

func faultIDs(fs []*snowball.Fault) []string {
	ids := []string{}
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

// mustHit hits the fault id in an Update of its own.
func mustHit(t *testing.T, s snowball.Store, id string) bool {
	t.Helper()
	var hit bool
	update(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		hit, err = tx.HitFault(ctx, id)
		return err
	})
	return hit
}

func testFaultsInsertList(t *testing.T, s snowball.Store) {
	if got := mustFaults(t, s); len(got) != 0 {
		t.Errorf("Faults of a new store = %q, want none", faultIDs(got))
	}
	a, b, c := NewFault("a"), NewFault("b"), NewFault("c")
	b.AccountID, b.Code, b.Message, b.Count, b.Hits, b.Probability = "", "", "", 0, 0, 1
	insertFaults(t, s, a, b)
	insertFaults(t, s, c)
	if !(0 < a.Seq && a.Seq < b.Seq && b.Seq < c.Seq) {
		t.Errorf("Seqs = %d, %d, %d; want positive and increasing", a.Seq, b.Seq, c.Seq)
	}
	if diff := cmp.Diff([]*snowball.Fault{a, b, c}, mustFaults(t, s), equate); diff != "" {
		t.Errorf("Faults (-want +got):\n%s", diff)
	}
}

func testFaultsDuplicateID(t *testing.T, s snowball.Store) {
	want := NewFault("x")
	insertFaults(t, s, want)
	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		f := NewFault("x")
		f.Operation = "CancelJob"
		return tx.InsertFault(t.Context(), f)
	})
	if err == nil || snowball.IsNotFound(err) {
		t.Fatalf("inserting an existing ID: error = %v, want an error other than NotFound", err)
	}
	if diff := cmp.Diff([]*snowball.Fault{want}, mustFaults(t, s), equate); diff != "" {
		t.Errorf("the failed insert changed the faults (-want +got):\n%s", diff)
	}
}

func testFaultsCopies(t *testing.T, s snowball.Store) {
	in := NewFault("x")
	insertFaults(t, s, in)
	want := NewFault("x")
	want.Seq = in.Seq
	in.Message, in.Count = "changed", 99
	mustFaults(t, s)[0].Operation = "changed"
	if diff := cmp.Diff([]*snowball.Fault{want}, mustFaults(t, s), equate); diff != "" {
		t.Errorf("changing an inserted or returned fault changed the stored one (-want +got):\n%s", diff)
	}
}

func testFaultsDelete(t *testing.T, s snowball.Store) {
	insertFaults(t, s, NewFault("a"), NewFault("b"), NewFault("c"))
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.DeleteFault(ctx, "b") })
	if diff := cmp.Diff([]string{"a", "c"}, faultIDs(mustFaults(t, s))); diff != "" {
		t.Errorf("after deleting b (-want +got):\n%s", diff)
	}
	for _, id := range []string{"b", "missing"} {
		err := s.Update(t.Context(), func(tx snowball.Tx) error { return tx.DeleteFault(t.Context(), id) })
		if !snowball.IsNotFound(err) {
			t.Errorf("DeleteFault(%s): error = %v, want NotFound", id, err)
		}
	}
	// A deleted fault's ID does not make a new one fail.
	insertFaults(t, s, NewFault("b"))
	if diff := cmp.Diff([]string{"a", "c", "b"}, faultIDs(mustFaults(t, s))); diff != "" {
		t.Errorf("after inserting b again (-want +got):\n%s", diff)
	}
}

func testFaultsDeleteAll(t *testing.T, s snowball.Store) {
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.DeleteFaults(ctx) })
	insertFaults(t, s, NewFault("a"), NewFault("b"))
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.DeleteFaults(ctx) })
	if got := mustFaults(t, s); len(got) != 0 {
		t.Errorf("after DeleteFaults, Faults = %q", faultIDs(got))
	}
	c := NewFault("c")
	insertFaults(t, s, c)
	if c.Seq <= 2 {
		t.Errorf("Seq after DeleteFaults = %d, want one never handed out before", c.Seq)
	}
}

func testFaultsHitCounted(t *testing.T, s snowball.Store) {
	f, other := NewFault("f"), NewFault("other")
	f.Count, f.Hits = 3, 1
	insertFaults(t, s, f, other)
	var got []bool
	for range 4 {
		got = append(got, mustHit(t, s, "f"))
	}
	if diff := cmp.Diff([]bool{true, true, false, false}, got); diff != "" {
		t.Errorf("hits of a fault with Count 3 and 1 hit (-want +got):\n%s", diff)
	}
	fs := mustFaults(t, s)
	if fs[0].Hits != 3 || fs[1].Hits != other.Hits {
		t.Errorf("Hits = %d and %d, want 3 and %d (the other fault untouched)", fs[0].Hits, fs[1].Hits, other.Hits)
	}
	if !fs[0].Spent() || fs[1].Spent() {
		t.Errorf("Spent = %v and %v, want true and false", fs[0].Spent(), fs[1].Spent())
	}
}

func testFaultsHitUnlimited(t *testing.T, s snowball.Store) {
	f := NewFault("f")
	f.Count, f.Hits = 0, 0
	insertFaults(t, s, f)
	for i := range 5 {
		if !mustHit(t, s, "f") {
			t.Fatalf("hit %d of a fault without a Count: not counted", i+1)
		}
	}
	if got := mustFaults(t, s)[0].Hits; got != 5 {
		t.Errorf("Hits = %d, want 5", got)
	}
}

func testFaultsHitGone(t *testing.T, s snowball.Store) {
	if mustHit(t, s, "missing") {
		t.Errorf("HitFault of a missing fault counted")
	}
	insertFaults(t, s, NewFault("f"))
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.DeleteFault(ctx, "f") })
	if mustHit(t, s, "f") {
		t.Errorf("HitFault of a deleted fault counted")
	}
}

// testFaultsHitConcurrent has every worker hit one fault more often than
// its Count: exactly Count hits may be counted.
func testFaultsHitConcurrent(t *testing.T, s snowball.Store) {
	const count, perWorker = 50, 20
	f := NewFault("f")
	f.Count, f.Hits = count, 0
	insertFaults(t, s, f)
	counted := make([]int, workers)
	ctx := t.Context()
	err := goAll(workers, func(w int) error {
		for range perWorker {
			err := s.Update(ctx, func(tx snowball.Tx) error {
				hit, err := tx.HitFault(ctx, "f")
				if hit {
					counted[w]++
				}
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counted {
		total += n
	}
	if got := mustFaults(t, s)[0].Hits; total != count || got != count {
		t.Errorf("%d hits counted, Hits = %d; want %d and %d", total, got, count, count)
	}
}

func testFaultsRollback(t *testing.T, s snowball.Store) {
	want := NewFault("kept")
	want.Count, want.Hits = 5, 0
	insertFaults(t, s, want)
	errBoom := errors.New("boom")
	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		ctx := t.Context()
		if err := tx.InsertFault(ctx, NewFault("new")); err != nil {
			t.Errorf("InsertFault: %v", err)
		}
		if hit, err := tx.HitFault(ctx, "kept"); !hit || err != nil {
			t.Errorf("HitFault = %v, %v; want true, nil", hit, err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update error = %v, want %v", err, errBoom)
	}
	if diff := cmp.Diff([]*snowball.Fault{want}, mustFaults(t, s), equate); diff != "" {
		t.Errorf("the insert and the hit were not undone (-want +got):\n%s", diff)
	}
	err = s.Update(t.Context(), func(tx snowball.Tx) error {
		if err := tx.DeleteFaults(t.Context()); err != nil {
			t.Errorf("DeleteFaults: %v", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update error = %v, want %v", err, errBoom)
	}
	if got := faultIDs(mustFaults(t, s)); !cmp.Equal(got, []string{"kept"}) {
		t.Errorf("after a rolled-back DeleteFaults, faults = %q, want [kept]", got)
	}
}
