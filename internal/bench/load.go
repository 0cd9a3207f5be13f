package bench

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"time"
)

// op makes one request (or one SQL transaction) as the worker-th client.
// It returns how many units of work it completed: 1 for a call, a
// transition for the lifecycle mix (0 for the CreateJob that starts one).
type op func(ctx context.Context, worker int) (units int, err error)

// sample is one measurement: clients running op back to back for a
// duration.
type sample struct {
	units, requests, errors int
	firstError              string
	latencies               []time.Duration
	elapsed                 time.Duration
	cpu                     time.Duration // of the whole process
	mallocs                 uint64        // of the whole process
}

func (s *sample) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.units) / s.elapsed.Seconds()
}

// measure runs op from clients goroutines for d, and takes the process's
// CPU time and allocations over the same span.
func measure(ctx context.Context, clients int, d time.Duration, fn op) *sample {
	type worker struct {
		units, requests, errors int
		firstError              string
		latencies               []time.Duration
	}
	workers := make([]worker, clients)
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cpuBefore := cpuTime()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t := time.Now()
				n, err := fn(ctx, i)
				w.latencies = append(w.latencies, time.Since(t))
				w.requests++
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					w.errors++
					if w.firstError == "" {
						w.firstError = err.Error()
					}
					continue
				}
				w.units += n
			}
		})
	}
	wg.Wait()
	s := &sample{elapsed: time.Since(start), cpu: cpuTime() - cpuBefore}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	s.mallocs = after.Mallocs - before.Mallocs
	for _, w := range workers {
		s.units += w.units
		s.requests += w.requests
		s.errors += w.errors
		if s.firstError == "" {
			s.firstError = w.firstError
		}
		s.latencies = append(s.latencies, w.latencies...)
	}
	return s
}

// percentile returns the p-th percentile (0 < p ≤ 1) of sorted ds.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// median returns the median of xs (the mean of the middle two when even).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
