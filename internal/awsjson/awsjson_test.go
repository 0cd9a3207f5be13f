package awsjson

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// TestEveryOperationRegistered keeps the dispatch table and the model in step.
func TestEveryOperationRegistered(t *testing.T) {
	ops := Operations(&service.Service{})
	for _, op := range model.Operations {
		if ops[op.Name] == nil {
			t.Errorf("operation %s of the model is not served", op.Name)
		}
	}
	if len(ops) != len(model.Operations) {
		t.Errorf("%d operations served, the model has %d", len(ops), len(model.Operations))
	}
}

// TestEveryExceptionMapped checks that every modeled exception, and every
// code the service and server use, has a row in the error table.
func TestEveryExceptionMapped(t *testing.T) {
	for _, name := range model.Exceptions {
		if _, ok := errorTable[name]; !ok {
			t.Errorf("modeled exception %s has no row in the error table", name)
		}
	}
}

func TestWriteError(t *testing.T) {
	h := &Handler{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	notFound := &snowball.Error{Code: snowball.InvalidResource, Message: "gone", ResourceType: "JOB"}
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   map[string]string
	}{
		{"Modeled", notFound, 400, map[string]string{"__type": "InvalidResourceException", "Message": "gone", "ResourceType": "JOB"}},
		{"Framework", snowball.Errorf(snowball.Validation, "bad"), 400, map[string]string{"__type": "ValidationException", "message": "bad"}},
		{"Internal", io.ErrUnexpectedEOF, 500, map[string]string{"__type": "InternalFailure", "message": "We encountered an internal error. Please try again."}},
		{"UnknownCode", snowball.Errorf(snowball.NotFound, "leak"), 500, map[string]string{"__type": "InternalFailure", "message": "We encountered an internal error. Please try again."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.WriteError(w, tt.err)
			var got map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if w.Code != tt.wantStatus || len(got) != len(tt.wantBody) {
				t.Fatalf("status %d body %v; want %d %v", w.Code, got, tt.wantStatus, tt.wantBody)
			}
			for k, v := range tt.wantBody {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if h := w.Header().Get("X-Amzn-ErrorType"); h != tt.wantBody["__type"] {
				t.Errorf("X-Amzn-ErrorType = %q, want %q", h, tt.wantBody["__type"])
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, body, wantCode string
	}{
		{"OKEmpty", "", ""},
		{"OKObject", `{"JobId":"JID123e4567-e89b-12d3-a456-426655440000"}`, ""},
		{"OKUnknownMember", `{"Bogus":1}`, ""},
		{"ErrArray", `[]`, snowball.Serialization},
		{"ErrString", `"x"`, snowball.Serialization},
		{"ErrSyntax", `{"JobId":`, snowball.Serialization},
		{"ErrTrailing", `{} {}`, snowball.Serialization},
		{"ErrWrongType", `{"JobId":5}`, snowball.Serialization},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in model.DescribeJobRequest
			if got := snowball.ErrorCode(decode([]byte(tt.body), &in)); got != tt.wantCode {
				t.Errorf("decode(%s) code %q, want %q", tt.body, got, tt.wantCode)
			}
		})
	}
}
