package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// move is one transition in the making: the transaction it is applied in,
// the time it happens (now, or when it fell due if the timed lifecycle is
// catching up) and who caused it.
type move struct {
	tx    snowball.Tx
	at    time.Time
	cause snowball.Cause
}

func (s *Service) move(tx snowball.Tx, cause snowball.Cause) move {
	return move{tx: tx, at: s.now(), cause: cause}
}

// system is the same move as the consequence of another transition.
func (m move) system() move {
	m.cause = snowball.CauseSystem
	return m
}

// Shipment statuses as Frosty reports them (the real values are free text).
const (
	ShipmentLabelCreated = "Label created"
	ShipmentInTransit    = "In transit"
	ShipmentDelivered    = "Delivered"
)

// AdvanceJob is the operator ("AWS side") moving a job forward to state
// to, through every state in between, each with its side effects and its
// event. It returns the job as it ends up.
// Errors: InvalidResourceException (no such job), InvalidJobStateException
// (to is not ahead of the job on its path, or the job must wait for its
// cluster or parts).
func (s *Service) AdvanceJob(ctx context.Context, jobID string, to model.JobState) (*snowball.Job, error) {
	if !slices.Contains(to.Values(), to) {
		return nil, snowball.Errorf(snowball.Validation, "%q is not a job state; the job states are %s.", model.Truncate(string(to)), joinValues(to.Values()))
	}
	var out *snowball.Job
	err := s.write(ctx, func(tx snowball.Tx) error {
		j, err := tx.Job(ctx, jobID)
		if snowball.IsNotFound(err) {
			return notFound(snowball.ResourceJob, jobID)
		}
		if err != nil {
			return err
		}
		if j.IsMaster && to == model.JobStateComplete {
			return snowball.Errorf(snowball.InvalidJobState, "The export job %s completes by itself when all its parts are Complete; advance the parts.", j.ID)
		}
		if err := s.advance(ctx, s.move(tx, snowball.CauseOperator), j, to); err != nil {
			return err
		}
		out = j
		return nil
	})
	if err != nil {
		return nil, wrap("advance job", err)
	}
	return out, nil
}

