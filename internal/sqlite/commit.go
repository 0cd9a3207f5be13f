package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
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

// A write is one Update (or claim) waiting for the writer.
type write struct {
	ctx   context.Context
	fn    func(querier) error
	state atomic.Int32 // queued, taken or abandoned
	done  chan error   // gets fn's error, or the commit's
}

const (
	queued int32 = iota
	taken
	abandoned
)

// errClosed is the error of a write that found the store closed.
var errClosed = errors.New("sqlite store is closed")

// panicked carries a panic of fn from the writer to fn's caller, who
// panics again with its value.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string { return fmt.Sprintf("panic: %v\n%s", p.value, p.stack) }

// write runs fn in the next batch of the writer and returns once that batch
// has committed (fn's error if fn failed, the commit's if it failed). ctx
// bounds only the wait for the batch to start: once fn runs it runs to the
// end, under ctx's values but not its cancellation.
func (db *DB) write(ctx context.Context, fn func(querier) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &write{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.writes <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closing:
		return errClosed
	}
	var err error
	select {
	case err = <-w.done:
	case <-ctx.Done():
		if w.state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
		err = <-w.done
	}
	if p, ok := err.(*panicked); ok {
		panic(p.value)
	}
	return err
}

// runWriter is the writer: it gathers the writes waiting and commits them,
// until the store closes.
func (db *DB) runWriter() {
	defer close(db.writerDone)
	batch := make([]*write, 0, maxBatch)
	for {
		var first *write
		select {
		case first = <-db.writes:
		case <-db.closing:
			return
		}
		batch = append(batch[:0], first)
	gather:
		for len(batch) < maxBatch {
			select {
			case w := <-db.writes:
				batch = append(batch, w)
			default:
				break gather
			}
		}
		for len(batch) > 0 {
			batch = db.commit(batch)
		}
	}
}

// commit runs the writes of batch that their callers still wait for in
// one transaction and tells each its outcome. Should the transaction break
// (SQLite rolls a transaction back by itself on some I/O errors), the
// writes that did not run yet are returned, to run in a transaction of
// their own.
func (db *DB) commit(batch []*write) (rest []*write) {
	var ws []*write
	for _, w := range batch {
		if w.state.CompareAndSwap(queued, taken) {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return nil
	}
	if db.onBatch != nil {
		db.onBatch(len(ws))
	}
	t, err := db.w.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE, see writerDSN
	if err != nil {
		tell(ws, fmt.Errorf("begin update: %w", err))
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
			q.ctx = context.WithoutCancel(w.ctx)
			if errs[i] = run(w.fn, q); errs[i] == nil {
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
			}
			tellEach(ws[:i+1], errs)
			return requeue(ws[i+1:])
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
	tellEach(ws, errs)
	return nil
}

// run calls fn, turning a panic into an error that carries it.
func run(fn func(querier) error, q querier) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicked{value: v, stack: debug.Stack()}
		}
	}()
	return fn(q)
}

// requeue makes taken writes runnable again, for the next transaction.
func requeue(ws []*write) []*write {
	for _, w := range ws {
		w.state.Store(queued)
	}
	return ws
}

func tell(ws []*write, err error) {
	for _, w := range ws {
		w.done <- err
	}
}

func tellEach(ws []*write, errs []error) {
	for i, w := range ws {
		w.done <- errs[i]
	}
}
