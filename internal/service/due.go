package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// A record's DueAt is when the timed lifecycle moves it on by itself. The
// service keeps it on every write (recordingTx), so that the lifecycle
// reads only what is due (Store.ClaimDue) and the rules of when a job
// moves live here alone.

// jobDue returns when j moves on by itself: its state's dwell time, scaled,
// after it entered the state; zero when it waits for someone (the customer,
// its cluster's quorum, the previous export part, its parts) or there is
// no timing (the manual lifecycle over a store that never had one). A cluster node leaves New no sooner than its
// cluster left AwaitingQuorum.
func (s *Service) jobDue(ctx context.Context, tx snowball.Tx, j *snowball.Job) (time.Time, error) {
	t := s.dues
	if t == nil {
		return time.Time{}, nil
	}
	if next, ok := snowball.NextJobState(j.Kind(), j.State); !ok || j.IsMaster && next == model.JobStateComplete {
		return time.Time{}, nil
	}
	d, ok := t.Profile.DwellFor(j)
	if !ok {
		return time.Time{}, nil
	}
	at := j.StateEnteredAt.Add(t.Scaled(d))
	if j.ClusterID != "" && j.State == model.JobStateNew {
		c, err := tx.Cluster(ctx, j.ClusterID)
		if err != nil {
			return time.Time{}, fmt.Errorf("due time of job %s: %w", j.ID, err)
		}
		if c.State == model.ClusterStateAwaitingQuorum {
			return time.Time{}, nil
		}
		if c.StateEnteredAt.After(at) {
			at = c.StateEnteredAt
		}
	}
	return at, nil
}

// clusterDue returns when c's processing window ends: for a cluster
// AwaitingQuorum with its quorum, the New dwell time after it was created,
// but not before its last node was; zero otherwise.
func (s *Service) clusterDue(ctx context.Context, tx snowball.Tx, c *snowball.Cluster) (time.Time, error) {
	t := s.dues
	if t == nil || c.State != model.ClusterStateAwaitingQuorum {
		return time.Time{}, nil
	}
	nodes, err := liveNodes(ctx, tx, c.ID)
	if err != nil {
		return time.Time{}, fmt.Errorf("due time of cluster %s: %w", c.ID, err)
	}
	if len(nodes) < c.Quorum {
		return time.Time{}, nil
	}
	at := c.CreatedAt.Add(t.Scaled(time.Duration(t.Profile.Dwell[model.JobStateNew])))
	for _, n := range nodes {
		if n.CreatedAt.After(at) {
			at = n.CreatedAt
		}
	}
	return at, nil
}

// The due times a recordingTx keeps. Every job and cluster the service
// stores goes through these, and so do the records whose due time follows
// from one it stores: a node's cluster (its quorum), a cluster's nodes
// (they may leave New once it has).

func (r *recordingTx) InsertJob(ctx context.Context, j *snowball.Job) error {
	if err := r.setJobDue(ctx, j); err != nil {
		return err
	}
	if err := r.Tx.InsertJob(ctx, j); err != nil {
		return err
	}
	return r.refreshCluster(ctx, j.ClusterID)
}

func (r *recordingTx) PutJob(ctx context.Context, j *snowball.Job) error {
	if err := r.setJobDue(ctx, j); err != nil {
		return err
	}
	if err := r.Tx.PutJob(ctx, j); err != nil {
		return err
	}
	return r.refreshCluster(ctx, j.ClusterID)
}

func (r *recordingTx) InsertCluster(ctx context.Context, c *snowball.Cluster) error {
	if err := r.setClusterDue(ctx, c); err != nil {
		return err
	}
	return r.Tx.InsertCluster(ctx, c)
}

