package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/frostyhq/frosty/internal/doccache"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// conn runs the statements of one transaction and keeps the first
// serialization failure or deadlock any of them met, so that Update can
// tell the attempt is spoilt whatever fn made of the error.
type conn struct {
	tx     statements
	failed error
	// ctx, if set, is the context every statement runs under, whatever
	// it is given: a write of a batch must not be cancelled by its caller
	// going away, which would abort the others' transaction too.
	ctx context.Context
}

// context returns the context a statement given ctx runs under.
func (c *conn) context(ctx context.Context) context.Context {
	if c.ctx != nil {
		return c.ctx
	}
	return ctx
}

// note records err if it spoils the transaction, and returns it.
func (c *conn) note(err error) error {
	if c.failed == nil && retryable(err) {
		c.failed = err
	}
	return err
}

func (c *conn) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := c.tx.Exec(c.context(ctx), sql, args...)
	return tag, c.note(err)
}

func (c *conn) query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := c.tx.Query(c.context(ctx), sql, args...)
	if err != nil {
		return nil, c.note(err)
	}
	return noted{rows, c}, nil
}

func (c *conn) queryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return notedRow{c.tx.QueryRow(c.context(ctx), sql, args...), c}
}

type noted struct {
	pgx.Rows
	c *conn
}

func (r noted) Err() error { return r.c.note(r.Rows.Err()) }

type notedRow struct {
	pgx.Row
	c *conn
}

func (r notedRow) Scan(dest ...any) error { return r.c.note(r.Row.Scan(dest...)) }

// isUnique reports whether err is a unique or primary key violation.
func isUnique(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// tx is a snowball.Tx; each method is one statement on a table below.
type tx struct{ q *conn }

var _ snowball.Tx = (*tx)(nil)

// The tables. cols name the columns copied out of the record so that they
// can be indexed; vals returns them in the same order.
var (
	addresses = newTable("addresses", "address",
		func(a *snowball.Address) *int64 { return &a.Seq },
		[]string{"id", "account", "partition"},
		func(a *snowball.Address) []any { return []any{a.ID, a.Owner.Account, a.Owner.Partition} })

	jobs = newTable("jobs", "job",
		func(j *snowball.Job) *int64 { return &j.Seq },
		[]string{"id", "account", "partition", "cluster_id", "master_id", "state", "due_at",
			"is_master", "job_type", "snowball_type", "creation_date", "description"},
		func(j *snowball.Job) []any {
			e := snowball.EntryOf(j)
			return []any{j.ID, j.Owner.Account, j.Owner.Partition, j.ClusterID, j.MasterID, string(j.State), timestamp(j.DueAt),
				e.IsMaster, string(e.JobType), string(e.SnowballType), timestamp(e.CreationDate), escape(e.Description)}
		}, endClaim).cached(jobsCached)

	clusters = newTable("clusters", "cluster",
		func(c *snowball.Cluster) *int64 { return &c.Seq },
		[]string{"id", "account", "partition", "state", "due_at"},
		func(c *snowball.Cluster) []any {
			return []any{c.ID, c.Owner.Account, c.Owner.Partition, string(c.State), timestamp(c.DueAt)}
		}, endClaim).cached(clustersCached)

	longTermPricing = newTable("long_term_pricing", "long-term pricing",
		func(l *snowball.LongTermPricing) *int64 { return &l.Seq },
		[]string{"id", "account", "partition"},
		func(l *snowball.LongTermPricing) []any { return []any{l.ID, l.Owner.Account, l.Owner.Partition} })

	messages = newTable("messages", "message",
		func(m *snowball.Message) *int64 { return &m.Seq },
		[]string{"id", "delivered", "account", "target", "next_attempt"},
		func(m *snowball.Message) []any {
			return []any{m.ID, !m.DeliveredAt.IsZero(), m.Account, m.Target, m.NextAttempt}
		}, endClaim)

	events = newTable("events", "event",
		func(e *snowball.Event) *int64 { return &e.Seq },
		[]string{"resource_id"},
		func(e *snowball.Event) []any { return []any{e.ResourceID} })
)

// How many jobs and clusters the tables keep decoded: a few megabytes,
// whatever the number of records.
const (
	jobsCached     = 1024
	clustersCached = 256
)

// endClaim is what a put also sets: storing a record ends any lease on it
// (Store.ClaimDue, Store.ClaimMessages).
const endClaim = "claimed_until = NULL"

// timestamp is a time as its column holds it: NULL for the zero time.
func timestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// notFinal repeats the WHERE clause of the partial index jobs_live, built
// from the model's names so that it cannot select the wrong jobs; should the
// names ever differ from the index's, the query is still right, only slower.
var notFinal = fmt.Sprintf("state NOT IN ('%s', '%s')", model.JobStateComplete, model.JobStateCancelled)

func (t *tx) InsertAddress(ctx context.Context, a *snowball.Address) error {
	return addresses.insert(ctx, t.q, a)
}

func (t *tx) Address(ctx context.Context, id string) (*snowball.Address, error) {
	return addresses.get(ctx, t.q, id)
}

func (t *tx) Addresses(ctx context.Context, owner snowball.Owner, p snowball.Page) ([]*snowball.Address, error) {
	return addresses.list(ctx, t.q, ownedBy(owner), p)
}

func (t *tx) InsertJob(ctx context.Context, j *snowball.Job) error {
	return jobs.insert(ctx, t.q, j)
}

func (t *tx) PutJob(ctx context.Context, j *snowball.Job) error {
	return jobs.put(ctx, t.q, j)
}

func (t *tx) Job(ctx context.Context, id string) (*snowball.Job, error) {
	return jobs.get(ctx, t.q, id)
}

func (t *tx) Jobs(ctx context.Context, f snowball.JobFilter, p snowball.Page) ([]*snowball.Job, error) {
	return jobs.list(ctx, t.q, jobsWhere(f), p)
}

// escape returns s as the inside of a JSON string, as encoding/json writes
// it: the form the description column holds, since PostgreSQL's text
// refuses a NUL, which a description may hold.
func escape(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b[1 : len(b)-1])
}

