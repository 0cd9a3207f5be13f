package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/doccache"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier runs statements: a *sql.Tx here.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx is a snowball.Tx; each method is one statement on a table below.
type tx struct {
	q querier
	// jobParents holds, for each job this transaction read, the columns
	// that tie it to its owner, cluster and master (jobParentCols), as it
	// read them: a Put that leaves them as they were updates the narrower
	// statement, which rewrites three of the jobs indexes instead of six.
	jobParents map[string]string
}

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
			return []any{j.ID, j.Owner.Account, j.Owner.Partition, j.ClusterID, j.MasterID, string(j.State), micros(j.DueAt),
				e.IsMaster, string(e.JobType), string(e.SnowballType), millis(e.CreationDate), e.Description}
		}, endClaim).cached(jobsCached)

	clusters = newTable("clusters", "cluster",
		func(c *snowball.Cluster) *int64 { return &c.Seq },
		[]string{"id", "account", "partition", "state", "due_at"},
		func(c *snowball.Cluster) []any {
			return []any{c.ID, c.Owner.Account, c.Owner.Partition, string(c.State), micros(c.DueAt)}
		}, endClaim).cached(clustersCached)

	longTermPricing = newTable("long_term_pricing", "long-term pricing",
		func(l *snowball.LongTermPricing) *int64 { return &l.Seq },
		[]string{"id", "account", "partition"},
		func(l *snowball.LongTermPricing) []any { return []any{l.ID, l.Owner.Account, l.Owner.Partition} })

	messages = newTable("messages", "message",
		func(m *snowball.Message) *int64 { return &m.Seq },
		[]string{"id", "delivered", "account", "target", "next_attempt"},
		func(m *snowball.Message) []any {
			return []any{m.ID, !m.DeliveredAt.IsZero(), m.Account, m.Target, m.NextAttempt.UnixMicro()}
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

// micros is a time as its column holds it: Unix microseconds, or NULL for
// the zero time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// millis is a time as creation_date holds it: Unix milliseconds, or NULL
// for the zero time.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
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
	if read, ok := t.jobParents[j.ID]; ok && read == jobParents(j) {
		return jobs.putKeeping(ctx, t.q, j, jobPutKeepingParents)
	}
	return jobs.put(ctx, t.q, j)
}

func (t *tx) Job(ctx context.Context, id string) (*snowball.Job, error) {
	j, err := jobs.get(ctx, t.q, id)
	if err == nil {
		if t.jobParents == nil {
			t.jobParents = map[string]string{}
		}
		t.jobParents[id] = jobParents(j)
	}
	return j, err
}

// jobParentCols are the leading columns of the jobs table after id: a
// job's owner, cluster and master, which the service sets when it creates
// the job and never changes. SQLite rewrites every index on a column an
// UPDATE sets, whatever its value, so a put that leaves them out spares
// the indexes jobs_owner, jobs_cluster and jobs_master.
const jobParentCols = 4

// jobParents returns the values of j's jobParentCols, as one string.
func jobParents(j *snowball.Job) string {
	return strings.Join([]string{j.Owner.Account, j.Owner.Partition, j.ClusterID, j.MasterID}, "\x00")
}

// jobPutKeepingParents is jobs' put without the jobParentCols.
var jobPutKeepingParents = jobs.keeping(jobParentCols)

func (t *tx) Jobs(ctx context.Context, f snowball.JobFilter, p snowball.Page) ([]*snowball.Job, error) {
	return jobs.list(ctx, t.q, jobsWhere(f), p)
}

// jobEntriesSQL lists job entries: its arguments are those of a list.
// The page comes back as one value, so that the driver steps one row and
// reads one column for it, not 101 rows of 8 columns (each column read
// takes a mutex in modernc's driver, and each row a trip through
// database/sql): each entry's fields joined by the unit separator,
// description last, so that whatever it holds it is the rest of the
// entry, and the entry prefixed with its length in bytes and a colon.
// The subquery picks the page in Seq order; the aggregate may join it in
// any order (SQLite sorts an aggregate's input only at the cost of a
// temporary b-tree), so jobEntries puts it back in order.
var jobEntriesSQL = struct{ head, base, tail string }{
	head: "SELECT string_agg(length(CAST(e AS BLOB)) || ':' || e, '') FROM (",
	// The separator is a literal in the SQL text: concat_ws, or char(31)
	// in each row, costs a function call a row.
	base: "SELECT seq, seq || '\x1f' || id || '\x1f' || state || '\x1f' || is_master || '\x1f' || job_type || '\x1f' || snowball_type || '\x1f' || coalesce(creation_date, '') || '\x1f' || description AS e FROM jobs WHERE seq > ?",
	tail: ")",
}

// jobEntryFields is how many fields an entry of jobEntriesSQL has.
const jobEntryFields = 8

// jobEntriesQuery is the query of the job entries w selects.
func jobEntriesQuery(w where) string {
	return jobEntriesSQL.head + listQuery(jobEntriesSQL.base, w) + jobEntriesSQL.tail
}

func (t *tx) JobEntries(ctx context.Context, f snowball.JobFilter, p snowball.Page) ([]*snowball.JobEntry, error) {
	w := jobsWhere(f)
	var page sql.NullString
	if err := t.q.QueryRowContext(ctx, jobEntriesQuery(w), listArgs(w, p)...).Scan(&page); err != nil {
		return nil, fmt.Errorf("list job entries: %w", err)
	}
	entries, err := jobEntries(page.String)
	if err != nil {
		return nil, fmt.Errorf("list job entries: %w", err)
	}
	return entries, nil
}

// jobEntries decodes a page of jobEntriesSQL.
func jobEntries(page string) ([]*snowball.JobEntry, error) {
	var out []*snowball.JobEntry
	for page != "" {
		size, rest, ok := strings.Cut(page, ":")
		n, err := strconv.Atoi(size)
		if !ok || err != nil || n < 0 || n > len(rest) {
			return nil, fmt.Errorf("entry %d: a malformed length %.20q", len(out), size)
		}
		e, err := jobEntry(rest[:n])
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", len(out), err)
		}
		out = append(out, e)
		page = rest[n:]
	}
	bySeq := func(a, b *snowball.JobEntry) int { return cmp.Compare(a.Seq, b.Seq) }
	if !slices.IsSortedFunc(out, bySeq) {
		slices.SortFunc(out, bySeq)
	}
	return out, nil
}

