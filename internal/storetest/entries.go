package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// mustJobs returns the jobs f and p select, and checks that JobEntries
// selects the same jobs, each as its snowball.EntryOf.
func mustJobs(t *testing.T, s snowball.Store, f snowball.JobFilter, p snowball.Page) []*snowball.Job {
	t.Helper()
	var jobs []*snowball.Job
	var entries []*snowball.JobEntry
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		if jobs, err = tx.Jobs(ctx, f, p); err != nil {
			return err
		}
		entries, err = tx.JobEntries(ctx, f, p)
		return err
	})
	want := make([]*snowball.JobEntry, len(jobs))
	for i, j := range jobs {
		want[i] = snowball.EntryOf(j)
	}
	if diff := cmp.Diff(want, entries, cmp.Comparer(time.Time.Equal), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("JobEntries(%+v, %+v) differ from the entries of Jobs (-want +got):\n%s", f, p, diff)
	}
	return jobs
}

// nulDescription is a description a client may send (JSON allows \u0000)
// that PostgreSQL's text and JSON types refuse, with the control
// characters and the punctuation a store might frame fields with.
const nulDescription = "nul \x00 and \\u0000, \x1e\x1f\t|:12:, \"quoted\" <b> ✓"

// testJobEntries checks the entries of jobs with every entry field set,
// and unset, and that a Put changes them.
func testJobEntries(t *testing.T, s snowball.Store) {
	full := NewJob("full", ownerA)
	full.IsMaster = true
	full.Metadata.Description = model.Ptr(nulDescription)
	full.Metadata.CreationDate = model.NewTimestamp(time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC))
	bare := NewJob("bare", ownerA)
	bare.Metadata.JobType, bare.Metadata.SnowballType = nil, nil
	bare.Metadata.CreationDate, bare.Metadata.Description = nil, nil
	jobKind.insertAll(t, s, full, bare)

	got := mustJobs(t, s, snowball.JobFilter{Owner: &ownerA}, all)
	if len(got) != 2 {
		t.Fatalf("got %d jobs, want 2", len(got))
	}
	e := snowball.EntryOf(got[0])
	if !e.IsMaster || e.JobType == "" || e.SnowballType == "" || e.Description == "" ||
		!e.CreationDate.Equal(time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC)) {
		t.Errorf("entry of a job with every field: %+v", e)
	}
	if e := snowball.EntryOf(got[1]); e.JobType != "" || e.SnowballType != "" || e.Description != "" || !e.CreationDate.IsZero() {
		t.Errorf("entry of a job with none: %+v", e)
	}

	bare.State = model.JobStateCancelled
	bare.Metadata.Description = model.Ptr("described at last")
	bare.Metadata.JobType = model.Ptr(model.JobTypeExport)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.PutJob(ctx, bare) })
	got = mustJobs(t, s, snowball.JobFilter{}, all)
	if e := snowball.EntryOf(got[1]); e.State != model.JobStateCancelled || e.Description != "described at last" || e.JobType != model.JobTypeExport {
		t.Errorf("entry after Put: %+v", e)
	}
}