// unescape undoes escape. Most descriptions need nothing undone: escape
// puts a backslash before whatever it changes.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var out string
	err := json.Unmarshal([]byte(`"`+s+`"`), &out)
	return out, err
}

// jobEntriesSQL lists job entries: its arguments are those of a list.
// The page comes back as one value, so that pgx decodes one column of one
// row for it, not 101 rows of 8 columns, each into a Go value: each
// entry's fields joined by the unit separator, the entries by the record
// separator. No field holds either: the description column holds the
// description escaped as a JSON string's inside, which escapes every
// control character.
var jobEntriesSQL = struct{ head, base, tail string }{
	head: "SELECT string_agg(e, E'\\x1e' ORDER BY seq) FROM (",
	base: "SELECT seq, concat_ws(E'\\x1f', seq, id, state, CASE WHEN is_master THEN 1 ELSE 0 END, job_type, snowball_type, " +
		"coalesce((extract(epoch FROM creation_date) * 1000)::bigint::text, ''), description) AS e FROM jobs WHERE seq > ?",
	tail: ") page",
}

// jobEntriesQuery is the query of the job entries w selects.
func jobEntriesQuery(w where) string {
	return jobEntriesSQL.head + listQuery(jobEntriesSQL.base, w) + jobEntriesSQL.tail
}

func (t *tx) JobEntries(ctx context.Context, f snowball.JobFilter, p snowball.Page) ([]*snowball.JobEntry, error) {
	w := jobsWhere(f)
	var page *string
	if err := t.q.queryRow(ctx, jobEntriesQuery(w), listArgs(w, p)...).Scan(&page); err != nil {
		return nil, fmt.Errorf("list job entries: %w", err)
	}
	if page == nil {
		return nil, nil
	}
	var out []*snowball.JobEntry
	for entry := range strings.SplitSeq(*page, "\x1e") {
		e, err := jobEntry(entry)
		if err != nil {
			return nil, fmt.Errorf("list job entries: entry %d: %w", len(out), err)
		}
		out = append(out, e)
	}
	return out, nil
}

// jobEntry decodes one entry of jobEntriesSQL.
func jobEntry(entry string) (*snowball.JobEntry, error) {
	f := strings.Split(entry, "\x1f")
	if len(f) != 8 {
		return nil, fmt.Errorf("%d fields, not 8", len(f))
	}
	seq, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("seq: %w", err)
	}
	e := &snowball.JobEntry{
		Seq: seq, ID: f[1], State: model.JobState(f[2]), IsMaster: f[3] == "1",
		JobType: model.JobType(f[4]), SnowballType: model.SnowballType(f[5]),
	}
	if f[6] != "" {
		ms, err := strconv.ParseInt(f[6], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("creation date: %w", err)
		}
		e.CreationDate = time.UnixMilli(ms).UTC()
	}
	if e.Description, err = unescape(f[7]); err != nil {
		return nil, fmt.Errorf("description of %s: %w", e.ID, err)
	}
	return e, nil
}