func (r *recordingTx) PutCluster(ctx context.Context, c *snowball.Cluster) error {
	if err := r.setClusterDue(ctx, c); err != nil {
		return err
	}
	if err := r.Tx.PutCluster(ctx, c); err != nil {
		return err
	}
	nodes, err := allJobs(ctx, r.Tx, snowball.JobFilter{ClusterID: c.ID})
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if n.State != model.JobStateNew {
			continue
		}
		due := n.DueAt
		if err := r.setJobDue(ctx, n); err != nil {
			return err
		}
		if !n.DueAt.Equal(due) {
			if err := r.Tx.PutJob(ctx, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// refreshCluster recomputes the due time of the cluster a node belongs to
// ("": none), as its nodes changed.
func (r *recordingTx) refreshCluster(ctx context.Context, clusterID string) error {
	if clusterID == "" {
		return nil
	}
	c, err := r.Tx.Cluster(ctx, clusterID)
	if err != nil {
		return err
	}
	due := c.DueAt
	if err := r.setClusterDue(ctx, c); err != nil || c.DueAt.Equal(due) {
		return err
	}
	return r.Tx.PutCluster(ctx, c)
}

func (r *recordingTx) setJobDue(ctx context.Context, j *snowball.Job) error {
	at, err := r.svc.jobDue(ctx, r.Tx, j)
	j.DueAt = at
	r.noteDue(at)
	return err
}

func (r *recordingTx) setClusterDue(ctx context.Context, c *snowball.Cluster) error {
	at, err := r.svc.clusterDue(ctx, r.Tx, c)
	c.DueAt = at
	r.noteDue(at)
	return err
}

// noteDue keeps the earliest due time written, for OnDue.
func (r *recordingTx) noteDue(at time.Time) {
	if !at.IsZero() && (r.earliestDue.IsZero() || at.Before(r.earliestDue)) {
		r.earliestDue = at
	}
}

// timingSetting names, among the store's settings, the timing the stored
// due times were computed with, as JSON.
const timingSetting = "due-timing"

// recomputePage is how many jobs RecomputeDue reads and writes per
// transaction.
const recomputePage = 500

// RecomputeDue makes the stored due times those of the service's timing,
// when they were computed with another (a new --time-scale or profile, or
// a store from before due times were kept), and reports how many jobs and
// clusters it changed. It goes through the live jobs a page at a time, one
// transaction each, so a server with a million of them is not held up for
// long at once; a job that a request changes meanwhile gets its due time
// from that change.
//
// The manual lifecycle keeps the due times of the timing the store names,
// if any: they are of no use to it, but a server started again in the
// timed lifecycle, at the same pace, finds them right and need not
// recompute a million of them.
//
// Call it once at start, before the service serves.
func (s *Service) RecomputeDue(ctx context.Context) (int, error) {
	var stored string
	err := s.store.View(ctx, func(tx snowball.Tx) (err error) {
		stored, err = tx.Setting(ctx, timingSetting)
		if snowball.IsNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return 0, wrap("recompute due times", err)
	}
	if s.cfg.Timed == nil {
		s.dues = nil
		if stored != "" {
			var t Timing
			if err := json.Unmarshal([]byte(stored), &t); err != nil {
				return 0, fmt.Errorf("recompute due times: the stored timing: %w", err)
			}
			s.dues = &t
		}
		return 0, nil
	}
	b, err := json.Marshal(s.cfg.Timed)
	if err != nil {
		return 0, err
	}
	s.dues = s.cfg.Timed
	if stored == string(b) {
		return 0, nil
	}
	changed := 0
	var after int64
	for {
		n, last, err := s.recomputePage(ctx, after)
		if err != nil {
			return changed, wrap("recompute due times", err)
		}
		changed += n
		if last == 0 {
			break
		}
		after = last
	}
	err = s.store.Update(ctx, func(tx snowball.Tx) error { return tx.PutSetting(ctx, timingSetting, string(b)) })
	return changed, wrap("recompute due times", err)
}

// recomputePage recomputes the due times of the live jobs after Seq after,
// and of their clusters, and returns how many changed and the last Seq
// read (0: there were none).
func (s *Service) recomputePage(ctx context.Context, after int64) (changed int, last int64, err error) {
	err = s.store.Update(ctx, func(tx snowball.Tx) error {
		changed, last = 0, 0
		jobs, err := tx.Jobs(ctx, snowball.JobFilter{NotFinal: true}, snowball.Page{After: after, Limit: recomputePage})
		if err != nil {
			return err
		}
		clusters := map[string]bool{}
		for _, j := range jobs {
			last = j.Seq
			at, err := s.jobDue(ctx, tx, j)
			if err != nil {
				return err
			}
			if !at.Equal(j.DueAt) {
				j.DueAt = at
				if err := tx.PutJob(ctx, j); err != nil {
					return err
				}
				changed++
			}
			if j.ClusterID != "" {
				clusters[j.ClusterID] = true
			}
		}
		for id := range clusters {
			c, err := tx.Cluster(ctx, id)
			if err != nil {
				return err
			}
			at, err := s.clusterDue(ctx, tx, c)
			if err != nil {
				return err
			}
			if !at.Equal(c.DueAt) {
				c.DueAt = at
				if err := tx.PutCluster(ctx, c); err != nil {
					return err
				}
				changed++
			}
		}
		return nil
	})
	return changed, last, err
}
