// Package lifecycle is the timed lifecycle: it moves jobs and clusters
// through their states on their own, each state lasting its profile's dwell
// time divided by the time scale. The service applies the transitions,
// each with its event, a claimed batch in one store transaction; and the
// Dispatcher delivers the notifications they queued.
package lifecycle

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// DefaultTimeScale makes an import job reach WithCustomer about 20 seconds
// after it is created with SECOND_DAY shipping: a real-world day lasts 5 s.
const DefaultTimeScale = 17280

// Defaults of an Engine's Batch, Lease and Linger.
const (
	DefaultBatch  = 100
	DefaultLease  = 10 * time.Second
	DefaultLinger = 20 * time.Millisecond
)

// Engine applies due transitions. The service keeps each job's and
// cluster's due time in the store; a pass claims what is due, a batch at a
// time (Store.ClaimDue), applies it, and asks the store when the next falls
// due, so its cost follows the transitions it applies, not the number of
// live jobs. It is safe to run one per replica: claims share the work out,
// and a transition is applied only if the job is still in the state it
// left, so a timer, an operator call and another replica never apply it
// twice.
type Engine struct {
	store snowball.Store
	svc   *service.Service
	clock snowball.Clock // the domain's time, which due times are in
	real  snowball.Clock // the real time, which leases are in
	log   *slog.Logger
	wake  chan struct{}
	// passes holds a pass of RunDue, so that the operator's (after a move
	// of the clock) and the engine's own never interleave: a pass that saw
	// the other apply a transition would stop before the chain is done.
	passes sync.Mutex
	// sleepUntil is the due time (Unix ns) the engine sleeps until; 0
	// while it is in a pass or has nothing due, when every WakeFor wakes
	// it.
	sleepUntil atomic.Int64
	// restUntil ends the rest of a pass that yielded to API calls (see
	// Busy); passes holds it.
	restUntil time.Time

	// OnLate, if set, is called with how late each transition the engine
	// applied was: the time it was applied less the time it fell due.
	OnLate func(time.Duration)
	// Batch is how many due jobs (and clusters) a pass claims at a time;
	// Lease how long a claim keeps them from other replicas, which must be
	// longer than a batch takes to apply.
	Batch int
	Lease time.Duration
	// Poll, if set, is the longest the engine sleeps: how soon it sees what
	// another replica made due, or left claimed when it died. Zero (one
	// process over its store) sleeps until the next due time or a WakeFor.
	Poll time.Duration
	// Linger is how long after the next due time the engine wakes, so that
	// what falls due meanwhile joins the same batch: under a stream of
	// transitions, a transaction applies many rather than one each. It
	// bounds how late a transition is applied, on an idle machine.
	Linger time.Duration
	// Busy, if set, reports whether API calls are waiting to be answered.
	// While they are, the engine's own passes yield to them: after each
	// batch, it rests for as long as the batch took times
	// (1-YieldShare)/YieldShare (at most MaxYield), so that it takes about
	// YieldShare of the store's writer; transitions then fall behind, and
	// catch up when the calls stop. An idle server applies them on time.
	Busy       func() bool
	YieldShare float64
	MaxYield   time.Duration
}

// Defaults of an Engine's YieldShare and MaxYield.
const (
	DefaultYieldShare = 0.05
	DefaultMaxYield   = time.Second
)

// New returns an Engine over the domain's clock and the real one.
func New(store snowball.Store, svc *service.Service, clock, real snowball.Clock, log *slog.Logger) *Engine {
	return &Engine{store: store, svc: svc, clock: clock, real: real, log: log, wake: make(chan struct{}, 1),
		Batch: DefaultBatch, Lease: DefaultLease, Linger: DefaultLinger,
		YieldShare: DefaultYieldShare, MaxYield: DefaultMaxYield}
}

// Wake makes a running engine look for due transitions again.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// WakeFor wakes a running engine if at is before the time it sleeps
// until: the service calls it when a change made something due.
func (e *Engine) WakeFor(at time.Time) {
	until := e.sleepUntil.Load()
	if until == 0 || at.UnixNano() < until {
		e.Wake()
	}
}

// Run applies transitions as they fall due until ctx ends. Between them it
// sleeps until the next one is due, a WakeFor an earlier one, or Poll.
func (e *Engine) Run(ctx context.Context) error {
	return runLoop(ctx, e.clock, e.wake, e.Poll, e.Linger, func(ctx context.Context) (time.Time, error) {
		return e.runDue(ctx, true)
	}, e.log.With("loop", "lifecycle"))
}