// jobEntry decodes one entry of jobEntriesSQL.
func jobEntry(entry string) (*snowball.JobEntry, error) {
	var f [jobEntryFields]string
	rest := entry
	for i := range jobEntryFields - 1 {
		var ok bool
		if f[i], rest, ok = strings.Cut(rest, "\x1f"); !ok {
			return nil, fmt.Errorf("%d fields, not %d", i+1, jobEntryFields)
		}
	}
	f[jobEntryFields-1] = rest
	seq, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("seq: %w", err)
	}
	e := &snowball.JobEntry{
		Seq: seq, ID: f[1], State: model.JobState(f[2]), IsMaster: f[3] == "1",
		JobType: model.JobType(f[4]), SnowballType: model.SnowballType(f[5]), Description: f[7],
	}
	if f[6] != "" {
		ms, err := strconv.ParseInt(f[6], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("creation date: %w", err)
		}
		e.CreationDate = time.UnixMilli(ms).UTC()
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
func countByState[S ~string](ctx context.Context, q querier, table string) (map[S]int, error) {
	rows, err := q.QueryContext(ctx, "SELECT state, count(*) FROM "+table+" GROUP BY state")
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
	return events.list(ctx, t.q, eventsOf(resourceID), snowball.Page{})
}

func eventsOf(resourceID string) where {
	var w where
	w.and("resource_id = ?", resourceID)
	return w
}

// table stores records of type R in one table: the whole record as JSON in
// doc, its Seq as the rowid, and cols beside them for the indexes. When the
// first column is "id", records can be read and replaced by ID.
type table[R any] struct {
	noun string // in messages
	seq  func(*R) *int64
	vals func(*R) []any

	name                               string
	cols, onPut                        []string
	insertSQL, putSQL, getSQL, listSQL string

	// docs, if set, holds records by their documents, which saves a read
	// the decoding of a document met before: a job's, most often, read
	// soon after it was written.
	docs *doccache.Cache[R]
}

// onPut, if given, is one more assignment that put makes.
func newTable[R any](name, noun string, seq func(*R) *int64, cols []string, vals func(*R) []any, onPut ...string) *table[R] {
	t := &table[R]{noun: noun, seq: seq, vals: vals, name: name, cols: cols, onPut: onPut}
	t.insertSQL = fmt.Sprintf("INSERT INTO %s (%s, doc) VALUES (%s?) RETURNING seq",
		name, strings.Join(cols, ", "), strings.Repeat("?, ", len(cols)))
	t.listSQL = fmt.Sprintf("SELECT seq, doc FROM %s WHERE seq > ?", name)
	if cols[0] == "id" {
		var set strings.Builder
		for _, c := range cols[1:] {
			set.WriteString(c + " = ?, ")
		}
		for _, c := range onPut {
			set.WriteString(c + ", ")
		}
		t.putSQL = fmt.Sprintf("UPDATE %s SET %sdoc = ? WHERE id = ? RETURNING seq", name, set.String())
		t.getSQL = fmt.Sprintf("SELECT seq, doc FROM %s WHERE id = ?", name)
	}
	return t
}

// insert adds r and sets its Seq.
func (t *table[R]) insert(ctx context.Context, q querier, r *R) error {
	vals := t.vals(r)
	doc, err := t.encode(r)
	if err != nil {
		return fmt.Errorf("insert %s %q: %w", t.noun, vals[0], err)
	}
	var seq int64
	err = q.QueryRowContext(ctx, t.insertSQL, append(vals, doc)...).Scan(&seq)
	var serr *msqlite.Error
	if errors.As(err, &serr) && serr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return fmt.Errorf("insert %s %q: the id exists", t.noun, vals[0])
	}
	if err != nil {
		return fmt.Errorf("insert %s %q: %w", t.noun, vals[0], err)
	}
	*t.seq(r) = seq
	return nil
}

