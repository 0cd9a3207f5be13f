package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/frostyhq/frosty/internal/snowball"
)

func (t *tx) Setting(ctx context.Context, name string) (string, error) {
	var value string
	err := t.q.queryRow(ctx, "SELECT value FROM settings WHERE name = $1", name).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", snowball.Errorf(snowball.NotFound, "no setting %q", name)
	}
	if err != nil {
		return "", fmt.Errorf("get setting %q: %w", name, err)
	}
	return value, nil
}

func (t *tx) PutSetting(ctx context.Context, name, value string) error {
	_, err := t.q.exec(ctx,
		"INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value)
	if err != nil {
		return fmt.Errorf("put setting %q: %w", name, err)
	}
	return nil
}
