package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/postgres"
	"github.com/frostyhq/frosty/internal/postgres/pgtest"
	domain "github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

// BenchmarkClockAtScale measures the timed lifecycle of frosty serve over
// a store of many live jobs, against the targets of the issue:
//
//   - idle_cpu_%: the server's CPU (utime+stime) over an idle spell with
//     one CreateJob a second, in % of one core (target < 5);
//   - late_p99_ms, late_le100ms_frac: how late 2,000 transitions falling
//     due 100 a second were applied, from the server's
//     frosty_transition_lateness_seconds histogram (target: p99 < 100 ms,
//     that is a fraction ≥ 0.99 within 100 ms);
//   - create_timed/manual: CreateJob throughput of 16 clients with
//     --lifecycle timed as a ratio to --lifecycle manual, measured in
//     alternating rounds over the same store (target ≥ 0.9); and
//     create_timed1/manual, the same at --time-scale 1, where no job made
//     moves on within a round;
//   - rss/empty: the server's VmRSS after the idle spell as a ratio to
//     that of the same server over an empty store (target ≤ 2);
//   - backfill_s: how long the first start took to fill in the due times
//     of the jobs, which the benchmark writes into the store directly,
//     without them.
//
// A run is long (minutes at 100,000 live jobs; most of an hour at
// 1,000,000), so it is chosen by its environment:
//
//	FROSTY_BENCH_LIVE=100000,1000000  sizes (default both)
//	FROSTY_BENCH_PG_MAX=100000        largest size run on PostgreSQL (default: all)
//	FROSTY_BENCH_IDLE=20s             the idle spell
//	FROSTY_BENCH_ROUNDS=5             CreateJob rounds of each mode (0: none)
//	FROSTY_BENCH_ROUND=5s             length of one round
//	FROSTY_BENCH_PPROF=DIR            keep CPU profiles of the server's phases
//
//	FROSTY_BENCH_LIVE=10000 go test ./cmd/frosty -run XXX -bench ClockAtScale -benchtime 1x
//	bash scripts/postgres.sh go test ./cmd/frosty -run XXX -bench ClockAtScale -benchtime 1x
//
// PostgreSQL runs when FROSTY_TEST_POSTGRES is set (scripts/postgres.sh).
func BenchmarkClockAtScale(b *testing.B) {
	cfg := scaleConfigFromEnv(b)
	for _, live := range cfg.sizes {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			b.Run("store=sqlite", func(b *testing.B) {
				runClockAtScale(b, cfg, live, scaleStore{})
			})
			b.Run("store=postgres", func(b *testing.B) {
				if cfg.pgMax > 0 && live > cfg.pgMax {
					b.Skipf("SKIPPED: %d live jobs is more than FROSTY_BENCH_PG_MAX=%d", live, cfg.pgMax)
				}
				runClockAtScale(b, cfg, live, scaleStore{url: pgtest.MustSchema(b)})
			})
		})
	}
}

// scaleConfig is a run of BenchmarkClockAtScale, from its environment.
type scaleConfig struct {
	sizes       []int
	pgMax       int
	idle, round time.Duration
	rounds      int
	profiles    string // a directory for CPU profiles, or ""
}

func scaleConfigFromEnv(tb testing.TB) scaleConfig {
	tb.Helper()
	c := scaleConfig{sizes: []int{100_000, 1_000_000}, idle: 20 * time.Second, round: 5 * time.Second, rounds: 5}
	if s := os.Getenv("FROSTY_BENCH_LIVE"); s != "" {
		c.sizes = nil
		for f := range strings.SplitSeq(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				tb.Fatalf("FROSTY_BENCH_LIVE=%q: want sizes such as 100000,1000000", s)
			}
			c.sizes = append(c.sizes, n)
		}
	}
	envInt := func(name string, v *int) {
		if s := os.Getenv(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				tb.Fatalf("%s=%q: want a positive number", name, s)
			}
			*v = n
		}
	}
	envDuration := func(name string, v *time.Duration) {
		if s := os.Getenv(name); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				tb.Fatalf("%s=%q: want a duration such as 20s", name, s)
			}
			*v = d
		}
	}
	envInt("FROSTY_BENCH_PG_MAX", &c.pgMax)
	if s := os.Getenv("FROSTY_BENCH_ROUNDS"); s != "" { // 0 leaves the CreateJob rounds out
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			tb.Fatalf("FROSTY_BENCH_ROUNDS=%q: want a number", s)
		}
		c.rounds = n
	}
	envDuration("FROSTY_BENCH_IDLE", &c.idle)
	envDuration("FROSTY_BENCH_ROUND", &c.round)
	c.profiles = os.Getenv("FROSTY_BENCH_PPROF")
	return c
}

