package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/frostyhq/frosty/internal/postgres"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/sqlite"
)

// The SQL ceiling of the writes: the transactions Frosty's store runs for
// each write call, one transaction per write, straight on the database
// through the same driver, pragmas (SQLite) or isolation level
// (PostgreSQL), with rows of the same sizes. They mirror, statement for
// statement, what the service and the stores issue today; when either
// changes, change these with it.
//
// CreateAddress (service.CreateAddress → Tx.InsertAddress):
//
//	INSERT INTO addresses (id, account, partition, doc) VALUES (?, ?, ?, ?) RETURNING seq
//
// CreateJob, an import job with an address (service.CreateJob →
// checkAddress → Tx.Address; insertJob → Tx.InsertJob, Tx.AppendEvent; no
// notification, forwarding address, long-term pricing or cluster):
//
//	SELECT seq, doc FROM addresses WHERE id = ?
//	INSERT INTO jobs (id, account, partition, cluster_id, master_id, state, due_at, is_master, job_type, snowball_type, creation_date, description, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq
//	INSERT INTO events (resource_id, doc) VALUES (?, ?) RETURNING seq
//
// UpdateJob of the Description (service.UpdateJob → ownJob → Tx.Job;
// Tx.PutJob):
//
//	SELECT seq, doc FROM jobs WHERE id = ?
//	UPDATE jobs SET account = ?, partition = ?, cluster_id = ?, master_id = ?, state = ?, due_at = ?, is_master = ?, job_type = ?, snowball_type = ?, creation_date = ?, description = ?, claimed_until = NULL, doc = ? WHERE id = ? RETURNING seq
//
// On SQLite each runs in BEGIN IMMEDIATE … COMMIT on the one write
// connection, under the writer DSN's pragmas (sqlite.WriterDSN); on
// PostgreSQL, in a SERIALIZABLE READ WRITE transaction, run again when it
// fails to serialize, as postgres.DB.Update does. The store reads and binds
// the doc column as the ceiling does; it also decodes and encodes JSON,
// which is the service's work and not the database's.
const (
	sqlInsertAddress = "INSERT INTO addresses (id, account, partition, doc) VALUES (?, ?, ?, ?) RETURNING seq"
	sqlGetAddress    = "SELECT seq, doc FROM addresses WHERE id = ?"
	sqlInsertJob     = "INSERT INTO jobs (id, account, partition, cluster_id, master_id, state, due_at, is_master, job_type, snowball_type, creation_date, description, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq"
	sqlInsertEvent   = "INSERT INTO events (resource_id, doc) VALUES (?, ?) RETURNING seq"
	sqlGetJob        = "SELECT seq, doc FROM jobs WHERE id = ?"
	sqlPutJob        = "UPDATE jobs SET account = ?, partition = ?, cluster_id = ?, master_id = ?, state = ?, due_at = ?, is_master = ?, job_type = ?, snowball_type = ?, creation_date = ?, description = ?, claimed_until = NULL, doc = ? WHERE id = ? RETURNING seq"
)

// records are rows as Frosty stored them, which the ceiling writes again
// under new IDs, so that its rows have the sizes of Frosty's.
type records struct {
	account, partition string
	addressID          string
	addressDoc         string // as CreateAddress stored it
	jobID, jobDoc      string // as CreateJob stored it
	created            any    // its creation_date column, as the driver reads it
	eventDoc           string // the event of that job's creation
	updatedID          string
	updatedDoc         string // a job as UpdateJob stored it
}

// sqlCeiling runs the write transactions above.
type sqlCeiling interface {
	createAddress(ctx context.Context) error
	createJob(ctx context.Context) error
	updateJob(ctx context.Context) error
	close() error
}

// openSQLCeiling makes a scratch store of the kind store names (a SQLite
// file in dir, or a schema of its own on the PostgreSQL server), has a
// Frosty in this process store real records in it through the API, with
// the target's credential (so the owner is the same), and then opens it
// for the ceiling's transactions, with jobs rows for UpdateJob to update.
func openSQLCeiling(ctx context.Context, store, dir string, cred sigv4.Credential, region string, jobs int) (_ sqlCeiling, err error) {
	scratch, err := newScratchStore(ctx, store, dir, "ceiling")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, scratch.drop())
		}
	}()
	recs, err := captureRecords(ctx, scratch, cred, region)
	if err != nil {
		return nil, fmt.Errorf("sql ceiling: %w", err)
	}
	var tag [4]byte
	rand.Read(tag[:])
	ids := &idMaker{tag: hex.EncodeToString(tag[:])}
	if IsPostgres(scratch.url) {
		return openPostgresCeiling(ctx, scratch, recs, ids, jobs)
	}
	return openSQLiteCeiling(ctx, scratch, recs, ids, jobs)
}

