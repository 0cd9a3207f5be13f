package awsjson

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// oneFault hits every call with its fault and records the operations it
// was asked about.
type oneFault struct {
	fault *snowball.Fault
	asked []string
}

func (f *oneFault) Check(_ context.Context, operation string) (*snowball.Fault, error) {
	f.asked = append(f.asked, operation)
	return f.fault, nil
}

// serveWith runs one call of op with body through a Handler whose service
// is never reached: the fault, or the validation, answers first.
func serveWith(t *testing.T, ctx context.Context, faults Faults, op, body string) (int, map[string]string) {
	t.Helper()
	h := &Handler{ops: Operations(&service.Service{}), log: slog.New(slog.NewTextHandler(io.Discard, nil)), Faults: faults}
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", model.TargetPrefix+"."+op)
	w := httptest.NewRecorder()
	h.Serve(ctx, w, r, []byte(body))
	var got map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	if w.Header().Get("X-Amzn-ErrorType") != got["__type"] {
		t.Errorf("X-Amzn-ErrorType %q, __type %q", w.Header().Get("X-Amzn-ErrorType"), got["__type"])
	}
	return w.Code, got
}

func TestFaultAnswers(t *testing.T) {
	f := &oneFault{fault: &snowball.Fault{ID: "f", Code: snowball.KMSRequestFailed, Message: "no key"}}
	status, got := serveWith(t, t.Context(), f, "CancelJob", `{"JobId":"JID123e4567-e89b-12d3-a456-426655440000"}`)
	if status != 400 || got["__type"] != snowball.KMSRequestFailed || got["Message"] != "no key" {
		t.Errorf("HTTP %d %v, want 400 KMSRequestFailedException with Message no key", status, got)
	}
	if len(f.asked) != 1 || f.asked[0] != "CancelJob" {
		t.Errorf("asked about %q, want [CancelJob]", f.asked)
	}
}

// TestFaultAfterValidation: an invalid input is refused as it would be
// without the fault, which is not even asked.
func TestFaultAfterValidation(t *testing.T) {
	f := &oneFault{fault: &snowball.Fault{ID: "f", Code: snowball.InternalFailure, Message: "boom"}}
	for body, code := range map[string]string{`{}`: snowball.Validation, `{"JobId":5}`: snowball.Serialization} {
		if status, got := serveWith(t, t.Context(), f, "CancelJob", body); status != 400 || got["__type"] != code {
			t.Errorf("%s: HTTP %d %v, want 400 %s", body, status, got, code)
		}
	}
	if len(f.asked) != 0 {
		t.Errorf("the fault was asked about %q", f.asked)
	}
}

// TestFaultDelayEndsWithContext: a delay past the request's deadline ends
// with it, as the deadline's ServiceUnavailableException.
func TestFaultDelayEndsWithContext(t *testing.T) {
	f := &oneFault{fault: &snowball.Fault{ID: "f", Code: snowball.InternalFailure, Message: "boom", Delay: time.Hour}}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	status, got := serveWith(t, ctx, f, "CancelJob", `{"JobId":"JID123e4567-e89b-12d3-a456-426655440000"}`)
	if status != 503 || got["__type"] != snowball.ServiceUnavailable {
		t.Errorf("HTTP %d %v, want 503 ServiceUnavailableException", status, got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("answered after %v", d)
	}
}
