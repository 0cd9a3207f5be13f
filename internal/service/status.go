package service

import (
	"context"
	"fmt"

	"github.com/frostyhq/frosty/internal/snowball"
)

// Ping reports whether the service can reach its store: nil when it can
// read it, otherwise what is wrong.
func (s *Service) Ping(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// StateCounts counts the jobs and the clusters of all accounts in each
// state, for the metrics.
func (s *Service) StateCounts(ctx context.Context) (jobs, clusters map[string]int, err error) {
	err = s.store.View(ctx, func(tx snowball.Tx) error {
		js, err := tx.JobsByState(ctx)
		if err != nil {
			return err
		}
		cs, err := tx.ClustersByState(ctx)
		if err != nil {
			return err
		}
		jobs, clusters = make(map[string]int, len(js)), make(map[string]int, len(cs))
		for state, n := range js {
			jobs[string(state)] = n
		}
		for state, n := range cs {
			clusters[string(state)] = n
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("count states: %w", err)
	}
	return jobs, clusters, nil
}
