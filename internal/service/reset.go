package service

import (
	"context"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Reset forgets the addresses, jobs, clusters and long-term pricing of
// account, or of every account when account is "", with their events,
// outbox messages and sealed manifests, in one transaction. Credentials,
// keys, catalogues, faults and the operator clock stay. It returns how
// many records of each kind it removed.
// Errors: ValidationException (account is not 12 digits).
func (s *Service) Reset(ctx context.Context, account string) (snowball.RecordCounts, error) {
	if account != "" && !accountID.MatchString(account) {
		return snowball.RecordCounts{}, snowball.Errorf(snowball.Validation, "accountId %q is not an account ID of 12 digits.", model.Truncate(account))
	}
	var n snowball.RecordCounts
	err := s.write(ctx, func(tx snowball.Tx) (err error) {
		n, err = tx.DeleteRecords(ctx, account)
		return err
	})
	if err != nil {
		return snowball.RecordCounts{}, wrap("reset", err)
	}
	return n, nil
}