func jobsWhere(f snowball.JobFilter) where {
	var w where
	if f.Owner != nil {
		w = ownedBy(*f.Owner)
	}
	if f.ClusterID != "" {
		w.and("cluster_id = ?", f.ClusterID)
	}
	if f.MasterID != "" {
		w.and("master_id = ?", f.MasterID)
	}
	if f.NotFinal {
		w.and(notFinal)
	}
	return w
}

func (t *tx) InsertCluster(ctx context.Context, c *snowball.Cluster) error {
	return clusters.insert(ctx, t.q, c)
}

func (t *tx) PutCluster(ctx context.Context, c *snowball.Cluster) error {
	return clusters.put(ctx, t.q, c)
}

func (t *tx) Cluster(ctx context.Context, id string) (*snowball.Cluster, error) {
	return clusters.get(ctx, t.q, id)
}

func (t *tx) Clusters(ctx context.Context, owner snowball.Owner, p snowball.Page) ([]*snowball.Cluster, error) {
	return clusters.list(ctx, t.q, ownedBy(owner), p)
}

func (t *tx) JobsByState(ctx context.Context) (map[model.JobState]int, error) {
	return countByState[model.JobState](ctx, t.q, "jobs")
}

func (t *tx) ClustersByState(ctx context.Context) (map[model.ClusterState]int, error) {
	return countByState[model.ClusterState](ctx, t.q, "clusters")
}

// countByState counts the rows of table (jobs or clusters) by state.
func countByState[S ~string](ctx context.Context, q *conn, table string) (map[S]int, error) {
	rows, err := q.query(ctx, "SELECT state, count(*) FROM "+table+" GROUP BY state")
	if err != nil {
		return nil, fmt.Errorf("count %s by state: %w", table, err)
	}
	defer rows.Close()
	out := map[S]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("count %s by state: %w", table, err)
		}
		out[S(state)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count %s by state: %w", table, err)
	}
	return out, nil
}

func (t *tx) InsertLongTermPricing(ctx context.Context, l *snowball.LongTermPricing) error {
	return longTermPricing.insert(ctx, t.q, l)
}

func (t *tx) PutLongTermPricing(ctx context.Context, l *snowball.LongTermPricing) error {
	return longTermPricing.put(ctx, t.q, l)
}

func (t *tx) LongTermPricing(ctx context.Context, id string) (*snowball.LongTermPricing, error) {
	return longTermPricing.get(ctx, t.q, id)
}

func (t *tx) LongTermPricings(ctx context.Context, owner snowball.Owner, p snowball.Page) ([]*snowball.LongTermPricing, error) {
	return longTermPricing.list(ctx, t.q, ownedBy(owner), p)
}

func (t *tx) AppendEvent(ctx context.Context, e *snowball.Event) error {
	return events.insert(ctx, t.q, e)
}

func (t *tx) Events(ctx context.Context, resourceID string) ([]*snowball.Event, error) {
	var w where
	w.and("resource_id = ?", resourceID)
	return events.list(ctx, t.q, w, snowball.Page{})
}

func (t *tx) InsertMessage(ctx context.Context, m *snowball.Message) error {
	return messages.insert(ctx, t.q, m)
}

func (t *tx) PutMessage(ctx context.Context, m *snowball.Message) error {
	return messages.put(ctx, t.q, m)
}

// PendingMessages repeats the WHERE clause of the partial index
// messages_pending so that the planner can use it.
func (t *tx) PendingMessages(ctx context.Context, p snowball.Page) ([]*snowball.Message, error) {
	var w where
	w.and("NOT delivered")
	return messages.list(ctx, t.q, w, p)
}

func (t *tx) SealedManifest(ctx context.Context, jobID string) ([]byte, error) {
	var sealed []byte
	err := t.q.queryRow(ctx, "SELECT sealed FROM sealed_manifests WHERE job_id = $1", jobID).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, snowball.Errorf(snowball.NotFound, "sealed manifest of job %s not found", jobID)
	}
	if err != nil {
		return nil, fmt.Errorf("get sealed manifest of job %q: %w", jobID, err)
	}
	return sealed, nil
}