// keepingPut is a put that leaves the n columns after id as they are, for
// a record whose values there are unchanged.
type keepingPut struct {
	query string
	n     int
}

func (t *table[R]) keeping(n int) keepingPut {
	var set strings.Builder
	for _, c := range t.cols[1+n:] {
		set.WriteString(c + " = ?, ")
	}
	for _, c := range t.onPut {
		set.WriteString(c + ", ")
	}
	return keepingPut{fmt.Sprintf("UPDATE %s SET %sdoc = ? WHERE id = ? RETURNING seq", t.name, set.String()), n}
}

func (t *table[R]) putKeeping(ctx context.Context, q querier, r *R, k keepingPut) error {
	return t.putWith(ctx, q, r, k.query, k.n)
}

// put replaces the record with r's ID, keeping its Seq, which it sets in r.
func (t *table[R]) put(ctx context.Context, q querier, r *R) error {
	return t.putWith(ctx, q, r, t.putSQL, 0)
}

// putWith is put with query, which sets the columns after id but the
// first skip of them, then doc (put itself, or a keepingPut).
func (t *table[R]) putWith(ctx context.Context, q querier, r *R, query string, skip int) error {
	vals := t.vals(r)
	doc, err := t.encode(r)
	if err != nil {
		return fmt.Errorf("put %s %q: %w", t.noun, vals[0], err)
	}
	// SET takes the columns after id (but the first skip), then doc;
	// WHERE takes the id.
	args := append(vals[1+skip:len(vals):len(vals)], doc, vals[0])
	var seq int64
	err = q.QueryRowContext(ctx, query, args...).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return snowball.Errorf(snowball.NotFound, "%s %s not found", t.noun, vals[0])
	}
	if err != nil {
		return fmt.Errorf("put %s %q: %w", t.noun, vals[0], err)
	}
	*t.seq(r) = seq
	return nil
}