// captureRecords stores an address and two jobs through a Frosty on the
// scratch store, updates the second, and reads the rows back.
func captureRecords(ctx context.Context, scratch *scratchStore, cred sigv4.Credential, region string) (*records, error) {
	store, err := scratch.open(ctx)
	if err != nil {
		return nil, err
	}
	f, err := startFrosty(ctx, store, cred, region)
	if err != nil {
		store.Close()
		return nil, err
	}
	c := newClient(f.target, 1)
	recs := &records{}
	err = func() error {
		var err error
		if recs.addressID, err = createAddress(ctx, c); err != nil {
			return err
		}
		if recs.jobID, err = createJob(ctx, c, recs.addressID); err != nil {
			return err
		}
		if recs.updatedID, err = createJob(ctx, c, recs.addressID); err != nil {
			return err
		}
		resp, err := c.call(ctx, "UpdateJob", updateJobRequest(recs.updatedID))
		if err != nil {
			return err
		}
		return resp.err("UpdateJob")
	}()
	c.close()
	f.stop()
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}

	// The rows, read with a plain connection of either kind.
	var read func(query string, args []any, dest ...any) error
	if IsPostgres(scratch.url) {
		conn, err := connect(ctx, scratch.url)
		if err != nil {
			return nil, err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		read = func(query string, args []any, dest ...any) error {
			return conn.QueryRow(ctx, postgres.Numbered(query), args...).Scan(dest...)
		}
	} else {
		db, err := sql.Open("sqlite", scratch.url+sqlite.WriterDSN)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		read = func(query string, args []any, dest ...any) error {
			return db.QueryRowContext(ctx, query, args...).Scan(dest...)
		}
	}
	for _, q := range []struct {
		query string
		args  []any
		dest  []any
	}{
		{"SELECT account, partition, doc FROM addresses WHERE id = ?", []any{recs.addressID}, []any{&recs.account, &recs.partition, &recs.addressDoc}},
		{"SELECT doc FROM jobs WHERE id = ?", []any{recs.jobID}, []any{&recs.jobDoc}},
		{"SELECT creation_date FROM jobs WHERE id = ?", []any{recs.jobID}, []any{&recs.created}},
		{"SELECT doc FROM events WHERE resource_id = ? ORDER BY seq LIMIT 1", []any{recs.jobID}, []any{&recs.eventDoc}},
		{"SELECT doc FROM jobs WHERE id = ?", []any{recs.updatedID}, []any{&recs.updatedDoc}},
	} {
		if err := read(q.query, q.args, q.dest...); err != nil {
			return nil, fmt.Errorf("read back %q: %w", q.query, err)
		}
	}
	return recs, nil
}

// jobCols are the values of the jobs columns before doc, as the store
// writes them for a new import job: an ID, its owner, no cluster or
// master, New, no due time (the manual lifecycle), and its list entry.
func jobCols(id string, recs *records) []any {
	return []any{id, recs.account, recs.partition, "", "", "New", nil, false, "IMPORT", "EDGE", recs.created, "bench"}
}

// idMaker hands out IDs of the length of Frosty's (a prefix and a UUID),
// unique within the run.
type idMaker struct {
	tag string // 8 hex digits of this run
	n   atomic.Int64
}

func (m *idMaker) next(prefix string) string {
	return fmt.Sprintf("%s%s-0000-4000-8000-%012x", prefix, m.tag, m.n.Add(1))
}

// jobsToUpdate returns n job IDs and the doc UpdateJob stores for each.
func jobsToUpdate(recs *records, ids *idMaker, n int) (jobIDs, docs []string) {
	for range n {
		id := ids.next("JID")
		jobIDs = append(jobIDs, id)
		docs = append(docs, strings.ReplaceAll(recs.updatedDoc, recs.updatedID, id))
	}
	return jobIDs, docs
}

