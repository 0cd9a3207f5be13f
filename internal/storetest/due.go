package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// dueTests are the tests of ClaimDue and NextDue: what the timed lifecycle
// reads instead of every live job.
var dueTests = []test{
	{"ClaimSoonestFirst", testClaimDueSoonestFirst},
	{"ClaimHoldsUntilLease", testClaimDueLease},
	{"PutEndsClaim", testClaimDuePutEndsClaim},
	{"Limit", testClaimDueLimit},
	{"ConcurrentClaimsDisjoint", testClaimDueConcurrent},
	{"NextDue", testNextDue},
}

// now is the real time of the claims in these tests; the due times are
// around it.
var now = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func dueJob(id string, at time.Time) *snowball.Job {
	j := NewJob(id, ownerA)
	j.State, j.DueAt = model.JobStatePreparingAppliance, at
	return j
}

func dueCluster(id string, at time.Time) *snowball.Cluster {
	c := NewCluster(id, ownerA)
	c.DueAt = at
	return c
}

func insertDue(t *testing.T, s snowball.Store, js []*snowball.Job, cs []*snowball.Cluster) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, j := range js {
			if err := tx.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		for _, c := range cs {
			if err := tx.InsertCluster(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func mustClaimDue(t *testing.T, s snowball.Store, by, now, lease time.Time, limit int) []snowball.Due {
	t.Helper()
	got, err := s.ClaimDue(t.Context(), by, now, lease, limit)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	return got
}

func mustNextDue(t *testing.T, s snowball.Store, now time.Time) time.Time {
	t.Helper()
	var got time.Time
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		got, err = tx.NextDue(ctx, now)
		return err
	})
	return got
}

func testClaimDueSoonestFirst(t *testing.T, s snowball.Store) {
	insertDue(t, s,
		[]*snowball.Job{dueJob("j3", now.Add(time.Hour)), dueJob("j1", now.Add(-time.Minute)), dueJob("j2", now), dueJob("none", time.Time{})},
		[]*snowball.Cluster{dueCluster("c1", now), dueCluster("c2", now.Add(time.Second))})
	got := mustClaimDue(t, s, now, now, now.Add(time.Minute), 10)
	want := []snowball.Due{
		{ID: "j1", State: string(model.JobStatePreparingAppliance), At: now.Add(-time.Minute)},
		{ID: "c1", Cluster: true, State: string(model.ClusterStateAwaitingQuorum), At: now},
		{ID: "j2", State: string(model.JobStatePreparingAppliance), At: now},
	}
	if diff := cmp.Diff(want, got, equate); diff != "" {
		t.Errorf("ClaimDue (-want +got):\n%s", diff)
	}
}

func testClaimDueLease(t *testing.T, s snowball.Store) {
	insertDue(t, s, []*snowball.Job{dueJob("j1", now)}, []*snowball.Cluster{dueCluster("c1", now)})
	lease := now.Add(time.Minute)
	if got := mustClaimDue(t, s, now, now, lease, 10); len(got) != 2 {
		t.Fatalf("first ClaimDue = %v; want j1 and c1", got)
	}
	if got := mustClaimDue(t, s, now, now.Add(59*time.Second), lease, 10); len(got) != 0 {
		t.Errorf("ClaimDue within the lease = %v; want nothing", got)
	}
	if got := mustClaimDue(t, s, now, lease, lease.Add(time.Minute), 10); len(got) != 2 {
		t.Errorf("ClaimDue once the lease ran out = %v; want j1 and c1 again", got)
	}
}

func testClaimDuePutEndsClaim(t *testing.T, s snowball.Store) {
	j, c := dueJob("j1", now), dueCluster("c1", now)
	insertDue(t, s, []*snowball.Job{j}, []*snowball.Cluster{c})
	mustClaimDue(t, s, now, now, now.Add(time.Hour), 10)
	j.DueAt, c.DueAt = now.Add(time.Second), now.Add(2*time.Second)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		if err := tx.PutJob(ctx, j); err != nil {
			return err
		}
		return tx.PutCluster(ctx, c)
	})
	if got := mustNextDue(t, s, now); !got.Equal(j.DueAt) {
		t.Errorf("NextDue after the puts = %v; want %v", got, j.DueAt)
	}
	got := mustClaimDue(t, s, now.Add(time.Minute), now, now.Add(time.Hour), 10)
	if ids := dueIDs(got); !slices.Equal(ids, []string{"j1", "c1"}) {
		t.Errorf("ClaimDue after the puts = %v; want [j1 c1]", ids)
	}
	// A put with no due time takes the record out of the lifecycle.
	j.DueAt = time.Time{}
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.PutJob(ctx, j) })
	if got := mustClaimDue(t, s, now.Add(time.Hour), now.Add(time.Hour), now.Add(2*time.Hour), 10); len(got) != 1 || got[0].ID != "c1" {
		t.Errorf("ClaimDue after clearing j1's DueAt = %v; want c1 alone", got)
	}
}