// scaleStore is where a run keeps its records: SQLite in the data
// directory, or the PostgreSQL schema url names.
type scaleStore struct{ url string }

func (s scaleStore) name() string {
	if s.url == "" {
		return "sqlite"
	}
	return "postgres"
}

func (s scaleStore) args() []string {
	if s.url == "" {
		return nil
	}
	return []string{"--store", s.url}
}

func (s scaleStore) open(ctx context.Context, data string) (domain.Store, error) {
	if s.url == "" {
		return sqlite.Open(filepath.Join(data, databaseFile))
	}
	return postgres.Open(ctx, s.url)
}

// Shapes of the run. The live jobs wait in PreparingAppliance, which the
// run's profile makes last a century: far off at --time-scale 1 and at the
// default scale alike (two days), so that no phase moves them. The late
// jobs wait in PreparingShipment (a day) and fall due lateRate a second
// for lateSpan, from lateAhead after the store was filled; the operator
// clock is moved to just before that once the server is idle, so that the
// run need not guess how long the first start takes. They move on once, to
// InTransitToCustomer (two days away at scale 1).
const (
	liveState     = model.JobStatePreparingAppliance
	lateState     = model.JobStatePreparingShipment
	lateDwell     = 24 * time.Hour
	lateRate      = 100
	lateSpan      = 20 * time.Second
	lateAhead     = 6 * time.Hour
	lateLeadIn    = 10 * time.Second
	insertBatch   = 10_000
	createClients = 16
	scaleProfile  = `{"dwell": {"PreparingAppliance": "876000h"}}`
)

// The CreateJob rounds come in blocks, each of a timed mode taking turns
// with manual. timed is the default scale, where each job made moves on
// (to PreparingAppliance) a fifth of a second later, so that the
// lifecycle's writes share the store with CreateJob's; timed-scale1 moves
// none within a round, which leaves the cost of keeping due times. A
// manual server keeps the store's timing, so only the first timed start
// of a block recomputes due times.
var createBlocks = []string{"timed", "timed-scale1"}

// scaleResult is what one run measured.
type scaleResult struct {
	populate, emptyStart, firstStart, backfill time.Duration
	backfilled                                 int
	emptyCPU, idleCPU, lateCPU                 float64 // % of a core
	emptyRSS, idleRSS, lateRSS, peakRSS        float64 // MB
	lateN                                      float64
	lateP50, lateP99, lateLE100                float64

	// By block ("timed", "timed-scale1") and mode ("manual", "timed"), of
	// each round:
	create      map[string]map[string][]float64 // CreateJob/s
	moves       map[string]map[string][]float64 // transitions/s
	createCPU   map[string]map[string][]float64 // the server's CPU, % of a core
	recompute   map[string]time.Duration        // the block's one recompute of due times
	createFails int64
	jobsAfter   float64   // in the store after the last round
	lateLoad    loadDelta // what loaded the machine during the lateness window
	roundSteal  float64   // the most the host stole in a CreateJob round, % of the machine
}

// ratios returns the CreateJob throughput of block's timed rounds as a
// ratio to its manual rounds': of the medians, and the least of each
// round's.
func (r *scaleResult) ratios(block string) (ofMedians, least float64) {
	timed, manual := r.create[block]["timed"], r.create[block]["manual"]
	if len(timed) == 0 {
		return math.NaN(), math.NaN()
	}
	least = math.Inf(1)
	for i, x := range timed {
		least = min(least, x/manual[i])
	}
	return median(timed) / median(manual), least
}

