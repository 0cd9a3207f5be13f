package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// clockJSON is the operator clock as the operator API shows it.
type clockJSON struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
	// Offset is how far a running clock is ahead of the real time.
	Offset string `json:"offset,omitempty"`
}

func (s *Server) writeClock(w http.ResponseWriter) {
	now, st := s.cfg.Service.ClockNow()
	out := clockJSON{Now: now, Frozen: st.Frozen}
	if !st.Frozen {
		out.Offset = st.Offset.Round(time.Millisecond).String()
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) serveClock(w http.ResponseWriter, r *http.Request) { s.writeClock(w) }

// serveChangeClock moves the operator clock: {"advance": "360d"},
// {"set": RFC 3339} or {"freeze": true|false}. Whatever the move made due
// is applied, in order, before the answer.
func (s *Server) serveChangeClock(w http.ResponseWriter, r *http.Request) {
	const want = `one of {"advance": "360d"}, {"set": "2027-01-02T15:04:05Z"} or {"freeze": true}`
	var advance, set string
	var freeze *bool
	if !readBody(w, r, want, map[string]any{"advance": &advance, "set": &set, "freeze": &freeze}) {
		return
	}
	var c service.ClockChange
	given := 0
	if advance != "" {
		given++
		d, err := snowball.ParseDuration(advance)
		if err != nil {
			s.badRequest(w, "advance: %v", err)
			return
		}
		c.Advance = d
	}
	if set != "" {
		given++
		t, err := time.Parse(time.RFC3339Nano, set)
		if err != nil {
			s.badRequest(w, "set: %q is not an RFC 3339 time such as 2027-01-02T15:04:05Z", truncatePath(set))
			return
		}
		c.Set = t
	}
	if freeze != nil {
		given++
		c.Freeze = freeze
	}
	if given != 1 {
		s.badRequest(w, "the body must be %s", want)
		return
	}
	if _, err := s.cfg.Service.ChangeClock(r.Context(), c); err != nil {
		s.writeOperatorError(w, err)
		return
	}
	if s.cfg.AfterClockChange != nil {
		if err := s.cfg.AfterClockChange(r.Context()); err != nil {
			s.writeOperatorError(w, err)
			return
		}
	}
	s.writeClock(w)
}

// badRequest answers an operator call whose body is wrong.
func (s *Server) badRequest(w http.ResponseWriter, format string, args ...any) {
	setErrorCode(w, "BadRequest")
	writeJSON(w, http.StatusBadRequest, map[string]string{"code": "BadRequest", "message": fmt.Sprintf(format, args...)})
}
