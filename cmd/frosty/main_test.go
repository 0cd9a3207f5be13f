package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/frostyhq/frosty/internal/sdkhttp"
)

// binary is the frosty command built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "frosty-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "frosty")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serverProcess is a running `frosty serve`.
type serverProcess struct {
	cmd    *exec.Cmd
	url    string
	keyID  string
	secret string
	token  string // the operator token
	stderr *syncBuffer
}

// syncBuffer collects a process's output while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var (
	urlLine    = regexp.MustCompile(`serving the Snowball API at (http://\S+)`)
	keyLine    = regexp.MustCompile(`export AWS_ACCESS_KEY_ID=(\S+)`)
	secretLine = regexp.MustCompile(`export AWS_SECRET_ACCESS_KEY=(\S+)`)
)

// startServer runs the real binary on port 0 and reads how to connect from
// its banner, as a newcomer would.
func startServer(t testing.TB, dataDir string, extra ...string) *serverProcess {
	t.Helper()
	p := &serverProcess{stderr: &syncBuffer{}}
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--data", dataDir, "--lifecycle", "manual"}, extra...)
	p.cmd = exec.Command(binary, args...)
	p.start(t, 30*time.Second)
	if p.url == "" || p.keyID == "" || p.secret == "" {
		t.Fatalf("banner incomplete (url %q key %q); stderr:\n%s", p.url, p.keyID, p.stderr)
	}
	return p
}

// start starts p.cmd, its stderr into p.stderr, and reads from its banner
// how to call it, waiting up to wait for the banner's last line; the
// process is killed when tb ends.
func (p *serverProcess) start(tb testing.TB, wait time.Duration) {
	tb.Helper()
	p.cmd.Stderr = p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	banner := make(chan struct{})
	go func() {
		defer close(banner)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if m := urlLine.FindStringSubmatch(line); m != nil {
				p.url = m[1]
			}
			if m := keyLine.FindStringSubmatch(line); m != nil {
				p.keyID = m[1]
			}
			if m := secretLine.FindStringSubmatch(line); m != nil {
				p.secret = m[1]
			}
			if v, ok := strings.CutPrefix(line, "Operator API token:"); ok {
				if f := strings.Fields(v); len(f) > 0 {
					p.token = f[0]
				}
				break
			}
		}
		go io.Copy(io.Discard, stdout)
	}()
	select {
	case <-banner:
	case <-time.After(wait):
		p.cmd.Process.Kill()
		tb.Fatalf("no banner within %v; stderr:\n%s", wait, p.stderr)
	}
}

