// Package sqlite is the snowball.Store kept in one SQLite file, through the
// pure-Go modernc.org/sqlite driver so that Frosty builds without cgo.
//
// Each record is a row holding its JSON in a doc column, plus copies of the
// fields the lists filter on, which are indexed. The database runs in WAL
// mode so that readers never wait for the writer. Every Update runs, one at a
// time, on a single write connection with BEGIN IMMEDIATE: the write lock is
// taken before fn reads anything, so no two transactions can both read a
// record and then both write it, and no transaction fails halfway with
// SQLITE_BUSY when it upgrades from reading to writing. Views run on a pool
// of query_only connections.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/frostyhq/frosty/internal/groupcommit"
	"github.com/frostyhq/frosty/internal/snowball"

	msqlite "modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

var _ snowball.Store = (*DB)(nil)

// The DSNs. busy_timeout covers another process (or a sqlite3 shell)
// holding the write lock; the driver applies it before the other pragmas.
// synchronous=FULL makes WAL mode sync the log at every commit, so that an
// acknowledged Update survives a power loss and not only a crash of the
// process (NORMAL would not). _txlock=immediate makes database/sql's BEGIN a
// BEGIN IMMEDIATE, and its Commit leaves no transaction open on the
// connection when the COMMIT fails. Readers get query_only, which the driver
// applies last.
const (
	pragmas   = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(on)&_pragma=synchronous(FULL)"
	writerDSN = "?_txlock=immediate&_pragma=journal_mode(WAL)&" + pragmas
	readerDSN = "?_query_only=on&" + pragmas
)

// DB is a snowball.Store in one SQLite file. It is safe for concurrent use.
// Several processes may share the file: an Update then waits up to
// busy_timeout (10 s) for another process's write transaction to end.
type DB struct {
	path string
	w    *sql.DB // one connection: every Update runs on it in turn
	r    *sql.DB // query_only connections for View, held by readers
	p    *sql.DB // for Ping: a fresh query_only connection each time

	wStmts  *stmtCache // the queries prepared on w
	readers *readers   // the connections of r that Views run on

	writes     *groupcommit.Queue[querier] // to the writer (commit.go)
	writerDone chan struct{}               // closed when the writer has stopped
	onBatch    func(n int)                 // tests: called with the size of each batch

	closeOnce sync.Once
	closeErr  error
}

// Open opens the database in the file at path, creating it if need be, and
// brings its schema up to date. It fails if the file was migrated by a newer
// Frosty than this one. path must be a plain file name: an in-memory database
// would not be shared between the connections.
func Open(path string) (*DB, error) {
	return open(path, migrations)
}

func open(path string, migrations fs.FS) (_ *DB, err error) {
	// The driver cuts the DSN at the first '?' and treats "file:" names as
	// URIs, and ":memory:" would give every connection its own database.
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open sqlite %q: not a plain file name", path)
	}
	// SQLite takes an empty file for a new database and would start afresh
	// in silence; an empty Frosty database is never empty on disk (setting
	// WAL mode writes its header), so the file was truncated or is not ours.
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		return nil, fmt.Errorf("open sqlite %q: the file is empty (0 bytes), not a Frosty database; remove it to start afresh", path)
	}
	db := &DB{path: path, writes: groupcommit.New[querier]()}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()

	if db.w, err = sql.Open("sqlite", path+writerDSN); err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)

	// Where WAL is impossible (a file system without shared memory, say),
	// the DSN's journal_mode(WAL) quietly leaves the old mode. Without WAL a
	// View would block Updates, so refuse to run.
	var mode string
	if err := db.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		return nil, fileError("open", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return nil, fmt.Errorf("open sqlite %q: journal mode is %q, not wal", path, mode)
	}

	if err := migrate(context.Background(), db.w, migrations); err != nil {
		return nil, fileError("open", path, err)
	}

	if db.r, err = sql.Open("sqlite", path+readerDSN); err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.r.SetMaxOpenConns(n)
	db.r.SetMaxIdleConns(n)

	// In WAL mode a connection keeps its page cache from one transaction
	// to the next while the WAL is unchanged, so a pooled connection can go
	// on answering from memory after the file is damaged. Ping's connection
	// is closed after each use and reads the file afresh.
	if db.p, err = sql.Open("sqlite", path+readerDSN); err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	db.p.SetMaxOpenConns(1)
	db.p.SetMaxIdleConns(0)

	db.wStmts, db.readers = &stmtCache{db: db.w}, newReaders(db.r, n)
	db.writerDone = make(chan struct{})
	go db.runWriter()
	return db, nil
}

// fileError wraps an error of op on the file at path. SQLite's words for
// a file that is not a database name no file, so say which, and what it is.
func fileError(op, path string, err error) error {
	var serr *msqlite.Error
	if errors.As(err, &serr) && serr.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("%s sqlite %q: not an SQLite database: %w", op, path, err)
	}
	return fmt.Errorf("%s sqlite %q: %w", op, path, err)
}

// Ping reads the schema, the last job's Seq and the schema version in one
// read transaction on a connection of its own, opened for the purpose, so
// that a file damaged under the open connections is an error here even
// while they still answer from their caches.
func (db *DB) Ping(ctx context.Context) error {
	t, err := db.p.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fileError("ping", db.path, err)
	}
	defer t.Rollback()
	var tables int
	var seq, version sql.NullInt64
	for _, q := range []struct {
		query string
		dest  any
	}{
		{"SELECT count(*) FROM sqlite_master", &tables},
		{"SELECT max(seq) FROM jobs", &seq},
		{"SELECT max(version) FROM schema_migrations", &version},
	} {
		if err := t.QueryRowContext(ctx, q.query).Scan(q.dest); err != nil {
			return fileError("ping", db.path, err)
		}
	}
	return nil
}

// View runs fn in a read transaction on a query_only connection, so any
// write fn tries fails. fn sees one snapshot of the database throughout.
func (db *DB) View(ctx context.Context, fn func(snowball.Tx) error) (err error) {
	r, err := db.readers.get(ctx)
	if err != nil {
		return fmt.Errorf("begin view: %w", err)
	}
	broken := true // if fn panics, view has rolled back; the reader goes anyway
	defer func() { db.readers.put(r, broken) }()
	err, broken = r.view(ctx, func(q querier) error { return fn(&tx{q: q}) })
	return err
}

// Update runs fn in a write transaction, committed with a sync of the WAL
// when fn returns nil and rolled back when it returns an error or panics.
// fn's error is returned as is. Updates run one at a time, several to a
// transaction when they queue up (see commit.go), so fn must not call
// Update itself.
func (db *DB) Update(ctx context.Context, fn func(snowball.Tx) error) error {
	return db.write(ctx, func(q querier) error { return fn(&tx{q: q}) })
}

// Close closes the connections. Closing the write connection last lets it
// checkpoint the WAL into the database file. Close may be called again; it
// returns the first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		if db.writerDone != nil {
			db.writes.Close()
			<-db.writerDone
			db.wStmts.close()
		}
		var errs []error
		if db.p != nil {
			errs = append(errs, db.p.Close())
		}
		if db.readers != nil {
			errs = append(errs, db.readers.close())
		}
		if db.r != nil {
			errs = append(errs, db.r.Close())
		}
		if db.w != nil {
			errs = append(errs, db.w.Close())
		}
		if err := errors.Join(errs...); err != nil {
			db.closeErr = fmt.Errorf("close sqlite %q: %w", db.path, err)
		}
	})
	return db.closeErr
}