// StepDue is the timed lifecycle applying due transitions, in order, in
// one transaction: a batch costs the store one commit. Each is a job (or
// cluster) that Store.ClaimDue gave, due at d.At (to the microsecond) and
// in state d.State; a job moves one state on, a cluster out of
// AwaitingQuorum, each stamped with the time it fell due. moved[i] reports
// whether ds[i] moved: it does not when it has moved on already (an
// operator or another replica was first), is gone (a reset), or is not due
// after all (its due time was computed under other rules: it is stored
// again, with its due time recomputed).
func (s *Service) StepDue(ctx context.Context, ds []snowball.Due) (moved []bool, err error) {
	err = s.write(ctx, func(tx snowball.Tx) error {
		moved = make([]bool, len(ds)) // afresh, should the store run this again
		for i, d := range ds {
			var err error
			if d.Cluster {
				moved[i], err = s.stepCluster(ctx, tx, d.ID, d.At)
			} else {
				moved[i], err = s.stepJob(ctx, tx, d.ID, model.JobState(d.State), d.At)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return moved, wrap("step due", err)
}

func (s *Service) stepJob(ctx context.Context, tx snowball.Tx, jobID string, from model.JobState, at time.Time) (bool, error) {
	j, err := tx.Job(ctx, jobID)
	if snowball.IsNotFound(err) {
		return false, nil
	}
	if err != nil || j.State != from {
		return false, err
	}
	due, err := s.jobDue(ctx, tx, j)
	if err != nil {
		return false, err
	}
	if due.IsZero() || laterThan(due, at) {
		return false, tx.PutJob(ctx, j)
	}
	next, _ := snowball.NextJobState(j.Kind(), j.State)
	// Stamped with the due time itself, which the store keeps only to the
	// microsecond.
	return true, s.setJobState(ctx, move{tx: tx, at: due, cause: snowball.CauseTimer}, j, next)
}

// laterThan reports whether due is after at, which the store gave back to
// the microsecond.
func laterThan(due, at time.Time) bool { return due.Truncate(time.Microsecond).After(at) }

func (s *Service) stepCluster(ctx context.Context, tx snowball.Tx, clusterID string, at time.Time) (bool, error) {
	c, err := tx.Cluster(ctx, clusterID)
	if snowball.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	due, err := s.clusterDue(ctx, tx, c)
	if err != nil {
		return false, err
	}
	if due.IsZero() || laterThan(due, at) {
		return false, tx.PutCluster(ctx, c)
	}
	return true, s.setClusterState(ctx, move{tx: tx, at: due, cause: snowball.CauseTimer}, c, model.ClusterStatePending)
}

// advance moves j along its path to state to, entering every state between.
func (s *Service) advance(ctx context.Context, m move, j *snowball.Job, to model.JobState) error {
	states, ok := snowball.JobStatesBetween(j.Kind(), j.State, to)
	if !ok {
		return snowball.Errorf(snowball.InvalidJobState, "The job %s is %s; %s is not ahead of it on the path of an %s job: %v.",
			j.ID, j.State, to, j.Kind(), snowball.JobPath(j.Kind()))
	}
	for _, next := range states {
		if j.ClusterID != "" && j.State == model.JobStateNew {
			if err := s.releaseCluster(ctx, m, j.ClusterID); err != nil {
				return err
			}
		}
		if err := s.setJobState(ctx, m, j, next); err != nil {
			return err
		}
	}
	return nil
}

// setJobState makes j enter state to: it records the event, applies the
// state's side effects to j, stores it, and then lets the master, the next
// export part or the cluster react.
func (s *Service) setJobState(ctx context.Context, m move, j *snowball.Job, to model.JobState) error {
	tx := m.tx
	e := &snowball.Event{ResourceID: j.ID, At: m.at, From: string(j.State), To: string(to), Cause: m.cause}
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	if err := s.notify(ctx, tx, j, e); err != nil {
		return err
	}
	j.State, j.StateEnteredAt = to, m.at
	if err := s.enterJobState(j); err != nil {
		return err
	}
	if err := tx.PutJob(ctx, j); err != nil {
		return err
	}
	switch {
	case j.IsMaster && to == model.JobStatePending:
		return s.createExportParts(ctx, m.system(), j)
	case j.MasterID != "" && to == model.JobStateInTransitToAWS:
		return s.releaseNextPart(ctx, m.system(), j)
	case j.MasterID != "" && snowball.IsFinal(to):
		return s.settleMaster(ctx, m.system(), j.MasterID)
	case j.ClusterID != "" && to == model.JobStateWithCustomer:
		return s.setClusterStateIf(ctx, m.system(), j.ClusterID, model.ClusterStatePending, model.ClusterStateInUse)
	case j.ClusterID != "" && snowball.IsFinal(to):
		return s.settleCluster(ctx, m.system(), j.ClusterID)
	}
	return nil
}

// enterJobState applies what entering j.State does to the job itself
// (BEHAVIOR.md §1.6, §1.9): a device is assigned, shipments get tracking
// numbers and move.
func (s *Service) enterJobState(j *snowball.Job) error {
	var err error
	switch j.State {
	case model.JobStatePreparingAppliance:
		if j.SnowballID == "" {
			j.SnowballID, err = randomString(s.rand, digits, 12)
		}
	case model.JobStatePreparingShipment:
		var tn string
		if tn, err = trackingNumber(s.rand); err == nil {
			j.Outbound = &snowball.Shipment{TrackingNumber: tn, Status: ShipmentLabelCreated}
		}
	case model.JobStateInTransitToCustomer:
		setShipment(j.Outbound, ShipmentInTransit)
	case model.JobStateWithCustomer:
		setShipment(j.Outbound, ShipmentDelivered)
	case model.JobStateInTransitToAWS:
		var tn string
		if tn, err = trackingNumber(s.rand); err == nil {
			j.Inbound = &snowball.Shipment{TrackingNumber: tn, Status: ShipmentInTransit}
		}
	case model.JobStateWithAWSSortingFacility:
		setShipment(j.Inbound, ShipmentDelivered)
	}
	return err
}

func setShipment(sh *snowball.Shipment, status string) {
	if sh != nil {
		sh.Status = status
	}
}

// createExportParts splits an export master into its parts once the
// listing is done: the first part is New, the others wait in Pending.
func (s *Service) createExportParts(ctx context.Context, m move, master *snowball.Job) error {
	for i := 1; i <= s.cfg.ExportParts; i++ {
		state := model.JobStatePending
		if i == 1 {
			state = model.JobStateNew
		}
		part, err := s.newJobAt(m.at, master.Owner, master.Metadata, false, state)
		if err != nil {
			return err
		}
		part.MasterID, part.PartIndex = master.ID, i
		if err := s.insertJob(ctx, m.tx, part, m.cause); err != nil {
			return err
		}
	}
	return nil
}

// releaseNextPart lets the part after j leave Pending: the next device is
// prepared once the previous one is on its way back, so the part goes on to
// PreparingAppliance at once (BEHAVIOR.md §1.2), passing through New.
func (s *Service) releaseNextPart(ctx context.Context, m move, j *snowball.Job) error {
	parts, err := allJobs(ctx, m.tx, snowball.JobFilter{MasterID: j.MasterID})
	if err != nil {
		return err
	}
	for _, p := range parts {
		if p.PartIndex == j.PartIndex+1 && p.State == model.JobStatePending {
			return s.advance(ctx, m, p, model.JobStatePreparingAppliance)
		}
	}
	return nil
}

// settleMaster completes an export master when every part is finished and
// at least one completed.
func (s *Service) settleMaster(ctx context.Context, m move, masterID string) error {
	master, err := m.tx.Job(ctx, masterID)
	if err != nil {
		return err
	}
	if master.State != model.JobStatePending {
		return nil
	}
	parts, err := allJobs(ctx, m.tx, snowball.JobFilter{MasterID: masterID})
	if err != nil {
		return err
	}
	completed := 0
	for _, p := range parts {
		if !snowball.IsFinal(p.State) {
			return nil
		}
		if p.State == model.JobStateComplete {
			completed++
		}
	}
	to := model.JobStateComplete
	if completed == 0 {
		to = model.JobStateCancelled
	}
	return s.setJobState(ctx, m, master, to)
}

// releaseCluster moves a cluster from AwaitingQuorum to Pending, as a node
// job is about to leave New; it fails while the cluster lacks its quorum.
func (s *Service) releaseCluster(ctx context.Context, m move, clusterID string) error {
	c, err := m.tx.Cluster(ctx, clusterID)
	if err != nil {
		return err
	}
	if c.State != model.ClusterStateAwaitingQuorum {
		return nil
	}
	nodes, err := liveNodes(ctx, m.tx, c.ID)
	if err != nil {
		return err
	}
	if len(nodes) < c.Quorum {
		return snowball.Errorf(snowball.InvalidJobState,
			"The cluster %s is AwaitingQuorum with %d of its %d nodes; its jobs cannot be prepared yet.", c.ID, len(nodes), c.Quorum)
	}
	return s.setClusterState(ctx, m, c, model.ClusterStatePending)
}

func liveNodes(ctx context.Context, tx snowball.Tx, clusterID string) ([]*snowball.Job, error) {
	nodes, err := allJobs(ctx, tx, snowball.JobFilter{ClusterID: clusterID})
	live := nodes[:0]
	for _, n := range nodes {
		if n.State != model.JobStateCancelled {
			live = append(live, n)
		}
	}
	return live, err
}

// settleCluster completes an InUse cluster once every live node is Complete.
func (s *Service) settleCluster(ctx context.Context, m move, clusterID string) error {
	c, err := m.tx.Cluster(ctx, clusterID)
	if err != nil || c.State != model.ClusterStateInUse {
		return err
	}
	nodes, err := liveNodes(ctx, m.tx, clusterID)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if n.State != model.JobStateComplete {
			return nil
		}
	}
	return s.setClusterState(ctx, m, c, model.ClusterStateComplete)
}

func (s *Service) setClusterStateIf(ctx context.Context, m move, clusterID string, from, to model.ClusterState) error {
	c, err := m.tx.Cluster(ctx, clusterID)
	if err != nil || c.State != from {
		return err
	}
	return s.setClusterState(ctx, m, c, to)
}

func (s *Service) setClusterState(ctx context.Context, m move, c *snowball.Cluster, to model.ClusterState) error {
	if !snowball.CanMoveCluster(c.State, to) {
		return fmt.Errorf("cluster %s: no move from %s to %s", c.ID, c.State, to)
	}
	if err := m.tx.AppendEvent(ctx, &snowball.Event{ResourceID: c.ID, At: m.at, From: string(c.State), To: string(to), Cause: m.cause}); err != nil {
		return err
	}
	c.State, c.StateEnteredAt = to, m.at
	return m.tx.PutCluster(ctx, c)
}

// AdvanceCluster is the operator moving a cluster out of AwaitingQuorum to
// Pending (the processing window has passed), which needs its quorum.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) AdvanceCluster(ctx context.Context, clusterID string, to model.ClusterState) (*snowball.Cluster, error) {
	if !slices.Contains(to.Values(), to) {
		return nil, snowball.Errorf(snowball.Validation, "%q is not a cluster state; the cluster states are %s.", model.Truncate(string(to)), joinValues(to.Values()))
	}
	var out *snowball.Cluster
	err := s.write(ctx, func(tx snowball.Tx) error {
		c, err := tx.Cluster(ctx, clusterID)
		if snowball.IsNotFound(err) {
			return notFound(snowball.ResourceCluster, clusterID)
		}
		if err != nil {
			return err
		}
		if c.State != model.ClusterStateAwaitingQuorum || to != model.ClusterStatePending {
			return snowball.Errorf(snowball.InvalidJobState,
				"The cluster %s is %s; the operator can only move an AwaitingQuorum cluster to Pending, the rest follows its nodes.", c.ID, c.State)
		}
		if err := s.releaseCluster(ctx, s.move(tx, snowball.CauseOperator), c.ID); err != nil {
			return err
		}
		out, err = tx.Cluster(ctx, clusterID)
		return err
	})
	if err != nil {
		return nil, wrap("advance cluster", err)
	}
	return out, nil
}

// Events returns the recorded transitions of a job or cluster, oldest first.
// Errors: InvalidResourceException.
func (s *Service) Events(ctx context.Context, id string) ([]*snowball.Event, error) {
	var out []*snowball.Event
	err := s.store.View(ctx, func(tx snowball.Tx) error {
		_, jerr := tx.Job(ctx, id)
		_, cerr := tx.Cluster(ctx, id)
		if snowball.IsNotFound(jerr) && snowball.IsNotFound(cerr) {
			return notFound(snowball.ResourceJob, id)
		}
		var err error
		out, err = tx.Events(ctx, id)
		return err
	})
	return out, wrap("events", err)
}

// joinValues lists an enum's values for a message.
func joinValues[T ~string](values []T) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}
