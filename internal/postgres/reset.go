package postgres

import (
	"context"
	"fmt"

	"github.com/frostyhq/frosty/internal/snowball"
)

// recordSets are the tables CountRecords and DeleteRecords cover, the
// records that belong to others first, so that the subqueries naming
// those others still find them. ofAccount selects one account's rows, $1
// being the account.
var recordSets = []struct {
	table     string
	ofAccount string
	count     func(*snowball.RecordCounts) *int
}{
	{"events", "resource_id IN (SELECT id FROM jobs WHERE account = $1 UNION ALL SELECT id FROM clusters WHERE account = $1)",
		func(c *snowball.RecordCounts) *int { return &c.Events }},
	{"sealed_manifests", "job_id IN (SELECT id FROM jobs WHERE account = $1)",
		func(c *snowball.RecordCounts) *int { return &c.SealedManifests }},
	{"messages", "account = $1", func(c *snowball.RecordCounts) *int { return &c.Messages }},
	{"jobs", "account = $1", func(c *snowball.RecordCounts) *int { return &c.Jobs }},
	{"clusters", "account = $1", func(c *snowball.RecordCounts) *int { return &c.Clusters }},
	{"addresses", "account = $1", func(c *snowball.RecordCounts) *int { return &c.Addresses }},
	{"long_term_pricing", "account = $1", func(c *snowball.RecordCounts) *int { return &c.LongTermPricing }},
}

// recordsWhere returns the WHERE clause, if any, and its arguments that
// select account's rows of a record set, or every row when account is "".
func recordsWhere(ofAccount, account string) (string, []any) {
	if account == "" {
		return "", nil
	}
	return " WHERE " + ofAccount, []any{account}
}

func (t *tx) CountRecords(ctx context.Context, account string) (snowball.RecordCounts, error) {
	var c snowball.RecordCounts
	for _, rs := range recordSets {
		where, args := recordsWhere(rs.ofAccount, account)
		if err := t.q.queryRow(ctx, "SELECT count(*) FROM "+rs.table+where, args...).Scan(rs.count(&c)); err != nil {
			return snowball.RecordCounts{}, fmt.Errorf("count %s of %q: %w", rs.table, account, err)
		}
	}
	return c, nil
}

// DeleteRecords deletes rows; the identity columns' sequences keep the
// seqs they had from being handed out again.
func (t *tx) DeleteRecords(ctx context.Context, account string) (snowball.RecordCounts, error) {
	var c snowball.RecordCounts
	for _, rs := range recordSets {
		where, args := recordsWhere(rs.ofAccount, account)
		tag, err := t.q.exec(ctx, "DELETE FROM "+rs.table+where, args...)
		if err != nil {
			return snowball.RecordCounts{}, fmt.Errorf("delete %s of %q: %w", rs.table, account, err)
		}
		*rs.count(&c) = int(tag.RowsAffected())
	}
	return c, nil
}
