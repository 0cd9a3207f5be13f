package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/frostyhq/frosty/internal/snowball"
)

// FindJobs reads the jobs newest first by seq, the primary key: with
// LIMIT, PostgreSQL stops after the rows it returns. The filters read
// columns, the type and description those of the job's list entry; the
// description column holds its text escaped (see escape), so the text to
// find is escaped the same way.
func (t *tx) FindJobs(ctx context.Context, q snowball.JobQuery) ([]*snowball.Job, error) {
	var w where
	if q.Account != "" {
		w.and("account = ?", q.Account)
	}
	if q.State != "" {
		w.and("state = ?", string(q.State))
	}
	if q.ClusterID != "" {
		w.and("cluster_id = ?", q.ClusterID)
	}
	if q.Type != "" {
		w.and("job_type = ?", string(q.Type))
	}
	if q.Text != "" {
		w.and("(strpos(lower(id), lower(?)) > 0 OR strpos(lower(description), lower(?)) > 0)", q.Text, escape(q.Text))
	}
	if q.Before > 0 {
		w.and("seq < ?", q.Before)
	}
	return findNewest(ctx, t.q, jobs, w, q.Limit)
}

// FindClusters is FindJobs for clusters, unfiltered.
func (t *tx) FindClusters(ctx context.Context, before int64, limit int) ([]*snowball.Cluster, error) {
	var w where
	if before > 0 {
		w.and("seq < ?", before)
	}
	return findNewest(ctx, t.q, clusters, w, limit)
}

// Messages reads messages by their unique id.
func (t *tx) Messages(ctx context.Context, ids []string) ([]*snowball.Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var w where
	w.and("id = ANY(?)", ids)
	return messages.list(ctx, t.q, w, snowball.Page{})
}

// findNewest returns the records of tab matching w, newest first, at most
// limit of them (zero: all).
func findNewest[R any](ctx context.Context, q *conn, tab *table[R], w where, limit int) ([]*R, error) {
	var lim *int64 // LIMIT NULL: no limit
	if limit > 0 {
		n := int64(limit)
		lim = &n
	}
	var query strings.Builder
	query.WriteString(strings.Replace(tab.listSQL, "seq > ?", "true", 1))
	for _, c := range w.conds {
		query.WriteString(" AND " + c)
	}
	query.WriteString(" ORDER BY seq DESC LIMIT ?")
	rows, err := q.query(ctx, Numbered(query.String()), append(w.args, lim)...)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", tab.noun, err)
	}
	return tab.collect(rows, "find")
}