func dueIDs(ds []snowball.Due) []string {
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	return ids
}

func testClaimDueLimit(t *testing.T, s snowball.Store) {
	var js []*snowball.Job
	for i := range 5 {
		js = append(js, dueJob(fmt.Sprintf("j%d", i), now.Add(time.Duration(i)*time.Second)))
	}
	slices.Reverse(js) // inserted latest first: the order is by due time, not Seq
	insertDue(t, s, js, nil)
	lease := now.Add(time.Hour)
	for _, want := range [][]string{{"j0", "j1"}, {"j2", "j3"}, {"j4"}, nil} {
		if got := dueIDs(mustClaimDue(t, s, now.Add(time.Minute), now, lease, 2)); !slices.Equal(got, want) {
			t.Errorf("ClaimDue(limit 2) = %v; want %v", got, want)
		}
	}
}

// testClaimDueConcurrent claims from several goroutines at once: every due
// record is claimed exactly once.
func testClaimDueConcurrent(t *testing.T, s snowball.Store) {
	const n = 200
	var js []*snowball.Job
	for i := range n {
		js = append(js, dueJob(fmt.Sprintf("j%03d", i), now.Add(-time.Duration(i)*time.Millisecond)))
	}
	insertDue(t, s, js, nil)
	wantClaimedOnce(t, "job", n, func() ([]string, error) {
		ds, err := s.ClaimDue(t.Context(), now, now, now.Add(time.Hour), 7)
		return dueIDs(ds), err
	})
}

// wantClaimedOnce has four workers call claim until it returns nothing,
// and checks that they claimed n records between them, each once.
func wantClaimedOnce(t *testing.T, noun string, n int, claim func() ([]string, error)) {
	t.Helper()
	var mu sync.Mutex
	claimed := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				ids, err := claim()
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if len(ids) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids {
					claimed[id]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("%d %ss claimed; want %d", len(claimed), noun, n)
	}
	for id, k := range claimed {
		if k != 1 {
			t.Errorf("%s %s claimed %d times; want once", noun, id, k)
		}
	}
}

func testNextDue(t *testing.T, s snowball.Store) {
	if got := mustNextDue(t, s, now); !got.IsZero() {
		t.Errorf("NextDue of an empty store = %v; want the zero time", got)
	}
	insertDue(t, s, []*snowball.Job{dueJob("j1", now.Add(time.Minute)), dueJob("j2", now.Add(time.Hour)), dueJob("none", time.Time{})},
		[]*snowball.Cluster{dueCluster("c1", now.Add(30*time.Minute))})
	if got := mustNextDue(t, s, now); !got.Equal(now.Add(time.Minute)) {
		t.Errorf("NextDue = %v; want j1's %v", got, now.Add(time.Minute))
	}
	// Claimed records are another's to apply, until their lease runs out.
	mustClaimDue(t, s, now.Add(time.Minute), now, now.Add(10*time.Minute), 10)
	if got := mustNextDue(t, s, now); !got.Equal(now.Add(30 * time.Minute)) {
		t.Errorf("NextDue with j1 claimed = %v; want c1's %v", got, now.Add(30*time.Minute))
	}
	if got := mustNextDue(t, s, now.Add(10*time.Minute)); !got.Equal(now.Add(time.Minute)) {
		t.Errorf("NextDue once the lease ran out = %v; want j1's %v", got, now.Add(time.Minute))
	}
}
