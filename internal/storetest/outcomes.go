package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/frostyhq/frosty/internal/snowball"
)

// testConcurrentOutcomes runs many Updates at once, as a busy server does,
// where a store may run several in one transaction: each keeps its own
// outcome. Those that return an error or panic leave nothing behind (the
// panic reaches their caller), and the others commit.
func testConcurrentOutcomes(t *testing.T, s snowball.Store) {
	const n = 48
	errs := make([]error, n)
	panics := make([]any, n)
	refused := errors.New("refused")
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = s.Update(t.Context(), func(tx snowball.Tx) error {
				if err := tx.InsertAddress(t.Context(), NewAddress(fmt.Sprintf("A%02d", i), ownerA)); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return refused
				case 2:
					panic(fmt.Sprint("boom ", i))
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i := range n {
		var stored bool
		view(t, s, func(ctx context.Context, tx snowball.Tx) error {
			_, err := tx.Address(ctx, fmt.Sprintf("A%02d", i))
			stored = err == nil
			if snowball.IsNotFound(err) {
				return nil
			}
			return err
		})
		switch i % 4 {
		case 1:
			if !errors.Is(errs[i], refused) || stored {
				t.Errorf("update %d: error %v, stored %v; want refused, nothing stored", i, errs[i], stored)
			}
		case 2:
			if panics[i] != fmt.Sprint("boom ", i) || stored {
				t.Errorf("update %d: panic %v, stored %v; want its own panic, nothing stored", i, panics[i], stored)
			}
		default:
			if errs[i] != nil || panics[i] != nil || !stored {
				t.Errorf("update %d: error %v, panic %v, stored %v; want it committed", i, errs[i], panics[i], stored)
			}
		}
	}
}
