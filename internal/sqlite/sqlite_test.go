package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frostyhq/frosty/internal/migration"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/storetest"
)

// MustOpenDB returns a database in a new file under tb.TempDir, closed when
// the test ends.
func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	return MustOpenPath(tb, filepath.Join(tb.TempDir(), "frosty.db"))
}

// MustOpenPath opens the database at path, closed when the test ends.
func MustOpenPath(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) snowball.Store { return MustOpenDB(t) })
}

var owner = snowball.Owner{Account: "111111111111", Partition: "us"}

func mustUpdate(tb testing.TB, db *DB, fn func(ctx context.Context, tx snowball.Tx) error) {
	tb.Helper()
	ctx := context.Background()
	if err := db.Update(ctx, func(tx snowball.Tx) error { return fn(ctx, tx) }); err != nil {
		tb.Fatal(err)
	}
}

func mustJob(tb testing.TB, db *DB, id string) *snowball.Job {
	tb.Helper()
	var j *snowball.Job
	err := db.View(context.Background(), func(tx snowball.Tx) (err error) {
		j, err = tx.Job(context.Background(), id)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	want := storetest.NewJob("j1", owner)
	event := storetest.NewEvent("j1", model.JobStateNew, model.JobStateWithCustomer)
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error {
		if err := tx.InsertJob(ctx, want); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, event)
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = MustOpenPath(t, path)
	if diff := cmp.Diff(want, mustJob(t, db, "j1")); diff != "" {
		t.Errorf("job after reopening (-want +got):\n%s", diff)
	}
	err = db.View(t.Context(), func(tx snowball.Tx) error {
		es, err := tx.Events(t.Context(), "j1")
		if diff := cmp.Diff([]*snowball.Event{event}, es); diff != "" {
			t.Errorf("events after reopening (-want +got):\n%s", diff)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	next := storetest.NewJob("j2", owner)
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertJob(ctx, next) })
	if next.Seq <= want.Seq {
		t.Errorf("Seq after reopening = %d, want more than %d", next.Seq, want.Seq)
	}
}

// TestPragmas checks that the DSNs took: SQLite ignores a misspelt pragma.
func TestPragmas(t *testing.T) {
	db := MustOpenDB(t)
	for _, tc := range []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{db.w, "journal_mode", "wal"},
		{db.w, "synchronous", "2"}, // FULL
		{db.w, "busy_timeout", "10000"},
		{db.w, "foreign_keys", "1"},
		{db.w, "query_only", "0"},
		{db.r, "journal_mode", "wal"},
		{db.r, "synchronous", "2"},
		{db.r, "busy_timeout", "10000"},
		{db.r, "foreign_keys", "1"},
		{db.r, "query_only", "1"},
	} {
		var got string
		if err := tc.db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			name := "writer"
			if tc.db == db.r {
				name = "reader"
			}
			t.Errorf("%s: %s = %s, want %s", name, tc.pragma, got, tc.want)
		}
	}
}

// TestSeqNotReused deletes behind the Store's back: the Store has no
// delete, but an operator might, and a Seq must still never come back.
func TestSeqNotReused(t *testing.T) {
	db := MustOpenDB(t)
	j1, j2 := storetest.NewJob("j1", owner), storetest.NewJob("j2", owner)
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error {
		if err := tx.InsertJob(ctx, j1); err != nil {
			return err
		}
		return tx.InsertJob(ctx, j2)
	})
	if _, err := db.w.Exec("DELETE FROM jobs WHERE id = 'j2'"); err != nil {
		t.Fatal(err)
	}
	j3 := storetest.NewJob("j3", owner)
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertJob(ctx, j3) })
	if j3.Seq <= j2.Seq {
		t.Errorf("Seq after deleting the last job = %d, want more than %d", j3.Seq, j2.Seq)
	}
}

// TestDocIsJSON checks that the doc column is JSON SQLite can read, for
// whoever looks into the file with the sqlite3 shell.
func TestDocIsJSON(t *testing.T) {
	db := MustOpenDB(t)
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error {
		return tx.InsertJob(ctx, storetest.NewJob("j1", owner))
	})
	var jobType string
	var seq int64
	err := db.r.QueryRow(`SELECT json_extract(doc, '$.Metadata.JobType'), json_extract(doc, '$.Seq') FROM jobs`).Scan(&jobType, &seq)
	if err != nil {
		t.Fatal(err)
	}
	if jobType != "IMPORT" || seq != 0 {
		t.Errorf("doc has JobType %q and Seq %d, want IMPORT and 0", jobType, seq)
	}
}

