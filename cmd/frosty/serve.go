package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/frostyhq/frosty/internal/app"
	"github.com/frostyhq/frosty/internal/lifecycle"
	"github.com/frostyhq/frosty/internal/postgres"
	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

// serveConfig is the configuration of `frosty serve`.
type serveConfig struct {
	listen, data, store, credentials, auth, adminToken, lifecycle, profile, publicURL string
	snsEndpoint, webhook                                                              string
	timeScale                                                                         float64
	snowballLimit, exportParts                                                        int

	maxInFlight           int
	requestTimeout, drain time.Duration
	logFormat, logLevel   string
	debugListen           string

	readyFile   string
	corsOrigins originsFlag
	seed        string
}

func (c *serveConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.listen, "listen", "127.0.0.1:4590", "address to listen on")
	fs.StringVar(&c.data, "data", "./frosty-data", "data directory: the SQLite database and the server's secret keys")
	fs.StringVar(&c.store, "store", "", "where the records are kept: a postgres:// URL for PostgreSQL, or a file (sqlite://PATH or PATH) for SQLite (default: frosty.db in --data)")
	fs.StringVar(&c.credentials, "credentials", "", `JSON file of [{"accountId","accessKeyId","secretAccessKey"}] (default: a generated key pair for account 000000000000)`)
	fs.StringVar(&c.auth, "auth", "sigv4", "sigv4: verify signatures; none: accept any caller as account 000000000000")
	fs.StringVar(&c.adminToken, "admin-token", "", "bearer token of the operator API (default: generated and kept in --data)")
	fs.StringVar(&c.lifecycle, "lifecycle", "timed", "timed: jobs move on their own; manual: only through the operator API")
	fs.Float64Var(&c.timeScale, "time-scale", lifecycle.DefaultTimeScale, "how much faster than real time the timed lifecycle runs (the default makes a day last 5 s)")
	fs.StringVar(&c.profile, "lifecycle-profile", "", "JSON file of dwell times per state, job type and shipping option (default: the real-world pace)")
	fs.StringVar(&c.publicURL, "public-url", "", "base URL put into presigned URLs (default http://<listen>)")
	fs.StringVar(&c.snsEndpoint, "sns-endpoint", "", "SNS-compatible API that job notifications are published to (moto, LocalStack, real SNS)")
	fs.StringVar(&c.webhook, "webhook", "", "URL that job notifications are POSTed to as JSON")
	fs.IntVar(&c.snowballLimit, "snowball-limit", service.DefaultSnowballLimit, "the device limit GetSnowballUsage reports")
	fs.IntVar(&c.exportParts, "export-parts", service.DefaultExportParts, "how many job parts an export job is split into")
	fs.IntVar(&c.maxInFlight, "max-in-flight", server.DefaultLimits.MaxInFlight, "API requests processed at once; one more gets ThrottlingException")
	fs.DurationVar(&c.requestTimeout, "request-timeout", server.DefaultLimits.RequestTimeout, "deadline of one API call; past it the call is rolled back and gets ServiceUnavailableException")
	fs.DurationVar(&c.drain, "shutdown-timeout", defaultDrain, "on SIGTERM, how long requests in progress may take to finish before their connections are closed")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error (debug adds health checks and scrapes to the request log)")
	fs.StringVar(&c.debugListen, "debug-listen", "", "address of a separate listener for Go's pprof profiles (/debug/pprof/); off by default")
	fs.StringVar(&c.readyFile, "ready-file", "", "once serving, write {url, region, accountId, accessKeyId, secretAccessKey, adminToken} to this JSON file (mode 0600); removed on shutdown")
	fs.StringVar(&c.seed, "seed", "", "JSON file of addresses, jobs, clusters, long-term pricing and catalogues to create at startup, when the store has no records yet")
	fs.Var(&c.corsOrigins, "cors-origins", "comma-separated `origins` (http://localhost:3000) or * that browser apps may call from (default: none)")
}

// defaultDrain is how long a shutdown waits for requests in progress.
const defaultDrain = 10 * time.Second

func (c *serveConfig) check() error {
	switch {
	case c.auth != "sigv4" && c.auth != "none":
		return fmt.Errorf("%w: --auth must be sigv4 or none, not %q", errUsage, c.auth)
	case c.lifecycle != "timed" && c.lifecycle != "manual":
		return fmt.Errorf("%w: --lifecycle must be timed or manual, not %q", errUsage, c.lifecycle)
	case c.timeScale <= 0:
		return fmt.Errorf("%w: --time-scale must be positive", errUsage)
	case c.snowballLimit < 0 || c.exportParts < 1:
		return fmt.Errorf("%w: --snowball-limit must be ≥ 0 and --export-parts ≥ 1", errUsage)
	case c.maxInFlight < 1:
		return fmt.Errorf("%w: --max-in-flight must be at least 1", errUsage)
	case c.requestTimeout <= 0 || c.drain < 0:
		return fmt.Errorf("%w: --request-timeout must be positive and --shutdown-timeout not negative", errUsage)
	case c.logFormat != "text" && c.logFormat != "json":
		return fmt.Errorf("%w: --log-format must be text or json, not %q", errUsage, c.logFormat)
	}
	if _, err := parseLevel(c.logLevel); err != nil {
		return err
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("%w: --log-level must be debug, info, warn or error, not %q", errUsage, s)
	}
	return l, nil
}

