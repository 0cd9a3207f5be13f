package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// statements runs the statements of a transaction: a pgx.Tx, or a View's
// viewTx.
type statements interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// viewOptions are a View's: one snapshot throughout, and no writes.
var viewOptions = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// viewTx is the transaction of a View. It begins with the View's first
// statement, whose BEGIN goes to the server with it, in one round trip
// (pgx's Batch.BeginTx): a View that reads one record takes two round
// trips, the read and the ROLLBACK, not three. Over a network, where a
// round trip is most of a read's time, that is a third off.
type viewTx struct {
	pool *pgxpool.Pool
	tx   pgx.Tx // nil until the first statement
}

var _ statements = (*viewTx)(nil)

// begin sends sql with the BEGIN, and reads the BEGIN's result. The
// caller reads sql's and closes the batch before the next statement.
func (v *viewTx) begin(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	b.BeginTx(viewOptions)
	b.Queue(sql, args...)
	br := v.pool.SendBatch(ctx, b)
	v.tx = br.Tx()
	if _, err := br.Exec(); err != nil {
		br.Close()
		return nil, err
	}
	return br, nil
}

// end rolls the transaction back, if it began, and gives its connection
// back to the pool (or closes it, if it cannot end).
func (v *viewTx) end(ctx context.Context) {
	if v.tx != nil {
		v.tx.Rollback(ctx)
	}
}

func (v *viewTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if v.tx != nil {
		return v.tx.Exec(ctx, sql, args...)
	}
	br, err := v.begin(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (v *viewTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if v.tx != nil {
		return v.tx.Query(ctx, sql, args...)
	}
	br, err := v.begin(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return batchRows{rows, br}, nil
}

func (v *viewTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if v.tx != nil {
		return v.tx.QueryRow(ctx, sql, args...)
	}
	br, err := v.begin(ctx, sql, args)
	if err != nil {
		return errRow{err}
	}
	return batchRow{br.QueryRow(), br}
}

// batchRows are the rows of a batch's last statement: closing them closes
// the batch.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r batchRows) Close() {
	r.Rows.Close()
	r.br.Close()
}

// batchRow is the row of a batch's last statement: scanning it closes the
// batch.
type batchRow struct {
	pgx.Row
	br pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.Row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// errRow is a row that could not be read.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
