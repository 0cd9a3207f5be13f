package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/frostyhq/frosty/internal/migration"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/postgres/pgtest"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/storetest"
)

// MustOpen opens the store at u and closes it when tb ends.
func MustOpen(tb testing.TB, u string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), u)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustPool opens a bare pool on the schema at u, where migrate can be
// given migrations of a test's own.
func MustPool(tb testing.TB, u string) *pgxpool.Pool {
	tb.Helper()
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

// MustOpenDB opens a store in a fresh schema.
func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	return MustOpen(tb, pgtest.MustSchema(tb))
}

func TestConformance(t *testing.T) {
	pgtest.ServerURL(t)
	storetest.Run(t, func(t *testing.T) snowball.Store { return MustOpenDB(t) })
}

// versions returns the versions recorded in the schema of db.
func versions(t *testing.T, db *DB) []int {
	t.Helper()
	rows, err := db.pool.Query(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func wantVersions(t *testing.T, db *DB) {
	t.Helper()
	ms, err := migration.Read(migrations)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.Version)
	}
	if got := versions(t, db); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("schema_migrations holds %v, want %v", got, want)
	}
}

func TestMigrate(t *testing.T) {
	t.Run("OpenTwice", func(t *testing.T) {
		t.Parallel()
		u := pgtest.MustSchema(t)
		db := MustOpen(t, u)
		if err := db.Update(t.Context(), func(tx snowball.Tx) error {
			return tx.InsertJob(t.Context(), storetest.NewJob("j", snowball.Owner{Account: "111111111111", Partition: "us"}))
		}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		db = MustOpen(t, u)
		wantVersions(t, db)
		if err := db.View(t.Context(), func(tx snowball.Tx) error {
			_, err := tx.Job(t.Context(), "j")
			return err
		}); err != nil {
			t.Errorf("the job stored before the second Open: %v", err)
		}
		if err := db.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})

	// Replicas that start at once migrate once: one applies the
	// migrations and the others find them applied. Were two to apply
	// them, the second CREATE TABLE would fail its Open.
	t.Run("OpenAtOnce", func(t *testing.T) {
		t.Parallel()
		u := pgtest.MustSchema(t)
		const n = 8
		dbs := make([]*DB, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { dbs[i], errs[i] = Open(t.Context(), u) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Errorf("Open %d: %v", i, errs[i])
				continue
			}
			defer dbs[i].Close()
		}
		if errs[0] == nil {
			wantVersions(t, dbs[0])
		}
	})

	t.Run("OnlyNew", func(t *testing.T) {
		t.Parallel()
		u := pgtest.MustSchema(t)
		first := fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER)")}}
		second := fstest.MapFS{
			"0001_a.sql": first["0001_a.sql"],
			"0002_b.sql": {Data: []byte("INSERT INTO a VALUES (1); INSERT INTO a VALUES (2)")},
		}
		pool := MustPool(t, u)
		for _, fsys := range []fstest.MapFS{first, second, second} {
			if err := migrate(t.Context(), pool, fsys); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM a").Scan(&n); err != nil || n != 2 {
			t.Errorf("table a holds %d rows (%v), want 2: 0002 applied once", n, err)
		}
	})

	t.Run("Newer", func(t *testing.T) {
		t.Parallel()
		u := pgtest.MustSchema(t)
		db := MustOpen(t, u)
		if _, err := db.pool.Exec(t.Context(), "INSERT INTO schema_migrations (version) VALUES (9999)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		db, err := Open(t.Context(), u)
		if err == nil {
			db.Close()
			t.Fatal("Open of a schema from a newer Frosty: no error")
		}
		if !strings.Contains(err.Error(), "newer Frosty") || strings.Contains(err.Error(), ":frosty@") {
			t.Errorf("Open error = %q, want one saying a newer Frosty wrote it, without the password", err)
		}
	})

	// Migration 0003 copies the list entry of each job out of its
	// document.
	t.Run("FillsJobEntries", func(t *testing.T) {
		t.Parallel()
		u := pgtest.MustSchema(t)
		pool := MustPool(t, u)
		all, err := migration.Read(migrations)
		if err != nil {
			t.Fatal(err)
		}
		before := fstest.MapFS{}
		for _, m := range all {
			if m.Version < 3 {
				before[m.Name] = &fstest.MapFile{Data: []byte(m.SQL)}
			}
		}
		if err := migrate(t.Context(), pool, before); err != nil {
			t.Fatal(err)
		}
		o := snowball.Owner{Account: "111111111111", Partition: "us"}
		full := storetest.NewJob("full", o)
		full.IsMaster = true
		full.Metadata.Description = model.Ptr("nul \x00 and \\u0000, \"quoted\" <b>")
		bare := storetest.NewJob("bare", o)
		bare.Metadata.JobType, bare.Metadata.SnowballType, bare.Metadata.CreationDate, bare.Metadata.Description = nil, nil, nil, nil
		for _, j := range []*snowball.Job{full, bare} {
			doc, err := jobs.encode(j)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(t.Context(), "INSERT INTO jobs (id, account, partition, cluster_id, master_id, state, doc) VALUES ($1, $2, $3, '', '', $4, $5)",
				j.ID, j.Owner.Account, j.Owner.Partition, string(j.State), doc); err != nil {
				t.Fatal(err)
			}
		}
		db := MustOpen(t, u)
		var got []*snowball.JobEntry
		if err := db.View(t.Context(), func(tx snowball.Tx) (err error) {
			got, err = tx.JobEntries(t.Context(), snowball.JobFilter{}, snowball.Page{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		want := []*snowball.JobEntry{snowball.EntryOf(full), snowball.EntryOf(bare)}
		if diff := cmp.Diff(want, got, cmp.Comparer(time.Time.Equal), cmpopts.IgnoreFields(snowball.JobEntry{}, "Seq")); diff != "" {
			t.Errorf("entries after the migration (-want +got):\n%s", diff)
		}
	})

	t.Run("Rollback", func(t *testing.T) {
		t.Parallel()
		u := pgtest.MustSchema(t)
		pool := MustPool(t, u)
		bad := fstest.MapFS{
			"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER)")},
			"0002_b.sql": {Data: []byte("INSERT INTO nowhere VALUES (1)")},
		}
		if err := migrate(t.Context(), pool, bad); err == nil {
			t.Fatal("a failing migration: no error")
		}
		var exists bool
		if err := pool.QueryRow(t.Context(), "SELECT to_regclass('a') IS NOT NULL").Scan(&exists); err != nil || exists {
			t.Errorf("table a exists (%v) after a failed migration: want none of it applied", err)
		}
	})
}

// TestUpdateRunsAgain shows the retry that the package comment documents:
// of two Updates that both read and then write one record, one fails to
// serialize and runs again, on what the other committed.
func TestUpdateRunsAgain(t *testing.T) {
	db := MustOpenDB(t)
	ctx := t.Context()
	owner := snowball.Owner{Account: "111111111111", Partition: "us"}
	if err := db.Update(ctx, func(tx snowball.Tx) error { return tx.InsertJob(ctx, storetest.NewJob("j", owner)) }); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	other := make(chan error, 1)
	runs := 0
	err := db.Update(ctx, func(tx snowball.Tx) error {
		runs++
		j, err := tx.Job(ctx, "j")
		if err != nil {
			return err
		}
		if runs == 1 {
			// Another transaction changes j after this one has read it.
			go func() {
				<-read
				other <- db.Update(ctx, func(tx snowball.Tx) error {
					j, err := tx.Job(ctx, "j")
					if err != nil {
						return err
					}
					j.PartIndex = 100
					return tx.PutJob(ctx, j)
				})
			}()
			close(read)
			if err := <-other; err != nil {
				return err
			}
		}
		j.PartIndex++
		return tx.PutJob(ctx, j)
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("fn ran %d times, want 2", runs)
	}
	var got *snowball.Job
	db.View(ctx, func(tx snowball.Tx) error {
		got, err = tx.Job(ctx, "j")
		return err
	})
	if got == nil || got.PartIndex != 101 {
		t.Errorf("PartIndex = %v, want 101: the second run saw the other's write", got)
	}
}

// TestEscapeRoundTrip: a description comes back as it went in, whether
// unescape takes its short cut (nothing escaped) or decodes.
func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain text", `"quoted"`, `back\slash`, "nul \x00", "<b>&amp;</b>", "✓ \u2028 \x1f", "tab\tnew\nline"} {
		got, err := unescape(escape(s))
		if err != nil || got != s {
			t.Errorf("unescape(escape(%q)) = %q, %v", s, got, err)
		}
	}
}
