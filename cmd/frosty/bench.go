package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/frostyhq/frosty/internal/bench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr)
	readyFile := fs.String("ready-file", "", "measure the running frosty serve that wrote this --ready-file (run it with --lifecycle manual: UpdateJob needs jobs that stay New)")
	endpoint := fs.String("endpoint", "", "measure the running Frosty at this URL (with --access-key-id, --secret-access-key, --admin-token)")
	keyID := fs.String("access-key-id", "", "the access key of --endpoint")
	secret := fs.String("secret-access-key", "", "the secret key of --endpoint")
	region := fs.String("region", "us-west-2", "the region requests to --endpoint are signed for")
	adminToken := fs.String("admin-token", "", "the operator token of --endpoint, for the lifecycle mix")
	store := fs.String("store", "", "with no --ready-file or --endpoint, the store of the Frosty started in this process: a postgres:// URL (a schema of the run's own, dropped after) or a SQLite file (default: one in a temporary directory)")
	ceilingStore := fs.String("ceiling-store", "", "where the SQL ceiling runs: a postgres:// URL (a schema of the run's own, dropped after) (default: --store when it is PostgreSQL, else SQLite in a temporary directory)")
	calls := fs.String("calls", "all", "comma-separated calls to measure: "+strings.Join(bench.Calls, ", ")+", or all")
	clients := fs.Int("clients", bench.DefaultClients, "clients sending requests back to back (and goroutines of the SQL ceiling)")
	duration := fs.Duration("duration", bench.DefaultDuration, "length of each measurement")
	rounds := fs.Int("rounds", bench.DefaultRounds, "measurements of each call on each side; Frosty and its ceiling take turns to go first")
	jobs := fs.Int("jobs", bench.DefaultJobs, "jobs created before the rounds (ListJobs reads a page of 100)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *clients < 1 || *duration <= 0 || *rounds < 1 || *jobs < 1 {
		return fmt.Errorf("%w: --clients, --duration, --rounds and --jobs must be positive", errUsage)
	}
	cfg := bench.Config{Store: *store, CeilingStore: *ceilingStore, Clients: *clients, Duration: *duration, Rounds: *rounds, Jobs: *jobs, Progress: stderr}
	if *calls != "all" {
		for c := range strings.SplitSeq(*calls, ",") {
			c = strings.TrimSpace(c)
			if !slices.Contains(bench.Calls, c) {
				return fmt.Errorf("%w: --calls: %q is not a call; the calls are %s, or all", errUsage, c, strings.Join(bench.Calls, ", "))
			}
			cfg.Calls = append(cfg.Calls, c)
		}
	}
	if *ceilingStore != "" && !bench.IsPostgres(*ceilingStore) {
		return fmt.Errorf("%w: --ceiling-store must be a postgres:// URL (SQLite is the default)", errUsage)
	}
	switch {
	case *readyFile != "" && *endpoint != "":
		return fmt.Errorf("%w: give --ready-file or --endpoint, not both", errUsage)
	case *readyFile != "":
		b, err := os.ReadFile(*readyFile)
		if err != nil {
			return fmt.Errorf("--ready-file: %w", err)
		}
		var info readyInfo
		if err := json.Unmarshal(b, &info); err != nil {
			return fmt.Errorf("--ready-file %s: %w", *readyFile, err)
		}
		cfg.Target = &bench.Target{URL: info.URL, Region: info.Region, AccountID: info.AccountID,
			AccessKeyID: info.AccessKeyID, SecretAccessKey: info.SecretAccessKey, AdminToken: info.AdminToken}
	case *endpoint != "":
		if *keyID == "" || *secret == "" {
			return fmt.Errorf("%w: --endpoint needs --access-key-id and --secret-access-key", errUsage)
		}
		cfg.Target = &bench.Target{URL: *endpoint, Region: *region, AccessKeyID: *keyID, SecretAccessKey: *secret, AdminToken: *adminToken}
		if *adminToken == "" && *calls == "all" {
			// The lifecycle mix moves jobs through the operator API.
			fmt.Fprintln(stderr, "frosty bench: no --admin-token: the Lifecycle mix is left out")
			cfg.Calls = slices.DeleteFunc(slices.Clone(bench.Calls), func(c string) bool { return c == bench.Lifecycle })
		}
	}
	if cfg.Target != nil && *store != "" {
		return fmt.Errorf("%w: --store is for the Frosty bench starts itself; the target keeps its own store", errUsage)
	}

	r, err := bench.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if *asJSON {
		err = r.WriteJSON(stdout)
	} else {
		err = r.WriteTable(stdout)
	}
	if err != nil {
		return err
	}
	if n := r.Errors(); n > 0 {
		return fmt.Errorf("bench: %d requests or ceiling transactions failed (see the report)", n)
	}
	return nil
}