func (t *tx) InsertSealedManifest(ctx context.Context, jobID string, sealed []byte) error {
	if sealed == nil {
		sealed = []byte{} // not NULL
	}
	_, err := t.q.exec(ctx, "INSERT INTO sealed_manifests (job_id, sealed) VALUES ($1, $2)", jobID, sealed)
	if isUnique(err) {
		return snowball.Errorf(snowball.Exists, "job %s has a sealed manifest already", jobID)
	}
	if err != nil {
		return fmt.Errorf("insert sealed manifest of job %q: %w", jobID, err)
	}
	return nil
}

// table stores records of type R in one table: the whole record as JSON in
// doc, its Seq in seq, and cols beside them for the indexes. When the first
// column is "id", records can be read and replaced by ID.
type table[R any] struct {
	noun string // in messages
	seq  func(*R) *int64
	vals func(*R) []any

	insertSQL, putSQL, getSQL, listSQL string

	// docs, if set, holds records by their documents, which saves a read
	// the decoding of a document met before: a job's, most often, read
	// soon after it was written.
	docs *doccache.Cache[R]
}

// onPut, if given, is one more assignment that put makes.
func newTable[R any](name, noun string, seq func(*R) *int64, cols []string, vals func(*R) []any, onPut ...string) *table[R] {
	t := &table[R]{noun: noun, seq: seq, vals: vals}
	t.insertSQL = fmt.Sprintf("INSERT INTO %s (%s, doc) VALUES (%s) RETURNING seq",
		name, strings.Join(cols, ", "), params(1, len(cols)+1))
	t.listSQL = fmt.Sprintf("SELECT seq, doc FROM %s WHERE seq > ?", name)
	if cols[0] == "id" {
		// SET takes the columns after id, then doc ($1 to $n); WHERE the id.
		var set strings.Builder
		for i, c := range append(cols[1:len(cols):len(cols)], "doc") {
			fmt.Fprintf(&set, "%s = $%d, ", c, i+1)
		}
		for _, c := range onPut {
			set.WriteString(c + ", ")
		}
		t.putSQL = fmt.Sprintf("UPDATE %s SET %s WHERE id = $%d RETURNING seq",
			name, strings.TrimSuffix(set.String(), ", "), len(cols)+1)
		t.getSQL = fmt.Sprintf("SELECT seq, doc FROM %s WHERE id = $1", name)
	}
	return t
}

// params returns n placeholders from $first: "$1, $2, $3".
func params(first, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(first+i)
	}
	return strings.Join(ps, ", ")
}

// insert adds r and sets its Seq.
func (t *table[R]) insert(ctx context.Context, q *conn, r *R) error {
	vals := t.vals(r)
	doc, err := t.encode(r)
	if err != nil {
		return fmt.Errorf("insert %s %q: %w", t.noun, vals[0], err)
	}
	var seq int64
	err = q.queryRow(ctx, t.insertSQL, append(vals, doc)...).Scan(&seq)
	if isUnique(err) {
		return fmt.Errorf("insert %s %q: the id exists", t.noun, vals[0])
	}
	if err != nil {
		return fmt.Errorf("insert %s %q: %w", t.noun, vals[0], err)
	}
	*t.seq(r) = seq
	return nil
}

// put replaces the record with r's ID, keeping its Seq, which it sets in r.
func (t *table[R]) put(ctx context.Context, q *conn, r *R) error {
	vals := t.vals(r)
	doc, err := t.encode(r)
	if err != nil {
		return fmt.Errorf("put %s %q: %w", t.noun, vals[0], err)
	}
	args := append(vals[1:len(vals):len(vals)], doc, vals[0])
	var seq int64
	err = q.queryRow(ctx, t.putSQL, args...).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return snowball.Errorf(snowball.NotFound, "%s %s not found", t.noun, vals[0])
	}
	if err != nil {
		return fmt.Errorf("put %s %q: %w", t.noun, vals[0], err)
	}
	*t.seq(r) = seq
	return nil
}