func (t *table[R]) get(ctx context.Context, q querier, id string) (*R, error) {
	var seq int64
	var doc []byte
	err := q.QueryRowContext(ctx, t.getSQL, id).Scan(&seq, &doc)
	if errors.Is(err, sql.ErrNoRows) {
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
func (t *table[R]) list(ctx context.Context, q querier, w where, p snowball.Page) ([]*R, error) {
	rows, err := q.QueryContext(ctx, listQuery(t.listSQL, w), listArgs(w, p)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t.noun, err)
	}
	return t.collect(rows, "list")
}

// collect decodes the records of rows, each a seq and a doc, and closes
// rows; op names the reading in errors ("list", "find").
func (t *table[R]) collect(rows *sql.Rows, op string) ([]*R, error) {
	defer rows.Close()
	var out []*R
	for rows.Next() {
		var seq int64
		var doc sql.RawBytes // decoded before the next row overwrites it
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
	limit := int64(p.Limit)
	if limit <= 0 {
		limit = -1 // SQLite's "no limit"
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
	return query.String()
}

// encode returns r as the doc column: JSON text, bound as a string so that
// SQLite stores TEXT, not a BLOB. The Seq in it is zeroed, since the seq
// column is the one that counts.
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

// where is the conditions of a list, ANDed, with their arguments.
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

func (t *tx) InsertMessage(ctx context.Context, m *snowball.Message) error {
	return messages.insert(ctx, t.q, m)
}

func (t *tx) PutMessage(ctx context.Context, m *snowball.Message) error {
	return messages.put(ctx, t.q, m)
}

// PendingMessages repeats the WHERE clause of the partial index
// messages_pending so that SQLite uses it.
func (t *tx) PendingMessages(ctx context.Context, p snowball.Page) ([]*snowball.Message, error) {
	var w where
	w.and("delivered = 0")
	return messages.list(ctx, t.q, w, p)
}

func (t *tx) SealedManifest(ctx context.Context, jobID string) ([]byte, error) {
	var sealed []byte
	err := t.q.QueryRowContext(ctx, "SELECT sealed FROM sealed_manifests WHERE job_id = ?", jobID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, snowball.Errorf(snowball.NotFound, "sealed manifest of job %s not found", jobID)
	}
	if err != nil {
		return nil, fmt.Errorf("get sealed manifest of job %q: %w", jobID, err)
	}
	return sealed, nil
}

func (t *tx) InsertSealedManifest(ctx context.Context, jobID string, sealed []byte) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO sealed_manifests (job_id, sealed) VALUES (?, ?)", jobID, sealed)
	var serr *msqlite.Error
	if errors.As(err, &serr) && (serr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || serr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
		return snowball.Errorf(snowball.Exists, "job %s has a sealed manifest already", jobID)
	}
	if err != nil {
		return fmt.Errorf("insert sealed manifest of job %q: %w", jobID, err)
	}
	return nil
}

// The queries of NextDue (on jobs or clusters) and NextMessageAttempt
// (with the targets' placeholders): each walks its partial index in order
// and stops at the first row no lease holds.
const (
	nextDueSQL     = "SELECT due_at FROM %s WHERE due_at IS NOT NULL AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY due_at LIMIT 1"
	nextAttemptSQL = "SELECT next_attempt FROM messages WHERE delivered = 0 AND (claimed_until IS NULL OR claimed_until <= ?) AND target IN (%s) ORDER BY next_attempt LIMIT 1"
)

func (t *tx) NextDue(ctx context.Context, now time.Time) (time.Time, error) {
	var next time.Time
	for _, table := range []string{"jobs", "clusters"} {
		at, err := earliest(ctx, t.q, fmt.Sprintf(nextDueSQL, table), now.UnixMicro())
		if err != nil {
			return time.Time{}, fmt.Errorf("next due of %s: %w", table, err)
		}
		if !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next, nil
}

func (t *tx) NextMessageAttempt(ctx context.Context, targets []string, now time.Time) (time.Time, error) {
	if len(targets) == 0 {
		return time.Time{}, nil
	}
	at, err := earliest(ctx, t.q, fmt.Sprintf(nextAttemptSQL, placeholders(len(targets))), append([]any{now.UnixMicro()}, anys(targets)...)...)
	if err != nil {
		return time.Time{}, fmt.Errorf("next message attempt: %w", err)
	}
	return at, nil
}

// earliest runs a query of one time column in Unix microseconds, and
// returns its first row's time, or the zero time if there is none.
func earliest(ctx context.Context, q querier, query string, args ...any) (time.Time, error) {
	var us int64
	err := q.QueryRowContext(ctx, query, args...).Scan(&us)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMicro(us).UTC(), nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
