package service

import (
	"context"
	"fmt"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// The operator's reads and actions, across every account: what the
// dashboard shows and does. They need no owner in the context; the ones
// that act as the owner would (a returned device, the device's files) call
// the owner's operation on the job's owner's behalf, so that its rules are
// the same.

// JobView is a job as the operator sees it, with everything around it.
type JobView struct {
	Job *snowball.Job
	// Metadata is the job as DescribeJob shows it: shipments, the data
	// transfer progress while InProgress.
	Metadata *model.JobMetadata
	Events   []*snowball.Event
	// Messages are the notifications of its transitions, delivered or not.
	Messages []*snowball.Message
	// Parts are an export master's parts; Master is an export part's master.
	Parts  []*snowball.Job
	Master *snowball.Job
	// Cluster is a cluster node's cluster.
	Cluster *snowball.Cluster
	// Address is where the device ships: its AddressId's address or
	// pickup location; nil for none.
	Address *model.Address
}

// ClusterView is a cluster as the operator sees it.
type ClusterView struct {
	Cluster *snowball.Cluster
	Nodes   []*snowball.Job
	// Live counts the nodes that are not Cancelled, toward the quorum.
	Live   int
	Events []*snowball.Event
}

// FindJobs returns the jobs of every account that q selects, newest first.
func (s *Service) FindJobs(ctx context.Context, q snowball.JobQuery) ([]*snowball.Job, error) {
	var out []*snowball.Job
	err := s.store.View(ctx, func(tx snowball.Tx) (err error) {
		out, err = tx.FindJobs(ctx, q)
		return err
	})
	return out, wrap("find jobs", s.storeError(err))
}

// FindClusters returns the clusters of every account whose Seq is less
// than before (zero: all), newest first, at most limit (zero: all).
func (s *Service) FindClusters(ctx context.Context, before int64, limit int) ([]*snowball.Cluster, error) {
	var out []*snowball.Cluster
	err := s.store.View(ctx, func(tx snowball.Tx) (err error) {
		out, err = tx.FindClusters(ctx, before, limit)
		return err
	})
	return out, wrap("find clusters", s.storeError(err))
}

// ViewJob returns a job of any account with its events, notifications,
// parts or master, and cluster.
// Errors: InvalidResourceException.
func (s *Service) ViewJob(ctx context.Context, id string) (*JobView, error) {
	v := &JobView{}
	err := s.store.View(ctx, func(tx snowball.Tx) error {
		j, err := tx.Job(ctx, id)
		if snowball.IsNotFound(err) {
			return notFound(snowball.ResourceJob, id)
		}
		if err != nil {
			return err
		}
		v.Job = j
		if v.Metadata, err = s.jobMetadata(j); err != nil {
			return err
		}
		if v.Events, err = tx.Events(ctx, id); err != nil {
			return err
		}
		// A message's ID is its event's Seq and its target (notify).
		var ids []string
		for _, e := range v.Events {
			for _, target := range []string{snowball.MessageTargetSNS, snowball.MessageTargetWebhook} {
				ids = append(ids, fmt.Sprintf("%d/%s", e.Seq, target))
			}
		}
		if v.Messages, err = tx.Messages(ctx, ids); err != nil {
			return err
		}
		if j.IsMaster {
			if v.Parts, err = allJobs(ctx, tx, snowball.JobFilter{MasterID: j.ID}); err != nil {
				return err
			}
		}
		if j.MasterID != "" {
			if v.Master, err = tx.Job(ctx, j.MasterID); err != nil {
				return err
			}
		}
		if j.ClusterID != "" {
			if v.Cluster, err = tx.Cluster(ctx, j.ClusterID); err != nil {
				return err
			}
		}
		if id := model.Deref(j.Metadata.AddressId); id != "" {
			a, err := tx.Address(ctx, id)
			switch {
			case err == nil:
				v.Address = &a.Address
			case snowball.IsNotFound(err):
				if p, ok, err := s.pickupLocation(ctx, tx, id); err != nil {
					return err
				} else if ok {
					v.Address = &p
				}
			default:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap("view job", s.storeError(err))
	}
	return v, nil
}

// ViewCluster returns a cluster of any account with its nodes and events.
// Errors: InvalidResourceException.
func (s *Service) ViewCluster(ctx context.Context, id string) (*ClusterView, error) {
	v := &ClusterView{}
	err := s.store.View(ctx, func(tx snowball.Tx) error {
		c, err := tx.Cluster(ctx, id)
		if snowball.IsNotFound(err) {
			return notFound(snowball.ResourceCluster, id)
		}
		if err != nil {
			return err
		}
		v.Cluster = c
		if v.Nodes, err = allJobs(ctx, tx, snowball.JobFilter{ClusterID: id}); err != nil {
			return err
		}
		for _, n := range v.Nodes {
			if n.State != model.JobStateCancelled {
				v.Live++
			}
		}
		v.Events, err = tx.Events(ctx, id)
		return err
	})
	if err != nil {
		return nil, wrap("view cluster", s.storeError(err))
	}
	return v, nil
}

// OperatorCancelJob cancels a job of any account, as CancelJob would, with
// the operator as its cause.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) OperatorCancelJob(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx snowball.Tx) error {
		j, err := tx.Job(ctx, id)
		if snowball.IsNotFound(err) {
			return notFound(snowball.ResourceJob, id)
		}
		if err != nil {
			return err
		}
		return s.cancelJob(ctx, s.move(tx, snowball.CauseOperator), j)
	})
	return wrap("cancel job", err)
}

// OperatorCancelCluster cancels a cluster of any account and its nodes, as
// CancelCluster would, with the operator as its cause.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) OperatorCancelCluster(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx snowball.Tx) error {
		c, err := tx.Cluster(ctx, id)
		if snowball.IsNotFound(err) {
			return notFound(snowball.ResourceCluster, id)
		}
		if err != nil {
			return err
		}
		return s.cancelCluster(ctx, s.move(tx, snowball.CauseOperator), c)
	})
	return wrap("cancel cluster", err)
}

