package service

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/frostyhq/frosty/internal/snowball"
)

// DefaultMaxConcurrentSeals is Config.MaxConcurrentSeals when left zero:
// half the CPUs Go may use, and at least one, so that seals, which keep a
// CPU busy for a good while each, always leave the other requests CPUs of
// their own.
func DefaultMaxConcurrentSeals() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// A manifest is sealed under a key that scrypt derives from the unlock code
// (32 MiB of memory and a CPU for a good while), so a job's manifest is
// sealed once, stored, and the stored file served on every download: every
// download, on every replica over the store, is then the same file. The
// seals are shared and bounded: concurrent downloads of one job in this
// process wait for one seal, and at most Config.MaxConcurrentSeals seals run
// at once, across all jobs.

// sealer holds the seals under way.
type sealer struct {
	slots chan struct{} // one per seal running: the bound

	mu      sync.Mutex
	flights map[string]*sealFlight // by job ID
}

// A sealFlight is the seal of one job's manifest, which every download of
// it in this process waits for.
type sealFlight struct {
	done    chan struct{} // closed when body and err are set
	body    []byte
	err     error
	waiters int                // the downloads waiting; under sealer.mu
	cancel  context.CancelFunc // gives up a seal nobody waits for
}

func newSealer(max int) sealer {
	return sealer{slots: make(chan struct{}, max), flights: make(map[string]*sealFlight)}
}

// manifestFixed reports whether j's manifest can no longer change, so that
// it may be sealed once and stored. sealManifest puts in it the job's ID,
// types, capacity, cluster, resources, device credentials, unlock code and
// creation time, all set by CreateJob and changed only by UpdateJob (or
// UpdateCluster, for its nodes) while the job is New; and the Snowball ID,
// set once on entering PreparingAppliance. Jobs only move forward, so once
// the Snowball ID is set the manifest is fixed, as it is on every job
// WithCustomer, the only state in which its URL is handed out.
func manifestFixed(j *snowball.Job) bool { return j.SnowballID != "" }

// manifestFile returns j's sealed manifest, which the caller found not
// stored: it waits for this process's seal of it, starting one if there is
// none. A download that gives up (ctx) leaves the seal to the others
// waiting; when none is left, a seal not yet begun is dropped.
func (s *Service) manifestFile(ctx context.Context, j *snowball.Job) ([]byte, error) {
	g := &s.seals
	g.mu.Lock()
	f := g.flights[j.ID]
	if f == nil {
		// The seal belongs to no one download: it outlives the one that
		// started it as long as another waits for it.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &sealFlight{done: make(chan struct{}), cancel: cancel}
		g.flights[j.ID] = f
		go func() {
			defer cancel()
			body, err := s.sealAndStore(fctx, j)
			g.mu.Lock()
			if g.flights[j.ID] == f {
				delete(g.flights, j.ID)
			}
			f.body, f.err = body, err
			g.mu.Unlock()
			close(f.done)
		}()
	}
	f.waiters++
	g.mu.Unlock()

	select {
	case <-f.done:
		return f.body, f.err
	case <-ctx.Done():
		g.mu.Lock()
		if f.waiters--; f.waiters == 0 {
			f.cancel()
			if g.flights[j.ID] == f {
				delete(g.flights, j.ID) // the next download starts afresh
			}
		}
		g.mu.Unlock()
		return nil, fmt.Errorf("manifest of job %s: %w", j.ID, ctx.Err())
	}
}

// sealAndStore seals j's manifest when a slot is free and, if it is fixed,
// stores it, outside any store transaction: scrypt must never hold the
// write connection. If another process stored one first, that one is
// returned. ctx only bounds the wait for a slot: a seal done is stored.
func (s *Service) sealAndStore(ctx context.Context, j *snowball.Job) ([]byte, error) {
	select {
	case s.seals.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil { // both were ready, and select chose
		<-s.seals.slots
		return nil, err
	}
	fixed := manifestFixed(j)
	// A seal that waited may find the work done, here or by another process.
	if fixed {
		if body, err := s.storedManifest(ctx, j.ID); !snowball.IsNotFound(err) {
			<-s.seals.slots
			return body, err
		}
	}
	stop := startStopwatch()
	body, err := s.seal(j)
	d := stop()
	// The seal leaves scrypt's 32 MiB behind as garbage. Left to the
	// garbage collector's pace, a run of seals lets the heap grow to
	// several times that before it is reclaimed; collecting now keeps the
	// process at the bound's worth of scrypt memory. A collection costs
	// far less than the seal that made the garbage.
	runtime.GC()
	<-s.seals.slots
	if err != nil {
		return nil, fmt.Errorf("seal manifest of job %s: %w", j.ID, err)
	}
	if s.cfg.OnSeal != nil {
		s.cfg.OnSeal(d)
	}
	if !fixed {
		return body, nil
	}
	ctx = context.WithoutCancel(ctx)
	err = s.store.Update(ctx, func(tx snowball.Tx) error { return tx.InsertSealedManifest(ctx, j.ID, body) })
	if snowball.IsExists(err) {
		return s.storedManifest(ctx, j.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("store manifest of job %s: %w", j.ID, err)
	}
	return body, nil
}

// storedManifest reads j's stored manifest: NotFound if there is none.
func (s *Service) storedManifest(ctx context.Context, jobID string) ([]byte, error) {
	var body []byte
	err := s.store.View(ctx, func(tx snowball.Tx) error {
		var err error
		body, err = tx.SealedManifest(ctx, jobID)
		return err
	})
	return body, err
}

// startStopwatch starts timing a seal for OnSeal. It reads the machine's
// monotonic clock, not the service's Clock: a seal's duration is work done,
// which an emulated clock, frozen or scaled, would misreport, and no rule
// depends on it.
func startStopwatch() (stop func() time.Duration) {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}
