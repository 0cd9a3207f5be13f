package snowball

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clock tells the time. Everything above the wire takes one, so tests run on
// a FakeClock and never sleep.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FakeClock is a Clock that moves only when told to. Safe for concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock reading t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t.UTC()} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}

// ClockState is where the operator has put the domain's clock: the real
// time shifted by Offset, or, while Frozen, the instant FrozenAt. The zero
// value is the real time.
type ClockState struct {
	Offset   time.Duration `json:"offset"`
	Frozen   bool          `json:"frozen"`
	FrozenAt time.Time     `json:"frozenAt,omitzero"`
}

// Now returns the domain's time when the real time is real.
func (s ClockState) Now(real time.Time) time.Time {
	if s.Frozen {
		return s.FrozenAt
	}
	return real.Add(s.Offset).UTC()
}

// Advanced returns the state d later; d must not be negative.
func (s ClockState) Advanced(real time.Time, d time.Duration) (ClockState, error) {
	if d < 0 {
		return s, fmt.Errorf("the clock only moves forward: %v is negative", d)
	}
	return s.SetTo(real, s.Now(real).Add(d))
}

// SetTo returns the state whose time is t, which must not be earlier than
// the state's own time: time in the domain only moves forward, or
// transitions already applied would lie in the future.
func (s ClockState) SetTo(real, t time.Time) (ClockState, error) {
	now := s.Now(real)
	if t.Before(now) {
		return s, fmt.Errorf("the clock only moves forward: %s is before its time, %s", t.UTC().Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if s.Frozen {
		s.FrozenAt = t.UTC()
		return s, nil
	}
	s.Offset = t.Sub(real)
	return s, nil
}

// WithFrozen returns the state frozen at its current time, or running on
// from it.
func (s ClockState) WithFrozen(real time.Time, frozen bool) ClockState {
	now := s.Now(real)
	if frozen {
		return ClockState{Offset: s.Offset, Frozen: true, FrozenAt: now}
	}
	return ClockState{Offset: now.Sub(real)}
}

// OperatorClock is the domain's clock as the operator sets it (see
// ClockState), over a real clock. It is safe for concurrent use. The
// service keeps its state in the store, so that a restart and every
// replica follow it; the clock itself only holds the state in memory.
type OperatorClock struct {
	real Clock

	mu    sync.Mutex
	state ClockState
}

// NewOperatorClock returns an OperatorClock over real in state s.
func NewOperatorClock(real Clock, s ClockState) *OperatorClock {
	return &OperatorClock{real: real, state: s}
}

// Now returns the domain's time.
func (c *OperatorClock) Now() time.Time {
	c.mu.Lock()
	s := c.state
	c.mu.Unlock()
	return s.Now(c.real.Now())
}

// Real returns the real time, which the operator does not move.
func (c *OperatorClock) Real() time.Time { return c.real.Now() }

// State returns the clock's state.
func (c *OperatorClock) State() ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// SetState puts the clock in state s.
func (c *OperatorClock) SetState(s ClockState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state = s
}

// ParseDuration reads a Go duration ("36h", "90m") that may also count
// days ("360d", "1d12h"), as operators think of a job's journey.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf(`duration "": want a Go duration such as "36h", or days such as "360d" or "1d12h"`)
	}
	days, rest := 0.0, s
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		var err error
		if days, err = strconv.ParseFloat(s[:i], 64); err != nil || days < 0 || math.IsInf(days, 0) {
			return 0, fmt.Errorf("duration %q: want a Go duration such as \"36h\", or days such as \"360d\" or \"1d12h\"", s)
		}
		rest = s[i+1:]
	}
	d := time.Duration(0)
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return 0, fmt.Errorf("duration %q: want a Go duration such as \"36h\", or days such as \"360d\" or \"1d12h\"", s)
		}
	}
	const maxDays = float64(math.MaxInt64/int64(24*time.Hour)) - 1
	if days > maxDays || d < 0 && days > 0 {
		return 0, fmt.Errorf("duration %q is out of range", s)
	}
	return time.Duration(days*float64(24*time.Hour)) + d, nil
}
