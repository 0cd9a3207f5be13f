// Package pgtest gives tests a PostgreSQL schema of their own on the server
// FROSTY_TEST_POSTGRES names, so that the store's tests and the binary's can
// share one throwaway server (scripts/postgres.sh starts one).
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// ServerURL returns the URL of the server the tests run against, from
// FROSTY_TEST_POSTGRES, or skips the test, saying why, when it is unset.
// In CI (CI=true) a missing server fails the test instead: there the
// Postgres tests must run.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("FROSTY_TEST_POSTGRES")
	if u != "" {
		return u
	}
	const how = "set FROSTY_TEST_POSTGRES to a postgres:// URL of a database the tests may create schemas in, " +
		"or run them under a throwaway server: bash scripts/postgres.sh go test ./internal/postgres/"
	if os.Getenv("CI") == "true" {
		tb.Fatalf("FROSTY_TEST_POSTGRES is not set, and CI=true: the PostgreSQL tests must run in CI; %s", how)
	}
	tb.Skipf("SKIPPED: no PostgreSQL server to test against: %s", how)
	return ""
}

// MustSchema creates an empty schema of its own for tb, dropped when tb
// ends, and returns the URL that opens it: the server's URL with a
// search_path naming it.
func MustSchema(tb testing.TB) string {
	tb.Helper()
	base := ServerURL(tb)
	schema := "frosty_test_" + strings.ToLower(rand.Text()[:16])
	admin(tb, base, "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { admin(tb, base, "DROP SCHEMA "+schema+" CASCADE") })
	return withSearchPath(tb, base, schema)
}

// admin runs one statement on a connection of its own.
func admin(tb testing.TB, base, sql string) {
	tb.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to FROSTY_TEST_POSTGRES: %v", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// withSearchPath returns base, a URL or a key=value string, set to open
// schema.
func withSearchPath(tb testing.TB, base, schema string) string {
	tb.Helper()
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " search_path=" + schema
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("FROSTY_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
