// Package frostytest runs a real Frosty server on a loopback listener for
// tests, with a fake clock, and hands out aws-sdk-go clients that sign
// their requests on that clock.
package frostytest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/corehandlers"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/aws/session"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/aws/aws-sdk-go/service/snowball"

	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/sqlite"
	domain "github.com/frostyhq/frosty/snowball"
)

// Start is 2026-01-02 15:04:05 UTC, where every test clock begins.
var Start = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

// AdminToken is the operator token of every test server.
const AdminToken = "test-admin-token"

// Accounts are the credentials every test server knows.
var Accounts = []sigv4.Credential{
	{AccountID: "111122223333", AccessKeyID: "AKIDALICE", SecretAccessKey: "alice-secret"},
	{AccountID: "444455556666", AccessKeyID: "AKIDBOB", SecretAccessKey: "bob-secret"},
}

// Server is a running Frosty for one test.
type Server struct {
	URL     string
	Clock   *domain.FakeClock
	Store   *sqlite.DB
	Service *service.Service
	HTTP    *httptest.Server
	Handler *server.Server
	// Logs holds what the server logged.
	Logs SyncBuffer
}

// SyncBuffer is a bytes.Buffer that the server's log can write while a
// test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Options change a test server.
type Options struct {
	Config service.Config
	NoAuth bool
	// Limits, Metrics and OnRequest are passed to the server as they are.
	Limits    server.Limits
	Metrics   http.Handler
	OnRequest func(*server.Request)
	// LogLevel is the level of the server's log (default info).
	LogLevel slog.Level
}

// MustStart starts a server that stops when tb ends.
func MustStart(tb testing.TB, opts Options) *Server {
	tb.Helper()
	store, err := sqlite.Open(filepath.Join(tb.TempDir(), "frosty.db"))
	if err != nil {
		tb.Fatal(err)
	}
	clock := domain.NewFakeClock(Start)
	download := sigv4.Credential{AccountID: "frosty", AccessKeyID: "FROSTYDLTEST", SecretAccessKey: "download-secret"}
	downloadKeys, err := sigv4.NewKeyring([]sigv4.Credential{download})
	if err != nil {
		tb.Fatal(err)
	}
	var keys *sigv4.Keyring
	if !opts.NoAuth {
		if keys, err = sigv4.NewKeyring(Accounts); err != nil {
			tb.Fatal(err)
		}
	}
	s := &Server{Clock: clock, Store: store}
	s.HTTP = httptest.NewUnstartedServer(nil)
	s.URL = "http://" + s.HTTP.Listener.Addr().String()
	s.Service = service.New(store, clock, server.PresignerFor(s.URL, download, clock), []byte("test-token-key"), opts.Config)
	h := server.New(server.Config{
		Service: s.Service, Clock: clock, Log: slog.New(slog.NewTextHandler(&s.Logs, &slog.HandlerOptions{Level: opts.LogLevel})),
		Keys: keys, AdminToken: AdminToken, DownloadKeys: downloadKeys,
		Limits: opts.Limits, Metrics: opts.Metrics, OnRequest: opts.OnRequest,
	})
	s.Handler = h
	s.HTTP.Config = h.HTTPServer() // the connection limits of frosty serve
	s.HTTP.Start()
	tb.Cleanup(func() {
		s.HTTP.Close()
		store.Close()
	})
	return s
}

// Client returns an aws-sdk-go Snowball client for cred in region that
// signs on the server's clock and never retries, so tests see every error.
func (s *Server) Client(cred sigv4.Credential, region string) *snowball.Snowball {
	sess := session.Must(session.NewSession(&aws.Config{
		Endpoint:    aws.String(s.URL),
		Region:      aws.String(region),
		Credentials: credentials.NewStaticCredentials(cred.AccessKeyID, cred.SecretAccessKey, ""),
		MaxRetries:  aws.Int(0),
	}))
	c := snowball.New(sess)
	// The SDK re-signs a request whose signature looks older than five
	// minutes by the real clock, printing a note each time; on a fake clock
	// every signature looks old.
	c.Handlers.Send.Remove(corehandlers.ValidateReqSigHandler)
	c.Handlers.Sign.Swap(v4.SignRequestHandler.Name, request.NamedHandler{
		Name: v4.SignRequestHandler.Name,
		Fn:   func(r *request.Request) { v4.SignSDKRequestWithCurrentTime(r, s.Clock.Now) },
	})
	return c
}

// Alice is the client of the first test account in us-west-2.
func (s *Server) Alice() *snowball.Snowball { return s.Client(Accounts[0], "us-west-2") }

// Bob is the client of the second test account in us-west-2.
func (s *Server) Bob() *snowball.Snowball { return s.Client(Accounts[1], "us-west-2") }

// Advance moves a job to state through the operator API, failing tb on error.
func (s *Server) Advance(tb testing.TB, jobID, state string) {
	tb.Helper()
	status, body := s.Operator(tb, "POST", "/_frosty/jobs/"+jobID+"/advance", map[string]string{"to": state})
	if status != http.StatusOK {
		tb.Fatalf("advance %s to %s: HTTP %d %s", jobID, state, status, body)
	}
}

// Operator calls the operator API with the admin token and returns the
// status and body.
func (s *Server) Operator(tb testing.TB, method, path string, body any) (int, string) {
	tb.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Get fetches url and returns the status and body.
func Get(tb testing.TB, url string) (int, []byte) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, b
}