func runClockAtScale(b *testing.B, cfg scaleConfig, live int, st scaleStore) {
	var r scaleResult
	for b.Loop() {
		b.StopTimer()
		r = clockAtScale(b, cfg, live, st)
		b.StartTimer()
	}
	b.ReportMetric(r.backfill.Seconds(), "backfill_s")
	b.ReportMetric(r.idleCPU, "idle_cpu_%")
	b.ReportMetric(r.lateP50*1000, "late_p50_ms")
	b.ReportMetric(r.lateP99*1000, "late_p99_ms")
	b.ReportMetric(r.lateLE100, "late_le100ms_frac")
	timed, timedMin := r.ratios("timed")
	timed1, timed1Min := r.ratios("timed-scale1")
	if cfg.rounds > 0 {
		b.ReportMetric(timed, "create_timed/manual")
		b.ReportMetric(timedMin, "create_timed/manual_min")
		b.ReportMetric(timed1, "create_timed1/manual")
	}
	b.ReportMetric(r.idleRSS/r.emptyRSS, "rss/empty")
	b.ReportMetric(r.idleRSS, "rss_MB")

	// A benchmark's log is cut at ten lines: the table fits in nine.
	var t strings.Builder
	row := func(what, format string, args ...any) {
		fmt.Fprintf(&t, "\n  %-30s "+format, append([]any{what}, args...)...)
	}
	fmt.Fprintf(&t, "%d live jobs on %s, against the targets", live, st.name())
	row("idle CPU, 1 CreateJob/s", "%.2f%% of a core (empty store %.2f%%); < 5%%", r.idleCPU, r.emptyCPU)
	row("lateness at 100 transitions/s", "p50 %.1f ms, p99 %.1f ms, %.4f within 100 ms (n=%.0f, CPU %.0f%%; %s); p99 < 100 ms",
		r.lateP50*1000, r.lateP99*1000, r.lateLE100, r.lateN, r.lateCPU, r.lateLoad)
	row("CreateJob/s manual/timed", "%s / %s (scale 1: %s / %s)", fmtRates(r.create["timed"]["manual"]), fmtRates(r.create["timed"]["timed"]),
		fmtRates(r.create["timed-scale1"]["manual"]), fmtRates(r.create["timed-scale1"]["timed"]))
	row("timed/manual (at scale 1)", "%.3f, min %.3f (%.3f, min %.3f); ≥ 0.9; %s transitions/s in timed rounds; host steal ≤ %.0f%%",
		timed, timedMin, timed1, timed1Min, fmtRates(r.moves["timed"]["timed"]), r.roundSteal)
	row("VmRSS after idle / empty store", "%.1f / %.1f MB = %.2f×; ≤ 2× (after lateness %.1f MB, VmHWM %.1f MB)",
		r.idleRSS, r.emptyRSS, r.idleRSS/r.emptyRSS, r.lateRSS, r.peakRSS)
	row("first start, due times filled", "%v, %v for %d records (populating took %v)",
		r.firstStart.Round(time.Millisecond), r.backfill, r.backfilled, r.populate.Round(time.Millisecond))
	row("timed restarts: recompute", "%v (scale 1: %v); %.0f jobs after the rounds",
		r.recompute["timed"], r.recompute["timed-scale1"], r.jobsAfter)
	if r.createFails > 0 {
		row("CreateJob errors", "%d in all rounds", r.createFails)
	}
	b.Log(t.String())
}

func fmtRates(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strings.Join(s, " ")
}

// progress tells the person waiting on a long run where it is; it goes to
// stderr, since a benchmark's log is cut short and printed at its end.
func progress(tb testing.TB, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s: %s\n", time.Now().Format("15:04:05"), tb.Name(), fmt.Sprintf(format, args...))
}

