// Package postgres is the snowball.Store kept in a PostgreSQL database,
// through pgx/v5 and its pool, so that several Frosty replicas can share
// one store.
//
// Each record is a row holding its JSON in a doc column, plus copies of the
// fields the lists filter on, which are indexed: the tables of
// internal/sqlite, with a Seq from an identity column.
//
// Updates run at SERIALIZABLE isolation: PostgreSQL aborts one of two
// transactions that would otherwise both read a record and write it (or
// any other outcome no serial order could give), with a serialization
// failure, and Update then runs fn again in a new transaction. So fn may
// run more than once, and must keep no state of its own across runs but
// what it sets afresh in each. Views run at REPEATABLE READ, READ ONLY: one
// snapshot throughout, and read-only transactions at that level never
// fail to serialize.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/frostyhq/frosty/internal/groupcommit"
	"github.com/frostyhq/frosty/internal/snowball"
)

var _ snowball.Store = (*DB)(nil)

// DB is a snowball.Store in a PostgreSQL database. It is safe for
// concurrent use, and several processes may share the database.
type DB struct {
	pool *pgxpool.Pool

	writes  *groupcommit.Queue[snowball.Tx] // to the writers (commit.go)
	writers sync.WaitGroup                  // the writers running

	closeOnce sync.Once
}

// Open connects to the database at url, a postgres:// URL or a libpq
// key=value string (pgx's pool settings, pool_max_conns and the like, may
// be given in it), and brings the schema up to date, in the schema that
// search_path names first (public by default). It fails if the schema was
// migrated by a newer Frosty than this one.
func Open(ctx context.Context, url string) (_ *DB, err error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := &DB{pool: pool, writes: groupcommit.New[snowball.Tx]()}
	if err := migrate(ctx, pool, migrations); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres %s: %w", describe(cfg.ConnConfig), err)
	}
	// Half the pool's connections write, in batches; the rest are left to
	// views and claims.
	for range max(1, cfg.MaxConns/2) {
		db.writers.Add(1)
		go db.runWriter()
	}
	return db, nil
}

// describe names the database of cfg in messages, without its password.
func describe(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// Ping reads the schema version and the last job's Seq, in one read-only
// transaction, so that an unreachable server or a schema that is not
// Frosty's is an error.
func (db *DB) Ping(ctx context.Context) error {
	t, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	var version, seq *int64
	if err := t.QueryRow(ctx, "SELECT (SELECT max(version) FROM schema_migrations), (SELECT max(seq) FROM jobs)").Scan(&version, &seq); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if version == nil {
		return fmt.Errorf("ping: no schema version recorded")
	}
	return nil
}

// View runs fn in a READ ONLY transaction at REPEATABLE READ, so any write
// fn tries fails and fn sees one snapshot throughout. The transaction
// begins with fn's first statement (see viewTx).
func (db *DB) View(ctx context.Context, fn func(snowball.Tx) error) error {
	v := &viewTx{pool: db.pool}
	// Ending a read transaction has nothing to keep; the rollback also
	// runs when fn panics, so the connection goes back to the pool clean.
	defer v.end(context.WithoutCancel(ctx))
	return fn(&tx{q: &conn{tx: v}})
}

// maxAttempts bounds how many times Update runs fn when transactions keep
// failing to serialize; the last failure is then returned. A record that
// many writers update at once (eight, in the conformance suite) can lose
// twenty rounds in a row.
const maxAttempts = 64

// retrying makes attempts until one succeeds or fails for good (retry
// false), pausing between them, at most maxAttempts.
func retrying(ctx context.Context, op string, attempt func() (retry bool, err error)) error {
	var err error
	for i := range maxAttempts {
		if i > 0 {
			if err := pause(ctx, i); err != nil {
				return err
			}
		}
		var retry bool
		if retry, err = attempt(); !retry {
			return err
		}
	}
	return fmt.Errorf("%s: %d attempts failed to serialize: %w", op, maxAttempts, err)
}

// pause sleeps before the attempt'th retry: a random time up to a bound
// that doubles at each attempt, from 1 ms to 128 ms, so that the
// transactions that collided do not collide again in step.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(time.Millisecond << min(attempt, 7))))
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// retryable reports whether err is a serialization failure or a deadlock:
// the transaction was aborted for what others did at the same time, and
// running it again may succeed.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// Close closes the connections, waiting for those in use to be released.
// Close may be called again.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.writes.Close()
		db.writers.Wait()
		db.pool.Close()
	})
	return nil
}