// newLogger returns the server's logger: one line per record, text or JSON.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	l, _ := parseLevel(level)
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := newFlagSet("serve", stderr)
	cfg.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	if err := removeReadyFile(cfg.readyFile); err != nil { // a stale one, from a server that was killed
		return fmt.Errorf("--ready-file: %w", err)
	}
	log := newLogger(stderr, cfg.logFormat, cfg.logLevel)
	profile := snowball.DefaultProfile()
	if cfg.profile != "" {
		var err error
		if profile, err = snowball.LoadProfile(cfg.profile); err != nil {
			return err
		}
	}

	var seed *service.Seed
	if cfg.seed != "" {
		var err error
		if seed, _, err = loadSeed(cfg.seed); err != nil {
			return err
		}
	}

	if err := os.MkdirAll(cfg.data, 0o700); err != nil {
		return err
	}
	// The store holds the secrets and keys, so that every replica over it
	// shares them.
	store, err := openStore(ctx, cfg.store, cfg.data)
	if err != nil {
		return err
	}
	defer store.Close()
	sec, _, err := loadOrCreateSecrets(ctx, store, cfg.data)
	if err != nil {
		return err
	}
	adminToken := cfg.adminToken
	if adminToken == "" {
		adminToken = sec.AdminToken
	}
	var keys *sigv4.Keyring
	var creds []sigv4.Credential
	if cfg.auth == "sigv4" {
		if creds, _, err = loadOrCreateCredentials(ctx, store, cfg.data, cfg.credentials); err != nil {
			return err
		}
		if keys, err = sigv4.NewKeyring(creds); err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
	}

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("--listen: %w", err)
	}
	addr := ln.Addr().String()
	publicURL := cfg.publicURL
	if publicURL == "" {
		publicURL = dialURL(addr) // a URL a client can reach, not [::]
	}
	var timing *service.Timing
	if cfg.lifecycle == "timed" {
		timing = &service.Timing{Profile: profile, Scale: cfg.timeScale}
	}
	a, err := app.New(ctx, app.Config{
		Store: store, Log: log,
		Keys: keys, AdminToken: adminToken, Download: sec.Download, PublicURL: publicURL, TokenKey: []byte(sec.TokenKey),
		Timed:       timing,
		SNSEndpoint: cfg.snsEndpoint, Webhook: cfg.webhook,
		SnowballLimit: cfg.snowballLimit, ExportParts: cfg.exportParts,
		Limits:      server.Limits{MaxInFlight: cfg.maxInFlight, RequestTimeout: cfg.requestTimeout},
		CORSOrigins: cfg.corsOrigins,
		Poll:        replicaPoll(store),
	})
	if err != nil {
		ln.Close()
		return err
	}
	if seed != nil {
		if err := seedAtStartup(ctx, a.Service, cfg.seed, seed, log); err != nil {
			ln.Close()
			return err
		}
	}

	printWelcome(stdout, dialURL(addr), creds, adminToken, cfg.auth == "none")
	if cfg.auth == "none" {
		log.Warn("signature checking is off (--auth none): every caller is account " + snowball.DefaultAccount)
	}
	log.Info("frosty serving", "addr", addr, "data", cfg.data, "public_url", publicURL, "lifecycle", cfg.lifecycle, "time_scale", cfg.timeScale)

	srv := a.Handler.HTTPServer()
	conns := trackConnections(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.debugListen != "" {
		dbg, err := serveDebug(cfg.debugListen, log)
		if err != nil {
			srv.Close()
			return err
		}
		defer dbg.Close()
	}
	if cfg.readyFile != "" {
		if err := writeJSON(cfg.readyFile, newReadyInfo(addr, creds, adminToken)); err != nil {
			srv.Close()
			return fmt.Errorf("--ready-file: %w", err)
		}
		defer os.Remove(cfg.readyFile)
	}
	runCtx, stopRunning := context.WithCancel(ctx)
	running := make(chan struct{})
	go func() { defer close(running); a.Run(runCtx) }()
	defer func() { stopRunning(); <-running }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("frosty stopping: draining requests in progress", "timeout", cfg.drain.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.drain)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		// What could finish has finished; what is left is a client that
		// stalled. Cutting it off is part of a clean shutdown: every
		// acknowledged write is already durable.
		busy, idle := conns.counts()
		log.Warn("shutdown: connections still open after the drain were closed",
			"timeout", cfg.drain.String(), "active", busy, "idle", idle, "reason", err.Error())
		srv.Close()
	}
	log.Info("frosty stopped")
	return nil
}

