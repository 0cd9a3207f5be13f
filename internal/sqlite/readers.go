package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// readers is the pool Views run on: query_only connections, each held
// apart from database/sql's pool for good, with its statements (BEGIN and
// ROLLBACK among them) prepared on it once. A View through database/sql's
// own BeginTx costs a goroutine to watch the context and two unprepared
// statements; on a read that is one indexed lookup, that was more than the
// lookup itself.
type readers struct {
	db    *sql.DB
	idle  chan *reader  // the connections not in a View
	slots chan struct{} // one a connection, open or opening: at most cap

	mu     sync.Mutex // held to put a reader back, and to close
	closed bool
}

func newReaders(db *sql.DB, n int) *readers {
	return &readers{db: db, idle: make(chan *reader, n), slots: make(chan struct{}, n)}
}

// reader is one connection of the pool. Only the View holding it uses it.
type reader struct {
	conn            *sql.Conn
	begin, rollback *sql.Stmt
	stmts           map[string]*sql.Stmt // query text → its statement here
}

// get returns an idle reader, opens one if the pool has room, or waits for
// one to come back.
func (p *readers) get(ctx context.Context) (*reader, error) {
	select {
	case r := <-p.idle:
		return r, nil
	default:
	}
	select {
	case r := <-p.idle:
		return r, nil
	case p.slots <- struct{}{}:
		r, err := p.open(ctx)
		if err != nil {
			<-p.slots
			return nil, err
		}
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *readers) open(ctx context.Context) (*reader, error) {
	c, err := p.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	r := &reader{conn: c, stmts: map[string]*sql.Stmt{}}
	if r.begin, err = c.PrepareContext(ctx, "BEGIN"); err == nil {
		r.rollback, err = c.PrepareContext(ctx, "ROLLBACK")
	}
	if err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// put gives r back to the pool, or, if it is broken (it could not end its
// transaction, say), closes it and frees its slot.
func (p *readers) put(r *reader, broken bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if broken || p.closed {
		r.close()
		<-p.slots
		return
	}
	p.idle <- r
}

// close closes the idle connections; a View still running closes its own
// when it ends.
func (p *readers) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	var errs []error
	for {
		select {
		case r := <-p.idle:
			errs = append(errs, r.close())
		default:
			return errors.Join(errs...)
		}
	}
}

func (r *reader) close() error {
	for _, s := range r.stmts {
		s.Close()
	}
	for _, s := range []*sql.Stmt{r.begin, r.rollback} {
		if s != nil {
			s.Close()
		}
	}
	return r.conn.Close()
}

// view runs fn in a read transaction on r: BEGIN, fn, ROLLBACK, each a
// prepared statement. It reports whether r is broken, and so must not go
// back to the pool.
func (r *reader) view(ctx context.Context, fn func(querier) error) (err error, broken bool) {
	if _, err := r.begin.ExecContext(ctx); err != nil {
		// Whether a transaction is open is in doubt (a cancelled ctx
		// may have interrupted the BEGIN), so the connection goes.
		return fmt.Errorf("begin view: %w", err), true
	}
	defer func() {
		// Ending a read transaction has nothing to keep; it runs whatever
		// ctx has become, and when fn panics, so that the connection goes
		// back to the pool clean. If it cannot end, it does not go back.
		if _, rerr := r.rollback.ExecContext(context.Background()); rerr != nil {
			broken = true
		}
	}()
	return fn(r), false
}

// stmt returns query's statement on r, preparing it on first use; nil if
// the query cannot be prepared, and then runs unprepared.
func (r *reader) stmt(ctx context.Context, query string) *sql.Stmt {
	if s, ok := r.stmts[query]; ok {
		return s
	}
	s, err := r.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	r.stmts[query] = s
	return s
}

var _ querier = (*reader)(nil)

func (r *reader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := r.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return r.conn.ExecContext(ctx, query, args...)
}

func (r *reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := r.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return r.conn.QueryContext(ctx, query, args...)
}

func (r *reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := r.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return r.conn.QueryRowContext(ctx, query, args...)
}
