// Package bench is the engine of frosty bench: a load generator that signs
// real awsJson1.1 requests, drives a Frosty with them from many keep-alive
// clients, and measures in the same run, alternating with it, the ceiling
// of each call: for the reads, a bare net/http server that verifies the
// same signatures and answers the same bytes; for the writes, the same SQL
// transactions straight on the database. On a shared machine an absolute
// figure moves severalfold from run to run; the ratio to a ceiling
// measured alongside is what means something.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
)

// The calls and mixes a run measures.
const (
	DescribeJob   = "DescribeJob"
	ListJobs      = "ListJobs" // a page of 100
	CreateAddress = "CreateAddress"
	CreateJob     = "CreateJob"
	UpdateJob     = "UpdateJob" // a Description change
	// Lifecycle is CreateJob, then the operator API's advance through
	// every state of the import job's path, one state a call; it is
	// counted in transitions and has no ceiling.
	Lifecycle = "Lifecycle"
)

// Calls are every call and mix, in the order a round measures them.
var Calls = []string{DescribeJob, ListJobs, CreateAddress, CreateJob, UpdateJob, Lifecycle}

// Target is a running Frosty to measure: where it listens and how to call
// it, as its --ready-file says. AdminToken is needed by the Lifecycle mix
// alone; an empty AccountID means the default account.
type Target struct {
	URL             string
	Region          string
	AccountID       string
	AccessKeyID     string
	SecretAccessKey string
	AdminToken      string
}

// Config is what a run measures, and how.
type Config struct {
	// Target is a running Frosty; nil starts one in this process, with
	// the manual lifecycle, on Store.
	Target *Target
	// Store is where the in-process Frosty keeps its records: "" for a
	// SQLite file in Dir, a file, or a postgres:// URL of a server on
	// which the run creates a schema of its own and drops it after.
	Store string
	// CeilingStore is where the SQL ceiling runs: a postgres:// URL (a
	// schema of the run's own), or "" for Store when it is PostgreSQL and
	// a SQLite file in Dir otherwise.
	CeilingStore string
	// Calls are the calls and mixes to measure; nil means all of Calls.
	Calls []string
	// Clients is how many clients (or goroutines, for the SQL ceiling)
	// send requests back to back.
	Clients int
	// Duration is the length of each measurement; Rounds how many of
	// each, Frosty and ceiling taking turns to go first.
	Duration time.Duration
	Rounds   int
	// Jobs is how many jobs are created before the rounds: ListJobs reads
	// a page of them.
	Jobs int
	// Dir holds the scratch files; "" makes a temporary directory,
	// removed after.
	Dir string
	// Progress, if set, gets a line per measurement.
	Progress io.Writer
}

// Defaults of the Config fields left zero.
const (
	DefaultClients  = 16
	DefaultDuration = 2 * time.Second
	DefaultRounds   = 5
	DefaultJobs     = 1000
)

func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.Calls) == 0 {
		cfg.Calls = Calls
	}
	for _, c := range cfg.Calls {
		if !slices.Contains(Calls, c) {
			return cfg, fmt.Errorf("unknown call %q: the calls are %s", c, strings.Join(Calls, ", "))
		}
	}
	if cfg.Clients <= 0 {
		cfg.Clients = DefaultClients
	}
	if cfg.Duration <= 0 {
		cfg.Duration = DefaultDuration
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = DefaultRounds
	}
	if cfg.Jobs <= 0 {
		cfg.Jobs = DefaultJobs
	}
	if cfg.CeilingStore == "" && IsPostgres(cfg.Store) {
		cfg.CeilingStore = cfg.Store
	}
	if cfg.CeilingStore != "" && !IsPostgres(cfg.CeilingStore) {
		return cfg, fmt.Errorf("the ceiling store must be a postgres:// URL, or empty for SQLite")
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	return cfg, nil
}

// measured is one call's sides: Frosty, its ceiling and, for a read when
// Frosty runs in this process, the floor (see httpCeiling).
type measured struct {
	name    string
	unit    string
	frosty  op
	ceiling op     // nil: none
	floor   op     // nil: none
	kind    string // of the ceiling
	read    []byte // the request of a read, which the HTTP ceiling answers
	frostyS []*sample
	ceilS   []*sample
	floorS  []*sample
}

