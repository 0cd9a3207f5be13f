// Package lifecycle is the timed lifecycle: it moves jobs and clusters
// through their states on their own, each state lasting its profile's dwell
// time divided by the time scale. Every transition is one store
// transaction, applied by the service, that also records its event.
package lifecycle

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// DefaultTimeScale makes an import job reach WithCustomer about 20 seconds
// after it is created with SECOND_DAY shipping: a real-world day lasts 5 s.
const DefaultTimeScale = 17280

// Engine applies due transitions. It is safe to run one per replica: a
// transition is applied only if the job is still in the state it left, so a
// timer, an operator call and another replica never apply it twice.
type Engine struct {
	store  snowball.Store
	svc    *service.Service
	clock  snowball.Clock
	timing *service.Timing
	log    *slog.Logger
	wake   chan struct{}
	// passes holds a pass of RunDue, so that the operator's (after a move
	// of the clock) and the engine's own never interleave: a pass that saw
	// the other apply a transition would stop before the chain is done.
	passes sync.Mutex

	// OnLate, if set, is called with how late each transition the engine
	// applied was: the time it was applied less the time it fell due.
	OnLate func(time.Duration)
}

// New returns an Engine; timing must be the one the service was given.
func New(store snowball.Store, svc *service.Service, clock snowball.Clock, timing *service.Timing, log *slog.Logger) *Engine {
	return &Engine{store: store, svc: svc, clock: clock, timing: timing, log: log, wake: make(chan struct{}, 1)}
}

// Wake makes a running engine look for due transitions again; the service
// calls it after every change, which may have made one due sooner.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// due is a transition that falls due at a time.
type due struct {
	at        time.Time
	jobID     string
	from      model.JobState
	clusterID string // set for a cluster leaving AwaitingQuorum
}

// Run applies transitions as they fall due until ctx ends. Between them it
// sleeps until the next one is due or Wake is called.
func (e *Engine) Run(ctx context.Context) error {
	return runLoop(ctx, e.clock, e.wake, e.RunDue, e.log.With("loop", "lifecycle"))
}

// runLoop calls runDue, then sleeps until the time it returns (none: until
// woken) or a wake-up, until ctx ends. After an error it tries again in a
// second.
func runLoop(ctx context.Context, clock snowball.Clock, wake <-chan struct{}, runDue func(context.Context) (time.Time, error), log *slog.Logger) error {
	for {
		next, err := runDue(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("run due", "err", err)
			next = clock.Now().Add(time.Second)
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if !next.IsZero() {
			timer = time.NewTimer(max(0, next.Sub(clock.Now())))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			return nil
		case <-fire:
		case <-wake:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// RunDue applies, oldest first, every transition due by now, including the
// ones that fall due because of an earlier one (a server that was down
// catches up, in order, with each state's side effects). It returns when
// the next transition is due, or the zero time if none is pending.
func (e *Engine) RunDue(ctx context.Context) (next time.Time, err error) {
	e.passes.Lock()
	defer e.passes.Unlock()
	for {
		now := e.clock.Now()
		pending, err := e.pending(ctx)
		if err != nil {
			return time.Time{}, err
		}
		applied := false
		next = time.Time{}
		for _, d := range pending {
			if d.at.After(now) {
				next = d.at
				break
			}
			moved, err := e.apply(ctx, d)
			if err != nil {
				return time.Time{}, err
			}
			if moved && e.OnLate != nil {
				e.OnLate(e.clock.Now().Sub(d.at))
			}
			// A move may make more fall due (the job's next state, a
			// cluster's nodes, the next export part): look again after
			// this pass. Each job still moves in order, stamped with the
			// time each move fell due.
			applied = applied || moved
		}
		if !applied {
			return next, nil
		}
	}
}

func (e *Engine) apply(ctx context.Context, d due) (bool, error) {
	if d.clusterID != "" {
		return e.svc.StepCluster(ctx, d.clusterID, d.at)
	}
	return e.svc.StepJob(ctx, d.jobID, d.from, d.at)
}

// pending lists every transition that will fall due by itself, soonest first.
func (e *Engine) pending(ctx context.Context) ([]due, error) {
	var out []due
	err := e.store.View(ctx, func(tx snowball.Tx) error {
		jobs, err := tx.Jobs(ctx, snowball.JobFilter{NotFinal: true}, snowball.Page{})
		if err != nil {
			return err
		}
		clusters := map[string]*snowball.Cluster{}
		quorumAt := map[string]time.Time{} // cluster → when its last node was created
		for _, j := range jobs {
			if j.IsMaster && j.State == model.JobStatePending {
				continue // completes when its parts do
			}
			d, ok := e.timing.Profile.DwellFor(j)
			if !ok {
				continue
			}
			at := j.StateEnteredAt.Add(e.timing.Scaled(d))
			if j.ClusterID != "" && j.State == model.JobStateNew {
				// A node leaves New only once its cluster has left
				// AwaitingQuorum, and never before that moment.
				c, ok := clusters[j.ClusterID]
				if !ok {
					if c, err = tx.Cluster(ctx, j.ClusterID); err != nil {
						return err
					}
					clusters[c.ID] = c
				}
				if c.State == model.ClusterStateAwaitingQuorum {
					if t, ok := quorumAt[c.ID]; !ok || j.CreatedAt.After(t) {
						quorumAt[c.ID] = j.CreatedAt
					}
					continue
				}
				if c.StateEnteredAt.After(at) {
					at = c.StateEnteredAt
				}
			}
			out = append(out, due{at: at, jobID: j.ID, from: j.State})
		}
		window := e.timing.Scaled(time.Duration(e.timing.Profile.Dwell[model.JobStateNew]))
		for id, last := range quorumAt {
			at := clusters[id].CreatedAt.Add(window)
			if last.After(at) {
				at = last
			}
			out = append(out, due{at: at, clusterID: id})
		}
		return nil
	})
	// Clusters first at equal times, so their nodes can leave New.
	sort.SliceStable(out, func(i, k int) bool {
		if !out[i].at.Equal(out[k].at) {
			return out[i].at.Before(out[k].at)
		}
		return out[i].clusterID != "" && out[k].clusterID == ""
	})
	return out, err
}
