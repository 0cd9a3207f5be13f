// Package server is Frosty's one http.Handler: POST / is the Snowball API
// (awsJson1.1, SigV4-signed), GET /<bucket>/<key> serves the presigned
// downloads the API hands out, and /_frosty/ is the operator API, the
// health check, the metrics and the web dashboard (/_frosty/ui/). It bounds what a client can take (Limits)
// and writes one log line per request (Request).
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/frostyhq/frosty/internal/awsjson"
	"github.com/frostyhq/frosty/internal/faults"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
)

// MaxBodyBytes bounds a request body; the largest real Snowball request is
// a few kilobytes.
const MaxBodyBytes = 1 << 20

// Config wires a Server.
type Config struct {
	Service *service.Service
	Clock   snowball.Clock
	Log     *slog.Logger
	// Keys are the API credentials. Nil means signatures are not checked
	// and every caller is DefaultAccount (--auth none).
	Keys *sigv4.Keyring
	// AdminToken guards /_frosty/ operator calls.
	AdminToken string
	// DownloadKeys verify presigned download URLs: the credential that
	// Presigner signs with.
	DownloadKeys *sigv4.Keyring
	// SigningClock is what SigV4 clock skew is checked against: the real
	// time, even when the operator has moved Clock. Nil means Clock.
	SigningClock snowball.Clock
	// AfterClockChange, if set, runs after the operator moved the clock and
	// before the answer: it applies what the move made due.
	AfterClockChange func(ctx context.Context) error
	// Limits bound requests; zero fields take DefaultLimits.
	Limits Limits
	// CORSOrigins are the browser origins allowed to call the server
	// ("*" for any; see ParseCORSOrigins). Empty means CORS is off.
	CORSOrigins []string
	// Metrics, if set, serves GET /_frosty/metrics (behind the admin token).
	Metrics http.Handler
	// OnRequest, if set, is called with every request once it is answered.
	OnRequest func(*Request)
	// Faults, if set, makes API calls fail on purpose as the operator
	// orders through /_frosty/faults (behind the admin token).
	Faults *faults.Injector
	// Dashboard, if set, serves the web dashboard under /_frosty/ui/; it
	// signs its operator in itself. If it has a Shutdown method, the
	// http.Server of HTTPServer calls it as it shuts down, to end the
	// requests that would not (the live pages' event streams).
	Dashboard http.Handler
}

// Server is the HTTP surface of Frosty.
type Server struct {
	cfg    Config
	limits Limits
	api    *awsjson.Handler
	mux    *http.ServeMux
	// slots holds a token per API request being processed.
	slots    chan struct{}
	inFlight atomic.Int64
}

// New returns a Server.
func New(cfg Config) *Server {
	limits := cfg.Limits.withDefaults()
	s := &Server{
		cfg: cfg, limits: limits,
		api:   awsjson.NewHandler(cfg.Service, cfg.Log),
		mux:   http.NewServeMux(),
		slots: make(chan struct{}, limits.MaxInFlight),
	}
	s.mux.HandleFunc("POST /{$}", s.serveAPI)
	s.mux.HandleFunc("GET /_frosty/health", s.serveHealth)
	if cfg.Metrics != nil {
		s.mux.Handle("GET /_frosty/metrics", s.admin(cfg.Metrics.ServeHTTP))
	}
	s.mux.HandleFunc("POST /_frosty/jobs/{id}/advance", s.admin(s.serveAdvanceJob))
	s.mux.HandleFunc("POST /_frosty/clusters/{id}/advance", s.admin(s.serveAdvanceCluster))
	s.mux.HandleFunc("GET /_frosty/jobs/{id}/events", s.admin(s.serveEvents))
	s.mux.HandleFunc("GET /_frosty/clock", s.admin(s.serveClock))
	s.mux.HandleFunc("POST /_frosty/clock", s.admin(s.serveChangeClock))
	s.mux.HandleFunc("POST /_frosty/reset", s.admin(s.serveReset))
	s.mux.HandleFunc("POST /_frosty/seed", s.admin(s.serveSeed))
	if cfg.Faults != nil {
		s.api.Faults = apiFaults{cfg.Faults}
		s.mux.HandleFunc("POST /_frosty/faults", s.admin(s.serveAddFault))
		s.mux.HandleFunc("GET /_frosty/faults", s.admin(s.serveFaults))
		s.mux.HandleFunc("DELETE /_frosty/faults", s.admin(s.serveClearFaults))
		s.mux.HandleFunc("DELETE /_frosty/faults/{id}", s.admin(s.serveDeleteFault))
	}
	if cfg.Dashboard != nil {
		s.mux.Handle("/_frosty/ui/", cfg.Dashboard)
	}
	for bucket := range downloadBuckets {
		s.mux.HandleFunc("GET /"+bucket+"/{key...}", s.serveDownload)
	}
	s.mux.HandleFunc("/", s.serveNotFound)
	return s
}