// client is an aws-sdk-go-v2 client of p that never retries, so tests see
// every error; optFns change its options.
func (p *serverProcess) client(optFns ...func(*snowball.Options)) *snowball.Client {
	return snowball.New(snowball.Options{
		BaseEndpoint: aws.String(p.url),
		Region:       "us-west-2",
		Credentials:  credentials.NewStaticCredentialsProvider(p.keyID, p.secret, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkhttp.BufferedClient{Client: &http.Client{}},
	}, optFns...)
}

// frosty runs a subcommand of the binary, which must end by itself within
// a minute: a server that starts when it should not is killed rather than
// left to hang the test.
func frosty(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("frosty %v still running after a minute; stderr:\n%s", args, errb.String())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestEndToEnd drives the real binary through a user's session: address,
// job, operator advance, manifest download and unlock; then kills the
// server with SIGKILL and checks that a restart on the same data directory
// kept everything.
func TestEndToEnd(t *testing.T) {
	data := t.TempDir()
	p := startServer(t, data)

	resp, err := http.Get(p.url + "/_frosty/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health: HTTP %d", resp.StatusCode)
	}

	sb := p.client()
	addr, err := sb.CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: &types.Address{
		Name: aws.String("Ops"), Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	job, err := sb.CreateJob(t.Context(), &snowball.CreateJobInput{
		JobType: types.JobTypeImport, AddressId: addr.AddressId, ShippingOption: types.ShippingOptionSecondDay,
		SnowballType: types.SnowballTypeEdge,
		Resources:    &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::bucket")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	jobID := aws.ToString(job.JobId)

	out, errOut, code := frosty(t, "advance", "--endpoint", p.url, "--data", data, "--job", jobID, "--to", "WithCustomer")
	if code != 0 || strings.TrimSpace(out) != jobID+" WithCustomer" {
		t.Fatalf("frosty advance: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	out, errOut, code = frosty(t, "events", jobID, "--endpoint", p.url, "--data", data)
	for _, want := range []string{"(created)", "PreparingAppliance", "WithCustomer", "operator"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("frosty events: exit %d, stdout %q, stderr %q; want %q in the timeline", code, out, errOut, want)
		}
	}

	unlock, err := sb.GetJobUnlockCode(t.Context(), &snowball.GetJobUnlockCodeInput{JobId: &jobID})
	if err != nil {
		t.Fatal(err)
	}
	m, err := sb.GetJobManifest(t.Context(), &snowball.GetJobManifestInput{JobId: &jobID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(aws.ToString(m.ManifestURI))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("manifest download: HTTP %d %s", resp.StatusCode, body)
	}
	manifestFile := filepath.Join(t.TempDir(), "manifest.bin")
	if err := os.WriteFile(manifestFile, body, 0o600); err != nil {
		t.Fatal(err)
	}

	out, errOut, code = frosty(t, "unlock", "--manifest", manifestFile, "--unlock-code", aws.ToString(unlock.UnlockCode))
	var doc struct {
		JobID string `json:"jobId"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.JobID != jobID {
		t.Fatalf("frosty unlock: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = frosty(t, "unlock", "--manifest", manifestFile, "--unlock-code", "aaaaa-bbbbb-ccccc-ddddd-eeeee")
	if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 {
		t.Errorf("unlock with a wrong code: exit %d, stdout %q, stderr %q; want exit 1, nothing on stdout, one line on stderr", code, out, errOut)
	}
	if err := os.WriteFile(manifestFile, body[:len(body)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code = frosty(t, "unlock", "--manifest", manifestFile, "--unlock-code", aws.ToString(unlock.UnlockCode)); code != 1 || out != "" {
		t.Errorf("unlock of a truncated manifest: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	// An acknowledged write survives kill -9.
	if _, err := sb.UpdateJobShipmentState(t.Context(), &snowball.UpdateJobShipmentStateInput{JobId: &jobID, ShipmentState: types.ShipmentStateReturned}); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()

	p2 := startServer(t, data)
	if p2.keyID != p.keyID {
		t.Errorf("restart generated new credentials %s, want the stored %s", p2.keyID, p.keyID)
	}
	d, err := p2.client().DescribeJob(t.Context(), &snowball.DescribeJobInput{JobId: &jobID})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.JobMetadata.JobState; got != "InTransitToAWS" {
		t.Errorf("after kill -9 and restart the job is %s, want InTransitToAWS", got)
	}
	out, errOut, code = frosty(t, "advance", "--endpoint", p2.url, "--data", data, "--job", jobID, "--to", "New")
	if code != 1 || !strings.Contains(errOut, "HTTP 400") {
		t.Errorf("advance backwards: exit %d, stdout %q, stderr %q; want exit 1 with HTTP 400", code, out, errOut)
	}
}

// TestWebhookEndToEnd runs the binary with --webhook: a job whose
// Notification asks for WithCustomer is advanced there, and the receiver
// gets that one message.
func TestWebhookEndToEnd(t *testing.T) {
	got := make(chan map[string]string, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		json.NewDecoder(r.Body).Decode(&m)
		got <- m
	}))
	defer receiver.Close()
	data := t.TempDir()
	p := startServer(t, data, "--webhook", receiver.URL)
	sb := p.client()
	addr, err := sb.CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	job, err := sb.CreateJob(t.Context(), &snowball.CreateJobInput{
		JobType: types.JobTypeLocalUse, AddressId: addr.AddressId, ShippingOption: types.ShippingOptionNextDay,
		Notification: &types.Notification{JobStatesToNotify: []types.JobState{types.JobStateWithCustomer}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := frosty(t, "advance", "--endpoint", p.url, "--data", data, "--job", *job.JobId, "--to", "WithCustomer"); code != 0 {
		t.Fatalf("advance: %s", errOut)
	}
	select {
	case m := <-got:
		if m["JobId"] != *job.JobId || m["JobState"] != "WithCustomer" || m["PreviousJobState"] != "InTransitToCustomer" {
			t.Errorf("webhook got %v, want the job entering WithCustomer", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no webhook call within 10 s; server log:\n%s", p.stderr)
	}
	select {
	case m := <-got:
		t.Errorf("unexpected second message %v", m)
	default:
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // a substring of stdout
		wantErr  string // a substring of stderr
	}{
		{"Version", []string{"version"}, 0, "frosty ", ""},
		{"NoCommand", nil, 2, "", "usage: frosty"},
		{"UnknownCommand", []string{"thaw"}, 2, "", `unknown command "thaw"`},
		{"UnknownFlag", []string{"serve", "--no-such-flag"}, 2, "", "flag provided but not defined"},
		{"BadAuth", []string{"serve", "--auth", "maybe"}, 2, "", "--auth must be sigv4 or none"},
		{"UnlockWithoutFlags", []string{"unlock"}, 2, "", "unlock needs --manifest"},
		{"UnlockMissingFile", []string{"unlock", "--manifest", "/nonexistent/m.bin", "--unlock-code", "aaaaa-bbbbb-ccccc-ddddd-eeeee"}, 1, "", "no such file"},
		{"AdvanceWithoutTarget", []string{"advance", "--job", "JID"}, 2, "", "advance needs --to"},
		{"EventsWithoutID", []string{"events"}, 2, "", "events needs a JobId"},
		{"BadTimeScale", []string{"serve", "--time-scale", "0"}, 2, "", "--time-scale must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := frosty(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("frosty %v: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
					tt.args, code, out, errOut, tt.wantCode, tt.wantOut, tt.wantErr)
			}
		})
	}
}
