package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// stateTests are the tests of the counts by state.
var stateTests = []test{
	{"Empty", testStatesEmpty},
	{"CountsFollowPuts", testStatesFollowPuts},
}

func mustStates(t *testing.T, s snowball.Store) (map[model.JobState]int, map[model.ClusterState]int) {
	t.Helper()
	var jobs map[model.JobState]int
	var clusters map[model.ClusterState]int
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		if jobs, err = tx.JobsByState(ctx); err != nil {
			return err
		}
		clusters, err = tx.ClustersByState(ctx)
		return err
	})
	return jobs, clusters
}

func testStatesEmpty(t *testing.T, s snowball.Store) {
	jobs, clusters := mustStates(t, s)
	if len(jobs) != 0 || len(clusters) != 0 {
		t.Errorf("an empty store counts jobs %v and clusters %v", jobs, clusters)
	}
}

func testStatesFollowPuts(t *testing.T, s snowball.Store) {
	alice, bob := snowball.OwnerFor("111122223333", "us-west-2"), snowball.OwnerFor("444455556666", "eu-west-1")
	j1, j2, j3 := NewJob("j1", alice), NewJob("j2", bob), NewJob("j3", alice)
	j3.State = model.JobStateComplete
	jobKind.insertAll(t, s, j1, j2, j3)
	c1, c2 := NewCluster("c1", alice), NewCluster("c2", bob)
	clusterKind.insertAll(t, s, c1, c2)

	// A Put moves a record from one count to another.
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		j2.State = model.JobStateInTransitToAWS
		if err := tx.PutJob(ctx, j2); err != nil {
			return err
		}
		c2.State = model.ClusterStateInUse
		return tx.PutCluster(ctx, c2)
	})
	jobs, clusters := mustStates(t, s)
	wantJobs := map[model.JobState]int{model.JobStateWithCustomer: 1, model.JobStateInTransitToAWS: 1, model.JobStateComplete: 1}
	if diff := cmp.Diff(wantJobs, jobs); diff != "" {
		t.Errorf("JobsByState (-want +got):\n%s", diff)
	}
	wantClusters := map[model.ClusterState]int{model.ClusterStateAwaitingQuorum: 1, model.ClusterStateInUse: 1}
	if diff := cmp.Diff(wantClusters, clusters); diff != "" {
		t.Errorf("ClustersByState (-want +got):\n%s", diff)
	}
}
