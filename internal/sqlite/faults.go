package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/frostyhq/frosty/internal/snowball"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// A fault's doc holds the record but its Seq and Hits, which are columns:
// hits changes on every hit, without rewriting the doc.

func (t *tx) InsertFault(ctx context.Context, f *snowball.Fault) error {
	c := *f
	c.Seq, c.Hits = 0, 0
	doc, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("insert fault %q: %w", f.ID, err)
	}
	var seq int64
	err = t.q.QueryRowContext(ctx, "INSERT INTO faults (id, count, hits, doc) VALUES (?, ?, ?, ?) RETURNING seq",
		f.ID, f.Count, f.Hits, string(doc)).Scan(&seq)
	var serr *msqlite.Error
	if errors.As(err, &serr) && serr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return fmt.Errorf("insert fault %q: the id exists", f.ID)
	}
	if err != nil {
		return fmt.Errorf("insert fault %q: %w", f.ID, err)
	}
	f.Seq = seq
	return nil
}

func (t *tx) Faults(ctx context.Context) ([]*snowball.Fault, error) {
	rows, err := t.q.QueryContext(ctx, "SELECT seq, hits, doc FROM faults ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("list faults: %w", err)
	}
	defer rows.Close()
	var out []*snowball.Fault
	for rows.Next() {
		f := new(snowball.Fault)
		var seq int64
		var hits int
		var doc []byte
		if err := rows.Scan(&seq, &hits, &doc); err != nil {
			return nil, fmt.Errorf("list faults: %w", err)
		}
		if err := json.Unmarshal(doc, f); err != nil {
			return nil, fmt.Errorf("list faults: decode fault %d: %w", seq, err)
		}
		f.Seq, f.Hits = seq, hits
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list faults: %w", err)
	}
	return out, nil
}

func (t *tx) DeleteFault(ctx context.Context, id string) error {
	res, err := t.q.ExecContext(ctx, "DELETE FROM faults WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete fault %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("delete fault %q: %w", id, err)
	} else if n == 0 {
		return snowball.Errorf(snowball.NotFound, "fault %s not found", id)
	}
	return nil
}

func (t *tx) DeleteFaults(ctx context.Context) error {
	if _, err := t.q.ExecContext(ctx, "DELETE FROM faults"); err != nil {
		return fmt.Errorf("delete faults: %w", err)
	}
	return nil
}

// HitFault checks the count and counts the hit in one statement, which
// the single writer runs in turn, so no two hits can both take the last.
func (t *tx) HitFault(ctx context.Context, id string) (bool, error) {
	res, err := t.q.ExecContext(ctx, "UPDATE faults SET hits = hits + 1 WHERE id = ? AND (count = 0 OR hits < count)", id)
	if err != nil {
		return false, fmt.Errorf("hit fault %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("hit fault %q: %w", id, err)
	}
	return n == 1, nil
}
