// Package frostytest runs a real Frosty, the AWS Snowball emulator, inside
// your Go tests: like net/http/httptest, one call gives a server on a
// loopback port with a store of its own, closed when the test ends.
//
// Point any AWS SDK at its URL with its credentials:
//
//	srv := frostytest.New(t)
//	keyID, secret := srv.Credentials()
//	client := snowball.New(snowball.Options{ // aws-sdk-go-v2
//		BaseEndpoint: aws.String(srv.URL()), Region: srv.Region(),
//		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
//	})
//
// The server is the one frosty serve runs, with its SQLite store in a
// temporary directory. Jobs stay where they are until the test moves them
// (AdvanceJob), unless WithTimedLifecycle is given; the clock of the
// Snowball domain moves with AdvanceClock, while signatures keep to the
// real time. Seed data, faults and a reset are an option or a call away.
package frostytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/app"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

// DefaultAccount is the account of the server's first credentials unless
// WithAccount names others.
const DefaultAccount = "000000000000"

// Account is one set of credentials the server accepts, and the account
// its calls act for.
type Account struct {
	AccountID       string
	AccessKeyID     string
	SecretAccessKey string
}

// Fault makes calls of one operation fail on purpose (see the README's
// "Faults"): Error is an exception the operation can raise, or
// ThrottlingException, InternalFailure or ServiceUnavailableException.
// Zero fields take their defaults: no limit on Count, a Probability of 1,
// no Delay, every account.
type Fault struct {
	Operation   string
	Error       string
	Message     string
	Count       int
	Probability float64
	Delay       time.Duration
	AccountID   string
}

// Option changes a Server before it starts.
type Option func(*options)

type options struct {
	timeScale float64
	accounts  []Account
	seed      []byte
	faults    []Fault
	log       io.Writer
}

// WithTimedLifecycle makes jobs move through their states on their own,
// each real-world day lasting a day divided by timeScale (17280 makes a day
// last 5 s, as frosty serve does by default).
func WithTimedLifecycle(timeScale float64) Option {
	return func(o *options) { o.timeScale = timeScale }
}

// WithAccount adds credentials the server accepts. Without any, the
// server makes one key pair for DefaultAccount.
func WithAccount(a Account) Option {
	return func(o *options) { o.accounts = append(o.accounts, a) }
}

// WithSeed applies a seed document (the README's "Seed data") before the
// server serves: addresses, jobs and clusters brought to their states,
// long-term pricing, and the catalogues.
func WithSeed(document []byte) Option {
	return func(o *options) { o.seed = document }
}

// WithFault adds a fault before the server serves.
func WithFault(f Fault) Option {
	return func(o *options) { o.faults = append(o.faults, f) }
}

// WithLog sends the server's log (one line per request and transition) to
// w; by default it is dropped.
func WithLog(w io.Writer) Option {
	return func(o *options) { o.log = w }
}

// Server is a running Frosty. Its methods are safe for concurrent use.
type Server struct {
	url        string
	accounts   []Account
	adminToken string
	http       *http.Client
	close      func() error
}

