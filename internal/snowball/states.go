package snowball

import (
	"slices"

	"github.com/frostyhq/frosty/internal/model"
)

// The job paths, one per kind (BEHAVIOR.md §1.2). A job moves only forward
// along its path, one state at a time; the sole side exit is Cancelled,
// from the states listed in cancellable.
var jobPaths = map[JobKind][]model.JobState{
	KindImport: {
		model.JobStateNew, model.JobStatePreparingAppliance, model.JobStatePreparingShipment,
		model.JobStateInTransitToCustomer, model.JobStateWithCustomer, model.JobStateInTransitToAWS,
		model.JobStateWithAWSSortingFacility, model.JobStateWithAWS, model.JobStateInProgress,
		model.JobStateComplete,
	},
	// Later parts are created in Pending and leave it for New, then
	// PreparingAppliance, when the previous part is on its way back.
	KindExportPart: {
		model.JobStatePending, model.JobStateNew, model.JobStatePreparingAppliance, model.JobStateInProgress,
		model.JobStatePreparingShipment, model.JobStateInTransitToCustomer, model.JobStateWithCustomer,
		model.JobStateInTransitToAWS, model.JobStateWithAWSSortingFacility, model.JobStateWithAWS,
		model.JobStateComplete,
	},
	KindExportMaster: {
		model.JobStateNew, model.JobStateListing, model.JobStatePending, model.JobStateComplete,
	},
	KindLocalUse: {
		model.JobStateNew, model.JobStatePreparingAppliance, model.JobStatePreparingShipment,
		model.JobStateInTransitToCustomer, model.JobStateWithCustomer, model.JobStateInTransitToAWS,
		model.JobStateWithAWSSortingFacility, model.JobStateWithAWS, model.JobStateComplete,
	},
}

// cancellable lists, per kind, the states CancelJob accepts.
var cancellable = map[JobKind][]model.JobState{
	KindImport:       {model.JobStateNew},
	KindExportPart:   {model.JobStatePending, model.JobStateNew},
	KindExportMaster: {model.JobStateNew, model.JobStateListing, model.JobStatePending},
	KindLocalUse:     {model.JobStateNew},
}

// JobPath returns the states a job of kind k passes through, in order.
func JobPath(k JobKind) []model.JobState { return slices.Clone(jobPaths[k]) }

// NextJobState returns the state after from on kind k's path, and false at
// the end of the path or off it (Cancelled).
func NextJobState(k JobKind, from model.JobState) (model.JobState, bool) {
	path := jobPaths[k]
	i := slices.Index(path, from)
	if i < 0 || i == len(path)-1 {
		return "", false
	}
	return path[i+1], true
}

// JobStatesBetween returns the states a job of kind k enters to go from
// from to to, ending with to; ok is false when to is not ahead of from on
// the path.
func JobStatesBetween(k JobKind, from, to model.JobState) (states []model.JobState, ok bool) {
	path := jobPaths[k]
	i, j := slices.Index(path, from), slices.Index(path, to)
	if i < 0 || j <= i {
		return nil, false
	}
	return slices.Clone(path[i+1 : j+1]), true
}

// CanCancelJob reports whether a job of kind k in state s may be cancelled.
func CanCancelJob(k JobKind, s model.JobState) bool { return slices.Contains(cancellable[k], s) }

// IsFinal reports whether s is a state a job never leaves.
func IsFinal(s model.JobState) bool {
	return s == model.JobStateComplete || s == model.JobStateCancelled
}

// clusterMoves is the cluster state machine (BEHAVIOR.md §2.4):
//
//	AwaitingQuorum → Pending   quorum reached and the processing window passed
//	AwaitingQuorum → Cancelled CancelCluster
//	Pending        → InUse     the first node is WithCustomer
//	InUse          → Complete  every live node is Complete
var clusterMoves = map[model.ClusterState][]model.ClusterState{
	model.ClusterStateAwaitingQuorum: {model.ClusterStatePending, model.ClusterStateCancelled},
	model.ClusterStatePending:        {model.ClusterStateInUse},
	model.ClusterStateInUse:          {model.ClusterStateComplete},
}

// CanMoveCluster reports whether a cluster may go from one state to another.
func CanMoveCluster(from, to model.ClusterState) bool {
	return slices.Contains(clusterMoves[from], to)
}

// InUseStates are the states in which a job's device counts toward
// GetSnowballUsage (BEHAVIOR.md §7.1).
var InUseStates = []model.JobState{
	model.JobStatePreparingAppliance, model.JobStateInProgress, model.JobStatePreparingShipment,
	model.JobStateInTransitToCustomer, model.JobStateWithCustomer, model.JobStateInTransitToAWS,
	model.JobStateWithAWSSortingFacility, model.JobStateWithAWS,
}