// Run measures cfg.Calls and reports on them. A request that did not get
// a 200 is counted in the report, not returned as an error.
func Run(ctx context.Context, cfg Config) (_ *Report, err error) {
	cfg, err = cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dir := cfg.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "frosty-bench"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	}
	cleanup := func(fn func() error) {
		if e := fn(); e != nil && err == nil {
			err = e
		}
	}

	target := cfg.Target
	inProcess := target == nil
	var store snowball.Store // the in-process Frosty's
	if inProcess {
		scratch, err := newScratchStore(ctx, cfg.Store, dir, "frosty")
		if err != nil {
			return nil, err
		}
		defer cleanup(scratch.drop)
		store, err = scratch.open(ctx)
		if err != nil {
			return nil, err
		}
		defer cleanup(store.Close)
		f, err := startFrosty(ctx, store, newCredential(), "us-west-2")
		if err != nil {
			return nil, err
		}
		defer f.stop()
		target = &f.target
	}
	cred := sigv4.Credential{AccountID: target.AccountID, AccessKeyID: target.AccessKeyID, SecretAccessKey: target.SecretAccessKey}
	if cred.AccountID == "" {
		cred.AccountID = snowball.DefaultAccount
	}
	c := newClient(*target, cfg.Clients)
	defer c.close()

	fmt.Fprintf(cfg.Progress, "preloading %d jobs\n", cfg.Jobs)
	addressID, err := createAddress(ctx, c)
	if err != nil {
		return nil, err
	}
	jobIDs, err := createJobs(ctx, c, addressID, cfg.Jobs, 4*cfg.Clients)
	if err != nil {
		return nil, err
	}

	var answers map[string]fixedAnswer // of the HTTP ceiling
	var sqlc sqlCeiling
	ceilingKind := "SQL, SQLite"
	if IsPostgres(cfg.CeilingStore) {
		ceilingKind = "SQL, PostgreSQL"
	}
	calls := make([]*measured, 0, len(cfg.Calls))
	for _, name := range cfg.Calls {
		m := &measured{name: name, unit: "req/s"}
		switch name {
		case DescribeJob, ListJobs:
			body := listJobsRequest()
			if name == DescribeJob {
				body = describeJobRequest(jobIDs[0])
			}
			if answers == nil {
				answers = map[string]fixedAnswer{}
			}
			// The ceiling answers what Frosty answered to the same request.
			resp, err := c.call(ctx, name, body)
			if err != nil {
				return nil, err
			}
			if err := resp.err(name); err != nil {
				return nil, err
			}
			answers[name] = fixedAnswer{contentType: resp.header.Get("Content-Type"), body: resp.body}
			m.frosty = callOp(c, name, func(int) []byte { return body })
			m.read = body // the ceiling's op is made once its server runs
			m.kind = "HTTP+SigV4"
		case CreateAddress:
			m.frosty = callOp(c, name, func(int) []byte { return createAddressRequest() })
			m.ceiling = func(ctx context.Context, _ int) (int, error) { return 1, sqlc.createAddress(ctx) }
		case CreateJob:
			m.frosty = callOp(c, name, func(int) []byte { return createJobRequest(addressID) })
			m.ceiling = func(ctx context.Context, _ int) (int, error) { return 1, sqlc.createJob(ctx) }
		case UpdateJob:
			ids, err := updatableJobs(ctx, c, jobIDs, addressID, cfg.Clients)
			if err != nil {
				return nil, err
			}
			var next atomic.Int64
			m.frosty = callOp(c, name, func(int) []byte {
				return updateJobRequest(ids[int(next.Add(1)-1)%len(ids)])
			})
			m.ceiling = func(ctx context.Context, _ int) (int, error) { return 1, sqlc.updateJob(ctx) }
		case Lifecycle:
			m.unit = "transitions/s"
			m.frosty = lifecycleOp(c, addressID, cfg.Clients)
		}
		if m.kind == "" && m.ceiling != nil {
			m.kind = ceilingKind
			if sqlc == nil {
				fmt.Fprintf(cfg.Progress, "preparing the SQL ceiling (%s)\n", ceilingKind)
				if sqlc, err = openSQLCeiling(ctx, cfg.CeilingStore, dir, cred, target.Region, cfg.Jobs); err != nil {
					return nil, err
				}
				defer cleanup(sqlc.close)
			}
		}
		calls = append(calls, m)
	}
	if answers != nil {
		keys, err := sigv4.NewKeyring([]sigv4.Credential{cred})
		if err != nil {
			return nil, err
		}
		cc, closeCeiling, err := serveReads(c, keys, answers, nil)
		if err != nil {
			return nil, err
		}
		defer closeCeiling()
		var fc *client // of the floor
		if store != nil {
			reads, err := storeReads(ctx, store, jobIDs[0])
			if err != nil {
				return nil, err
			}
			var closeFloor func()
			if fc, closeFloor, err = serveReads(c, keys, answers, reads); err != nil {
				return nil, err
			}
			defer closeFloor()
		}
		for _, m := range calls {
			if m.read != nil {
				m.ceiling = callOp(cc, m.name, func(int) []byte { return m.read })
				if fc != nil {
					m.floor = callOp(fc, m.name, func(int) []byte { return m.read })
				}
			}
		}
	}

	for r := range cfg.Rounds {
		for _, m := range calls {
			type side struct {
				name string
				fn   op
				out  *[]*sample
			}
			sides := []side{{"Frosty", m.frosty, &m.frostyS}, {"ceiling", m.ceiling, &m.ceilS}}
			if m.floor != nil {
				sides = append(sides, side{"floor", m.floor, &m.floorS})
			}
			// Each side goes first in turn.
			for range r % len(sides) {
				sides = append(sides[1:], sides[0])
			}
			for _, s := range sides {
				if s.fn == nil {
					continue
				}
				smp := measure(ctx, cfg.Clients, cfg.Duration, s.fn)
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				*s.out = append(*s.out, smp)
				fmt.Fprintf(cfg.Progress, "round %d/%d  %-13s  %-7s  %9.0f %s  errors %d\n", r+1, cfg.Rounds, m.name, s.name, smp.rate(), m.unit, smp.errors)
			}
		}
	}
	return newReport(cfg, target.URL, inProcess, calls), nil
}