// New starts a Server for tb, stopped and its store removed when tb ends.
// It fails tb if the server cannot start or an option is refused.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("frostytest: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Start starts a Server outside a test (in TestMain, say, to share one
// server among a package's tests); Close stops it.
func Start(opts ...Option) (_ *Server, err error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if len(o.accounts) == 0 {
		o.accounts = []Account{{AccountID: DefaultAccount, AccessKeyID: "AKIAFROSTYTEST" + randomHex(3), SecretAccessKey: randomHex(20)}}
	}
	creds := make([]sigv4.Credential, len(o.accounts))
	for i, a := range o.accounts {
		creds[i] = sigv4.Credential{AccountID: a.AccountID, AccessKeyID: a.AccessKeyID, SecretAccessKey: a.SecretAccessKey}
	}
	keys, err := sigv4.NewKeyring(creds)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	logOut := o.log
	if logOut == nil {
		logOut = io.Discard
	}

	dir, err := os.MkdirTemp("", "frostytest-")
	if err != nil {
		return nil, err
	}
	var cleanup []func()
	defer func() {
		if err != nil {
			for i := len(cleanup) - 1; i >= 0; i-- {
				cleanup[i]()
			}
		}
	}()
	cleanup = append(cleanup, func() { os.RemoveAll(dir) })
	store, err := sqlite.Open(filepath.Join(dir, "frosty.db"))
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, func() { store.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, func() { ln.Close() })
	s := &Server{
		url: "http://" + ln.Addr().String(), accounts: o.accounts, adminToken: randomHex(16),
		http: &http.Client{Timeout: time.Minute},
	}
	cfg := app.Config{
		Store: store, Log: slog.New(slog.NewTextHandler(logOut, nil)),
		Keys: keys, AdminToken: s.adminToken, PublicURL: s.url, TokenKey: []byte(randomHex(32)),
		Download: sigv4.Credential{AccountID: "frosty", AccessKeyID: "FROSTYDL" + randomHex(6), SecretAccessKey: randomHex(20)},
	}
	if o.timeScale > 0 {
		cfg.Timed = &service.Timing{Profile: snowball.DefaultProfile(), Scale: o.timeScale}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cleanup = append(cleanup, cancel)
	a, err := app.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	srv := a.Handler.HTTPServer()
	go srv.Serve(ln)
	running := make(chan struct{})
	go func() { defer close(running); a.Run(ctx) }()
	cleanup = append(cleanup, func() { srv.Close(); cancel(); <-running })
	stop := cleanup
	s.close = sync.OnceValue(func() error {
		for i := len(stop) - 1; i >= 0; i-- {
			stop[i]()
		}
		return nil
	})

	if o.seed != nil {
		if _, err := s.Seed(ctx, o.seed); err != nil {
			return nil, fmt.Errorf("WithSeed: %w", err)
		}
	}
	for _, f := range o.faults {
		if _, err := s.AddFault(ctx, f); err != nil {
			return nil, fmt.Errorf("WithFault: %w", err)
		}
	}
	return s, nil
}

// Close stops the server and removes its store. It may be called again.
func (s *Server) Close() error { return s.close() }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// URL returns the server's endpoint: http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// Credentials returns the access key of the server's first account.
func (s *Server) Credentials() (accessKeyID, secretAccessKey string) {
	return s.accounts[0].AccessKeyID, s.accounts[0].SecretAccessKey
}

// Accounts returns every account the server accepts.
func (s *Server) Accounts() []Account { return append([]Account(nil), s.accounts...) }

// Region returns the region to sign for: us-west-2. The four US regions
// share one set of resources; every other region has its own.
func (s *Server) Region() string { return "us-west-2" }

// AdminToken returns the bearer token of the server's operator API.
func (s *Server) AdminToken() string { return s.adminToken }

// AdvanceJob moves a job forward to state, through every state between
// with its side effects, as the AWS side would.
func (s *Server) AdvanceJob(ctx context.Context, jobID, state string) error {
	return s.operator(ctx, http.MethodPost, "/_frosty/jobs/"+jobID+"/advance", map[string]string{"to": state}, nil)
}

// AdvanceCluster ends a cluster's wait for its processing window
// (state "Pending"), once it has its quorum.
func (s *Server) AdvanceCluster(ctx context.Context, clusterID, state string) error {
	return s.operator(ctx, http.MethodPost, "/_frosty/clusters/"+clusterID+"/advance", map[string]string{"to": state}, nil)
}

// AdvanceClock moves the Snowball domain's clock forward by d: presigned
// URLs and job credentials expire, return labels time out, and in the
// timed lifecycle every transition that falls due is applied, in order,
// before AdvanceClock returns.
func (s *Server) AdvanceClock(ctx context.Context, d time.Duration) error {
	return s.operator(ctx, http.MethodPost, "/_frosty/clock", map[string]string{"advance": d.String()}, nil)
}

// Now returns the Snowball domain's time.
func (s *Server) Now(ctx context.Context) (time.Time, error) {
	var out struct {
		Now time.Time `json:"now"`
	}
	err := s.operator(ctx, http.MethodGet, "/_frosty/clock", nil, &out)
	return out.Now, err
}

// Reset forgets every address, job, cluster and long-term pricing of every
// account; with accountID, only that account's.
func (s *Server) Reset(ctx context.Context, accountID ...string) error {
	body := map[string]string{}
	if len(accountID) > 0 {
		body["accountId"] = accountID[0]
	}
	return s.operator(ctx, http.MethodPost, "/_frosty/reset", body, nil)
}

// Seed applies a seed document and returns the ID of each entry by its
// ref. It is applied whole or not at all.
func (s *Server) Seed(ctx context.Context, document []byte) (map[string]string, error) {
	var out struct {
		IDs map[string]string `json:"ids"`
	}
	err := s.operator(ctx, http.MethodPost, "/_frosty/seed", json.RawMessage(document), &out)
	return out.IDs, err
}

// AddFault adds a fault and returns its ID.
func (s *Server) AddFault(ctx context.Context, f Fault) (string, error) {
	body := map[string]any{"operation": f.Operation}
	if f.Error != "" {
		body["error"] = f.Error
	}
	if f.Message != "" {
		body["message"] = f.Message
	}
	if f.Count != 0 {
		body["count"] = f.Count
	}
	if f.Probability != 0 {
		body["probability"] = f.Probability
	}
	if f.Delay != 0 {
		body["delay"] = f.Delay.String()
	}
	if f.AccountID != "" {
		body["accountId"] = f.AccountID
	}
	var out struct {
		ID string `json:"id"`
	}
	err := s.operator(ctx, http.MethodPost, "/_frosty/faults", body, &out)
	return out.ID, err
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults(ctx context.Context) error {
	return s.operator(ctx, http.MethodDelete, "/_frosty/faults", nil, nil)
}

// operator calls the operator API and decodes its answer into out.
func (s *Server) operator(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.adminToken)
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("frostytest: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("frostytest: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Code, Message string }
		if json.Unmarshal(b, &e) == nil && e.Message != "" {
			return fmt.Errorf("frostytest: %s %s: %s: %s", method, path, e.Code, e.Message)
		}
		return fmt.Errorf("frostytest: %s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("frostytest: %s %s: %w", method, path, err)
		}
	}
	return nil
}
