package snowball

import (
	"testing"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/google/go-cmp/cmp"
)

func TestJobPaths(t *testing.T) {
	for k, path := range jobPaths {
		t.Run(k.String(), func(t *testing.T) {
			seen := map[model.JobState]bool{}
			for i, s := range path {
				if seen[s] {
					t.Fatalf("state %s twice on the path", s)
				}
				seen[s] = true
				next, ok := NextJobState(k, s)
				if i == len(path)-1 {
					if ok || s != model.JobStateComplete {
						t.Errorf("path must end at Complete; NextJobState(%s) = %s, %v", s, next, ok)
					}
					continue
				}
				if !ok || next != path[i+1] {
					t.Errorf("NextJobState(%s) = %s, %v; want %s", s, next, ok, path[i+1])
				}
				for _, later := range path[i+1:] {
					if _, ok := JobStatesBetween(k, s, later); !ok {
						t.Errorf("%s → %s is forward but not allowed", s, later)
					}
					if _, ok := JobStatesBetween(k, later, s); ok {
						t.Errorf("%s → %s goes backwards but is allowed", later, s)
					}
				}
			}
			for _, s := range model.JobState("").Values() {
				if !seen[s] {
					if _, ok := NextJobState(k, s); ok {
						t.Errorf("NextJobState(%s) off the path succeeded", s)
					}
				}
			}
			if _, ok := NextJobState(k, model.JobStateCancelled); ok {
				t.Error("a cancelled job moved")
			}
		})
	}
}

func TestJobStatesBetween(t *testing.T) {
	got, ok := JobStatesBetween(KindImport, model.JobStateNew, model.JobStateWithCustomer)
	want := []model.JobState{"PreparingAppliance", "PreparingShipment", "InTransitToCustomer", "WithCustomer"}
	if !ok {
		t.Fatal("New → WithCustomer refused")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if _, ok := JobStatesBetween(KindImport, model.JobStateNew, model.JobStateNew); ok {
		t.Error("a move to the same state was allowed")
	}
	if _, ok := JobStatesBetween(KindLocalUse, model.JobStateWithAWS, model.JobStateInProgress); ok {
		t.Error("local use has no InProgress, but a move there was allowed")
	}
}

func TestCanCancelJob(t *testing.T) {
	tests := []struct {
		kind  JobKind
		state model.JobState
		want  bool
	}{
		{KindImport, model.JobStateNew, true},
		{KindImport, model.JobStatePreparingAppliance, false},
		{KindImport, model.JobStateCancelled, false},
		{KindLocalUse, model.JobStateNew, true},
		{KindExportMaster, model.JobStateListing, true},
		{KindExportMaster, model.JobStatePending, true},
		{KindExportMaster, model.JobStateComplete, false},
		{KindExportPart, model.JobStatePending, true},
		{KindExportPart, model.JobStateInProgress, false},
	}
	for _, tt := range tests {
		if got := CanCancelJob(tt.kind, tt.state); got != tt.want {
			t.Errorf("CanCancelJob(%s, %s) = %v, want %v", tt.kind, tt.state, got, tt.want)
		}
	}
}

func TestCanMoveCluster(t *testing.T) {
	all := model.ClusterState("").Values()
	allowed := map[[2]model.ClusterState]bool{
		{"AwaitingQuorum", "Pending"}: true, {"AwaitingQuorum", "Cancelled"}: true,
		{"Pending", "InUse"}: true, {"InUse", "Complete"}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got := CanMoveCluster(from, to); got != allowed[[2]model.ClusterState{from, to}] {
				t.Errorf("CanMoveCluster(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestOwnerFor(t *testing.T) {
	if OwnerFor("1", "us-east-1") != OwnerFor("1", "us-west-2") {
		t.Error("US regions must share a partition")
	}
	if OwnerFor("1", "eu-west-1") == OwnerFor("1", "us-west-2") {
		t.Error("eu-west-1 shares the US partition")
	}
	if got := OwnerFor("1", "eu-west-1").Region(); got != "eu-west-1" {
		t.Errorf("Region() = %s", got)
	}
}