// callOp is one call of op on c, whose body body returns for the worker.
func callOp(c *client, name string, body func(worker int) []byte) op {
	return func(ctx context.Context, worker int) (int, error) {
		resp, err := c.call(ctx, name, body(worker))
		if err != nil {
			return 0, err
		}
		return 1, resp.err(name)
	}
}

// updatableJobs returns the jobs UpdateJob may change: those that neither
// DescribeJob (the first) nor ListJobs (the first page) reads, so that the
// ceiling's answers stay what Frosty answers.
func updatableJobs(ctx context.Context, c *client, jobIDs []string, addressID string, clients int) ([]string, error) {
	var page struct{ JobListEntries []struct{ JobId string } }
	if err := callJSON(ctx, c, ListJobs, listJobsRequest(), &page); err != nil {
		return nil, err
	}
	read := map[string]bool{jobIDs[0]: true}
	for _, e := range page.JobListEntries {
		read[e.JobId] = true
	}
	var ids []string
	for _, id := range jobIDs {
		if !read[id] {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return createJobs(ctx, c, addressID, clients, clients)
	}
	return ids, nil
}

// lifecycleOp is the lifecycle mix: each client creates an import job,
// then advances it one state a call to Complete, and starts again. Each
// advance is a transition; the CreateJob counts none.
func lifecycleOp(c *client, addressID string, clients int) op {
	path := snowball.JobPath(snowball.KindImport)
	type progress struct {
		jobID string
		at    int // index in path
	}
	jobs := make([]progress, clients)
	return func(ctx context.Context, worker int) (int, error) {
		p := &jobs[worker]
		if p.jobID == "" {
			id, err := createJob(ctx, c, addressID)
			if err != nil {
				return 0, err
			}
			*p = progress{jobID: id}
			return 0, nil
		}
		to := path[p.at+1]
		resp, err := c.advance(ctx, p.jobID, to)
		if err != nil {
			return 0, err
		}
		if err := resp.err("advance to " + string(to)); err != nil {
			p.jobID = "" // start afresh rather than fail on the same job again
			return 0, err
		}
		p.at++
		if path[p.at] == model.JobStateComplete {
			p.jobID = ""
		}
		return 1, nil
	}
}
