package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frostyhq/frosty/internal/snowball"
)

// Claims run at READ COMMITTED, apart from the serializable Updates: the
// rows another replica is claiming at the same moment are locked, and FOR
// UPDATE SKIP LOCKED passes them by instead of waiting, so replicas claim
// disjoint batches. At SERIALIZABLE, two claims reading the same index
// pages would fail each other.

// claimDueSQL claims the due rows of a table (jobs or clusters): $1 is the
// lease, $2 by, $3 now, $4 the limit.
const claimDueSQL = `UPDATE %s AS t SET claimed_until = $1 FROM (
	SELECT seq FROM %[1]s WHERE due_at IS NOT NULL AND due_at <= $2 AND (claimed_until IS NULL OR claimed_until <= $3)
	ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) AS due
WHERE t.seq = due.seq
RETURNING t.id, t.state, t.due_at`

func (db *DB) ClaimDue(ctx context.Context, by, now, lease time.Time, limit int) ([]snowball.Due, error) {
	var out []snowball.Due
	err := db.claim(ctx, func(t pgx.Tx) error {
		out = out[:0] // afresh, should this run again
		for _, table := range []string{"clusters", "jobs"} {
			rows, err := t.Query(ctx, fmt.Sprintf(claimDueSQL, table), lease, by, now, limit)
			if err != nil {
				return fmt.Errorf("claim due %s: %w", table, err)
			}
			for rows.Next() {
				d := snowball.Due{Cluster: table == "clusters"}
				if err := rows.Scan(&d.ID, &d.State, &d.At); err != nil {
					rows.Close()
					return fmt.Errorf("claim due %s: %w", table, err)
				}
				d.At = d.At.UTC()
				out = append(out, d)
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

func (db *DB) ClaimMessages(ctx context.Context, targets []string, now, lease time.Time, limit int) ([]*snowball.Message, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	var out []*snowball.Message
	err := db.claim(ctx, func(t pgx.Tx) error {
		rows, err := t.Query(ctx, `UPDATE messages AS m SET claimed_until = $1 FROM (
	SELECT seq FROM messages WHERE NOT delivered AND next_attempt <= $2 AND (claimed_until IS NULL OR claimed_until <= $2)
	AND target = ANY($3) ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED) AS due
WHERE m.seq = due.seq
RETURNING m.seq, m.doc`, lease, now, targets, limit)
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

// claim runs fn in a READ COMMITTED transaction, committed if fn returns
// nil. A deadlock (with a serializable Update that locked the same rows in
// another order) rolls it back, and claim runs fn again, as Update does.
func (db *DB) claim(ctx context.Context, fn func(pgx.Tx) error) error {
	return retrying(ctx, "claim", func() (bool, error) { return db.claimOnce(ctx, fn) })
}

func (db *DB) claimOnce(ctx context.Context, fn func(pgx.Tx) error) (retry bool, err error) {
	t, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return retryable(err), fmt.Errorf("begin claim: %w", err)
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	if err := fn(t); err != nil {
		return retryable(err), err
	}
	if err := t.Commit(ctx); err != nil {
		return retryable(err), fmt.Errorf("commit claim: %w", err)
	}
	return false, nil
}
