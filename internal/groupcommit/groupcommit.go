// Package groupcommit is the queue of the stores' group commit: callers
// hand in a write and wait; writers take the writes waiting, run them in
// one transaction of their own making, each as the store sees fit (in a
// savepoint), and tell each caller its outcome once the transaction has
// committed. It knows nothing of SQL: the stores run the batches.
package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// ErrClosed is the error of a write handed to a closed Queue.
var ErrClosed = errors.New("the store is closed")

// A Write is one caller's write, waiting in a Queue or running in a batch.
// T is what its function writes with: a store's transaction.
type Write[T any] struct {
	ctx   context.Context
	fn    func(T) error
	state atomic.Int32 // queued, taken or abandoned
	done  chan error   // gets fn's error, or the batch's
}

const (
	queued int32 = iota
	taken
	abandoned
)

// Context is the context of the write's caller, for its values: a
// running write is not cancelled with it (see Queue.Do).
func (w *Write[T]) Context() context.Context { return w.ctx }

// Run calls the write's function with t, and returns its error; a panic
// of the function is returned as an error that Do panics with again in
// the caller.
func (w *Write[T]) Run(t T) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicked{value: v, stack: debug.Stack()}
		}
	}()
	return w.fn(t)
}

// Requeue makes a taken write one to take again, for a batch that could
// not run it.
func (w *Write[T]) Requeue() { w.state.Store(queued) }

// Done tells the caller the write's outcome: nil once the transaction that
// ran it has committed, or why it did not.
func (w *Write[T]) Done(err error) { w.done <- err }

// panicked carries a panic of a write's function from the writer to the
// caller.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string { return fmt.Sprintf("panic: %v\n%s", p.value, p.stack) }

// A Queue hands writes from their callers to the writers.
type Queue[T any] struct {
	writes  chan *Write[T]
	closing chan struct{}
}

// New returns an open Queue.
func New[T any]() *Queue[T] {
	return &Queue[T]{writes: make(chan *Write[T]), closing: make(chan struct{})}
}

// Close makes Do refuse new writes and Next return false; writers finish
// the batch they hold.
func (q *Queue[T]) Close() { close(q.closing) }

// Do hands fn to the writers and waits for its outcome: fn's error, or the
// batch's if its transaction failed. A panic of fn is raised again here.
// ctx bounds only the wait for a writer to take the write: once fn runs,
// it runs to the end and its caller hears how it ended.
func (q *Queue[T]) Do(ctx context.Context, fn func(T) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &Write[T]{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case q.writes <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-q.closing:
		return ErrClosed
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

// Next waits for a write and returns it with the others waiting, at most
// max in all, appended to batch[:0]; false once the Queue is closed.
func (q *Queue[T]) Next(batch []*Write[T], max int) ([]*Write[T], bool) {
	var first *Write[T]
	select {
	case first = <-q.writes:
	case <-q.closing:
		return batch[:0], false
	}
	batch = append(batch[:0], first)
	for len(batch) < max {
		select {
		case w := <-q.writes:
			batch = append(batch, w)
		default:
			return batch, true
		}
	}
	return batch, true
}

// Take returns the writes of batch whose callers still wait, which are
// now the writer's to run and to tell; those whose callers gave up are
// left out, never to run.
func Take[T any](batch []*Write[T]) []*Write[T] {
	var ws []*Write[T]
	for _, w := range batch {
		if w.state.CompareAndSwap(queued, taken) {
			ws = append(ws, w)
		}
	}
	return ws
}
