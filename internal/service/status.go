package service

import (
	"context"
	"fmt"
)

// Ping reports whether the service can reach its store: nil when it can
// read it, otherwise what is wrong.
func (s *Service) Ping(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
