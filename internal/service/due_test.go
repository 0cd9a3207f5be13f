package service

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

func testTiming(scale float64) *Timing {
	return &Timing{Profile: snowball.DefaultProfile(), Scale: scale}
}

func storedJob(tb testing.TB, s *Service, id string) *snowball.Job {
	tb.Helper()
	var j *snowball.Job
	err := s.store.View(tb.Context(), func(tx snowball.Tx) (err error) {
		j, err = tx.Job(tb.Context(), id)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

// TestDueTimesKept: every write keeps a job's due time, the one the timed
// lifecycle claims it by, and tells OnDue.
func TestDueTimesKept(t *testing.T) {
	var told []time.Time
	s, _ := mustService(mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db")),
		Config{Timed: testTiming(100), OnDue: func(at time.Time) { told = append(told, at) }})
	j := mustJob(t, s, model.JobStateNew)
	want := j.StateEnteredAt.Add(time.Hour / 100)
	if !j.DueAt.Equal(want) {
		t.Errorf("a new job is due at %v; want %v (the New dwell, scaled)", j.DueAt, want)
	}
	if len(told) != 1 || !told[0].Equal(want) {
		t.Errorf("OnDue was told %v; want [%v]", told, want)
	}

	// Waiting for the customer, it is due at no time.
	told = nil
	j, err := s.AdvanceJob(t.Context(), j.ID, model.JobStateWithCustomer)
	if err != nil {
		t.Fatal(err)
	}
	if got := storedJob(t, s, j.ID).DueAt; !got.IsZero() {
		t.Errorf("a job WithCustomer is due at %v; want never", got)
	}
	// The states passed on the way were due: OnDue hears of the earliest.
	if len(told) != 1 {
		t.Errorf("OnDue was told %v; want one call", told)
	}

	// A step that is not due yet moves nothing and keeps the due time.
	k := mustJob(t, s, model.JobStatePreparingAppliance)
	step := func(at time.Time) (bool, error) {
		moved, err := s.StepDue(t.Context(), []snowball.Due{{ID: k.ID, State: string(model.JobStatePreparingAppliance), At: at}})
		return len(moved) == 1 && moved[0], err
	}
	moved, err := step(k.DueAt.Add(-time.Second))
	if err != nil || moved {
		t.Fatalf("StepDue before its due time: moved %v, %v; want not moved", moved, err)
	}
	if got := storedJob(t, s, k.ID); got.State != model.JobStatePreparingAppliance || !got.DueAt.Equal(k.DueAt) {
		t.Errorf("after an early step the job is %s due %v; want PreparingAppliance due %v", got.State, got.DueAt, k.DueAt)
	}
	moved, err = step(k.DueAt.Truncate(time.Microsecond))
	if err != nil || !moved {
		t.Fatalf("StepDue at its due time: moved %v, %v; want moved", moved, err)
	}
	got := storedJob(t, s, k.ID)
	if got.State != model.JobStatePreparingShipment || !got.StateEnteredAt.Equal(k.DueAt) {
		t.Errorf("after the step the job is %s since %v; want PreparingShipment since %v", got.State, got.StateEnteredAt, k.DueAt)
	}
}

// TestNoDueWithoutTimedLifecycle: the manual lifecycle leaves every due
// time unset and wakes nobody.
func TestNoDueWithoutTimedLifecycle(t *testing.T) {
	told := 0
	s, _ := mustService(mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db")),
		Config{OnDue: func(time.Time) { told++ }})
	if j := mustJob(t, s, model.JobStatePreparingAppliance); !j.DueAt.IsZero() || told != 0 {
		t.Errorf("manual lifecycle: DueAt %v, OnDue told %d times; want none", j.DueAt, told)
	}
}

// TestRecomputeDue: a store whose due times were computed under another
// timing, or never (a store from before they were kept), gets them from
// the timing the server starts with, once; the manual lifecycle keeps
// the store's timing, so that going back to it costs nothing.
func TestRecomputeDue(t *testing.T) {
	store := mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db"))
	manual, _ := mustService(store, Config{})
	var ids []string
	for range recomputePage + 3 { // more than a page
		ids = append(ids, mustJob(t, manual, model.JobStatePreparingAppliance).ID)
	}
	done := mustJob(t, manual, model.JobStateComplete)
	if n, err := manual.RecomputeDue(t.Context()); err != nil || n != 0 {
		t.Fatalf("RecomputeDue, manual: %d, %v; want nothing to do", n, err)
	}

	ctx := context.Background()
	wantDue := func(s *Service, id string, scale float64) {
		t.Helper()
		j := storedJob(t, s, id)
		if want := j.StateEnteredAt.Add(24 * time.Hour / time.Duration(scale)); !j.DueAt.Equal(want) {
			t.Errorf("scale %v: job %s due %v; want %v", scale, id, j.DueAt, want)
		}
	}
	for _, scale := range []float64{1000, 10} {
		timed, _ := mustService(store, Config{Timed: testTiming(scale)})
		n, err := timed.RecomputeDue(ctx)
		if err != nil || n != len(ids) {
			t.Fatalf("RecomputeDue at scale %v: %d, %v; want %d changed", scale, n, err, len(ids))
		}
		wantDue(timed, ids[0], scale)
		wantDue(timed, ids[len(ids)-1], scale)
		if n, err := timed.RecomputeDue(ctx); err != nil || n != 0 {
			t.Errorf("RecomputeDue again at scale %v: %d, %v; want nothing to do", scale, n, err)
		}
	}
	if j := storedJob(t, manual, done.ID); !j.DueAt.IsZero() {
		t.Errorf("a Complete job is due at %v; want never", j.DueAt)
	}

	// A manual server in between keeps the due times of scale 10, and
	// gives its own jobs theirs: back at scale 10, nothing is recomputed.
	manual, _ = mustService(store, Config{})
	if n, err := manual.RecomputeDue(ctx); err != nil || n != 0 {
		t.Fatalf("RecomputeDue, manual again: %d, %v; want nothing to do", n, err)
	}
	later := mustJob(t, manual, model.JobStatePreparingAppliance)
	wantDue(manual, later.ID, 10)
	timed, _ := mustService(store, Config{Timed: testTiming(10)})
	if n, err := timed.RecomputeDue(ctx); err != nil || n != 0 {
		t.Errorf("RecomputeDue at scale 10 after a manual server: %d, %v; want nothing to do", n, err)
	}
}