type applied struct {
	Version   int
	AppliedAt string
}

// appliedMigrations returns what schema_migrations holds, opening path
// (and, if it is new, migrating it) with this build's migrations.
func appliedMigrations(t *testing.T, path string) []applied {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		MustOpenPath(t, path).Close()
	}
	// Not through Open: a newer build may have migrated the file.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var as []applied
	for rows.Next() {
		var a applied
		if err := rows.Scan(&a.Version, &a.AppliedAt); err != nil {
			t.Fatal(err)
		}
		if _, err := time.Parse(time.RFC3339Nano, a.AppliedAt); err != nil {
			t.Errorf("applied_at of %d: %v", a.Version, err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return as
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	embeddedMs, err := migration.Read(migrations)
	if err != nil {
		t.Fatal(err)
	}
	first := appliedMigrations(t, path)
	if len(first) != len(embeddedMs) {
		t.Fatalf("applied %d migrations, want %d", len(first), len(embeddedMs))
	}
	for i, m := range embeddedMs {
		if first[i].Version != m.Version {
			t.Errorf("migration %d has version %d, want %d", i, first[i].Version, m.Version)
		}
	}

	t.Run("Idempotent", func(t *testing.T) {
		MustOpenPath(t, path).Close()
		MustOpenPath(t, path).Close()
		if diff := cmp.Diff(first, appliedMigrations(t, path)); diff != "" {
			t.Errorf("after reopening (-want +got):\n%s", diff)
		}
	})

	// A newer build brings a migration: only it is applied.
	newer := fstest.MapFS{"9000_extra.sql": {Data: []byte("CREATE TABLE extra (x TEXT);\nINSERT INTO extra VALUES ('a');")}}
	for _, m := range embeddedMs {
		newer[m.Name] = &fstest.MapFile{Data: []byte(m.SQL)}
	}
	t.Run("OnlyNew", func(t *testing.T) {
		db, err := open(path, newer)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.r.QueryRow("SELECT count(*) FROM extra").Scan(&n); err != nil || n != 1 {
			t.Errorf("rows in extra = %d, %v; want 1", n, err)
		}
		db.Close()
		got := appliedMigrations(t, path)
		if diff := cmp.Diff(first, got[:len(got)-1]); diff != "" {
			t.Errorf("earlier migrations (-want +got):\n%s", diff)
		}
		if last := got[len(got)-1]; last.Version != 9000 {
			t.Errorf("last migration = %d, want 9000", last.Version)
		}
	})

	// Then the older build refuses the database.
	t.Run("NewerDatabase", func(t *testing.T) {
		db, err := Open(path)
		if err == nil {
			db.Close()
			t.Fatal("Open of a database migrated by a newer build: no error")
		}
		if !strings.Contains(err.Error(), "schema version 9000") || !strings.Contains(err.Error(), "newer") {
			t.Errorf("error = %v, want one naming version 9000 and a newer Frosty", err)
		}
	})
}

// TestMigrationAtomic has a migration fail halfway: the database is left as
// it was, without the statements before the failing one.
func TestMigrationAtomic(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "frosty.db")
	want := appliedMigrations(t, dbPath)
	bad := fstest.MapFS{
		"8000_half.sql": {Data: []byte("CREATE TABLE half (x TEXT);\nINSERT INTO nowhere VALUES (1);")},
		"8001_next.sql": {Data: []byte("CREATE TABLE next (x TEXT);")},
	}
	// The real migrations are applied already: changed, they must not run again.
	real, err := fs.Glob(embedded, "migrations/*.sql")
	if err != nil || len(real) == 0 {
		t.Fatalf("embedded migrations: %v, %v", real, err)
	}
	for _, name := range real {
		bad[path.Base(name)] = &fstest.MapFile{Data: []byte("CREATE TABLE whatever (x);")}
	}
	if db, err := open(dbPath, bad); err == nil {
		db.Close()
		t.Fatal("open with a failing migration: no error")
	} else if !strings.Contains(err.Error(), "8000_half.sql") {
		t.Errorf("error = %v, want it to name 8000_half.sql", err)
	}
	if diff := cmp.Diff(want, appliedMigrations(t, dbPath)); diff != "" {
		t.Errorf("migrations after the failure (-want +got):\n%s", diff)
	}
	db := MustOpenPath(t, dbPath)
	var n int
	if err := db.r.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name IN ('half', 'next', 'whatever')").Scan(&n); err != nil || n != 0 {
		t.Errorf("tables of the failed migrations = %d, %v; want none", n, err)
	}
}

