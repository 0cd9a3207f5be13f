package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// findTests are the tests of the operator's reads across owners: FindJobs,
// FindClusters and Messages.
var findTests = []test{
	{"FindJobsFilters", testFindJobsFilters},
	{"FindJobsPages", testFindJobsPages},
	{"FindClusters", testFindClusters},
	{"MessagesByID", testMessagesByID},
}

// findJobs returns the IDs of the jobs FindJobs gives for q, in its order.
func findJobs(t *testing.T, s snowball.Store, q snowball.JobQuery) []string {
	t.Helper()
	var ids []string
	view(t, s, func(ctx context.Context, tx snowball.Tx) error {
		jobs, err := tx.FindJobs(ctx, q)
		for _, j := range jobs {
			ids = append(ids, j.ID)
		}
		return err
	})
	return ids
}

func testFindJobsFilters(t *testing.T, s snowball.Store) {
	j1 := NewJob("JID-1", ownerA) // import, WithCustomer, in cluster CID-1
	j1.ClusterID = "CID-1"
	j2 := NewJob("JID-2", ownerB)
	j2.State = model.JobStateNew
	j2.Metadata.JobType = model.Ptr(model.JobTypeExport)
	j2.Metadata.Description = model.Ptr("Nightly <b>BACKUP</b> \"tape\" ✓\u0000 end")
	j3 := NewJob("JID-3", ownerC)
	j3.Metadata.Description = nil
	j3.Metadata.JobType = model.Ptr(model.JobTypeLocalUse)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, j := range []*snowball.Job{j1, j2, j3} {
			if err := tx.InsertJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		name string
		q    snowball.JobQuery
		want []string
	}{
		{"All", snowball.JobQuery{}, []string{"JID-3", "JID-2", "JID-1"}},
		{"Account", snowball.JobQuery{Account: ownerA.Account}, []string{"JID-3", "JID-1"}},
		{"State", snowball.JobQuery{State: model.JobStateNew}, []string{"JID-2"}},
		{"Type", snowball.JobQuery{Type: model.JobTypeImport}, []string{"JID-1"}},
		{"TypeLocalUse", snowball.JobQuery{Type: model.JobTypeLocalUse}, []string{"JID-3"}},
		{"Cluster", snowball.JobQuery{ClusterID: "CID-1"}, []string{"JID-1"}},
		{"TextID", snowball.JobQuery{Text: "jid-2"}, []string{"JID-2"}},
		{"TextDescriptionCase", snowball.JobQuery{Text: "backup</B>"}, []string{"JID-2"}},
		{"TextQuotes", snowball.JobQuery{Text: `"tape" ✓`}, []string{"JID-2"}},
		{"TextAfterNUL", snowball.JobQuery{Text: "end"}, []string{"JID-2"}},
		{"TextAll", snowball.JobQuery{Text: "JID-"}, []string{"JID-3", "JID-2", "JID-1"}},
		{"TextNone", snowball.JobQuery{Text: "no such words"}, nil},
		{"Combined", snowball.JobQuery{Account: ownerA.Account, State: model.JobStateWithCustomer, Text: "ünïcode"}, []string{"JID-1"}},
		{"Limit", snowball.JobQuery{Limit: 2}, []string{"JID-3", "JID-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, findJobs(t, s, tc.q)); diff != "" {
				t.Errorf("FindJobs(%+v) (-want +got):\n%s", tc.q, diff)
			}
		})
	}
	// The records come back whole.
	var got []*snowball.Job
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		got, err = tx.FindJobs(ctx, snowball.JobQuery{State: model.JobStateNew})
		return err
	})
	if len(got) != 1 {
		t.Fatalf("FindJobs: %d jobs, want 1", len(got))
	}
	if diff := cmp.Diff(j2, got[0], equate); diff != "" {
		t.Errorf("FindJobs returned (-want +got):\n%s", diff)
	}
}

func testFindJobsPages(t *testing.T, s snowball.Store) {
	var seqs []int64
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, id := range []string{"JID-a", "JID-b", "JID-c", "JID-d", "JID-e"} {
			j := NewJob(id, ownerA)
			if err := tx.InsertJob(ctx, j); err != nil {
				return err
			}
			seqs = append(seqs, j.Seq)
		}
		return nil
	})
	if diff := cmp.Diff([]string{"JID-e", "JID-d"}, findJobs(t, s, snowball.JobQuery{Limit: 2})); diff != "" {
		t.Errorf("first page (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"JID-c", "JID-b"}, findJobs(t, s, snowball.JobQuery{Before: seqs[3], Limit: 2})); diff != "" {
		t.Errorf("second page (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"JID-a"}, findJobs(t, s, snowball.JobQuery{Before: seqs[1], Limit: 2})); diff != "" {
		t.Errorf("last page (-want +got):\n%s", diff)
	}
}

func testFindClusters(t *testing.T, s snowball.Store) {
	var seqs []int64
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for i, id := range []string{"CID-a", "CID-b", "CID-c"} {
			c := NewCluster(id, []snowball.Owner{ownerA, ownerB, ownerC}[i])
			if err := tx.InsertCluster(ctx, c); err != nil {
				return err
			}
			seqs = append(seqs, c.Seq)
		}
		return nil
	})
	find := func(before int64, limit int) []string {
		var ids []string
		view(t, s, func(ctx context.Context, tx snowball.Tx) error {
			cs, err := tx.FindClusters(ctx, before, limit)
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			return err
		})
		return ids
	}
	if diff := cmp.Diff([]string{"CID-c", "CID-b", "CID-a"}, find(0, 0)); diff != "" {
		t.Errorf("FindClusters(0, 0) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CID-b"}, find(seqs[2], 1)); diff != "" {
		t.Errorf("FindClusters(before c, 1) (-want +got):\n%s", diff)
	}
}

func testMessagesByID(t *testing.T, s snowball.Store) {
	a, b, c := NewMessage("7/sns"), NewMessage("7/webhook"), NewMessage("8/sns")
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, m := range []*snowball.Message{a, b, c} {
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		b.DeliveredAt = b.CreatedAt
		return tx.PutMessage(ctx, b)
	})
	var got []*snowball.Message
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		got, err = tx.Messages(ctx, []string{"8/sns", "7/webhook", "9/sns"})
		return err
	})
	if diff := cmp.Diff([]*snowball.Message{b, c}, got, equate); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		got, err = tx.Messages(ctx, nil)
		return err
	})
	if len(got) != 0 {
		t.Errorf("Messages(nil) = %d messages, want none", len(got))
	}
}