func clockAtScale(b *testing.B, cfg scaleConfig, live int, st scaleStore) scaleResult {
	ctx := b.Context()
	r := scaleResult{create: map[string]map[string][]float64{}, moves: map[string]map[string][]float64{},
		createCPU: map[string]map[string][]float64{}, recompute: map[string]time.Duration{}}
	data := b.TempDir()
	if cfg.profiles != "" {
		cfg.profiles = filepath.Join(cfg.profiles, fmt.Sprintf("%d-%s", live, st.name()))
		if err := os.MkdirAll(cfg.profiles, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	profile := filepath.Join(data, "profile.json")
	if err := os.WriteFile(profile, []byte(scaleProfile), 0o600); err != nil {
		b.Fatal(err)
	}
	modeArgs := map[string][]string{
		"manual":       {"--lifecycle", "manual"},
		"timed":        {"--lifecycle", "timed", "--lifecycle-profile", profile},
		"timed-scale1": {"--lifecycle", "timed", "--lifecycle-profile", profile, "--time-scale", "1"},
	}
	for m, args := range modeArgs {
		modeArgs[m] = append(args, st.args()...)
	}

	// The same server over the empty store: the baseline of RSS and CPU,
	// and the source of the records the store is filled with, each made
	// by the service.
	p := startScaleServer(b, cfg, "empty", data, modeArgs["timed-scale1"]...)
	r.emptyStart = p.started
	c := p.client()
	addr, err := c.CreateAddress(ctx, &snowball.CreateAddressInput{Address: &types.Address{
		Name: aws.String("Ops"), Street1: aws.String("1 Main St"), City: aws.String("Seattle"),
		StateOrProvince: aws.String("WA"), PostalCode: aws.String("98101"), Country: aws.String("US")}})
	if err != nil {
		b.Fatal(err)
	}
	liveID := p.createJob(b, c, addr.AddressId)
	p.advance(b, liveID, liveState)
	lateID := p.createJob(b, c, addr.AddressId)
	p.advance(b, lateID, lateState)
	time.Sleep(2 * time.Second) // let the start settle
	r.emptyCPU, r.emptyRSS = p.idle(b, c, addr.AddressId, cfg.idle, "empty-idle")
	p.stop(b)
	progress(b, "empty store: idle CPU %.2f%%, VmRSS %.1f MB", r.emptyCPU, r.emptyRSS)

	start := time.Now()
	t0 := populate(b, st, data, live, liveID, lateID)
	r.populate = time.Since(start)
	progress(b, "populated %d live and %d late jobs in %v", live, int(lateSpan.Seconds())*lateRate, r.populate.Round(time.Millisecond))

	// The first start fills in the due times; then the idle spell, and the
	// late jobs falling due.
	p = startScaleServer(b, cfg, "populated", data, modeArgs["timed-scale1"]...)
	r.firstStart = p.started
	r.backfilled, r.backfill = p.recomputed(b)
	progress(b, "first start: %v, due times of %d records filled in in %v", p.started.Round(time.Millisecond), r.backfilled, r.backfill)
	time.Sleep(2 * time.Second)
	r.idleCPU, r.idleRSS = p.idle(b, p.client(), addr.AddressId, cfg.idle, "idle")
	progress(b, "idle CPU %.2f%%, VmRSS %.1f MB", r.idleCPU, r.idleRSS)
	p.lateness(b, t0, &r)
	r.lateRSS = vmRSSMB(b, p.cmd.Process.Pid)
	r.peakRSS = peakRSSMB(b, p.cmd.Process.Pid)
	p.stop(b)
	progress(b, "lateness: p50 %.1f ms, p99 %.1f ms, %.4f within 100 ms, n=%.0f; CPU %.0f%%; %s",
		r.lateP50*1000, r.lateP99*1000, r.lateLE100, r.lateN, r.lateCPU, r.lateLoad)

	// CreateJob throughput, manual and timed taking turns over the same
	// store.
	for _, block := range createBlocks {
		r.create[block], r.moves[block], r.createCPU[block] = map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
		for round := range cfg.rounds {
			for _, mode := range []string{"manual", "timed"} {
				args, label := modeArgs["manual"], fmt.Sprintf("create-%s-manual-%d", block, round+1)
				if mode == "timed" {
					args, label = modeArgs[block], fmt.Sprintf("create-%s-%d", block, round+1)
				}
				p := startScaleServer(b, cfg, label, data, args...)
				_, took := p.recomputed(b)
				r.recompute[block] += took
				p.waitQuiet(b) // the jobs the manual round made catch up
				before := p.transitions(b)
				rate, cpu, load, fails := p.createThroughput(b, addr.AddressId, cfg.round, label)
				r.roundSteal = max(r.roundSteal, load.steal)
				moves := (p.transitions(b) - before) / (cfg.round + time.Second).Seconds()
				r.create[block][mode] = append(r.create[block][mode], rate)
				r.moves[block][mode] = append(r.moves[block][mode], moves)
				r.createCPU[block][mode] = append(r.createCPU[block][mode], cpu)
				r.createFails += fails
				r.jobsAfter = p.jobs(b)
				p.stop(b)
				progress(b, "%s: start %v (due times recomputed in %v), %.0f CreateJob/s, %.0f transitions/s, server CPU %.0f%%",
					label, p.started.Round(time.Millisecond), took, rate, moves, cpu)
			}
		}
	}
	return r
}

// populate writes live copies of job liveID and the late copies of job
// lateID straight into the store, with new IDs and no due times, as a
// store from before due times were kept has them, and returns the time
// the late jobs' schedule starts from.
func populate(tb testing.TB, st scaleStore, data string, live int, liveID, lateID string) (t0 time.Time) {
	tb.Helper()
	ctx := tb.Context()
	store, err := st.open(ctx, data)
	if err != nil {
		tb.Fatal(err)
	}
	defer store.Close()
	var liveJob, lateJob *domain.Job
	err = store.View(ctx, func(tx domain.Tx) (err error) {
		if liveJob, err = tx.Job(ctx, liveID); err != nil {
			return err
		}
		lateJob, err = tx.Job(ctx, lateID)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	t0 = time.Now().UTC()
	lateAt := func(i int) time.Time { // when late job i falls due
		return t0.Add(lateAhead + time.Duration(i)*time.Second/lateRate)
	}
	late := int(lateSpan.Seconds()) * lateRate
	for done := 0; done < live+late; {
		n := min(insertBatch, live+late-done)
		err := store.Update(ctx, func(tx domain.Tx) error {
			for i := done; i < done+n; i++ {
				j := liveJob
				entered := t0
				if i >= live {
					j = lateJob
					entered = lateAt(i - live).Add(-lateDwell)
				}
				id := jobID()
				j.Seq, j.ID, j.Metadata.JobId = 0, id, &id
				j.CreatedAt, j.StateEnteredAt, j.DueAt = t0, entered, time.Time{}
				j.Metadata.JobState = model.Ptr(j.State)
				if err := tx.InsertJob(ctx, j); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		if done/100_000 != (done+n)/100_000 {
			progress(tb, "populating: %d jobs in %v", done+n, time.Since(t0).Round(time.Second))
		}
		done += n
	}
	// The store's due times are now those of no timing: the next start
	// fills them in.
	err = store.Update(ctx, func(tx domain.Tx) error { return tx.PutSetting(ctx, "due-timing", "") })
	if err != nil {
		tb.Fatal(err)
	}
	return t0
}

// jobID returns a new job ID: JID and a random (version 4) UUID.
func jobID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("JID%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// scaleServer is a frosty serve of the benchmark, which may take long to
// start (it fills in due times first) and which it stops with SIGTERM.
type scaleServer struct {
	serverProcess
	started  time.Duration // from exec to the banner
	label    string        // names its profiles and log
	pprofURL string        // "" unless profiling
	profiles string
}

var recomputedLine = regexp.MustCompile(`msg="due times recomputed for this timing" changed=(\d+) took=(\S+)`)

// startScaleServer runs the binary over data with args and waits up to
// an hour for its banner.
func startScaleServer(tb testing.TB, cfg scaleConfig, label, data string, args ...string) *scaleServer {
	tb.Helper()
	p := &scaleServer{serverProcess: serverProcess{stderr: &syncBuffer{}}, label: label, profiles: cfg.profiles}
	args = append([]string{"serve", "--listen", "127.0.0.1:0", "--data", data}, args...)
	if cfg.profiles != "" {
		args = append(args, "--debug-listen", "127.0.0.1:0")
	}
	p.cmd = exec.Command(binary, args...)
	start := time.Now()
	p.start(tb, time.Hour)
	p.started = time.Since(start)
	if p.url == "" || p.keyID == "" || p.token == "" {
		tb.Fatalf("banner incomplete (url %q key %q); stderr:\n%s", p.url, p.keyID, p.stderr)
	}
	// The log reaches p.stderr through a pipe of its own, after the
	// banner: wait for what the server logs once serving, which follows
	// what it logged while starting.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		log := p.stderr.String()
		if m := pprofLine.FindStringSubmatch(log); m != nil {
			p.pprofURL = m[1]
		}
		if strings.Contains(log, `msg="frosty serving"`) && (cfg.profiles == "" || p.pprofURL != "") {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no frosty serving in the log 10 s after the banner; stderr:\n%s", tail(log, 20))
		}
	}
	return p
}

// stop ends the server as an operator would, with SIGTERM.
func (p *scaleServer) stop(tb testing.TB) {
	tb.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Fatalf("frosty serve: %v; stderr:\n%s", err, tail(p.stderr.String(), 20))
		}
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		tb.Fatalf("frosty serve still running a minute after SIGTERM")
	}
	if p.profiles != "" {
		if err := os.WriteFile(filepath.Join(p.profiles, p.label+".log"), []byte(p.stderr.String()), 0o600); err != nil {
			tb.Error(err)
		}
	}
}

// recomputed reads what the start's RecomputeDue logged: how many records
// it changed and how long it took (zero if it logged nothing).
func (p *scaleServer) recomputed(tb testing.TB) (int, time.Duration) {
	tb.Helper()
	m := recomputedLine.FindStringSubmatch(p.stderr.String())
	if m == nil {
		return 0, 0
	}
	n, _ := strconv.Atoi(m[1])
	d, err := time.ParseDuration(m[2])
	if err != nil {
		tb.Fatalf("took=%q: %v", m[2], err)
	}
	return n, d
}

func (p *scaleServer) createJob(tb testing.TB, c *snowball.Client, addressID *string) string {
	tb.Helper()
	j, err := c.CreateJob(tb.Context(), &snowball.CreateJobInput{
		JobType: types.JobTypeImport, SnowballType: types.SnowballTypeEdge, AddressId: addressID,
		ShippingOption: types.ShippingOptionSecondDay, RoleARN: aws.String("arn:aws:iam::123456789012:role/snowball"),
		Description: aws.String("scale benchmark"),
		Resources:   &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::b")}}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return *j.JobId
}

// operator calls the operator API and returns the body.
func (p *scaleServer) operator(tb testing.TB, method, path, body string) string {
	tb.Helper()
	req, err := http.NewRequestWithContext(tb.Context(), method, p.url+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("%s %s: HTTP %d %s", method, path, resp.StatusCode, b)
	}
	return string(b)
}

func (p *scaleServer) advance(tb testing.TB, id string, to model.JobState) {
	tb.Helper()
	p.operator(tb, "POST", "/_frosty/jobs/"+id+"/advance", fmt.Sprintf(`{"to":%q}`, to))
}

// idle makes one CreateJob a second for d and returns the server's CPU
// over it, in % of a core, and its VmRSS at the end.
func (p *scaleServer) idle(tb testing.TB, c *snowball.Client, addressID *string, d time.Duration, phase string) (cpu, rss float64) {
	tb.Helper()
	wait := p.profile(tb, phase, d)
	measure, load := p.cpu(tb), readMachineLoad(tb)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
		p.createJob(tb, c, addressID)
	}
	cpu = measure()
	progress(tb, "%s: %s", phase, readMachineLoad(tb).since(load))
	wait()
	return cpu, vmRSSMB(tb, p.cmd.Process.Pid)
}

// lateness moves the operator clock to lateLeadIn before the late jobs
// start falling due, waits for the last of them, and reads how late they
// were applied from the difference of the server's lateness histogram
// across the window (the jobs made before fell due at the move).
func (p *scaleServer) lateness(tb testing.TB, t0 time.Time, r *scaleResult) {
	tb.Helper()
	first := t0.Add(lateAhead)
	p.operator(tb, "POST", "/_frosty/clock", fmt.Sprintf(`{"set":%q}`, first.Add(-lateLeadIn).Format(time.RFC3339Nano)))
	moved := time.Now()
	time.Sleep(lateLeadIn / 2)
	before := p.lateHistogram(tb)
	time.Sleep(time.Until(moved.Add(lateLeadIn - time.Second)))
	wait := p.profile(tb, "lateness", lateSpan+2*time.Second)
	measure, load := p.cpu(tb), readMachineLoad(tb)
	time.Sleep(time.Until(moved.Add(lateLeadIn + lateSpan + time.Second)))
	r.lateCPU = measure()
	r.lateLoad = readMachineLoad(tb).since(load)
	wait()
	time.Sleep(2 * time.Second)
	h := p.lateHistogram(tb).minus(before)
	r.lateN = h.count()
	r.lateP50, r.lateP99 = h.quantile(0.5), h.quantile(0.99)
	r.lateLE100 = h.fraction(0.1)
	if want := lateSpan.Seconds() * lateRate; r.lateN < want {
		tb.Errorf("%.0f transitions in the lateness window, want at least %.0f", r.lateN, want)
	}
}

// histogram is a Prometheus histogram: cumulative counts by upper bound.
type histogram struct {
	le  []float64 // ascending, +Inf last
	cum []float64
}

func (h histogram) minus(o histogram) histogram {
	out := histogram{le: h.le, cum: slices.Clone(h.cum)}
	for i := range out.cum {
		out.cum[i] -= o.cum[i]
	}
	return out
}

func (h histogram) count() float64 { return h.cum[len(h.cum)-1] }

// fraction returns the fraction of observations ≤ le, a bucket bound.
func (h histogram) fraction(le float64) float64 {
	i := slices.Index(h.le, le)
	if i < 0 || h.count() == 0 {
		return math.NaN()
	}
	return h.cum[i] / h.count()
}

// quantile estimates the q-quantile as Prometheus's histogram_quantile
// does: linearly within the bucket it falls in.
func (h histogram) quantile(q float64) float64 {
	rank := q * h.count()
	for i, c := range h.cum {
		if c < rank {
			continue
		}
		if math.IsInf(h.le[i], 1) {
			return h.le[i-1]
		}
		lo, below := 0.0, 0.0
		if i > 0 {
			lo, below = h.le[i-1], h.cum[i-1]
		}
		if c == below {
			return h.le[i]
		}
		return lo + (h.le[i]-lo)*(rank-below)/(c-below)
	}
	return math.NaN()
}

var bucketLine = regexp.MustCompile(`^frosty_transition_lateness_seconds_bucket\{le="([^"]+)"\} (\S+)$`)

func (p *scaleServer) metrics(tb testing.TB) string {
	tb.Helper()
	return p.operator(tb, "GET", "/_frosty/metrics", "")
}

func (p *scaleServer) lateHistogram(tb testing.TB) histogram {
	tb.Helper()
	var h histogram
	for line := range strings.SplitSeq(p.metrics(tb), "\n") {
		if m := bucketLine.FindStringSubmatch(line); m != nil {
			le, err1 := strconv.ParseFloat(m[1], 64)
			n, err2 := strconv.ParseFloat(m[2], 64)
			if err1 != nil || err2 != nil {
				tb.Fatalf("metrics: %q", line)
			}
			h.le, h.cum = append(h.le, le), append(h.cum, n)
		}
	}
	if len(h.le) == 0 || !math.IsInf(h.le[len(h.le)-1], 1) {
		tb.Fatalf("metrics: no frosty_transition_lateness_seconds histogram")
	}
	return h
}

// jobs returns how many jobs the store holds, from the server's frosty_jobs.
func (p *scaleServer) jobs(tb testing.TB) float64 {
	tb.Helper()
	total := 0.0
	for line := range strings.SplitSeq(p.metrics(tb), "\n") {
		if strings.HasPrefix(line, "frosty_jobs{") {
			n, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				tb.Fatalf("metrics: %q", line)
			}
			total += n
		}
	}
	return total
}

// transitions returns how many transitions the timed lifecycle applied:
// frosty_transitions_total of cause timer (CreateJob's own event counts
// as the customer's).
func (p *scaleServer) transitions(tb testing.TB) float64 {
	tb.Helper()
	total := 0.0
	for line := range strings.SplitSeq(p.metrics(tb), "\n") {
		if strings.HasPrefix(line, "frosty_transitions_total{") && strings.Contains(line, `cause="timer"`) {
			n, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				tb.Fatalf("metrics: %q", line)
			}
			total += n
		}
	}
	return total
}

// waitQuiet waits until the server applies no more transitions: until
// frosty_transitions_total stays the same for two seconds.
func (p *scaleServer) waitQuiet(tb testing.TB) {
	tb.Helper()
	last, same := -1.0, 0
	for deadline := time.Now().Add(30 * time.Minute); same < 2; time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			tb.Fatal("the server still applies transitions after 30 minutes")
		}
		n := p.transitions(tb)
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
	}
}

// createThroughput runs createClients clients making jobs as fast as they
// can for a second of warm-up and then d, and returns the CreateJob calls
// a second that succeeded within d, the server's CPU over d in % of a
// core, the machine's load, and how many calls failed.
func (p *scaleServer) createThroughput(tb testing.TB, addressID *string, d time.Duration, phase string) (rate, cpu float64, load loadDelta, fails int64) {
	tb.Helper()
	ctx := tb.Context()
	var counting atomic.Bool
	var ok, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range createClients {
		c := p.client()
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := c.CreateJob(ctx, &snowball.CreateJobInput{
					JobType: types.JobTypeImport, SnowballType: types.SnowballTypeEdge, AddressId: addressID,
					ShippingOption: types.ShippingOptionSecondDay, RoleARN: aws.String("arn:aws:iam::123456789012:role/snowball"),
					Description: aws.String("scale benchmark"),
					Resources:   &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::b")}}},
				})
				switch {
				case !counting.Load():
				case err != nil:
					if failed.Add(1) <= 3 {
						progress(tb, "CreateJob: %v", err)
					}
				default:
					ok.Add(1)
				}
			}
		})
	}
	time.Sleep(time.Second)
	wait := p.profile(tb, phase, d)
	measure, before := p.cpu(tb), readMachineLoad(tb)
	start := time.Now()
	counting.Store(true)
	time.Sleep(d)
	counting.Store(false)
	elapsed := time.Since(start)
	cpu = measure()
	load = readMachineLoad(tb).since(before)
	progress(tb, "%s: %s", phase, load)
	close(stop)
	wg.Wait()
	wait()
	return float64(ok.Load()) / elapsed.Seconds(), cpu, load, failed.Load()
}