// MarkReturned records that the customer sent a job's device back: the
// owner's UpdateJobShipmentState RETURNED, made on its behalf.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) MarkReturned(ctx context.Context, id string) error {
	owner, err := s.jobOwner(ctx, id)
	if err != nil {
		return err
	}
	_, err = s.UpdateJobShipmentState(WithOwner(ctx, owner), &model.UpdateJobShipmentStateRequest{
		JobId: &id, ShipmentState: model.Ptr(model.ShipmentStateReturned),
	})
	return err
}

// DeviceFiles returns a presigned URL to a job's manifest and its unlock
// code, as its owner's GetJobManifest and GetJobUnlockCode would.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) DeviceFiles(ctx context.Context, id string) (manifestURL, unlockCode string, err error) {
	owner, err := s.jobOwner(ctx, id)
	if err != nil {
		return "", "", err
	}
	ctx = WithOwner(ctx, owner)
	m, err := s.GetJobManifest(ctx, &model.GetJobManifestRequest{JobId: &id})
	if err != nil {
		return "", "", err
	}
	u, err := s.GetJobUnlockCode(ctx, &model.GetJobUnlockCodeRequest{JobId: &id})
	if err != nil {
		return "", "", err
	}
	return model.Deref(m.ManifestURI), model.Deref(u.UnlockCode), nil
}

// HasOperatorClock reports whether the operator may move this service's
// clock (ChangeClock).
func (s *Service) HasOperatorClock() bool { return s.cfg.OperatorClock != nil }

// jobOwner returns the owner of a job of any account.
func (s *Service) jobOwner(ctx context.Context, id string) (snowball.Owner, error) {
	var owner snowball.Owner
	err := s.store.View(ctx, func(tx snowball.Tx) error {
		j, err := tx.Job(ctx, id)
		if snowball.IsNotFound(err) {
			return notFound(snowball.ResourceJob, id)
		}
		if err == nil {
			owner = j.Owner
		}
		return err
	})
	return owner, wrap("job owner", s.storeError(err))
}
