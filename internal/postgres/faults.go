package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/frostyhq/frosty/internal/snowball"
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
	err = t.q.queryRow(ctx, "INSERT INTO faults (id, count, hits, doc) VALUES ($1, $2, $3, $4) RETURNING seq",
		f.ID, f.Count, f.Hits, string(doc)).Scan(&seq)
	if isUnique(err) {
		return fmt.Errorf("insert fault %q: the id exists", f.ID)
	}
	if err != nil {
		return fmt.Errorf("insert fault %q: %w", f.ID, err)
	}
	f.Seq = seq
	return nil
}

func (t *tx) Faults(ctx context.Context) ([]*snowball.Fault, error) {
	rows, err := t.q.query(ctx, "SELECT seq, hits, doc FROM faults ORDER BY seq")
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
	tag, err := t.q.exec(ctx, "DELETE FROM faults WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete fault %q: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return snowball.Errorf(snowball.NotFound, "fault %s not found", id)
	}
	return nil
}

func (t *tx) DeleteFaults(ctx context.Context) error {
	if _, err := t.q.exec(ctx, "DELETE FROM faults"); err != nil {
		return fmt.Errorf("delete faults: %w", err)
	}
	return nil
}

// HitFault checks the count and counts the hit in one statement. Of two
// transactions that hit one fault at once, the second waits for the
// first's row lock and then fails to serialize, so Update runs it again
// on the count the first left.
func (t *tx) HitFault(ctx context.Context, id string) (bool, error) {
	tag, err := t.q.exec(ctx, "UPDATE faults SET hits = hits + 1 WHERE id = $1 AND (count = 0 OR hits < count)", id)
	if err != nil {
		return false, fmt.Errorf("hit fault %q: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}
