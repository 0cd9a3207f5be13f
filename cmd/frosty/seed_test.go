package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
)

// exampleSeed is the seed checked into the repository: two addresses, an
// import job WithCustomer, an export job whose part is InProgress, a
// cluster of three, a long-term pricing, a pickup location and an image.
const exampleSeed = "../../examples/seed.json"

// exampleJobs is how many jobs exampleSeed makes: the import, the export
// and its part, and the cluster's three nodes.
const exampleJobs = 6

// wantSeeded checks what a client of p sees of exampleSeed: jobs jobs, and
// the catalogues.
func wantSeeded(t *testing.T, p *serverProcess, jobs int) {
	t.Helper()
	ctx := t.Context()
	c := p.client()
	out, err := c.ListJobs(ctx, &snowball.ListJobsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.JobListEntries) != jobs {
		t.Fatalf("ListJobs: %d jobs, want %d", len(out.JobListEntries), jobs)
	}
	for _, e := range out.JobListEntries {
		if aws.ToString(e.Description) == "Archive migration, batch 1" && e.JobState != types.JobStateWithCustomer {
			t.Errorf("the seeded import job is %s, want WithCustomer", e.JobState)
		}
	}
	pickups, err := c.ListPickupLocations(ctx, &snowball.ListPickupLocationsInput{})
	if err != nil || len(pickups.Addresses) != 1 {
		t.Errorf("ListPickupLocations = %+v, %v; want the seeded one", pickups, err)
	}
	images, err := c.ListCompatibleImages(ctx, &snowball.ListCompatibleImagesInput{})
	if err != nil || len(images.CompatibleImages) != 1 {
		t.Errorf("ListCompatibleImages = %+v, %v; want the seeded one", images, err)
	}
}

// badSeed writes a seed file with a mistake in its second job and returns
// its path.
func badSeed(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(exampleSeed)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), `"state": "InProgress"`, `"state": "Shipped"`, 1)
	if bad == string(b) {
		t.Fatal("the example seed has no export job InProgress to spoil")
	}
	path := filepath.Join(t.TempDir(), "bad-seed.json")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeSeed: serve --seed loads the seed into an empty store, and a
// restart on the same data directory does not load its records again.
func TestServeSeed(t *testing.T) {
	data := t.TempDir()
	p := startServer(t, data, "--seed", exampleSeed)
	wantSeeded(t, p, exampleJobs)
	if !strings.Contains(p.stderr.String(), "seed applied") {
		t.Errorf("the log does not say the seed was applied:\n%s", p.stderr)
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()

	p = startServer(t, data, "--seed", exampleSeed)
	wantSeeded(t, p, exampleJobs)
	if !strings.Contains(p.stderr.String(), "seed not applied: the store has records already") {
		t.Errorf("the log does not say the seed was skipped:\n%s", p.stderr)
	}
}

// TestServeSeedInvalid: a seed file with a mistake stops the server before
// it serves, with one line naming the file and the field.
func TestServeSeedInvalid(t *testing.T) {
	bad := badSeed(t)
	for _, tc := range []struct {
		name, file, want string
	}{
		{"Field", bad, "frosty: seed file " + bad + `: jobs[1].state: "Shipped" is not a job state`},
		{"Missing", filepath.Join(t.TempDir(), "none.json"), "frosty: seed file: open "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := frosty(t, "serve", "--listen", "127.0.0.1:0", "--data", t.TempDir(), "--seed", tc.file)
			if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, tc.want) || strings.Contains(out, "serving") {
				t.Errorf("serve --seed %s: exit %d, stdout %q, stderr %q; want exit 1 and one line starting %q", tc.file, code, out, errOut, tc.want)
			}
		})
	}
}

// TestSeedAndResetCommands drives `frosty seed` and `frosty reset`
// against a running server.
func TestSeedAndResetCommands(t *testing.T) {
	data := t.TempDir()
	p := startServer(t, data)
	op := []string{"--endpoint", p.url, "--data", data}

	out, errOut, code := frosty(t, append([]string{"seed", exampleSeed}, op...)...)
	if code != 0 || !strings.Contains(out, "KIND") {
		t.Fatalf("frosty seed: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, want := range []string{`pickup location\s+depot\s+ADID`, `address\s+hq\s+ADID`, `long-term pricing\s+edge-c-year\s+LTPID`,
		`cluster\s+edge-cluster\s+CID`, `job\s+import\s+JID`, `job\s+export\s+JID`} {
		if !regexp.MustCompile(`(?m)^` + want).MatchString(out) {
			t.Errorf("frosty seed printed\n%s\nwithout a line %q", out, want)
		}
	}
	wantSeeded(t, p, exampleJobs)

	// A bad file is refused whole, naming the file and the field.
	bad := badSeed(t)
	_, errOut, code = frosty(t, append([]string{"seed", bad}, op...)...)
	if code != 1 || !strings.Contains(errOut, bad+`: jobs[1].state: "Shipped" is not a job state`) {
		t.Errorf("frosty seed of a bad file: exit %d, stderr %q", code, errOut)
	}
	wantSeeded(t, p, exampleJobs)

	// One account, which is the only one here; the catalogues stay.
	out, errOut, code = frosty(t, append([]string{"reset", "--account", "000000000000"}, op...)...)
	if code != 0 || !strings.HasPrefix(out, "reset account 000000000000: removed 2 addresses, 6 jobs, 1 cluster, 1 long-term pricing contract, ") {
		t.Errorf("frosty reset --account: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	wantSeeded(t, p, 0)

	// Again, then every account.
	if _, errOut, code = frosty(t, append([]string{"seed", exampleSeed}, op...)...); code != 0 {
		t.Fatalf("frosty seed after the reset: exit %d, stderr %q", code, errOut)
	}
	wantSeeded(t, p, exampleJobs)
	out, errOut, code = frosty(t, append([]string{"reset"}, op...)...)
	if code != 0 || !strings.HasPrefix(out, "reset every account: removed 2 addresses, 6 jobs,") {
		t.Errorf("frosty reset: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	wantSeeded(t, p, 0)

	for _, args := range [][]string{{"reset", "--account", "12"}, {"seed"}, {"seed", "a.json", "b.json"}} {
		if _, errOut, code := frosty(t, append(args, op...)...); code != 2 {
			t.Errorf("frosty %v: exit %d, stderr %q; want the usage error, 2", args, code, errOut)
		}
	}
}