// InFlight returns how many API requests are being processed.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// ServeHTTP gives every response a request ID, turns a panic into a 500
// that reveals nothing, and logs and reports the request once answered.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, req: Request{ID: newRequestID(), Kind: kindOf(r)}}
	w.Header().Set(awsjson.RequestIDHeader, rec.req.ID)
	r = r.WithContext(context.WithValue(r.Context(), requestKey{}, &rec.req))
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.api.WriteError(rec, fmt.Errorf("panic: %v", v))
		}
		s.finish(rec, r, time.Since(start))
	}()
	if s.cors(rec, r) {
		return // a preflight: answered without a signature or a slot
	}
	if uncleanPath(r.URL.Path) {
		// The mux would redirect to the cleaned path; the API and the
		// download buckets answer a path as it was sent, as AWS does.
		if r.Method == http.MethodGet && rec.req.Kind == KindDownload {
			s.serveDownload(rec, r)
		} else {
			s.serveNotFound(rec, r)
		}
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// uncleanPath reports whether p has an empty, "." or ".." segment.
func uncleanPath(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
}

// finish completes the record of a request and hands it on.
func (s *Server) finish(rec *recorder, r *http.Request, d time.Duration) {
	req := &rec.req
	req.Status, req.Duration = rec.status, d
	if req.Status == 0 {
		req.Status = http.StatusOK
	}
	if req.ErrorCode == "" && req.Status >= 400 {
		req.ErrorCode = rec.Header().Get(errorCodeHeader)
	}
	switch req.Kind {
	case KindOperator:
		req.Operation = r.Pattern
	case KindDownload:
		req.Operation, _, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	}
	s.logRequest(req)
	if s.cfg.OnRequest != nil {
		s.cfg.OnRequest(req)
	}
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	req := requestOf(r.Context())
	req.Operation = apiOperation(r)
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		s.api.WriteError(w, snowball.Errorf(snowball.Throttling, "Rate exceeded"))
		return
	}
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.api.WriteError(w, snowball.Errorf(snowball.Serialization, "The request body is larger than %d bytes.", MaxBodyBytes))
			return
		}
		s.api.WriteError(w, snowball.Errorf(snowball.Serialization, "The request body could not be read."))
		return
	}
	owner := snowball.OwnerFor(snowball.DefaultAccount, "us-east-1")
	if s.cfg.Keys != nil {
		v := sigv4.Verifier{Keys: s.cfg.Keys, Service: "snowball", Now: s.signingClock().Now}
		cred, scope, err := v.Verify(r, body)
		if err != nil {
			var se *sigv4.Error
			if errors.As(err, &se) {
				err = snowball.Errorf(se.Code, "%s", se.Message)
			}
			s.api.WriteError(w, err)
			return
		}
		owner = snowball.OwnerFor(cred.AccountID, scope.Region)
	} else if region := regionOf(r); region != "" {
		owner = snowball.OwnerFor(snowball.DefaultAccount, region)
	}
	req.Account = owner.Account
	ctx, cancel := context.WithTimeout(service.WithOwner(r.Context(), owner), s.limits.RequestTimeout)
	defer cancel()
	s.api.Serve(ctx, w, r, body)
}

// signingClock is the clock SigV4 skew is checked against.
func (s *Server) signingClock() snowball.Clock {
	if s.cfg.SigningClock != nil {
		return s.cfg.SigningClock
	}
	return s.cfg.Clock
}

