package lifecycle_test

import (
	"context"
	"testing"

	"github.com/frostyhq/frosty/internal/service"
)

// BenchmarkCatchUp measures a restart after downtime: 50 import jobs each
// replay the 4 transitions that took them to WithCustomer, one transaction
// each. Report transitions/s as 200 / (time per op).
func BenchmarkCatchUp(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b, service.Config{})
		for range 50 {
			f.createJob(b, "IMPORT", "NEXT_DAY")
		}
		f.Clock.Advance(10 * day)
		b.StartTimer()
		if _, err := f.engine.RunDue(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
