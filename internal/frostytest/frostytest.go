// Package frostytest runs a real Frosty server on a loopback listener for
// tests, with a fake clock, and hands out aws-sdk-go-v2 clients (and, for
// the v1 smoke test, aws-sdk-go ones) that sign their requests on that
// clock.
package frostytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/corehandlers"
	credentialsv1 "github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/aws/session"
	v4v1 "github.com/aws/aws-sdk-go/aws/signer/v4"
	snowballv1 "github.com/aws/aws-sdk-go/service/snowball"

	"github.com/frostyhq/frosty/internal/faults"
	"github.com/frostyhq/frosty/internal/sdkhttp"
	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
	domain "github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
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
	// The domain runs on an operator clock over the fake one, as frosty
	// serve's runs over the real time: moving Clock moves both, and the
	// operator API can move the domain's alone.
	opClock := domain.NewOperatorClock(clock, domain.ClockState{})
	opts.Config.OperatorClock = opClock
	s.Service = service.New(store, opClock, server.PresignerFor(s.URL, download, opClock), []byte("test-token-key"), opts.Config)
	h := server.New(server.Config{
		Service: s.Service, Clock: opClock, SigningClock: clock, Log: slog.New(slog.NewTextHandler(&s.Logs, &slog.HandlerOptions{Level: opts.LogLevel})),
		Keys: keys, AdminToken: AdminToken, DownloadKeys: downloadKeys,
		Limits: opts.Limits, Metrics: opts.Metrics, OnRequest: opts.OnRequest,
		Faults: faults.New(store, opClock),
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

// Client returns an aws-sdk-go-v2 Snowball client for cred in region that
// signs on the server's clock and never retries, so tests see every error.
func (s *Server) Client(cred sigv4.Credential, region string) *snowball.Client {
	return snowball.New(snowball.Options{
		BaseEndpoint: aws.String(s.URL),
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.SecretAccessKey, ""),
		HTTPSignerV4: clockSigner{signer: v4.NewSigner(), now: s.Clock.Now},
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkhttp.BufferedClient{Client: s.HTTP.Client()},
	})
}

// clockSigner is the SDK's SigV4 signer on a fake clock. The SDK hands
// SignHTTP the real time (plus any clock skew it has learnt from
// responses); clockSigner signs as of now() instead.
type clockSigner struct {
	signer *v4.Signer
	now    func() time.Time
}

// SignHTTP signs r as of c.now(), ignoring the SDK's signingTime.
func (c clockSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) error {
	return c.signer.SignHTTP(ctx, creds, r, payloadHash, service, region, c.now(), optFns...)
}

var _ snowball.HTTPSignerV4 = clockSigner{}

// Alice is the client of the first test account in us-west-2.
func (s *Server) Alice() *snowball.Client { return s.Client(Accounts[0], "us-west-2") }

// Bob is the client of the second test account in us-west-2.
func (s *Server) Bob() *snowball.Client { return s.Client(Accounts[1], "us-west-2") }

// ClientV1 is Client for aws-sdk-go v1, for the tests that check Frosty
// still serves v1 users.
func (s *Server) ClientV1(cred sigv4.Credential, region string) *snowballv1.Snowball {
	sess := session.Must(session.NewSession(&awsv1.Config{
		Endpoint:    awsv1.String(s.URL),
		Region:      awsv1.String(region),
		Credentials: credentialsv1.NewStaticCredentials(cred.AccessKeyID, cred.SecretAccessKey, ""),
		MaxRetries:  awsv1.Int(0),
	}))
	c := snowballv1.New(sess)
	// The SDK re-signs a request whose signature looks older than five
	// minutes by the real clock, printing a note each time; on a fake clock
	// every signature looks old.
	c.Handlers.Send.Remove(corehandlers.ValidateReqSigHandler)
	c.Handlers.Sign.Swap(v4v1.SignRequestHandler.Name, request.NamedHandler{
		Name: v4v1.SignRequestHandler.Name,
		Fn:   func(r *request.Request) { v4v1.SignSDKRequestWithCurrentTime(r, s.Clock.Now) },
	})
	return c
}

// AliceV1 is Alice for aws-sdk-go v1.
func (s *Server) AliceV1() *snowballv1.Snowball { return s.ClientV1(Accounts[0], "us-west-2") }

// BobV1 is Bob for aws-sdk-go v1.
func (s *Server) BobV1() *snowballv1.Snowball { return s.ClientV1(Accounts[1], "us-west-2") }

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