func TestReadMigrationsErrors(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"Empty":     {},
		"NoVersion": {"init.sql": {}},
		"Zero":      {"0000_init.sql": {}},
		"Duplicate": {"0001_a.sql": {}, "01_b.sql": {}},
	} {
		if _, err := migration.Read(fsys); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestOpenRejectsNonFiles(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", filepath.Join(t.TempDir(), "x.db?mode=ro")} {
		if db, err := Open(path); err == nil {
			db.Close()
			t.Errorf("Open(%q): no error", path)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "frosty.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := db.View(t.Context(), func(snowball.Tx) error { return nil }); err == nil {
		t.Errorf("View after Close: no error")
	}
}

// TestTwoHandlesOneFile runs Updates on two DBs open on one file, as two
// processes would: BEGIN IMMEDIATE and busy_timeout make them wait for each
// other rather than fail with SQLITE_BUSY or lose an update.
func TestTwoHandlesOneFile(t *testing.T) {
	const perWorker = 25
	db1 := MustOpenDB(t)
	db2 := MustOpenPath(t, db1.path)
	counter := storetest.NewJob("counter", owner)
	counter.PartIndex = 0
	mustUpdate(t, db1, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertJob(ctx, counter) })

	ctx := t.Context()
	errs := make(chan error, 4)
	for _, db := range []*DB{db1, db2, db1, db2} {
		go func() {
			for range perWorker {
				err := db.Update(ctx, func(tx snowball.Tx) error {
					j, err := tx.Job(ctx, "counter")
					if err != nil {
						return err
					}
					j.PartIndex++
					return tx.PutJob(ctx, j)
				})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := mustJob(t, db2, "counter").PartIndex; got != 4*perWorker {
		t.Errorf("counter = %d, want %d", got, 4*perWorker)
	}
}

// TestViewDuringUpdate checks that WAL mode does its part: a View neither
// waits for an Update in progress nor sees its writes.
func TestViewDuringUpdate(t *testing.T) {
	db := MustOpenDB(t)
	want := storetest.NewJob("j", owner)
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertJob(ctx, want) })

	written, release := make(chan struct{}), make(chan struct{})
	updated := make(chan error, 1)
	go func() {
		updated <- db.Update(t.Context(), func(tx snowball.Tx) error {
			j, err := tx.Job(t.Context(), "j")
			if err != nil {
				return err
			}
			j.State = model.JobStateComplete
			if err := tx.PutJob(t.Context(), j); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written

	// A View that waited would be stopped by this deadline, not hang.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := db.View(ctx, func(tx snowball.Tx) error {
		j, err := tx.Job(ctx, "j")
		if err == nil && j.State != want.State {
			t.Errorf("View during an Update sees State %s, want %s", j.State, want.State)
		}
		return err
	})
	if err != nil {
		t.Errorf("View during an Update: %v", err)
	}
	close(release)
	if err := <-updated; err != nil {
		t.Fatal(err)
	}
	if got := mustJob(t, db, "j").State; got != model.JobStateComplete {
		t.Errorf("State after the Update = %s, want Complete", got)
	}
}

// TestQueryPlans checks that every lookup and list reads through an index,
// in Seq order, rather than scanning or sorting a table.
func TestQueryPlans(t *testing.T) {
	db := MustOpenDB(t)
	o := owner
	for name, q := range map[string]string{
		"Address":           addresses.getSQL,
		"Job":               jobs.getSQL,
		"Addresses":         listQuery(addresses.listSQL, ownedBy(o)),
		"Clusters":          listQuery(clusters.listSQL, ownedBy(o)),
		"LongTermPricings":  listQuery(longTermPricing.listSQL, ownedBy(o)),
		"Events":            listQuery(events.listSQL, eventsOf("j")),
		"JobsAll":           listQuery(jobs.listSQL, jobsWhere(snowball.JobFilter{})),
		"JobsOwner":         listQuery(jobs.listSQL, jobsWhere(snowball.JobFilter{Owner: &o})),
		"JobsCluster":       listQuery(jobs.listSQL, jobsWhere(snowball.JobFilter{ClusterID: "c"})),
		"JobsMaster":        listQuery(jobs.listSQL, jobsWhere(snowball.JobFilter{MasterID: "m"})),
		"JobsNotFinal":      listQuery(jobs.listSQL, jobsWhere(snowball.JobFilter{NotFinal: true})),
		"JobsOwnerLive":     listQuery(jobs.listSQL, jobsWhere(snowball.JobFilter{Owner: &o, NotFinal: true})),
		"JobEntriesOwner":   jobEntriesQuery(jobsWhere(snowball.JobFilter{Owner: &o})),
		"JobEntriesCluster": jobEntriesQuery(jobsWhere(snowball.JobFilter{ClusterID: "c"})),
		"ClaimDueJobs":      fmt.Sprintf(claimSQL, "jobs"),
		"ClaimDueClusters":  fmt.Sprintf(claimSQL, "clusters"),
		"NextDueJobs":       fmt.Sprintf(nextDueSQL, "jobs"),
		"NextDueClusters":   fmt.Sprintf(nextDueSQL, "clusters"),
		"ClaimMessages":     fmt.Sprintf(claimMessagesSQL, "?, ?"),
		"NextAttempt":       fmt.Sprintf(nextAttemptSQL, "?, ?"),
	} {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		rows, err := db.r.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			// A subquery's rows are scanned as it yields them: its own
			// steps are the ones that must use an index.
			table := strings.HasPrefix(step, "SCAN") && !strings.HasPrefix(step, "SCAN (subquery")
			if (table && !strings.Contains(step, "INDEX")) || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s: plan %q scans or sorts", name, plan)
			}
		}
		if testing.Verbose() {
			t.Logf("%s: %q", name, plan)
		}
	}
}

