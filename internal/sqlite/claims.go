package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/frostyhq/frosty/internal/snowball"
)

// claimSQL claims the due rows of a table (jobs or clusters); its
// arguments are the lease, by, now and the limit. The inner query repeats
// the WHERE clause of the partial index on due_at.
const claimSQL = `UPDATE %s SET claimed_until = ? WHERE seq IN (
	SELECT seq FROM %[1]s WHERE due_at IS NOT NULL AND due_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
	ORDER BY due_at LIMIT ?)
RETURNING id, state, due_at`

// claimMessagesSQL claims the due messages to some targets (%s: their
// placeholders); its arguments are the lease, now, now, the targets and
// the limit.
const claimMessagesSQL = `UPDATE messages SET claimed_until = ? WHERE seq IN (
	SELECT seq FROM messages WHERE delivered = 0 AND next_attempt <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
	AND target IN (%s) ORDER BY seq LIMIT ?)
RETURNING seq, doc`

// ClaimDue runs in a write transaction of its own; the single writer makes
// it atomic.
func (db *DB) ClaimDue(ctx context.Context, by, now, lease time.Time, limit int) ([]snowball.Due, error) {
	var out []snowball.Due
	err := db.write(ctx, func(q querier) error {
		out = out[:0] // afresh, should this run again
		for _, table := range []string{"clusters", "jobs"} {
			rows, err := q.QueryContext(ctx, fmt.Sprintf(claimSQL, table), lease.UnixMicro(), by.UnixMicro(), now.UnixMicro(), limit)
			if err != nil {
				return fmt.Errorf("claim due %s: %w", table, err)
			}
			for rows.Next() {
				d := snowball.Due{Cluster: table == "clusters"}
				var us int64
				if err := rows.Scan(&d.ID, &d.State, &us); err != nil {
					rows.Close()
					return fmt.Errorf("claim due %s: %w", table, err)
				}
				d.At = time.UnixMicro(us).UTC()
				out = append(out, d)
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("claim due %s: %w", table, err)
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("claim due %s: %w", table, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	snowball.SortDue(out)
	return out, nil
}

// ClaimMessages runs in a write transaction of its own.
func (db *DB) ClaimMessages(ctx context.Context, targets []string, now, lease time.Time, limit int) ([]*snowball.Message, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	var out []*snowball.Message
	err := db.write(ctx, func(q querier) error {
		args := append([]any{lease.UnixMicro(), now.UnixMicro(), now.UnixMicro()}, anys(targets)...)
		rows, err := q.QueryContext(ctx, fmt.Sprintf(claimMessagesSQL, placeholders(len(targets))), append(args, limit)...)
		if err != nil {
			return fmt.Errorf("claim messages: %w", err)
		}
		out, err = messages.collect(rows, "claim")
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *snowball.Message) int { return int(a.Seq - b.Seq) })
	return out, nil
}
