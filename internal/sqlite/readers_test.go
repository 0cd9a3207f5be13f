package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/storetest"
)

// TestViewsSurviveTheirFailures has Views fail in every way a View can,
// more times than the pool has connections: a leaked connection, or one
// left inside its transaction, would make the next View wait forever or
// read an old snapshot.
func TestViewsSurviveTheirFailures(t *testing.T) {
	db := MustOpenDB(t)
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error {
		return tx.InsertJob(ctx, storetest.NewJob("j", owner))
	})
	n := cap(db.readers.slots)
	// A View that waited for a leaked connection would be stopped by this
	// deadline, not hang.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	boom := errors.New("boom")
	for i := range 3 * n {
		switch i % 3 {
		case 0: // fn panics halfway through its transaction
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("the panic did not come out of View")
					}
				}()
				err := db.View(ctx, func(tx snowball.Tx) error {
					if _, err := tx.Job(ctx, "j"); err != nil {
						return err
					}
					panic("fn")
				})
				t.Fatalf("View = %v, want fn's panic", err)
			}()
		case 1: // fn fails
			if err := db.View(ctx, func(tx snowball.Tx) error { return boom }); !errors.Is(err, boom) {
				t.Fatalf("View = %v, want fn's error", err)
			}
		case 2: // the caller goes away during a query
			ctx, cancel := context.WithCancel(ctx)
			err := db.View(ctx, func(tx snowball.Tx) error {
				cancel()
				_, err := tx.Job(ctx, "j")
				return err
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("View with its context cancelled = %v, want context.Canceled", err)
			}
		}
	}

	// Every connection of the pool still reads, and sees the latest write.
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error {
		j, err := tx.Job(ctx, "j")
		if err != nil {
			return err
		}
		j.State = model.JobStateComplete
		return tx.PutJob(ctx, j)
	})
	hold := make(chan struct{})
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- db.View(ctx, func(tx snowball.Tx) error {
				j, err := tx.Job(ctx, "j")
				if err == nil && j.State != model.JobStateComplete {
					err = errors.New("a View reads an old snapshot: State " + string(j.State))
				}
				<-hold // so that the n Views hold n connections at once
				return err
			})
		}()
	}
	close(hold)
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestViewWaitsForAConnection fills the pool and checks that one more View
// waits for a connection, and gives up when its context ends.
func TestViewWaitsForAConnection(t *testing.T) {
	db := MustOpenDB(t)
	n := cap(db.readers.slots)
	release := make(chan struct{})
	started := make(chan struct{}, n)
	done := make(chan error, n)
	for range n {
		go func() {
			done <- db.View(t.Context(), func(snowball.Tx) error {
				started <- struct{}{}
				<-release
				return nil
			})
		}()
	}
	for range n {
		<-started
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := db.View(ctx, func(snowball.Tx) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("View with every connection taken = %v, want to wait until its deadline", err)
	}
	close(release)
	for range n {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if err := db.View(t.Context(), func(snowball.Tx) error { return nil }); err != nil {
		t.Errorf("View after the others ended: %v", err)
	}
}

// TestViewAfterClose fails rather than hangs.
func TestViewAfterClose(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.View(t.Context(), func(snowball.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.View(t.Context(), func(snowball.Tx) error { return nil }); err == nil {
		t.Error("View after Close: no error")
	}
}