// connections counts a server's connections by state, so that a shutdown
// can say what it cut off.
type connections struct {
	mu    sync.Mutex
	state map[net.Conn]http.ConnState
}

func trackConnections(srv *http.Server) *connections {
	c := &connections{state: map[net.Conn]http.ConnState{}}
	srv.ConnState = func(conn net.Conn, s http.ConnState) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if s == http.StateClosed || s == http.StateHijacked {
			delete(c.state, conn)
			return
		}
		c.state[conn] = s
	}
	return c
}

// counts returns how many connections are busy (new or active) and idle.
func (c *connections) counts() (busy, idle int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.state {
		if s == http.StateIdle {
			idle++
		} else {
			busy++
		}
	}
	return busy, idle
}

// serveDebug serves Go's pprof profiles on their own listener, which the
// operator keeps off the network the API is on.
func serveDebug(addr string, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("pprof serving", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return srv, nil
}

// printWelcome tells a newcomer how to connect. It leads with
// --endpoint-url because every client honours it: AWS_ENDPOINT_URL and a
// profile's endpoint_url are read only from AWS CLI 2.13 and botocore 1.31
// (boto3 1.28) on, and an older client that ignores them calls real AWS
// with Frosty's keys.
func printWelcome(w io.Writer, url string, creds []sigv4.Credential, adminToken string, noAuth bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "Frosty is serving the Snowball API at %s\n\n", url)
	keyID, secret := "test", "test"
	switch {
	case noAuth:
		b.WriteString("Signatures are not checked (--auth none): any credentials work.\n")
	case len(creds) > 0:
		keyID, secret = creds[0].AccessKeyID, creds[0].SecretAccessKey
		fmt.Fprintf(&b, "Connect as account %s:\n", creds[0].AccountID)
	}
	fmt.Fprintf(&b, "  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n  export AWS_DEFAULT_REGION=us-west-2\n", keyID, secret)
	fmt.Fprintf(&b, "  aws snowball list-jobs --endpoint-url %s\n\n", url)
	b.WriteString("Give every client the endpoint: --endpoint-url (AWS CLI), endpoint_url= (boto3),\n" +
		"BaseEndpoint (aws-sdk-go-v2). AWS_ENDPOINT_URL, or endpoint_url in a profile, is\n" +
		"read only by AWS CLI 2.13+ and boto3 1.28+ (botocore 1.31+): older clients, such\n" +
		"as Debian 12's awscli 2.9 and boto3 1.26, ignore it and would call real AWS with\n" +
		"these keys. With a new enough client, a profile in ~/.aws/config can hold it all:\n")
	fmt.Fprintf(&b, "  [profile frosty]\n  region = us-west-2\n  endpoint_url = %s\n  aws_access_key_id = %s\n  aws_secret_access_key = %s\n", url, keyID, secret)
	fmt.Fprintf(&b, "\nOperator API token: %s   (frosty advance --job JID... --to WithCustomer)\n", adminToken)
	fmt.Fprint(w, b.String())
}

// replicaPoll is how soon a server sees what other replicas over its store
// did (app.Config.Poll): a second over PostgreSQL, which replicas share;
// never over SQLite, which one server owns.
func replicaPoll(store snowball.Store) time.Duration {
	if _, ok := store.(*postgres.DB); ok {
		return time.Second
	}
	return 0
}

// openStore opens the store --store names: PostgreSQL for a postgres://
// URL, else SQLite in the file it names, by default in the data directory.
func openStore(ctx context.Context, store, data string) (snowball.Store, error) {
	switch {
	case store == "":
		return sqlite.Open(filepath.Join(data, databaseFile))
	case strings.HasPrefix(store, "postgres://"), strings.HasPrefix(store, "postgresql://"):
		db, err := postgres.Open(ctx, store)
		if err != nil {
			return nil, fmt.Errorf("--store: %w", err)
		}
		return db, nil
	case strings.Contains(store, "://") && !strings.HasPrefix(store, "sqlite://"):
		scheme, _, _ := strings.Cut(store, "://")
		return nil, fmt.Errorf("%w: --store: %q is not a store: use postgres://… or sqlite://PATH (or a file path)", errUsage, scheme+"://")
	}
	return sqlite.Open(strings.TrimPrefix(store, "sqlite://"))
}