// The durability test runs this in a child process, which opens the
// database, commits a job, says so on stdout and waits to be killed.
const helperEnv = "FROSTY_SQLITE_HELPER_DB"

func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("run as a child of TestKilledAfterCommit")
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error {
		return tx.InsertJob(ctx, storetest.NewJob("durable", owner))
	})
	fmt.Println("committed")
	// Wait for the kill; should the parent die first, its end of stdin
	// closes and the child ends too.
	io.Copy(io.Discard, os.Stdin)
	t.Fatal("stdin closed before the kill")
}

// TestKilledAfterCommit checks that an acknowledged Update survives the
// process being killed (SIGKILL: no deferred Close, no checkpoint). It does
// not prove survival of a power loss, which is synchronous=FULL's part.
func TestKilledAfterCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	committed := false
	for lines := bufio.NewScanner(stdout); !committed && lines.Scan(); {
		committed = lines.Text() == "committed"
	}
	if !committed {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child did not commit; its stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws := cmd.ProcessState; ws == nil || ws.Exited() {
		t.Fatalf("the child was not killed: %v", err)
	}

	db := MustOpenPath(t, path)
	want := storetest.NewJob("durable", owner)
	got := mustJob(t, db, "durable")
	want.Seq = got.Seq
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the committed job after the kill (-want +got):\n%s", diff)
	}
}

func BenchmarkInsertJob(b *testing.B) {
	db := MustOpenDB(b)
	ctx := context.Background()
	var n atomic.Int64
	insert := func() {
		j := storetest.NewJob(fmt.Sprintf("JID%d", n.Add(1)), owner)
		if err := db.Update(ctx, func(tx snowball.Tx) error { return tx.InsertJob(ctx, j) }); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Serial", func(b *testing.B) {
		for b.Loop() {
			insert()
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				insert()
			}
		})
	})
}

