package snowball

import (
	"testing"
	"time"
)

func TestClockState(t *testing.T) {
	real := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	var s ClockState
	if got := s.Now(real); !got.Equal(real) {
		t.Fatalf("zero state: %v, want the real time", got)
	}
	s, err := s.Advanced(real, 360*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Now(real.Add(time.Minute)), real.Add(360*24*time.Hour+time.Minute); !got.Equal(want) {
		t.Errorf("advanced 360d, a real minute later: %v, want %v (it keeps running)", got, want)
	}

	frozen := s.WithFrozen(real, true)
	at := frozen.Now(real)
	if got := frozen.Now(real.Add(time.Hour)); !got.Equal(at) {
		t.Errorf("frozen: %v an hour later, want %v", got, at)
	}
	frozen, err = frozen.Advanced(real.Add(time.Hour), time.Hour)
	if err != nil || !frozen.Now(real.Add(5*time.Hour)).Equal(at.Add(time.Hour)) || !frozen.Frozen {
		t.Errorf("advancing a frozen clock: %v %v, want it frozen an hour later", frozen, err)
	}
	running := frozen.WithFrozen(real.Add(2*time.Hour), false)
	if got, want := running.Now(real.Add(3*time.Hour)), at.Add(2*time.Hour); !got.Equal(want) {
		t.Errorf("unfrozen: %v, want it to run on from where it stood (%v)", got, want)
	}

	if _, err := running.SetTo(real, real.Add(-time.Second)); err == nil {
		t.Error("SetTo the past: no error")
	}
	if _, err := running.Advanced(real, -time.Second); err == nil {
		t.Error("Advanced by a negative duration: no error")
	}
	target := real.Add(1000 * 24 * time.Hour)
	set, err := running.SetTo(real, target)
	if err != nil || !set.Now(real).Equal(target) {
		t.Errorf("SetTo %v: %v, %v", target, set.Now(real), err)
	}
}

func TestOperatorClock(t *testing.T) {
	real := NewFakeClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	c := NewOperatorClock(real, ClockState{Offset: time.Hour})
	if got := c.Now(); !got.Equal(real.Now().Add(time.Hour)) {
		t.Errorf("Now = %v", got)
	}
	real.Advance(time.Minute)
	if got := c.Now(); !got.Equal(real.Now().Add(time.Hour)) {
		t.Errorf("Now after a real minute = %v", got)
	}
	c.SetState(ClockState{Frozen: true, FrozenAt: real.Now()})
	real.Advance(time.Hour)
	if got := c.Now(); !got.Equal(real.Now().Add(-time.Hour)) || !c.State().Frozen {
		t.Errorf("frozen Now = %v", got)
	}
	if got := c.Real(); !got.Equal(real.Now()) {
		t.Errorf("Real = %v, want the real clock", got)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"2s": 2 * time.Second, "1.5h": 90 * time.Minute, "360d": 360 * 24 * time.Hour,
		"1d12h": 36 * time.Hour, "0.5d": 12 * time.Hour, "0d": 0, "1d30m": 24*time.Hour + 30*time.Minute,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "5", "xd", "-1d", "1d-2h", "1dd", "1e400d", "999999999999d", "soon"} {
		if got, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, got)
		}
	}
}
