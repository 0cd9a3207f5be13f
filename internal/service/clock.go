package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/frostyhq/frosty/internal/snowball"
)

// clockSetting names the operator clock's state among the store's settings.
const clockSetting = "clock"

// ClockChange is one move of the operator clock; at most one of Advance,
// Set and Freeze is given.
type ClockChange struct {
	// Advance moves the clock forward by a duration.
	Advance time.Duration
	// Set moves the clock to an instant, which must not be in its past.
	Set time.Time
	// Freeze stops the clock (true) or lets it run on (false).
	Freeze *bool
}

// errNoOperatorClock is what the clock calls return on a service whose
// clock the operator cannot move.
var errNoOperatorClock = snowball.Errorf(snowball.Validation, "This server's clock cannot be moved.")

// ClockNow returns the domain's time and the operator clock's state.
func (s *Service) ClockNow() (time.Time, snowball.ClockState) {
	if s.cfg.OperatorClock == nil {
		return s.now(), snowball.ClockState{}
	}
	st := s.cfg.OperatorClock.State()
	return st.Now(s.cfg.OperatorClock.Real()), st
}

// RestoreClock puts the operator clock where the store says it was left,
// so that the domain's time never goes back across a restart.
func (s *Service) RestoreClock(ctx context.Context) error {
	if s.cfg.OperatorClock == nil {
		return nil
	}
	var st snowball.ClockState
	err := s.store.View(ctx, func(tx snowball.Tx) (err error) {
		st, err = storedClock(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("restore the operator clock: %w", err)
	}
	s.cfg.OperatorClock.SetState(st)
	return nil
}

func storedClock(ctx context.Context, tx snowball.Tx) (snowball.ClockState, error) {
	var st snowball.ClockState
	v, err := tx.Setting(ctx, clockSetting)
	if snowball.IsNotFound(err) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		return st, fmt.Errorf("the stored operator clock %q: %w", v, err)
	}
	return st, nil
}

// ChangeClock moves the operator clock and keeps its new state in the
// store. Time only moves forward. The caller applies whatever the move
// made due (the timed lifecycle's RunDue).
// Errors: ValidationException (a move backwards, or no operator clock).
func (s *Service) ChangeClock(ctx context.Context, c ClockChange) (snowball.ClockState, error) {
	oc := s.cfg.OperatorClock
	if oc == nil {
		return snowball.ClockState{}, errNoOperatorClock
	}
	var st snowball.ClockState
	err := s.write(ctx, func(tx snowball.Tx) error {
		var err error
		if st, err = storedClock(ctx, tx); err != nil {
			return err
		}
		real := oc.Real()
		switch {
		case c.Freeze != nil:
			st = st.WithFrozen(real, *c.Freeze)
		case !c.Set.IsZero():
			st, err = st.SetTo(real, c.Set)
		default:
			st, err = st.Advanced(real, c.Advance)
		}
		if err != nil {
			return snowball.Errorf(snowball.Validation, "%s.", err.Error())
		}
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return tx.PutSetting(ctx, clockSetting, string(b))
	})
	if err != nil {
		return snowball.ClockState{}, wrap("change clock", err)
	}
	oc.SetState(st)
	return st, nil
}
