package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frostyhq/frosty/internal/sdkhttp"
)

const (
	crashWriters      = 8
	crashMinKillDelay = 50 * time.Millisecond
	crashMaxKillDelay = 400 * time.Millisecond
)

// TestCrash kills the real binary with SIGKILL while concurrent writers are
// mid-flight, restarts it on the same data directory and checks that every
// acknowledged write is there exactly as written, and that nothing appears
// that was neither acknowledged nor in flight at a kill. The data directory
// and the ledger of acknowledged writes accumulate across rounds.
//
// FROSTY_CRASH_ROUNDS=N runs N rounds (default 5, 2 with -short);
// FROSTY_CRASH_SEED replays the schedule of a failed run (the kill delays
// and each writer's choices; the interleaving itself is up to the machine).
func TestCrash(t *testing.T) {
	rounds := 5
	if testing.Short() {
		rounds = 2
	}
	if s := os.Getenv("FROSTY_CRASH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("FROSTY_CRASH_ROUNDS=%q: want a positive integer", s)
		}
		rounds = n
	}
	seed := rand.Uint64()
	if s := os.Getenv("FROSTY_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("FROSTY_CRASH_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (replay with FROSTY_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	data := t.TempDir()
	l := newCrashLedger()
	start := time.Now()
	for round := 1; round <= rounds; round++ {
		p := mustStartHealthy(t, data)
		if round > 1 {
			l.mustVerify(t, p, round-1)
		}
		delay := crashMinKillDelay + time.Duration(rng.Int64N(int64(crashMaxKillDelay-crashMinKillDelay)+1))
		st := l.writeUntilKilled(t, p, round, seed, delay)
		t.Logf("round %d: killed after %v: %d writes acknowledged (%d addresses, %d jobs, %d updates), %d in flight at the kill",
			round, delay.Round(time.Millisecond), st.acked(), st.addresses, st.jobs, st.updates, st.inFlight)
	}
	p := mustStartHealthy(t, data)
	l.mustVerify(t, p, rounds)
	p.cmd.Process.Kill()
	p.cmd.Wait()
	t.Logf("%d writes were in flight at the kills; %d of them took effect", l.inFlight, l.tookEffect)
	t.Logf("crash test: %d rounds, %d acknowledged writes, %d lost (%v)", rounds, l.acked, l.lost, time.Since(start).Round(time.Millisecond))
}

// mustStartHealthy starts the server and polls its health endpoint until it
// answers, rather than trusting the banner alone.
func mustStartHealthy(t *testing.T, data string) *serverProcess {
	t.Helper()
	p := startServer(t, data)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(p.url + "/_frosty/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			p.cmd.Process.Kill()
			p.cmd.Wait()
			t.Fatalf("server at %s not healthy within 10 s: %v; stderr:\n%s", p.url, err, p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// crashClient is p.client() with a transport that keeps a connection per
// writer (the default keeps two idle ones) and a timeout, so that a request
// caught by the kill fails instead of hanging.
func crashClient(p *serverProcess) *snowball.Client {
	return p.client(func(o *snowball.Options) {
		o.HTTPClient = sdkhttp.BufferedClient{Client: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: crashWriters},
		}}
	})
}

// crashJob is what the ledger knows of a job.
type crashJob struct {
	addressID string
	// description is the last acknowledged Description, or the one found
	// after a restart (which, having survived one, must survive them all).
	description string
	// pending is the Description of an UpdateJob caught by the kill: it may
	// or may not have been applied.
	pending *string
}

// crashLedger records every acknowledged write. Each job is updated by the
// writer that created it only, so its updates are sequential and "the last
// acknowledged Description" is well defined.
type crashLedger struct {
	mu        sync.Mutex
	addresses map[string]*types.Address // as written, with the AddressId returned
	addrIDs   []string                  // the keys of addresses, for CreateJob to pick from
	jobs      map[string]*crashJob
	owned     [crashWriters][]string // the jobs each writer may update

	// Records listed after a restart whose create was never acknowledged;
	// there can be no more of them than creates caught by the kills.
	unackedAddrs, unackedJobs map[string]bool
	maybeAddrs, maybeJobs     int

	acked, lost          int
	inFlight, tookEffect int    // writes caught by the kills, and how many of them were found applied
	killedLog            string // the tail of the stderr of the server last killed
}

func newCrashLedger() *crashLedger {
	return &crashLedger{
		addresses:    map[string]*types.Address{},
		jobs:         map[string]*crashJob{},
		unackedAddrs: map[string]bool{},
		unackedJobs:  map[string]bool{},
	}
}

// crashRoundStats counts one round's writes.
type crashRoundStats struct {
	addresses, jobs, updates int
	inFlight                 int
	failures                 []error // errors not caused by the kill
}

func (s *crashRoundStats) acked() int { return s.addresses + s.jobs + s.updates }

// writeUntilKilled runs the writers against p and kills p with SIGKILL
// after delay; it returns once the process is reaped and every writer has
// stopped.
func (l *crashLedger) writeUntilKilled(t *testing.T, p *serverProcess, round int, seed uint64, delay time.Duration) *crashRoundStats {
	t.Helper()
	type failed struct {
		w    int
		kind string
		err  error
		at   time.Time
	}
	var (
		killed atomic.Bool
		mu     sync.Mutex
		st     crashRoundStats
		errs   []failed
		wg     sync.WaitGroup
	)
	sb := crashClient(p)
	for w := range crashWriters {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(round)<<8|uint64(w)))
			for n := 0; !killed.Load(); n++ {
				kind, err := l.writeOne(t.Context(), sb, rng, round, w, n)
				mu.Lock()
				switch {
				case err != nil:
					errs = append(errs, failed{w, kind, err, time.Now()})
				case kind == "address":
					st.addresses++
				case kind == "job":
					st.jobs++
				case kind == "update":
					st.updates++
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	time.Sleep(delay) // the kill's random moment, not a wait for a state
	// The flag is set after the kill, not before: writers keep writing up to
	// the kill itself, so that a descheduled test goroutine cannot let them
	// all drain and make the kill land on an idle server.
	killAt := time.Now()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("round %d: kill: %v", round, err)
	}
	killed.Store(true)
	waitErr := p.cmd.Wait() // reaps it
	wg.Wait()

	var exit *exec.ExitError
	if !errors.As(waitErr, &exit) || exit.ExitCode() != -1 {
		st.failures = append(st.failures, fmt.Errorf("the server ended by itself, not by the kill: %v", waitErr))
	}
	for _, f := range errs {
		var rf *awshttp.ResponseError
		switch {
		case errors.As(f.err, &rf) && rf.HTTPStatusCode() >= 400:
			// An error response is never caused by SIGKILL.
			st.failures = append(st.failures, fmt.Errorf("writer %d: %s: %w", f.w, f.kind, f.err))
		case f.at.Before(killAt):
			st.failures = append(st.failures, fmt.Errorf("writer %d: %s, before the kill: %w", f.w, f.kind, f.err))
		case connectionRefused(f.err):
			// Sent after the kill: it never reached the server.
		default:
			st.inFlight++
			switch f.kind {
			case "address":
				l.maybeAddrs++
			case "job":
				l.maybeJobs++
			}
		}
	}
	l.acked += st.acked()
	l.inFlight += st.inFlight
	l.killedLog = tail(p.stderr.String(), 30)
	if len(st.failures) > 0 {
		t.Fatalf("round %d: %d writes failed while the server was up, first: %v; server stderr, last lines:\n%s",
			round, len(st.failures), st.failures[0], l.killedLog)
	}
	return &st
}

// connectionRefused reports whether err says the request found no server
// listening.
func connectionRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// writeOne issues one write and records it in the ledger when acknowledged.
func (l *crashLedger) writeOne(ctx context.Context, sb *snowball.Client, rng *rand.Rand, round, w, n int) (kind string, err error) {
	l.mu.Lock()
	haveAddr, owned := len(l.addrIDs) > 0, slices.Clone(l.owned[w])
	var addrID string
	if haveAddr {
		addrID = l.addrIDs[rng.IntN(len(l.addrIDs))]
	}
	l.mu.Unlock()
	tag := fmt.Sprintf("r%d w%d n%d", round, w, n)

	switch x := rng.IntN(100); {
	case !haveAddr || x < 25:
		a := &types.Address{
			Name:            aws.String("Crash " + tag),
			Company:         aws.String(fmt.Sprintf("Company %d", rng.IntN(1000))),
			Street1:         aws.String(fmt.Sprintf("%d Main St", rng.IntN(10000))),
			City:            aws.String([]string{"Seattle", "Tokyo", "Zürich", "São Paulo"}[rng.IntN(4)]),
			StateOrProvince: aws.String("WA"),
			PostalCode:      aws.String(fmt.Sprintf("%05d", rng.IntN(100000))),
			Country:         aws.String("US"),
			PhoneNumber:     aws.String(fmt.Sprintf("+1 206 555 %04d", rng.IntN(10000))),
			Type:            types.AddressTypeAwsShip,
		}
		if rng.IntN(2) == 0 {
			a.Street2 = aws.String("Suite " + strconv.Itoa(n))
		}
		out, err := sb.CreateAddress(ctx, &snowball.CreateAddressInput{Address: a})
		if err != nil {
			return "address", err
		}
		a.AddressId = out.AddressId
		l.mu.Lock()
		l.addresses[*a.AddressId] = a
		l.addrIDs = append(l.addrIDs, *a.AddressId)
		l.mu.Unlock()
		return "address", nil

	case len(owned) == 0 || x < 55:
		desc := "created " + tag
		out, err := sb.CreateJob(ctx, &snowball.CreateJobInput{
			JobType: types.JobTypeImport, AddressId: &addrID, ShippingOption: types.ShippingOptionSecondDay,
			SnowballType: types.SnowballTypeEdge, Description: &desc,
			Resources: &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::crash")}}},
		})
		if err != nil {
			return "job", err
		}
		id := aws.ToString(out.JobId)
		l.mu.Lock()
		l.jobs[id] = &crashJob{addressID: addrID, description: desc}
		l.owned[w] = append(l.owned[w], id)
		l.mu.Unlock()
		return "job", nil

	default:
		id := owned[rng.IntN(len(owned))]
		desc := "updated " + tag
		l.mu.Lock()
		l.jobs[id].pending = &desc
		l.mu.Unlock()
		_, err := sb.UpdateJob(ctx, &snowball.UpdateJobInput{JobId: &id, Description: &desc})
		if err != nil {
			return "update", err
		}
		l.mu.Lock()
		l.jobs[id].description, l.jobs[id].pending = desc, nil
		l.mu.Unlock()
		return "update", nil
	}
}

// mustVerify checks every acknowledged write of the rounds so far against
// the restarted server p, and lists both collections for phantoms.
func (l *crashLedger) mustVerify(t *testing.T, p *serverProcess, afterRound int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	sb := crashClient(p)
	var (
		mu       sync.Mutex
		problems []string
		lost     int
		applied  atomic.Int32 // in-flight updates found applied
	)
	report := func(isLoss bool, format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if isLoss {
			lost++
		}
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	// Describe every record, crashWriters at a time.
	type check func()
	var checks []check
	for id, want := range l.addresses {
		checks = append(checks, func() {
			out, err := sb.DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: &id})
			if err != nil {
				report(true, "acknowledged address %s: DescribeAddress: %v", id, err)
				return
			}
			if diff := cmp.Diff(want, out.Address, cmpopts.IgnoreUnexported(types.Address{})); diff != "" {
				report(true, "acknowledged address %s differs from what was written (-want +got):\n%s", id, diff)
			}
		})
	}
	for id, want := range l.jobs {
		checks = append(checks, func() {
			out, err := sb.DescribeJob(t.Context(), &snowball.DescribeJobInput{JobId: &id})
			if err != nil {
				report(true, "acknowledged job %s: DescribeJob: %v", id, err)
				return
			}
			md := out.JobMetadata
			if got := md.JobState; got != "New" {
				report(false, "job %s is %s, want New", id, got)
			}
			if got := aws.ToString(md.AddressId); got != want.addressID {
				report(true, "job %s has AddressId %s, want %s", id, got, want.addressID)
			}
			got := aws.ToString(md.Description)
			switch {
			case got == want.description:
			case want.pending != nil && got == *want.pending:
				applied.Add(1)
				want.description = got // it survived one restart: it must survive them all
			default:
				pending := "none"
				if want.pending != nil {
					pending = strconv.Quote(*want.pending)
				}
				report(true, "job %s has Description %q, want the last acknowledged %q (or the one in flight at the kill: %s)",
					id, got, want.description, pending)
			}
			want.pending = nil
		})
	}
	next := make(chan check)
	var wg sync.WaitGroup
	for range crashWriters {
		wg.Go(func() {
			for c := range next {
				c()
			}
		})
	}
	for _, c := range checks {
		next <- c
	}
	close(next)
	wg.Wait()

	// List both collections: every acknowledged record is there, every
	// unacknowledged one found after an earlier restart is still there, and
	// there are no more unacknowledged ones than creates the kills caught.
	var addrIDs, jobIDs []string
	for pages := snowball.NewDescribeAddressesPaginator(sb, &snowball.DescribeAddressesInput{}); pages.HasMorePages(); {
		out, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatalf("after round %d: DescribeAddresses: %v", afterRound, err)
		}
		for _, a := range out.Addresses {
			addrIDs = append(addrIDs, aws.ToString(a.AddressId))
		}
	}
	for pages := snowball.NewListJobsPaginator(sb, &snowball.ListJobsInput{}); pages.HasMorePages(); {
		out, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatalf("after round %d: ListJobs: %v", afterRound, err)
		}
		for _, j := range out.JobListEntries {
			jobIDs = append(jobIDs, aws.ToString(j.JobId))
		}
	}
	nUnacked := len(l.unackedAddrs) + len(l.unackedJobs)
	checkListed := func(what string, listed []string, acked func(string) bool, nAcked int, unacked map[string]bool, maybe int) {
		seen := map[string]bool{}
		for _, id := range listed {
			if seen[id] {
				report(false, "%s %s listed twice", what, id)
			}
			seen[id] = true
			if !acked(id) {
				unacked[id] = true
			}
		}
		ackedSeen := 0
		for id := range seen {
			if acked(id) {
				ackedSeen++
			}
		}
		if ackedSeen != nAcked {
			report(false, "%d of %d acknowledged %s are missing from the listing", nAcked-ackedSeen, nAcked, what)
		}
		for id := range unacked {
			if !seen[id] {
				report(false, "unacknowledged %s %s, found after an earlier restart, is gone", what, id)
			}
		}
		if len(unacked) > maybe {
			report(false, "%d unacknowledged %s listed, but only %d creates were in flight at the kills: phantoms",
				len(unacked), what, maybe)
		}
	}
	checkListed("addresses", addrIDs, func(id string) bool { return l.addresses[id] != nil }, len(l.addresses), l.unackedAddrs, l.maybeAddrs)
	checkListed("jobs", jobIDs, func(id string) bool { return l.jobs[id] != nil }, len(l.jobs), l.unackedJobs, l.maybeJobs)

	l.lost += lost
	l.tookEffect += len(l.unackedAddrs) + len(l.unackedJobs) - nUnacked + int(applied.Load())
	t.Logf("after round %d: %d addresses and %d jobs verified; of the writes in flight at the kill, %d creates and %d updates took effect",
		afterRound, len(l.addresses), len(l.jobs), len(l.unackedAddrs)+len(l.unackedJobs)-nUnacked, applied.Load())
	if len(problems) > 0 {
		slices.Sort(problems)
		t.Fatalf("after round %d (%d acknowledged writes so far): %d problems, %d lost writes:\n%s\nthe killed server's stderr, last lines:\n%s",
			afterRound, l.acked, len(problems), lost, problemList(problems, 20), l.killedLog)
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

func problemList(ps []string, max int) string {
	var s string
	for i, p := range ps {
		if i == max {
			return s + fmt.Sprintf("... and %d more\n", len(ps)-max)
		}
		s += p + "\n"
	}
	return s
}
