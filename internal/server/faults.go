package server

import (
	"context"
	"net/http"
	"time"

	"github.com/frostyhq/frosty/internal/faults"
	"github.com/frostyhq/frosty/internal/snowball"
)

// apiFaults lets awsjson ask the injector about a call: the caller's
// account is the one serveAPI recorded once the signature was checked.
type apiFaults struct{ in *faults.Injector }

func (f apiFaults) Check(ctx context.Context, operation string) (*snowball.Fault, error) {
	return f.in.Check(ctx, operation, requestOf(ctx).Account)
}

// faultJSON is a fault as the operator API shows it: the fields it was
// given, with their defaults, and its hits. count and remaining are absent
// for a fault without a limit, error and message for one that only delays.
type faultJSON struct {
	ID          string    `json:"id"`
	Operation   string    `json:"operation"`
	Error       string    `json:"error,omitempty"`
	Message     string    `json:"message,omitempty"`
	AccountID   string    `json:"accountId,omitempty"`
	Delay       string    `json:"delay,omitempty"`
	Probability float64   `json:"probability"`
	Count       *int      `json:"count,omitempty"`
	Hits        int       `json:"hits"`
	Remaining   *int      `json:"remaining,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

func toFaultJSON(f *snowball.Fault) faultJSON {
	out := faultJSON{
		ID: f.ID, Operation: f.Operation, Error: f.Code, Message: f.Message, AccountID: f.AccountID,
		Probability: f.Probability, Hits: f.Hits, CreatedAt: f.CreatedAt,
	}
	if f.Delay > 0 {
		out.Delay = f.Delay.String()
	}
	if f.Count > 0 {
		count, remaining := f.Count, max(f.Count-f.Hits, 0)
		out.Count, out.Remaining = &count, &remaining
	}
	return out
}

// serveAddFault: POST /_frosty/faults.
func (s *Server) serveAddFault(w http.ResponseWriter, r *http.Request) {
	const want = `{"operation": "<operation>", "error", "message", "count", "probability", "delay", "accountId"} (all but operation optional)`
	var spec faults.Spec
	if !readBody(w, r, want, map[string]any{
		"operation": &spec.Operation, "error": &spec.Error, "message": &spec.Message,
		"count": &spec.Count, "probability": &spec.Probability, "delay": &spec.Delay, "accountId": &spec.AccountID,
	}) {
		return
	}
	f, err := s.cfg.Faults.Add(r.Context(), spec)
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, toFaultJSON(f))
}

// serveFaults: GET /_frosty/faults.
func (s *Server) serveFaults(w http.ResponseWriter, r *http.Request) {
	fs, err := s.cfg.Faults.List(r.Context())
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	out := struct {
		Faults []faultJSON `json:"faults"`
	}{Faults: []faultJSON{}}
	for _, f := range fs {
		out.Faults = append(out.Faults, toFaultJSON(f))
	}
	writeJSON(w, http.StatusOK, out)
}

// serveDeleteFault: DELETE /_frosty/faults/{id}.
func (s *Server) serveDeleteFault(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.cfg.Faults.Delete(r.Context(), id)
	if snowball.IsNotFound(err) {
		setErrorCode(w, snowball.NotFound)
		writeJSON(w, http.StatusNotFound, map[string]string{"code": snowball.NotFound, "message": "there is no fault " + truncatePath(id)})
		return
	}
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveClearFaults: DELETE /_frosty/faults.
func (s *Server) serveClearFaults(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Faults.Clear(r.Context()); err != nil {
		s.writeOperatorError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
