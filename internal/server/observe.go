package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/model"
)

// Request is what the server records of one request once it is answered:
// the request log's line and what the metrics count.
type Request struct {
	ID string
	// Kind is "api", "operator", "download", "health", "metrics" or "other".
	Kind string
	// Operation is the Snowball operation for an API request ("" when the
	// target names none), the route for an operator request, the bucket
	// for a download.
	Operation string
	// Account is the caller's account, once its signature has been checked.
	Account string
	Status  int
	// ErrorCode is the error's code on the wire (the __type, the S3 Code,
	// the operator API's code), "" for a success.
	ErrorCode string
	Duration  time.Duration
}

// The kinds of request.
const (
	KindAPI      = "api"
	KindOperator = "operator"
	KindDownload = "download"
	KindHealth   = "health"
	KindMetrics  = "metrics"
	KindOther    = "other"
)

// recorder remembers the status and error code of a response as it is
// written.
type recorder struct {
	http.ResponseWriter
	status int
	req    Request
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type requestKey struct{}

// requestOf returns the record of the request ctx belongs to, or a
// throwaway one outside ServeHTTP.
func requestOf(ctx context.Context) *Request {
	if r, ok := ctx.Value(requestKey{}).(*Request); ok {
		return r
	}
	return &Request{}
}

// setErrorCode records the error code of a response written to w.
func setErrorCode(w http.ResponseWriter, code string) {
	if rec, ok := w.(*recorder); ok {
		rec.req.ErrorCode = code
	}
}

// kindOf sorts a request by its path, before it is routed.
func kindOf(r *http.Request) string {
	switch p := r.URL.Path; {
	case p == "/":
		return KindAPI
	case p == "/_frosty/health":
		return KindHealth
	case p == "/_frosty/metrics":
		return KindMetrics
	case strings.HasPrefix(p, "/_frosty/"):
		return KindOperator
	case downloadBuckets[strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0]]:
		return KindDownload
	}
	return KindOther
}

// apiOperation is the name of the Snowball operation r's X-Amz-Target
// names, or "" for none, so that a client cannot make up metric labels.
func apiOperation(r *http.Request) string {
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), model.TargetPrefix+".")
	if ok && knownOperations[name] {
		return name
	}
	return ""
}

var knownOperations = func() map[string]bool {
	m := map[string]bool{}
	for _, op := range model.Operations {
		m[op.Name] = true
	}
	return m
}()

// logRequest writes the request log's line for req. Only what identifies
// the call goes in: never a header, a body, a query (a presigned URL's
// query is a credential) or a key.
func (s *Server) logRequest(req *Request) {
	level := slog.LevelInfo
	switch {
	case req.Kind == KindHealth || req.Kind == KindMetrics:
		level = slog.LevelDebug // probes every few seconds would drown the log
	case req.Status >= 500:
		level = slog.LevelError
	}
	if !s.cfg.Log.Enabled(context.Background(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", req.ID),
		slog.String("kind", req.Kind),
		slog.String("op", req.Operation),
		slog.String("account", req.Account),
		slog.Int("status", req.Status),
		slog.String("code", req.ErrorCode),
		slog.Float64("latency_ms", float64(req.Duration.Microseconds())/1000),
	}
	s.cfg.Log.LogAttrs(context.Background(), level, "request", attrs...)
}

// errorCodeHeader is where awsjson puts an API error's code.
const errorCodeHeader = "X-Amzn-ErrorType"