// regionOf reads the region of an unverified Authorization header, so that
// with --auth none regions still keep their resources apart.
func regionOf(r *http.Request) string {
	_, rest, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	parts := strings.Split(strings.SplitN(rest, ",", 2)[0], "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[2]
}

// HealthTimeout bounds how long the health check waits for the store.
const HealthTimeout = 5 * time.Second

// serveHealth reads the store: 200 when it can, 503 with the reason when
// it cannot, so that a load balancer stops sending calls that would fail.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), HealthTimeout)
	defer cancel()
	if err := s.cfg.Service.Ping(ctx); err != nil {
		s.cfg.Log.Error("health check", "request_id", requestOf(r.Context()).ID, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// serveNotFound answers what no route takes, each part of the namespace
// in its own language: a method other than POST on / is an unknown
// operation, an unknown path under /_frosty/ a JSON 404 like the rest of
// the operator API, anything else a plain 404. Only the download buckets
// speak S3.
func (s *Server) serveNotFound(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/":
		s.api.WriteError(w, snowball.Errorf(snowball.UnknownOperation, "The Snowball API takes POST /; %s / is not an operation.", truncatePath(r.Method)))
	case strings.HasPrefix(r.URL.Path, "/_frosty/"):
		setErrorCode(w, "NotFound")
		writeJSON(w, http.StatusNotFound, map[string]string{"code": "NotFound", "message": "the operator API has no " + truncatePath(r.Method+" "+r.URL.Path)})
	default:
		setErrorCode(w, "NotFound")
		http.Error(w, "404 page not found", http.StatusNotFound)
	}
}

// truncatePath keeps what a message echoes of a request short.
func truncatePath(p string) string {
	const max = 256
	if len(p) <= max {
		return p
	}
	return p[:max] + "...(truncated)"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// PresignerFor returns the service.Presigner whose URLs this server's
// download route accepts: path-style URLs under publicURL, signed with cred.
func PresignerFor(publicURL string, cred sigv4.Credential, clock snowball.Clock) service.Presigner {
	return presigner{base: strings.TrimSuffix(publicURL, "/"), cred: cred, clock: clock}
}

type presigner struct {
	base  string
	cred  sigv4.Credential
	clock snowball.Clock
}

func (p presigner) Presign(region, bucket, key string, expires time.Duration) (string, error) {
	u := p.base + "/" + bucket + "/" + (&url.URL{Path: key}).EscapedPath()
	return sigv4.Presign(u, p.cred, region, "s3", p.clock.Now(), expires)
}

// downloadBuckets are the buckets of the download namespace: only their
// paths speak S3.
var downloadBuckets = map[string]bool{
	service.ManifestBucket: true,
	service.UpdatesBucket:  true,
	service.LogsBucket:     true,
	service.LabelsBucket:   true,
}

func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if _, err := sigv4.VerifyPresigned(r, s.cfg.DownloadKeys, "s3", s.cfg.Clock.Now()); err != nil {
		code, msg := "AccessDenied", "Access Denied"
		var se *sigv4.Error
		if errors.As(err, &se) {
			code, msg = se.Code, se.Message
		}
		status := http.StatusForbidden
		if code == sigv4.CodeAuthorizationQueryParametersError {
			status = http.StatusBadRequest
		}
		writeS3Error(w, status, code, msg, r.URL.Path)
		return
	}
	obj, err := s.cfg.Service.Download(r.Context(), bucket, key)
	if snowball.ErrorCode(err) == service.NoSuchKey {
		writeS3Error(w, http.StatusNotFound, service.NoSuchKey, "The specified key does not exist.", r.URL.Path)
		return
	}
	if err != nil {
		s.cfg.Log.Error("download", "request_id", w.Header().Get(awsjson.RequestIDHeader), "err", err)
		writeS3Error(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.", r.URL.Path)
		return
	}
	w.Header().Set("Content-Type", obj.ContentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(obj.Body)))
	w.WriteHeader(http.StatusOK)
	w.Write(obj.Body)
}

// writeS3Error writes the XML error body S3 clients expect from a
// presigned URL.
func writeS3Error(w http.ResponseWriter, status int, code, message, resource string) {
	setErrorCode(w, code)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>")
	xmlEscape(&b, code)
	b.WriteString("</Code><Message>")
	xmlEscape(&b, message)
	b.WriteString("</Message><Resource>")
	xmlEscape(&b, resource)
	b.WriteString("</Resource><RequestId>")
	xmlEscape(&b, w.Header().Get(awsjson.RequestIDHeader))
	b.WriteString("</RequestId></Error>")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
