package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/awsjson"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// admin guards an operator handler with the bearer token.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !constantTimeEqual(token, s.cfg.AdminToken) {
			setErrorCode(w, "Unauthorized")
			w.Header().Set("WWW-Authenticate", `Bearer realm="frosty"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "Unauthorized", "message": "the operator API needs Authorization: Bearer <admin token>"})
			return
		}
		h(w, r)
	}
}

// readBody decodes an operator request's body, a JSON object, strictly:
// each member goes to the pointer fields names it by (exactly, in case);
// an unknown or repeated member, a member of the wrong type, or anything
// after the object is refused with 400 and what the body should be (want).
// An empty body is an empty object.
func readBody(w http.ResponseWriter, r *http.Request, want string, fields map[string]any) bool {
	fail := func(format string, args ...any) bool {
		setErrorCode(w, "BadRequest")
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": "BadRequest",
			"message": fmt.Sprintf(format, args...) + "; the body must be " + want})
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		return fail("the body could not be read (at most %d bytes)", MaxBodyBytes)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fail("the body is not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fail("the body is not valid JSON")
		}
		name := t.(string)
		dst, ok := fields[name]
		switch {
		case !ok:
			return fail("unknown member %q", truncatePath(name))
		case seen[name]:
			return fail("member %q is given twice", name)
		}
		seen[name] = true
		if err := dec.Decode(dst); err != nil {
			return fail("member %q has the wrong type or is not valid JSON", name)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail("the body is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("the body has more after its JSON object")
	}
	return true
}

// readAdvance reads the body of an advance call: {"to": "<state>"}.
func (s *Server) readAdvance(w http.ResponseWriter, r *http.Request) (string, bool) {
	const want = `{"to": "<state>"}`
	var to string
	if !readBody(w, r, want, map[string]any{"to": &to}) {
		return "", false
	}
	if to == "" {
		setErrorCode(w, "BadRequest")
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": "BadRequest", "message": "the body must be " + want})
		return "", false
	}
	return to, true
}

func (s *Server) serveAdvanceJob(w http.ResponseWriter, r *http.Request) {
	to, ok := s.readAdvance(w, r)
	if !ok {
		return
	}
	j, err := s.cfg.Service.AdvanceJob(r.Context(), r.PathValue("id"), model.JobState(to))
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"JobId": j.ID, "JobState": string(j.State)})
}

func (s *Server) serveAdvanceCluster(w http.ResponseWriter, r *http.Request) {
	to, ok := s.readAdvance(w, r)
	if !ok {
		return
	}
	c, err := s.cfg.Service.AdvanceCluster(r.Context(), r.PathValue("id"), model.ClusterState(to))
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"ClusterId": c.ID, "ClusterState": string(c.State)})
}

// eventJSON is one transition as the operator API shows it.
type eventJSON struct {
	At    time.Time `json:"at"`
	From  string    `json:"from,omitempty"`
	To    string    `json:"to"`
	Cause string    `json:"cause"`
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	events, err := s.cfg.Service.Events(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	out := struct {
		JobID  string      `json:"JobId"`
		Events []eventJSON `json:"events"`
	}{JobID: r.PathValue("id"), Events: []eventJSON{}}
	for _, e := range events {
		out.Events = append(out.Events, eventJSON{At: e.At, From: e.From, To: e.To, Cause: string(e.Cause)})
	}
	writeJSON(w, http.StatusOK, out)
}

// writeOperatorError maps service errors for the operator API: unknown
// resources are 404, refused moves 400.
func (s *Server) writeOperatorError(w http.ResponseWriter, err error) {
	var e *snowball.Error
	setErrorCode(w, snowball.ErrorCode(err))
	switch {
	case errors.As(err, &e) && e.Code == snowball.InvalidResource:
		writeJSON(w, http.StatusNotFound, map[string]string{"code": e.Code, "message": e.Message})
	case errors.As(err, &e) && e.Code != snowball.InternalFailure && e.Code != snowball.NotFound:
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": e.Code, "message": e.Message})
	default:
		s.cfg.Log.Error("operator", "request_id", w.Header().Get(awsjson.RequestIDHeader), "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"code": snowball.InternalFailure, "message": "internal error"})
	}
}
