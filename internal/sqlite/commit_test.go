package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/groupcommit"
	"github.com/frostyhq/frosty/internal/snowball"
)

// queueBehind holds the writer in an Update until release is called, so
// that the Updates started meanwhile queue up and run as one batch.
func queueBehind(t *testing.T, db *DB) (release func()) {
	t.Helper()
	started, hold := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Update(t.Context(), func(snowball.Tx) error {
			close(started)
			<-hold
			return nil
		})
	}()
	<-started
	return func() {
		close(hold)
		if err := <-done; err != nil {
			t.Errorf("holding update: %v", err)
		}
	}
}

// TestGroupCommitIsolatesWrites checks that the writes of one batch each
// keep their own outcome: a failed or panicking fn leaves nothing behind,
// and the others commit, each seeing the writes before it.
func TestGroupCommitIsolatesWrites(t *testing.T) {
	db := MustOpenDB(t)
	var sizes []int
	var mu sync.Mutex
	db.onBatch = func(n int) { mu.Lock(); sizes = append(sizes, n); mu.Unlock() }

	release := queueBehind(t, db)
	const n = 12
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = db.Update(t.Context(), func(tx snowball.Tx) error {
				a := &snowball.Address{ID: fmt.Sprintf("A%d", i), Owner: snowball.Owner{Account: "1", Partition: "aws"}}
				if err := tx.InsertAddress(t.Context(), a); err != nil {
					return err
				}
				if i == 5 {
					panic("boom")
				}
				if i%3 == 1 {
					return errors.New("refused")
				}
				return nil
			})
		}()
	}
	time.Sleep(200 * time.Millisecond) // for all n to queue behind the holder
	release()
	wg.Wait()

	for i := range n {
		err := db.View(t.Context(), func(tx snowball.Tx) error {
			_, err := tx.Address(t.Context(), fmt.Sprintf("A%d", i))
			return err
		})
		present := err == nil
		want := i%3 != 1 && i != 5
		if present != want {
			t.Errorf("address A%d stored = %v, want %v (update error %v, panic %v)", i, present, want, errs[i], panics[i])
		}
		switch {
		case i == 5 && panics[i] != "boom":
			t.Errorf("update %d: panic %v, want boom passed on to its caller", i, panics[i])
		case i%3 == 1 && (errs[i] == nil || errs[i].Error() != "refused"):
			t.Errorf("update %d: error %v, want refused", i, errs[i])
		case i%3 != 1 && i != 5 && errs[i] != nil:
			t.Errorf("update %d: %v", i, errs[i])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sizes) < 2 || sizes[1] < 2 {
		t.Errorf("batch sizes %v: the queued updates did not share a transaction", sizes)
	}
}

// TestGroupCommitAbandoned checks that a write whose caller gave up while
// it queued never runs, and that the caller hears why.
func TestGroupCommitAbandoned(t *testing.T) {
	db := MustOpenDB(t)
	release := queueBehind(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- db.Update(ctx, func(snowball.Tx) error { ran <- struct{}{}; return nil })
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned update: %v, want context.Canceled", err)
	}
	release()
	mustUpdate(t, db, func(context.Context, snowball.Tx) error { return nil })
	select {
	case <-ran:
		t.Error("the abandoned update ran")
	default:
	}
}

// TestClosedStoreRefusesWrites checks that an Update after Close fails
// rather than waiting for a writer that is gone.
func TestClosedStoreRefusesWrites(t *testing.T) {
	db := MustOpenDB(t)
	db.Close()
	if err := db.Update(t.Context(), func(snowball.Tx) error { return nil }); !errors.Is(err, groupcommit.ErrClosed) {
		t.Errorf("update after close: %v, want %v", err, groupcommit.ErrClosed)
	}
}
