package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// loadSeed reads and checks a seed file; its error names the file and the
// field at fault.
func loadSeed(path string) (*service.Seed, []byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("seed file: %w", err)
	}
	seed, err := service.ParseSeed(b)
	if err != nil {
		return nil, nil, fmt.Errorf("seed file %s: %s", path, message(err))
	}
	return seed, b, nil
}

// message is err's message without its code.
func message(err error) string {
	var e *snowball.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// seedAtStartup applies serve's --seed, but only to a store without
// records, so that a restart applies it once.
func seedAtStartup(ctx context.Context, svc *service.Service, path string, seed *service.Seed, log *slog.Logger) error {
	res, err := svc.SeedIfEmpty(ctx, seed)
	if err != nil {
		return fmt.Errorf("seed file %s: %s", path, message(err))
	}
	if res.Skipped {
		log.Info("seed not applied: the store has records already", "file", path)
		return nil
	}
	log.Info("seed applied", "file", path, "addresses", len(res.Addresses), "jobs", len(res.Jobs), "clusters", len(res.Clusters),
		"long_term_pricing", len(res.LongTermPricing), "pickup_locations", len(res.PickupLocations))
	return nil
}

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// runReset forgets the records of one account, or of every account, on a
// running server.
func runReset(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reset", stderr)
	account := fs.String("account", "", "the 12-digit account whose records to forget (default: every account's)")
	endpoint := fs.String("endpoint", "http://127.0.0.1:4590", "the running frosty serve")
	token := fs.String("admin-token", "", "the operator token (default: read from --data)")
	data := fs.String("data", "./frosty-data", "the data directory of the running server, to read its admin token from")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	body := map[string]string{}
	if *account != "" {
		if !accountPattern.MatchString(*account) {
			return fmt.Errorf("%w: --account %q is not an account ID of 12 digits", errUsage, *account)
		}
		body["accountId"] = *account
	}
	b, _ := json.Marshal(body)
	var out struct {
		snowball.RecordCounts
		Message string `json:"message"`
	}
	status, err := operatorCall(ctx, http.MethodPost, *endpoint, "/_frosty/reset", *token, *data, bytes.NewReader(b), &out)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", status, out.Message)
	}
	whose := "every account"
	if *account != "" {
		whose = "account " + *account
	}
	n := out.RecordCounts
	fmt.Fprintf(stdout, "reset %s: removed %s, %s, %s, %s, %s, %s and %s\n", whose,
		plural(n.Addresses, "address", "addresses"), plural(n.Jobs, "job", "jobs"), plural(n.Clusters, "cluster", "clusters"),
		plural(n.LongTermPricing, "long-term pricing contract", "long-term pricing contracts"), plural(n.Events, "event", "events"),
		plural(n.Messages, "outbox message", "outbox messages"), plural(n.SealedManifests, "sealed manifest", "sealed manifests"))
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// runSeed applies a seed file to a running server and prints the ID of
// every entry, with its ref.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", stderr)
	endpoint := fs.String("endpoint", "http://127.0.0.1:4590", "the running frosty serve")
	token := fs.String("admin-token", "", "the operator token (default: read from --data)")
	data := fs.String("data", "./frosty-data", "the data directory of the running server, to read its admin token from")
	// The file comes first, flags after it, as in `frosty seed seed.json --endpoint URL`.
	var path string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if path == "" {
		return fmt.Errorf("%w: seed needs a file: frosty seed FILE [--endpoint URL]", errUsage)
	}
	// Checked here first, so that a mistake names the file.
	seed, b, err := loadSeed(path)
	if err != nil {
		return err
	}
	var out struct {
		service.SeedResult
		Message string `json:"message"`
	}
	status, err := operatorCall(ctx, http.MethodPost, *endpoint, "/_frosty/seed", *token, *data, bytes.NewReader(b), &out)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("seed file %s: HTTP %d: %s", path, status, out.Message)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tREF\tID")
	row := func(kind, ref string, ids []string, i int) {
		if ref == "" {
			ref = "-"
		}
		if i < len(ids) {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", kind, ref, ids[i])
		}
	}
	for i, e := range seed.PickupLocations {
		row("pickup location", e.Ref, out.PickupLocations, i)
	}
	for i, e := range seed.Addresses {
		row("address", e.Ref, out.Addresses, i)
	}
	for i, e := range seed.LongTermPricing {
		row("long-term pricing", e.Ref, out.LongTermPricing, i)
	}
	for i, e := range seed.Clusters {
		row("cluster", e.Ref, out.Clusters, i)
	}
	for i, e := range seed.Jobs {
		row("job", e.Ref, out.Jobs, i)
	}
	return tw.Flush()
}
