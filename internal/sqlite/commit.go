package sqlite

import (
	"context"
	"fmt"

	"github.com/frostyhq/frosty/internal/groupcommit"
)

// Group commit. Every write runs on one connection, and most of a write's
// time is the sync of the WAL at its commit. So the writer, one goroutine,
// takes every write that is waiting when it is free, runs them one after
// the other in one transaction, each in a savepoint of its own, and commits
// them with one sync. A write whose fn fails (or panics) is rolled back to
// its savepoint alone; the others commit. No caller hears of success before
// the commit that made its write durable: each waits for the batch.
//
// A batch is whatever queued while the last one ran, so a lone write runs
// at once, as before, and under load the batches grow by themselves.

// maxBatch bounds the writes in one transaction, so that a crowd of
// writers cannot make one transaction, and its callers' wait, grow long.
const maxBatch = 64

// write is one write of the writer's queue.
type write = groupcommit.Write[querier]

// write runs fn in the next batch of the writer and returns once that batch
// has committed (fn's error if fn failed, the commit's if it failed). ctx
// bounds only the wait for the batch to start: once fn runs it runs to the
// end, under ctx's values but not its cancellation.
func (db *DB) write(ctx context.Context, fn func(querier) error) error {
	return db.writes.Do(ctx, fn)
}

// runWriter is the writer: it gathers the writes waiting and commits them,
// until the store closes.
func (db *DB) runWriter() {
	defer close(db.writerDone)
	batch := make([]*write, 0, maxBatch)
	for {
		var ok bool
		if batch, ok = db.writes.Next(batch, maxBatch); !ok {
			return
		}
		ws := groupcommit.Take(batch)
		for len(ws) > 0 {
			ws = db.commit(ws)
		}
	}
}

// commit runs ws in one transaction and tells each its outcome. Should the
// transaction break (SQLite rolls a transaction back by itself on some I/O
// errors), the writes that did not run yet are returned, to run in a
// transaction of their own.
func (db *DB) commit(ws []*write) (rest []*write) {
	if db.onBatch != nil {
		db.onBatch(len(ws))
	}
	t, err := db.w.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE, see writerDSN
	if err != nil {
		for _, w := range ws {
			w.Done(fmt.Errorf("begin update: %w", err))
		}
		return nil
	}
	q := &stmtQuerier{t: t, cache: db.wStmts}
	savepoints := len(ws) > 1
	exec := func(stmt string) error {
		if !savepoints {
			return nil
		}
		_, err := q.ExecContext(context.Background(), stmt)
		return err
	}
	errs := make([]error, len(ws))
	ok := 0 // writes whose fn succeeded
	for i, w := range ws {
		err := exec("SAVEPOINT w")
		if err == nil {
			q.ctx = context.WithoutCancel(w.Context())
			if errs[i] = w.Run(q); errs[i] == nil {
				err = exec("RELEASE w")
			} else if err = exec("ROLLBACK TO w"); err == nil {
				err = exec("RELEASE w")
			}
		}
		if err != nil { // the transaction is gone: fail what ran, retry the rest
			t.Rollback()
			failed := fmt.Errorf("update: %w", err)
			for j := range i + 1 {
				if errs[j] == nil {
					errs[j] = failed
				}
				ws[j].Done(errs[j])
			}
			rest = ws[i+1:]
			for _, w := range rest {
				w.Requeue()
			}
			return groupcommit.Take(rest)
		}
		if errs[i] == nil {
			ok++
		}
	}
	if ok == 0 {
		err = t.Rollback()
	} else if err = t.Commit(); err != nil {
		err = fmt.Errorf("commit update: %w", err)
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	db.wStmts.prepare(q.missed)
	for i, w := range ws {
		w.Done(errs[i])
	}
	return nil
}