// sqliteCeiling runs the transactions on a SQLite file, on one connection
// with the writer DSN, as sqlite.DB runs Updates: SQLite has one writer at
// a time, and more connections would only wait on busy_timeout.
type sqliteCeiling struct {
	db *sql.DB
	// The statements, prepared once, as the store prepares its own.
	insertAddress, getAddress, insertJob, insertEvent, getJob, putJob *sql.Stmt

	scratch *scratchStore
	recs    *records
	ids     *idMaker
	jobIDs  []string
	jobDocs []string
	next    atomic.Int64
}

func openSQLiteCeiling(ctx context.Context, scratch *scratchStore, recs *records, ids *idMaker, jobs int) (*sqliteCeiling, error) {
	db, err := sql.Open("sqlite", scratch.url+sqlite.WriterDSN)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c := &sqliteCeiling{db: db, scratch: scratch, recs: recs, ids: ids}
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&c.insertAddress, sqlInsertAddress}, {&c.getAddress, sqlGetAddress}, {&c.insertJob, sqlInsertJob},
		{&c.insertEvent, sqlInsertEvent}, {&c.getJob, sqlGetJob}, {&c.putJob, sqlPutJob},
	} {
		if *p.stmt, err = db.PrepareContext(ctx, p.query); err != nil {
			db.Close()
			return nil, fmt.Errorf("sql ceiling: prepare %q: %w", p.query, err)
		}
	}
	c.jobIDs, c.jobDocs = jobsToUpdate(recs, ids, jobs)
	err = c.tx(ctx, func(tx *sql.Tx) error {
		for i, id := range c.jobIDs {
			if _, err := tx.ExecContext(ctx, sqlInsertJob, append(jobCols(id, recs), c.jobDocs[i])...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sql ceiling: add the jobs to update: %w", err)
	}
	return c, nil
}

// tx is sqlite.DB.write: BEGIN IMMEDIATE (the DSN's _txlock), fn, COMMIT.
func (c *sqliteCeiling) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	t, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := fn(t); err != nil {
		return err
	}
	return t.Commit()
}

func (c *sqliteCeiling) createAddress(ctx context.Context) error {
	id := c.ids.next("ADID")
	doc := strings.ReplaceAll(c.recs.addressDoc, c.recs.addressID, id)
	return c.tx(ctx, func(t *sql.Tx) error {
		var seq int64
		return t.StmtContext(ctx, c.insertAddress).QueryRowContext(ctx, id, c.recs.account, c.recs.partition, doc).Scan(&seq)
	})
}

func (c *sqliteCeiling) createJob(ctx context.Context) error {
	id := c.ids.next("JID")
	doc := strings.ReplaceAll(c.recs.jobDoc, c.recs.jobID, id)
	event := strings.ReplaceAll(c.recs.eventDoc, c.recs.jobID, id)
	return c.tx(ctx, func(t *sql.Tx) error {
		var seq int64
		var addr []byte
		if err := t.StmtContext(ctx, c.getAddress).QueryRowContext(ctx, c.recs.addressID).Scan(&seq, &addr); err != nil {
			return err
		}
		if err := t.StmtContext(ctx, c.insertJob).QueryRowContext(ctx, append(jobCols(id, c.recs), doc)...).Scan(&seq); err != nil {
			return err
		}
		return t.StmtContext(ctx, c.insertEvent).QueryRowContext(ctx, id, event).Scan(&seq)
	})
}

func (c *sqliteCeiling) updateJob(ctx context.Context) error {
	i := int(c.next.Add(1)-1) % len(c.jobIDs)
	id, doc := c.jobIDs[i], c.jobDocs[i]
	return c.tx(ctx, func(t *sql.Tx) error {
		var seq int64
		var old []byte
		if err := t.StmtContext(ctx, c.getJob).QueryRowContext(ctx, id).Scan(&seq, &old); err != nil {
			return err
		}
		return t.StmtContext(ctx, c.putJob).QueryRowContext(ctx, append(jobCols(id, c.recs)[1:], doc, id)...).Scan(&seq)
	})
}

func (c *sqliteCeiling) close() error {
	return errors.Join(c.db.Close(), c.scratch.drop())
}

// postgresCeiling runs the transactions on a schema of its own, through a
// pgx pool configured from the same URL as postgres.Open's.
type postgresCeiling struct {
	pool    *pgxpool.Pool
	scratch *scratchStore
	recs    *records
	ids     *idMaker
	jobIDs  []string
	jobDocs []string
	next    atomic.Int64
}

func openPostgresCeiling(ctx context.Context, scratch *scratchStore, recs *records, ids *idMaker, jobs int) (*postgresCeiling, error) {
	pool, err := pgxpool.New(ctx, scratch.url)
	if err != nil {
		return nil, err
	}
	c := &postgresCeiling{pool: pool, scratch: scratch, recs: recs, ids: ids}
	c.jobIDs, c.jobDocs = jobsToUpdate(recs, ids, jobs)
	err = c.tx(ctx, func(t pgx.Tx) error {
		for i, id := range c.jobIDs {
			if _, err := t.Exec(ctx, pgInsertJob, append(jobCols(id, recs), c.jobDocs[i])...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("sql ceiling: add the jobs to update: %w", err)
	}
	return c, nil
}

// The statements in PostgreSQL's placeholders.
var (
	pgInsertAddress = postgres.Numbered(sqlInsertAddress)
	pgGetAddress    = postgres.Numbered(sqlGetAddress)
	pgInsertJob     = postgres.Numbered(sqlInsertJob)
	pgInsertEvent   = postgres.Numbered(sqlInsertEvent)
	pgGetJob        = postgres.Numbered(sqlGetJob)
	pgPutJob        = postgres.Numbered(sqlPutJob)
)

// tx is postgres.DB.Update: fn in a SERIALIZABLE transaction, run again
// after a short random pause when it fails to serialize or deadlocks.
func (c *postgresCeiling) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	const maxAttempts = 64
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(mrand.Int64N(int64(time.Millisecond << min(attempt, 7))))):
			}
		}
		if err = c.attempt(ctx, fn); !retryable(err) {
			return err
		}
	}
	return err
}

