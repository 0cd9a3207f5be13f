package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps each query prepared on one *sql.DB, which prepares it
// once on each of its connections and keeps it there, so that a query is
// parsed once per connection and not on every call. The queries are the
// store's own, a few dozen texts, so the cache never needs trimming.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query text → *sql.Stmt
}

// stmt returns the statement of query, or nil if it is not prepared yet.
func (c *stmtCache) stmt(query string) *sql.Stmt {
	if s, ok := c.m.Load(query); ok {
		return s.(*sql.Stmt)
	}
	return nil
}

// prepare prepares the queries that were not; it takes a connection, so it
// runs after the transaction that met them has ended (the writer has only
// one). A query that fails to prepare is left out: it is run unprepared.
func (c *stmtCache) prepare(queries []string) {
	for _, q := range queries {
		if c.stmt(q) != nil {
			continue
		}
		s, err := c.db.Prepare(q)
		if err != nil {
			continue
		}
		if _, loaded := c.m.LoadOrStore(q, s); loaded {
			s.Close()
		}
	}
}

// close closes every prepared statement.
func (c *stmtCache) close() {
	c.m.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
}

// stmtQuerier is the querier of one transaction: it runs each query as the
// transaction's copy of its prepared statement, and notes the queries met
// that were not prepared, for the cache to prepare when the transaction
// ends.
//
// If ctx is set, every statement runs under it instead of the one it is
// given: a write of a batch must not be interrupted by its caller going
// away, since SQLite rolls a whole transaction back when a write in it is
// interrupted, and so would lose the batch's other writes.
type stmtQuerier struct {
	t      *sql.Tx
	cache  *stmtCache
	ctx    context.Context
	missed []string
}

var _ querier = (*stmtQuerier)(nil)

func (q *stmtQuerier) stmt(ctx context.Context, query string) (context.Context, *sql.Stmt) {
	if q.ctx != nil {
		ctx = q.ctx
	}
	s := q.cache.stmt(query)
	if s == nil {
		q.missed = append(q.missed, query)
		return ctx, nil
	}
	return ctx, q.t.StmtContext(ctx, s)
}

func (q *stmtQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, s := q.stmt(ctx, query)
	if s == nil {
		return q.t.ExecContext(ctx, query, args...)
	}
	return s.ExecContext(ctx, args...)
}

func (q *stmtQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, s := q.stmt(ctx, query)
	if s == nil {
		return q.t.QueryContext(ctx, query, args...)
	}
	return s.QueryContext(ctx, args...)
}

func (q *stmtQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx, s := q.stmt(ctx, query)
	if s == nil {
		return q.t.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}