// runLoop calls runDue, then sleeps until linger after the time it returns
// (none: until woken), a wake-up or poll (if set), until ctx ends. After an
// error it tries again in a second.
func runLoop(ctx context.Context, clock snowball.Clock, wake <-chan struct{}, poll, linger time.Duration, runDue func(context.Context) (time.Time, error), log *slog.Logger) error {
	for {
		next, err := runDue(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("run due", "err", err)
			next = clock.Now().Add(time.Second)
		}
		wait := time.Duration(-1)
		if !next.IsZero() {
			wait = max(0, next.Sub(clock.Now())) + linger
		}
		if poll > 0 && (wait < 0 || wait > poll) {
			wait = poll
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if wait >= 0 {
			timer = time.NewTimer(wait)
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

// RunDue applies, soonest first, every transition due by now, including the
// ones that fall due because of an earlier one (a server that was down
// catches up, in order, with each state's side effects). It returns when
// the next transition is due, or the zero time if none is pending.
func (e *Engine) RunDue(ctx context.Context) (next time.Time, err error) {
	return e.runDue(ctx, false)
}

// runDue is RunDue. With yield (the engine's own passes, not the
// operator's), a pass that applied a batch while API calls wait (Busy)
// ends there and returns when to go on: after a rest that leaves the
// calls the rest of the writer (see Busy).
func (e *Engine) runDue(ctx context.Context, yield bool) (next time.Time, err error) {
	e.passes.Lock()
	defer e.passes.Unlock()
	if rest := e.restUntil; yield && e.clock.Now().Before(rest) {
		return rest, nil // woken during a rest: it goes on
	}
	e.sleepUntil.Store(0) // a change committed during the pass wakes the next
	for {
		// Reading when the next is due first spares the store a write
		// (the claim) when nothing is, as after most wake-ups.
		now, real := e.clock.Now(), e.real.Now()
		err := e.store.View(ctx, func(tx snowball.Tx) (err error) {
			next, err = tx.NextDue(ctx, real)
			return err
		})
		if err != nil {
			return time.Time{}, err
		}
		if next.IsZero() || next.After(now) {
			break
		}
		start := time.Now() // how long the work takes, on any clock
		due, err := e.store.ClaimDue(ctx, now, real, real.Add(e.Lease), e.Batch)
		if err != nil {
			return time.Time{}, err
		}
		if len(due) == 0 {
			continue // another replica claimed it meanwhile
		}
		// A move may make more fall due (the job's next state, a cluster's
		// nodes, the next export part): the next claim finds them. Each job
		// still moves in order, stamped with the time each move fell due.
		moved, err := e.svc.StepDue(ctx, due)
		if err != nil {
			if ctx.Err() != nil {
				return time.Time{}, err
			}
			// One record the service cannot move must not hold up the
			// others: apply them one by one, and leave that one claimed
			// until its lease runs out.
			e.log.Error("apply due transitions as a batch", "count", len(due), "err", err)
			if moved, err = e.oneByOne(ctx, due); err != nil {
				return time.Time{}, err
			}
		}
		if e.OnLate != nil {
			now := e.clock.Now()
			for i, d := range due {
				if moved[i] {
					e.OnLate(now.Sub(d.At))
				}
			}
		}
		if yield && e.Busy != nil && e.YieldShare > 0 && e.YieldShare < 1 && e.Busy() {
			took := time.Since(start)
			rest := min(time.Duration(float64(took)*(1-e.YieldShare)/e.YieldShare), e.MaxYield)
			next = e.clock.Now().Add(rest)
			e.restUntil = next
			break
		}
	}
	if next.IsZero() {
		e.sleepUntil.Store(0)
	} else {
		e.sleepUntil.Store(next.UnixNano())
	}
	return next, nil
}

// oneByOne applies each of due in a transaction of its own, logging those
// that fail; it fails only when ctx has ended.
func (e *Engine) oneByOne(ctx context.Context, due []snowball.Due) ([]bool, error) {
	moved := make([]bool, len(due))
	for i, d := range due {
		m, err := e.svc.StepDue(ctx, due[i:i+1])
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			e.log.Error("apply due transition", "id", d.ID, "state", d.State, "due", d.At, "err", err)
			continue
		}
		moved[i] = m[0]
	}
	return moved, nil
}