func (t *table[R]) get(ctx context.Context, q *conn, id string) (*R, error) {
	var seq int64
	var doc []byte
	err := q.queryRow(ctx, t.getSQL, id).Scan(&seq, &doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, snowball.Errorf(snowball.NotFound, "%s %s not found", t.noun, id)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %q: %w", t.noun, id, err)
	}
	r, err := t.decode(seq, doc)
	if err != nil {
		return nil, fmt.Errorf("get %s %q: %w", t.noun, id, err)
	}
	return r, nil
}

// list returns the records matching w in Seq order, a page of them; a
// Limit of 0 or less means no limit.
func (t *table[R]) list(ctx context.Context, q *conn, w where, p snowball.Page) ([]*R, error) {
	rows, err := q.query(ctx, listQuery(t.listSQL, w), listArgs(w, p)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t.noun, err)
	}
	return t.collect(rows, "list")
}

// collect decodes the records of rows, each a seq and a doc, and closes
// rows; op names the reading in errors ("list", "find").
func (t *table[R]) collect(rows pgx.Rows, op string) ([]*R, error) {
	defer rows.Close()
	var out []*R
	for rows.Next() {
		var seq int64
		var doc []byte
		if err := rows.Scan(&seq, &doc); err != nil {
			return nil, fmt.Errorf("%s %s: %w", op, t.noun, err)
		}
		r, err := t.decode(seq, doc)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", op, t.noun, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, t.noun, err)
	}
	return out, nil
}

// listArgs returns the arguments of a list's query: After, w's, and the
// limit.
func listArgs(w where, p snowball.Page) []any {
	var limit *int64 // LIMIT NULL: no limit
	if p.Limit > 0 {
		n := int64(p.Limit)
		limit = &n
	}
	return append(append([]any{p.After}, w.args...), limit)
}

// listQuery returns the query of a list, base ("SELECT … WHERE seq > ?")
// with w's conditions, in Seq order: its arguments are listArgs'.
func listQuery(base string, w where) string {
	var query strings.Builder
	query.WriteString(base)
	for _, c := range w.conds {
		query.WriteString(" AND " + c)
	}
	query.WriteString(" ORDER BY seq LIMIT ?")
	return Numbered(query.String())
}

// Numbered replaces the ? placeholders of query with $1, $2, … in order:
// the store writes its statements with ?, as SQLite's are written, and
// numbers them for PostgreSQL (so does internal/bench, for its ceiling's).
// query must hold no other question mark.
func Numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// encode returns r as the doc column, JSON text. The Seq in it is zeroed,
// since the seq column is the one that counts.
func (t *table[R]) encode(r *R) (string, error) {
	c := *r
	*t.seq(&c) = 0
	return t.docs.Encode(&c)
}

func (t *table[R]) decode(seq int64, doc []byte) (*R, error) {
	r, err := t.docs.Decode(doc)
	if err != nil {
		return nil, fmt.Errorf("decode %s %d: %w", t.noun, seq, err)
	}
	*t.seq(r) = seq
	return r, nil
}

// cached makes t keep the last n records it decoded or encoded, by their
// documents (see internal/doccache), and returns t.
func (t *table[R]) cached(n int) *table[R] {
	t.docs = doccache.New[R](n)
	return t
}

// where is the conditions of a list, ANDed, with their arguments; each ?
// in them takes the next argument.
type where struct {
	conds []string
	args  []any
}

func (w *where) and(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func ownedBy(o snowball.Owner) where {
	var w where
	w.and("account = ? AND partition = ?", o.Account, o.Partition)
	return w
}

func (t *tx) NextDue(ctx context.Context, now time.Time) (time.Time, error) {
	var next *time.Time
	err := t.q.queryRow(ctx, `SELECT least(
	(SELECT due_at FROM jobs WHERE due_at IS NOT NULL AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY due_at LIMIT 1),
	(SELECT due_at FROM clusters WHERE due_at IS NOT NULL AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY due_at LIMIT 1))`, now).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("next due: %w", err)
	}
	if next == nil {
		return time.Time{}, nil
	}
	return next.UTC(), nil
}

func (t *tx) NextMessageAttempt(ctx context.Context, targets []string, now time.Time) (time.Time, error) {
	var next time.Time
	err := t.q.queryRow(ctx, `SELECT next_attempt FROM messages WHERE NOT delivered
	AND (claimed_until IS NULL OR claimed_until <= $1) AND target = ANY($2) ORDER BY next_attempt LIMIT 1`, now, targets).Scan(&next)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("next message attempt: %w", err)
	}
	return next.UTC(), nil
}
