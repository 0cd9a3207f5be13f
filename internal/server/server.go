// Package server is Frosty's one http.Handler: POST / is the Snowball API
// (awsJson1.1, SigV4-signed), GET /<bucket>/<key> serves the presigned
// downloads the API hands out, and /_frosty/ is the operator API and the
// health check.
package server

import (
	"bytes"
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
	"time"

	"github.com/frostyhq/frosty/internal/awsjson"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/snowball"
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
}

// Server is the HTTP surface of Frosty.
type Server struct {
	cfg Config
	api *awsjson.Handler
	mux *http.ServeMux
}

// New returns a Server.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, api: awsjson.NewHandler(cfg.Service, cfg.Log), mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /{$}", s.serveAPI)
	s.mux.HandleFunc("GET /_frosty/health", s.serveHealth)
	s.mux.HandleFunc("POST /_frosty/jobs/{id}/advance", s.admin(s.serveAdvanceJob))
	s.mux.HandleFunc("POST /_frosty/clusters/{id}/advance", s.admin(s.serveAdvanceCluster))
	s.mux.HandleFunc("GET /_frosty/jobs/{id}/events", s.admin(s.serveEvents))
	s.mux.HandleFunc("GET /{bucket}/{key...}", s.serveDownload)
	s.mux.HandleFunc("/", s.serveNotFound)
	return s
}

// ServeHTTP gives every response a request ID and turns a panic into a 500
// that reveals nothing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := newRequestID()
	w.Header().Set(awsjson.RequestIDHeader, id)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.api.WriteError(w, fmt.Errorf("panic: %v", v))
		}
	}()
	s.mux.ServeHTTP(w, r)
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
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
		v := sigv4.Verifier{Keys: s.cfg.Keys, Service: "snowball", Now: s.cfg.Clock.Now}
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
	s.api.Serve(service.WithOwner(r.Context(), owner), w, r, body)
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

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) serveNotFound(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		s.api.WriteError(w, snowball.Errorf(snowball.UnknownOperation, "The Snowball API takes POST /; %s / is not an operation.", r.Method))
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "not found: " + r.Method + " " + r.URL.Path})
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

func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
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
	obj, err := s.cfg.Service.Download(r.Context(), r.PathValue("bucket"), r.PathValue("key"))
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

// admin guards an operator handler with the bearer token.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !constantTimeEqual(token, s.cfg.AdminToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="frosty"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "the operator API needs Authorization: Bearer <admin token>"})
			return
		}
		h(w, r)
	}
}

type advanceRequest struct {
	To string `json:"to"`
}

func (s *Server) readAdvance(w http.ResponseWriter, r *http.Request) (string, bool) {
	var req advanceRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes)).Decode(&req); err != nil || req.To == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": `the body must be {"to": "<state>"}`})
		return "", false
	}
	return req.To, true
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