// cpu starts measuring the server's CPU time; the function it returns
// gives it since, in % of one core over the wall time.
func (p *scaleServer) cpu(tb testing.TB) func() float64 {
	tb.Helper()
	pid := p.cmd.Process.Pid
	t0, w0 := cpuTime(tb, pid), time.Now()
	return func() float64 {
		return 100 * (cpuTime(tb, pid) - t0).Seconds() / time.Since(w0).Seconds()
	}
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat times:
// 100 on every Linux architecture Go runs on.
const clockTicks = 100

// cpuTime returns the user and system CPU time process pid has used.
func cpuTime(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// pid (comm) state ppid … utime stime: fields 14 and 15, counted
	// after comm, which may hold spaces.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("/proc/%d/stat: %q", pid, b)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// vmRSSMB reads the resident set size of process pid.
func vmRSSMB(tb testing.TB, pid int) float64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				tb.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	tb.Fatal("no VmRSS in /proc/pid/status")
	return 0
}

// profile, when the run keeps profiles, fetches a CPU profile of the
// server over the next d into FROSTY_BENCH_PPROF/<phase>.pprof; the
// function it returns waits for it. (The server's log goes there too,
// as <label>.log, when it stops.)
func (p *scaleServer) profile(tb testing.TB, phase string, d time.Duration) (wait func()) {
	if p.pprofURL == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(fmt.Sprintf("%sprofile?seconds=%d", p.pprofURL, int(d.Seconds())))
		if err != nil {
			tb.Errorf("profile %s: %v", phase, err)
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(filepath.Join(p.profiles, phase+".pprof"))
		if err != nil {
			tb.Errorf("profile %s: %v", phase, err)
			return
		}
		defer f.Close()
		io.Copy(f, resp.Body)
	}()
	return func() { <-done }
}

// machineLoad is a reading of the whole machine's CPU time, in clock
// ticks, and its I/O stall time: what else loaded the machine during a
// phase, since the benchmark shares it.
type machineLoad struct {
	busy, steal, total float64
	ioStall            time.Duration // /proc/pressure/io "full"; 0 where there is none
}

func readMachineLoad(tb testing.TB) machineLoad {
	tb.Helper()
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		tb.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var m machineLoad
	// cpu user nice system idle iowait irq softirq steal
	for i, f := range strings.Fields(line)[1:min(9, len(strings.Fields(line)))] {
		n, err := strconv.ParseFloat(f, 64)
		if err != nil {
			tb.Fatalf("/proc/stat: %q", line)
		}
		m.total += n
		switch i {
		case 3, 4: // idle, iowait
		case 7:
			m.steal += n
		default:
			m.busy += n
		}
	}
	if b, err := os.ReadFile("/proc/pressure/io"); err == nil {
		if _, full, ok := strings.Cut(string(b), "full "); ok {
			if _, v, ok := strings.Cut(full, "total="); ok {
				us, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				m.ioStall = time.Duration(us) * time.Microsecond
			}
		}
	}
	return m
}

// loadDelta is the load between two readings: the machine's CPU use and
// the time its host stole, in % of all its cores, and how long every task
// on it waited for I/O.
type loadDelta struct {
	busy, steal float64
	ioStall     time.Duration
}

func (m machineLoad) since(o machineLoad) loadDelta {
	total := m.total - o.total
	if total <= 0 {
		return loadDelta{}
	}
	return loadDelta{100 * (m.busy - o.busy) / total, 100 * (m.steal - o.steal) / total, m.ioStall - o.ioStall}
}

func (d loadDelta) String() string {
	return fmt.Sprintf("machine busy %.0f%%, steal %.0f%%, I/O stall %v", d.busy, d.steal, d.ioStall.Round(time.Millisecond))
}