func BenchmarkGetJob(b *testing.B) {
	const jobCount = 1000
	db := MustOpenDB(b)
	ctx := context.Background()
	mustUpdate(b, db, func(ctx context.Context, tx snowball.Tx) error {
		for i := range jobCount {
			if err := tx.InsertJob(ctx, storetest.NewJob(fmt.Sprintf("JID%d", i), owner)); err != nil {
				return err
			}
		}
		return nil
	})
	var n atomic.Int64
	get := func() {
		id := fmt.Sprintf("JID%d", n.Add(1)%jobCount)
		err := db.View(ctx, func(tx snowball.Tx) error {
			_, err := tx.Job(ctx, id)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("Serial", func(b *testing.B) {
		for b.Loop() {
			get()
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				get()
			}
		})
	})
}

// BenchmarkListJobs reads pages of 100 jobs of one owner, as ListJobs does.
func BenchmarkListJobs(b *testing.B) {
	db := MustOpenDB(b)
	ctx := context.Background()
	mustUpdate(b, db, func(ctx context.Context, tx snowball.Tx) error {
		for i := range 1000 {
			if err := tx.InsertJob(ctx, storetest.NewJob(fmt.Sprintf("JID%d", i), owner)); err != nil {
				return err
			}
		}
		return nil
	})
	for b.Loop() {
		err := db.View(ctx, func(tx snowball.Tx) error {
			js, err := tx.Jobs(ctx, snowball.JobFilter{Owner: &owner}, snowball.Page{Limit: 100})
			if err == nil && len(js) != 100 {
				err = fmt.Errorf("listed %d jobs", len(js))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// TestMigrationFillsClusterStates: a database from before migration 0004
// opens with its clusters counted by state.
func TestMigrationFillsClusterStates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	old := migrationsBefore(t, 4)
	db, err := open(path, old)
	if err != nil {
		t.Fatal(err)
	}
	// Write clusters the way the old schema did: no state column.
	for i, state := range []string{"AwaitingQuorum", "InUse", "InUse"} {
		doc := fmt.Sprintf(`{"ID":"c%d","State":%q}`, i, state)
		if _, err := db.w.Exec("INSERT INTO clusters (id, account, partition, doc) VALUES (?, 'a', 'us', ?)", fmt.Sprintf("c%d", i), doc); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db = MustOpenPath(t, path)
	defer db.Close()
	var got map[model.ClusterState]int
	if err := db.View(context.Background(), func(tx snowball.Tx) (err error) {
		got, err = tx.ClustersByState(context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := map[model.ClusterState]int{"AwaitingQuorum": 1, "InUse": 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ClustersByState after the migration (-want +got):\n%s", diff)
	}
}

// migrationsBefore returns the embedded migrations older than version: the
// schema of an earlier Frosty, for the tests of what a migration fills in.
func migrationsBefore(tb testing.TB, version int) fstest.MapFS {
	tb.Helper()
	all, err := migration.Read(migrations)
	if err != nil {
		tb.Fatal(err)
	}
	old := fstest.MapFS{}
	for _, m := range all {
		if m.Version < version {
			old[m.Name] = &fstest.MapFile{Data: []byte(m.SQL)}
		}
	}
	return old
}

// TestMigrationFillsOutboxClaims: the messages of a database from before
// migration 0008 can be claimed, each at its retry time (to the second),
// and its live jobs have no due time until the service fills them in.
func TestMigrationFillsOutboxClaims(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	db, err := open(path, migrationsBefore(t, 8))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	for id, next := range map[string]time.Time{"due": now.Add(-time.Hour), "later": now.Add(time.Hour + 500*time.Millisecond)} {
		m := &snowball.Message{ID: id, Target: snowball.MessageTargetWebhook, Body: "{}", NextAttempt: next}
		doc, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.Exec("INSERT INTO messages (id, delivered, account, doc) VALUES (?, 0, 'a', ?)", id, string(doc)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.w.Exec(`INSERT INTO jobs (id, account, partition, cluster_id, master_id, state, doc) VALUES ('j', 'a', 'us', '', '', 'New', '{"ID":"j","State":"New"}')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = MustOpenPath(t, path)
	defer db.Close()
	targets := []string{snowball.MessageTargetWebhook}
	got, err := db.ClaimMessages(t.Context(), targets, now, now.Add(time.Minute), 10)
	if err != nil || len(got) != 1 || got[0].ID != "due" {
		t.Fatalf("ClaimMessages after the migration = %v, %v; want the message that was due", got, err)
	}
	var next, due time.Time
	if err := db.View(t.Context(), func(tx snowball.Tx) (err error) {
		if next, err = tx.NextMessageAttempt(t.Context(), targets, now); err != nil {
			return err
		}
		due, err = tx.NextDue(t.Context(), now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if want := now.Add(time.Hour); !next.Equal(want) {
		t.Errorf("NextMessageAttempt after the migration = %v; want %v", next, want)
	}
	if !due.IsZero() {
		t.Errorf("NextDue after the migration = %v; want none until the service fills due times in", due)
	}
}

// TestMigrationFillsJobEntries checks that migration 0009 copies the list
// entry of each job out of its document.
func TestMigrationFillsJobEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	db, err := open(path, migrationsBefore(t, 9))
	if err != nil {
		t.Fatal(err)
	}
	full := storetest.NewJob("full", owner)
	full.IsMaster = true
	full.Metadata.Description = model.Ptr("nul \x00 and \\u0000, \"quoted\" <b>")
	bare := storetest.NewJob("bare", owner)
	bare.Metadata.JobType, bare.Metadata.SnowballType, bare.Metadata.CreationDate, bare.Metadata.Description = nil, nil, nil, nil
	for _, j := range []*snowball.Job{full, bare} {
		doc, err := jobs.encode(j)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.Exec("INSERT INTO jobs (id, account, partition, cluster_id, master_id, state, doc) VALUES (?, ?, ?, '', '', ?, ?)",
			j.ID, j.Owner.Account, j.Owner.Partition, string(j.State), doc); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db = MustOpenPath(t, path)
	defer db.Close()
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
}