func (c *postgresCeiling) attempt(ctx context.Context, fn func(pgx.Tx) error) error {
	t, err := c.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadWrite})
	if err != nil {
		return err
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	if err := fn(t); err != nil {
		return err
	}
	return t.Commit(ctx)
}

// retryable reports a serialization failure or a deadlock.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

func (c *postgresCeiling) createAddress(ctx context.Context) error {
	id := c.ids.next("ADID")
	doc := strings.ReplaceAll(c.recs.addressDoc, c.recs.addressID, id)
	return c.tx(ctx, func(t pgx.Tx) error {
		var seq int64
		return t.QueryRow(ctx, pgInsertAddress, id, c.recs.account, c.recs.partition, doc).Scan(&seq)
	})
}

func (c *postgresCeiling) createJob(ctx context.Context) error {
	id := c.ids.next("JID")
	doc := strings.ReplaceAll(c.recs.jobDoc, c.recs.jobID, id)
	event := strings.ReplaceAll(c.recs.eventDoc, c.recs.jobID, id)
	return c.tx(ctx, func(t pgx.Tx) error {
		var seq int64
		var addr []byte
		if err := t.QueryRow(ctx, pgGetAddress, c.recs.addressID).Scan(&seq, &addr); err != nil {
			return err
		}
		if err := t.QueryRow(ctx, pgInsertJob, append(jobCols(id, c.recs), doc)...).Scan(&seq); err != nil {
			return err
		}
		return t.QueryRow(ctx, pgInsertEvent, id, event).Scan(&seq)
	})
}

func (c *postgresCeiling) updateJob(ctx context.Context) error {
	i := int(c.next.Add(1)-1) % len(c.jobIDs)
	id, doc := c.jobIDs[i], c.jobDocs[i]
	return c.tx(ctx, func(t pgx.Tx) error {
		var seq int64
		var old []byte
		if err := t.QueryRow(ctx, pgGetJob, id).Scan(&seq, &old); err != nil {
			return err
		}
		return t.QueryRow(ctx, pgPutJob, append(jobCols(id, c.recs)[1:], doc, id)...).Scan(&seq)
	})
}

func (c *postgresCeiling) close() error {
	c.pool.Close()
	return c.scratch.drop()
}
