package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/frostyhq/frosty/internal/app"
	"github.com/frostyhq/frosty/internal/postgres"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

// IsPostgres reports whether a --store value names PostgreSQL.
func IsPostgres(store string) bool {
	return strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://")
}

// scratchStore is a store of the run's own: a SQLite file in dir, or a
// schema created on the PostgreSQL server of a postgres:// URL, dropped by
// drop.
type scratchStore struct {
	url  string // what opens it: a file path, or a URL with its search_path
	drop func() error
}

func newScratchStore(ctx context.Context, store, dir, name string) (*scratchStore, error) {
	if !IsPostgres(store) {
		path := strings.TrimPrefix(store, "sqlite://")
		if path == "" {
			path = filepath.Join(dir, name+".db")
		}
		return &scratchStore{url: path, drop: func() error { return nil }}, nil
	}
	schema := "frosty_bench_" + strings.ToLower(rand.Text()[:12])
	if err := adminExec(ctx, store, "CREATE SCHEMA "+schema); err != nil {
		return nil, err
	}
	u, err := withSearchPath(store, schema)
	if err != nil {
		return nil, errors.Join(err, adminExec(ctx, store, "DROP SCHEMA "+schema+" CASCADE"))
	}
	return &scratchStore{url: u, drop: func() error {
		return adminExec(context.WithoutCancel(ctx), store, "DROP SCHEMA "+schema+" CASCADE")
	}}, nil
}

// open opens the scratch store as Frosty does, bringing its schema up to date.
func (s *scratchStore) open(ctx context.Context) (snowball.Store, error) {
	if IsPostgres(s.url) {
		return postgres.Open(ctx, s.url)
	}
	return sqlite.Open(s.url)
}

// connect opens one connection to the server at url, which may carry
// pgx's pool settings (pool_max_conns=…), as Frosty's --store may.
func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	return pgx.ConnectConfig(ctx, cfg.ConnConfig)
}

// adminExec runs one statement on a connection of its own.
func adminExec(ctx context.Context, url, sql string) error {
	c, err := connect(ctx, url)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	if _, err := c.Exec(ctx, sql); err != nil {
		return fmt.Errorf("postgres: %s: %w", sql, err)
	}
	return nil
}

// withSearchPath returns base, a postgres:// URL, set to open schema.
func withSearchPath(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("postgres URL: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// frosty is a Frosty running in this process on a loopback listener, with
// the manual lifecycle, as frosty serve wires it (internal/app).
type frosty struct {
	target Target
	store  snowball.Store
	srv    *http.Server
	stop   func()
}

// startFrosty serves store with one credential, cred.
func startFrosty(ctx context.Context, store snowball.Store, cred sigv4.Credential, region string) (*frosty, error) {
	keys, err := sigv4.NewKeyring([]sigv4.Credential{cred})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	adminToken := rand.Text()
	var poll time.Duration
	if _, ok := store.(*postgres.DB); ok {
		poll = time.Second // as frosty serve polls a store replicas share
	}
	a, err := app.New(ctx, app.Config{
		Store: store,
		// The request log is formatted as frosty serve's is, at info,
		// but not written: a terminal would be the bottleneck.
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Keys:       keys,
		AdminToken: adminToken,
		Download:   sigv4.Credential{AccountID: "frosty", AccessKeyID: "FROSTYBENCHDL", SecretAccessKey: rand.Text()},
		PublicURL:  base,
		TokenKey:   []byte(rand.Text()),
		Poll:       poll,
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := a.Handler.HTTPServer()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { srv.Serve(ln) })
	wg.Go(func() { a.Run(runCtx) })
	return &frosty{
		target: Target{URL: base, Region: region, AccountID: cred.AccountID,
			AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey, AdminToken: adminToken},
		store: store,
		srv:   srv,
		stop: func() {
			srv.Close()
			cancel()
			wg.Wait()
		},
	}, nil
}

// newCredential returns a fresh credential for an in-process Frosty.
func newCredential() sigv4.Credential {
	return sigv4.Credential{
		AccountID:       snowball.DefaultAccount,
		AccessKeyID:     "AKIDBENCH" + rand.Text()[:11],
		SecretAccessKey: rand.Text() + rand.Text(),
	}
}
