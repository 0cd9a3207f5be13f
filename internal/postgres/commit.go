package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/frostyhq/frosty/internal/groupcommit"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Group commit. Most of an Update's cost on the server is the transaction
// around it: BEGIN, COMMIT and its WAL flush, each a round trip. So a few
// writers take the Updates waiting when they are free and run them, one
// after the other, in one transaction, each in a savepoint: an Update
// whose fn fails is rolled back to its savepoint alone, the others
// commit, and no caller hears of success before the commit. When the
// transaction fails to serialize, the whole batch runs again, as a lone
// Update would (fn may run more than once). A batch is whatever queued
// while the writer was busy, so a lone Update runs at once.

// maxBatch bounds the Updates in one transaction: a longer transaction
// holds its locks longer and collides more.
const maxBatch = 32

// write is one Update of the writers' queue.
type write = groupcommit.Write[snowball.Tx]

// Update runs fn in a SERIALIZABLE transaction, committed when fn returns
// nil and rolled back when it returns an error or panics. fn's error is
// returned as is. When the transaction fails to serialize or deadlocks (in
// fn or at the commit), Update rolls it back and runs fn again, after a
// short random pause, up to maxAttempts times in all: fn may run more than
// once. Updates that queue up share a transaction, each in a savepoint.
// ctx bounds the wait for a writer; once fn runs, its statements run to
// the end. fn must not call Update itself.
func (db *DB) Update(ctx context.Context, fn func(snowball.Tx) error) error {
	return db.writes.Do(ctx, fn)
}

// runWriter is one writer: it gathers the Updates waiting and commits
// them, until the store closes.
func (db *DB) runWriter() {
	defer db.writers.Done()
	batch := make([]*write, 0, maxBatch)
	for {
		var ok bool
		if batch, ok = db.writes.Next(batch, maxBatch); !ok {
			return
		}
		db.commit(groupcommit.Take(batch))
	}
}

// commit runs ws in one transaction, again while it fails to serialize,
// and tells each caller its outcome.
func (db *DB) commit(ws []*write) {
	if len(ws) == 0 {
		return
	}
	var errs []error
	err := retrying(context.Background(), "update", func() (retry bool, err error) {
		errs, retry, err = db.attempt(ws)
		return retry, err
	})
	for i, w := range ws {
		if err != nil {
			w.Done(err)
		} else {
			w.Done(errs[i])
		}
	}
}

// attempt makes one attempt of a batch: each fn's error, or the error that
// spoilt the whole attempt and whether another may succeed.
func (db *DB) attempt(ws []*write) (errs []error, retry bool, err error) {
	bg := context.Background()
	t, err := db.pool.BeginTx(bg, pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadWrite})
	if err != nil {
		return nil, retryable(err), fmt.Errorf("begin update: %w", err)
	}
	defer t.Rollback(bg) // a no-op once committed
	savepoints := len(ws) > 1
	errs = make([]error, len(ws))
	ok := 0 // fns that succeeded
	for i, w := range ws {
		if savepoints {
			// One round trip: end the last fn's savepoint, start this one's.
			sql := "SAVEPOINT w"
			if i > 0 {
				sql = "RELEASE SAVEPOINT w; SAVEPOINT w"
			}
			if _, err := t.Exec(bg, sql); err != nil {
				return nil, retryable(err), fmt.Errorf("update: %w", err)
			}
		}
		c := &conn{tx: t, ctx: context.WithoutCancel(w.Context())}
		errs[i] = w.Run(&tx{q: c})
		// A statement that failed to serialize spoils the attempt, even
		// when fn went on and returned something else, or nil: its reads
		// may be wrong, and PostgreSQL would roll the commit back anyway.
		if c.failed != nil {
			return nil, true, c.failed
		}
		if errs[i] == nil {
			ok++
		} else if savepoints {
			if _, err := t.Exec(bg, "ROLLBACK TO SAVEPOINT w"); err != nil {
				return nil, retryable(err), fmt.Errorf("update: %w", err)
			}
		}
	}
	if ok == 0 {
		return errs, false, nil // the deferred Rollback
	}
	if err := t.Commit(bg); err != nil {
		return nil, retryable(err), fmt.Errorf("commit update: %w", err)
	}
	return errs, false, nil
}
