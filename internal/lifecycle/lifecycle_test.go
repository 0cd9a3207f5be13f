package lifecycle_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/snowball"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/lifecycle"
	"github.com/frostyhq/frosty/internal/service"
	domain "github.com/frostyhq/frosty/internal/snowball"
)

// day is one real-world day at the default time scale: 5 s.
const day = 24 * time.Hour / lifecycle.DefaultTimeScale

type fixture struct {
	*frostytest.Server
	engine *lifecycle.Engine
	sb     *snowball.Snowball
	addr   *string
}

func newFixture(t testing.TB, cfg service.Config) *fixture {
	t.Helper()
	if cfg.Timed == nil {
		cfg.Timed = &service.Timing{Profile: domain.DefaultProfile(), Scale: lifecycle.DefaultTimeScale}
	}
	s := frostytest.MustStart(t, frostytest.Options{Config: cfg})
	f := &fixture{Server: s, sb: s.AliceV1()}
	f.engine = lifecycle.New(s.Store, s.Service, s.Clock, s.Clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	out, err := f.sb.CreateAddress(&snowball.CreateAddressInput{Address: &snowball.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	f.addr = out.AddressId
	return f
}

func (f *fixture) createJob(t testing.TB, jobType, shipping string) string {
	t.Helper()
	in := &snowball.CreateJobInput{JobType: aws.String(jobType), AddressId: f.addr, ShippingOption: aws.String(shipping)}
	if jobType != "LOCAL_USE" {
		in.Resources = &snowball.JobResource{S3Resources: []*snowball.S3Resource{{BucketArn: aws.String("arn:aws:s3:::b")}}}
	}
	out, err := f.sb.CreateJob(in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.StringValue(out.JobId)
}

// run moves the clock by d and applies what fell due.
func (f *fixture) run(t *testing.T, d time.Duration) {
	t.Helper()
	f.Clock.Advance(d)
	if _, err := f.engine.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) job(t *testing.T, id string) *snowball.JobMetadata {
	t.Helper()
	out, err := f.sb.DescribeJob(&snowball.DescribeJobInput{JobId: &id})
	if err != nil {
		t.Fatal(err)
	}
	return out.JobMetadata
}

func (f *fixture) wantState(t *testing.T, id, want string) {
	t.Helper()
	if got := aws.StringValue(f.job(t, id).JobState); got != want {
		t.Fatalf("job is %s, want %s", got, want)
	}
}

func (f *fixture) events(t *testing.T, id string) []*domain.Event {
	t.Helper()
	events, err := f.Service.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func TestImportJobPath(t *testing.T) {
	f := newFixture(t, service.Config{})
	id := f.createJob(t, "IMPORT", "SECOND_DAY")
	steps := []struct {
		after time.Duration
		from  string
		want  string
	}{
		{time.Hour / lifecycle.DefaultTimeScale, "New", "PreparingAppliance"},
		{day, "PreparingAppliance", "PreparingShipment"},
		{day, "PreparingShipment", "InTransitToCustomer"},
		{2 * day, "InTransitToCustomer", "WithCustomer"},
		{365 * day, "WithCustomer", "WithCustomer"}, // waits for the customer, however long
	}
	for _, st := range steps {
		f.run(t, st.after-time.Millisecond)
		f.wantState(t, id, st.from) // not a millisecond early
		f.run(t, time.Millisecond)
		f.wantState(t, id, st.want)
	}
	if _, err := f.sb.UpdateJobShipmentState(&snowball.UpdateJobShipmentStateInput{JobId: &id, ShipmentState: aws.String("RETURNED")}); err != nil {
		t.Fatal(err)
	}
	f.run(t, 2*day)
	f.wantState(t, id, "WithAWSSortingFacility")
	f.run(t, 2*day)
	f.wantState(t, id, "WithAWS")
	f.run(t, day)
	f.wantState(t, id, "InProgress")

	var last int64 = -1
	for range 4 {
		f.run(t, day/3)
		p := f.job(t, id).DataTransferProgress
		if p == nil || aws.Int64Value(p.TotalBytes) == 0 || aws.Int64Value(p.BytesTransferred) <= last {
			t.Fatalf("DataTransferProgress %v does not grow past %d", p, last)
		}
		last = aws.Int64Value(p.BytesTransferred)
	}
	f.run(t, day)
	f.wantState(t, id, "Complete")
	if f.job(t, id).JobLogInfo == nil {
		t.Error("a completed import has no JobLogInfo")
	}
}

// TestCatchUp stops the scheduler for ten real-world days: one run then
// replays every transition in order, at the times they fell due, with
// their side effects.
func TestCatchUp(t *testing.T) {
	f := newFixture(t, service.Config{})
	id := f.createJob(t, "IMPORT", "NEXT_DAY")
	created := f.Clock.Now()
	f.run(t, 10*day)
	f.wantState(t, id, "WithCustomer")
	md := f.job(t, id)
	if md.SnowballId == nil || md.ShippingDetails.OutboundShipment == nil {
		t.Fatalf("side effects skipped: %v", md)
	}
	hour := time.Hour / lifecycle.DefaultTimeScale
	var got []string
	var at []time.Duration
	for _, e := range f.events(t, id) {
		got = append(got, e.To)
		at = append(at, e.At.Sub(created))
		if e.Cause != domain.CauseTimer && e.From != "" {
			t.Errorf("event %s → %s caused by %s, want timer", e.From, e.To, e.Cause)
		}
	}
	want := []string{"New", "PreparingAppliance", "PreparingShipment", "InTransitToCustomer", "WithCustomer"}
	wantAt := []time.Duration{0, hour, hour + day, hour + 2*day, hour + 3*day}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(wantAt, at); diff != "" {
		t.Errorf("event times after creation (-want +got)\n%s", diff)
	}
}

func TestClusterLifecycle(t *testing.T) {
	f := newFixture(t, service.Config{})
	out, err := f.sb.CreateCluster(&snowball.CreateClusterInput{
		JobType: aws.String("LOCAL_USE"), SnowballType: aws.String("EDGE"), AddressId: f.addr,
		ShippingOption: aws.String("NEXT_DAY"), InitialClusterSize: aws.Int64(3),
	})
	if err != nil {
		t.Fatal(err)
	}
	cluster := func() string {
		d, err := f.sb.DescribeCluster(&snowball.DescribeClusterInput{ClusterId: out.ClusterId})
		if err != nil {
			t.Fatal(err)
		}
		return aws.StringValue(d.ClusterMetadata.ClusterState)
	}
	f.run(t, time.Hour/lifecycle.DefaultTimeScale-time.Millisecond)
	if got := cluster(); got != "AwaitingQuorum" {
		t.Fatalf("cluster is %s before its window passed", got)
	}
	f.run(t, time.Millisecond)
	if got := cluster(); got != "Pending" {
		t.Fatalf("cluster is %s after its window, want Pending", got)
	}
	f.run(t, 3*day)
	if got := cluster(); got != "InUse" {
		t.Fatalf("cluster is %s with its nodes delivered, want InUse", got)
	}
	for _, n := range out.JobListEntries {
		f.wantState(t, aws.StringValue(n.JobId), "WithCustomer")
		if _, err := f.sb.UpdateJobShipmentState(&snowball.UpdateJobShipmentStateInput{JobId: n.JobId, ShipmentState: aws.String("RETURNED")}); err != nil {
			t.Fatal(err)
		}
	}
	f.run(t, 30*day)
	for _, n := range out.JobListEntries {
		f.wantState(t, aws.StringValue(n.JobId), "Complete") // LOCAL_USE: no InProgress on the way
	}
	if got := cluster(); got != "Complete" {
		t.Fatalf("cluster is %s with every node Complete, want Complete", got)
	}
	var path []string
	for _, e := range f.events(t, aws.StringValue(out.JobListEntries[0].JobId)) {
		path = append(path, e.To)
	}
	want := []string{"New", "PreparingAppliance", "PreparingShipment", "InTransitToCustomer", "WithCustomer",
		"InTransitToAWS", "WithAWSSortingFacility", "WithAWS", "Complete"}
	if diff := cmp.Diff(want, path); diff != "" {
		t.Errorf("node path (-want +got)\n%s", diff)
	}
}

func TestEmptyClusterWaitsForQuorum(t *testing.T) {
	f := newFixture(t, service.Config{})
	out, err := f.sb.CreateCluster(&snowball.CreateClusterInput{
		JobType: aws.String("LOCAL_USE"), SnowballType: aws.String("EDGE"), AddressId: f.addr, ShippingOption: aws.String("NEXT_DAY"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for range 4 {
		j, err := f.sb.CreateJob(&snowball.CreateJobInput{ClusterId: out.ClusterId})
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, aws.StringValue(j.JobId))
	}
	f.run(t, 10*day)
	f.wantState(t, nodes[0], "New") // four of five nodes: no quorum, nothing moves
	j, err := f.sb.CreateJob(&snowball.CreateJobInput{ClusterId: out.ClusterId})
	if err != nil {
		t.Fatal(err)
	}
	f.run(t, time.Millisecond)
	f.wantState(t, nodes[0], "PreparingAppliance")
	f.wantState(t, aws.StringValue(j.JobId), "New") // created just now: its own hour has not passed
}

func TestExportParts(t *testing.T) {
	f := newFixture(t, service.Config{ExportParts: 2})
	master := f.createJob(t, "EXPORT", "NEXT_DAY")
	f.run(t, 2*time.Hour/lifecycle.DefaultTimeScale)
	f.wantState(t, master, "Pending")
	out, err := f.sb.DescribeJob(&snowball.DescribeJobInput{JobId: &master})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SubJobMetadata) != 2 {
		t.Fatalf("%d parts, want 2", len(out.SubJobMetadata))
	}
	part1, part2 := aws.StringValue(out.SubJobMetadata[0].JobId), aws.StringValue(out.SubJobMetadata[1].JobId)
	f.run(t, 30*day)
	f.wantState(t, part1, "WithCustomer")
	f.wantState(t, part2, "Pending")
	if _, err := f.sb.UpdateJobShipmentState(&snowball.UpdateJobShipmentStateInput{JobId: &part1, ShipmentState: aws.String("RETURNED")}); err != nil {
		t.Fatal(err)
	}
	f.run(t, time.Millisecond)
	f.wantState(t, part2, "PreparingAppliance")
	f.run(t, 30*day)
	f.wantState(t, part1, "Complete")
	f.wantState(t, master, "Pending")
	if _, err := f.sb.UpdateJobShipmentState(&snowball.UpdateJobShipmentStateInput{JobId: &part2, ShipmentState: aws.String("RETURNED")}); err != nil {
		t.Fatal(err)
	}
	f.run(t, 30*day)
	f.wantState(t, part2, "Complete")
	f.wantState(t, master, "Complete")
}

// TestTimerAndOperatorTogether races the scheduler and operator calls over
// the same due transition: it is applied once.
func TestTimerAndOperatorTogether(t *testing.T) {
	f := newFixture(t, service.Config{})
	id := f.createJob(t, "IMPORT", "NEXT_DAY")
	f.Clock.Advance(time.Hour)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { f.engine.RunDue(context.Background()) })
		wg.Go(func() {
			f.Service.AdvanceJob(context.Background(), id, "PreparingAppliance")
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, e := range f.events(t, id) {
		seen[e.From+"→"+e.To]++
	}
	for move, n := range seen {
		if n != 1 {
			t.Errorf("transition %s recorded %d times", move, n)
		}
	}
}

func TestReturnLabelTakesAMinute(t *testing.T) {
	f := newFixture(t, service.Config{})
	id := f.createJob(t, "IMPORT", "NEXT_DAY")
	f.run(t, 10*day)
	if _, err := f.sb.CreateReturnShippingLabel(&snowball.CreateReturnShippingLabelInput{JobId: &id}); err != nil {
		t.Fatal(err)
	}
	describe := func() string {
		out, err := f.sb.DescribeReturnShippingLabel(&snowball.DescribeReturnShippingLabelInput{JobId: &id})
		if err != nil {
			t.Fatal(err)
		}
		return aws.StringValue(out.Status)
	}
	if got := describe(); got != "InProgress" {
		t.Fatalf("label is %s at once, want InProgress", got)
	}
	f.Clock.Advance(time.Minute / lifecycle.DefaultTimeScale)
	if got := describe(); got != "Succeeded" {
		t.Fatalf("label is %s after its minute, want Succeeded", got)
	}
}

// countingStore counts what the engine reads: the due work it claims and
// every list of jobs, which a pass must never need.
type countingStore struct {
	domain.Store
	claims, claimed, lists, nextDues atomic.Int64
}

func (c *countingStore) ClaimDue(ctx context.Context, by, now, lease time.Time, limit int) ([]domain.Due, error) {
	ds, err := c.Store.ClaimDue(ctx, by, now, lease, limit)
	c.claims.Add(1)
	c.claimed.Add(int64(len(ds)))
	return ds, err
}

func (c *countingStore) View(ctx context.Context, fn func(domain.Tx) error) error {
	return c.Store.View(ctx, func(tx domain.Tx) error { return fn(countingTx{tx, c}) })
}

type countingTx struct {
	domain.Tx
	c *countingStore
}

func (t countingTx) NextDue(ctx context.Context, now time.Time) (time.Time, error) {
	t.c.nextDues.Add(1)
	return t.Tx.NextDue(ctx, now)
}

func (t countingTx) Jobs(ctx context.Context, f domain.JobFilter, p domain.Page) ([]*domain.Job, error) {
	t.c.lists.Add(1)
	return t.Tx.Jobs(ctx, f, p)
}

// TestPassReadsOnlyWhatIsDue: with many live jobs waiting for their
// customers, a pass claims the one job that is due and reads no list.
func TestPassReadsOnlyWhatIsDue(t *testing.T) {
	f := newFixture(t, service.Config{})
	for range 30 {
		id := f.createJob(t, "IMPORT", "NEXT_DAY")
		if _, err := f.Service.AdvanceJob(context.Background(), id, "WithCustomer"); err != nil {
			t.Fatal(err)
		}
	}
	id := f.createJob(t, "IMPORT", "NEXT_DAY")
	store := &countingStore{Store: f.Store}
	engine := lifecycle.New(store, f.Service, f.Clock, f.Clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Clock.Advance(time.Hour / lifecycle.DefaultTimeScale)
	next, err := engine.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.wantState(t, id, "PreparingAppliance")
	if got := store.claimed.Load(); got != 1 {
		t.Errorf("the pass claimed %d jobs; want the 1 that was due", got)
	}
	if got := store.lists.Load(); got != 0 {
		t.Errorf("the pass listed jobs %d times; want none", got)
	}
	if want := f.Clock.Now().Add(day).Truncate(time.Microsecond); !next.Equal(want) {
		t.Errorf("next due %v; want the job's next state, %v (to the microsecond)", next, want)
	}
}

// TestWakeForEarlierOnly: a running engine wakes for a change that makes
// something due before the time it sleeps until, and only for that.
func TestWakeForEarlierOnly(t *testing.T) {
	// At the real pace, the engine's timer sleeps an hour: only a wake-up
	// can start a pass during the test.
	var engine *lifecycle.Engine
	f := newFixture(t, service.Config{
		Timed: &service.Timing{Profile: domain.DefaultProfile(), Scale: 1},
		OnDue: func(at time.Time) {
			if engine != nil {
				engine.WakeFor(at)
			}
		},
	})
	first := f.createJob(t, "IMPORT", "NEXT_DAY") // due in an hour
	store := &countingStore{Store: f.Store}
	engine = lifecycle.New(store, f.Service, f.Clock, f.Clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); engine.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the first pass", func() bool { return store.nextDues.Load() >= 1 })
	time.Sleep(50 * time.Millisecond) // for the pass to end: the engine now sleeps until first is due
	passes := store.nextDues.Load()

	// A job due after the first wakes nobody.
	f.Clock.Advance(time.Second)
	f.createJob(t, "IMPORT", "NEXT_DAY")
	time.Sleep(100 * time.Millisecond) // a wake-up would take microseconds
	if got := store.nextDues.Load(); got != passes {
		t.Errorf("a job due later woke the engine: %d passes, want %d", got, passes)
	}
	// Moving first on to WithCustomer makes nothing due sooner.
	if _, err := f.Service.AdvanceJob(ctx, first, "WithCustomer"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if got := store.nextDues.Load(); got != passes {
		t.Errorf("a change that made nothing due sooner woke the engine: %d passes, want %d", got, passes)
	}
	f.Clock.Advance(-2 * time.Second) // the next job is created, and due, before first was
	f.createJob(t, "IMPORT", "NEXT_DAY")
	waitFor(t, "a wake-up for an earlier due time", func() bool { return store.nextDues.Load() > passes })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestYieldsToBusyAPI checks that while API calls wait (Busy), the
// engine's own passes apply a batch and then rest, leaving the rest of
// what is due for later, and that the operator's pass (RunDue, after a
// move of the clock) does not rest.
func TestYieldsToBusyAPI(t *testing.T) {
	f := newFixture(t, service.Config{})
	var ids []string
	for range 3 {
		ids = append(ids, f.createJob(t, "IMPORT", "NEXT_DAY"))
	}
	f.Clock.Advance(time.Hour / lifecycle.DefaultTimeScale) // all three fall due
	moved := func() int {
		n := 0
		for _, id := range ids {
			if aws.StringValue(f.job(t, id).JobState) != "New" {
				n++
			}
		}
		return n
	}

	f.engine.Batch = 1
	f.engine.Busy = func() bool { return true }
	f.engine.YieldShare, f.engine.MaxYield = 0.0001, time.Minute // one batch, then a long rest
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.engine.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for moved() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	f.engine.Wake() // a wake-up during the rest applies nothing
	time.Sleep(300 * time.Millisecond)
	if n := moved(); n != 1 {
		t.Errorf("%d jobs moved while the API was busy; want the one batch before the rest", n)
	}
	if _, err := f.engine.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := moved(); n != 3 {
		t.Errorf("%d jobs moved after the operator's pass; want all 3: it does not rest", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
