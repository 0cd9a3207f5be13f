package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	_ "modernc.org/sqlite" // to damage a database the way a disk would
)

// TestStartupErrors: a configuration mistake stops frosty with one line
// that names the file or flag, never a server no one can use.
func TestStartupErrors(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dataWith := func(name, db string) string {
		d := filepath.Join(dir, name)
		os.MkdirAll(d, 0o700)
		if err := os.WriteFile(filepath.Join(d, "frosty.db"), []byte(db), 0o600); err != nil {
			t.Fatal(err)
		}
		return d
	}
	serve := func(extra ...string) []string {
		return append([]string{"serve", "--listen", "127.0.0.1:0", "--data", filepath.Join(dir, "data")}, extra...)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  []string // substrings of the one line on stderr
	}{
		{"CredentialsEmpty", serve("--credentials", file("empty.json", "[]")), 1,
			[]string{"credentials " + filepath.Join(dir, "empty.json"), "the array is empty"}},
		{"CredentialsObject", serve("--credentials", file("object.json", `{"accountId": "123456789012", "accessKeyId": "AK", "secretAccessKey": "s"}`)), 1,
			[]string{"object.json", "it is a JSON object", "want a JSON array of"}},
		{"CredentialsNotJSON", serve("--credentials", file("broken.json", `[{"accountId": `)), 1,
			[]string{"broken.json", "not valid JSON"}},
		{"CredentialsZeroBytes", serve("--credentials", file("zero.json", "")), 1,
			[]string{"zero.json", "not valid JSON"}},
		{"CredentialsUnknownKey", serve("--credentials", file("typo.json", `[{"account": "123456789012", "accessKeyId": "AK", "secretAccessKey": "s"}]`)), 1,
			[]string{"typo.json", `unknown key "account"`}},
		{"CredentialsBadAccount", serve("--credentials", file("account.json", `[{"accountId": "alice", "accessKeyId": "AK", "secretAccessKey": "s"}]`)), 1,
			[]string{"account.json", `accountId "alice" is not 12 digits`}},
		{"CredentialsNoSecret", serve("--credentials", file("nosecret.json", `[{"accountId": "123456789012", "accessKeyId": "AK"}]`)), 1,
			[]string{"nosecret.json", "empty secretAccessKey"}},
		{"CredentialsMissing", serve("--credentials", filepath.Join(dir, "nope.json")), 1,
			[]string{"credentials", "nope.json", "no such file"}},
		{"DatabaseZeroBytes", []string{"serve", "--listen", "127.0.0.1:0", "--data", dataWith("zero", "")}, 1,
			[]string{filepath.Join(dir, "zero", "frosty.db"), "empty"}},
		{"DatabaseNotSQLite", []string{"serve", "--listen", "127.0.0.1:0", "--data", dataWith("text", strings.Repeat("not a database\n", 400))}, 1,
			[]string{filepath.Join(dir, "text", "frosty.db"), "not an SQLite database"}},
		{"ProfileMisspelledState", serve("--lifecycle-profile", file("state.json", `{"dwell": {"PreparingApplianse": "2h"}}`)), 1,
			[]string{"lifecycle profile " + filepath.Join(dir, "state.json"), `unknown job state "PreparingApplianse"`}},
		{"ProfileMisspelledKey", serve("--lifecycle-profile", file("key.json", `{"dwel": {"New": "2h"}}`)), 1,
			[]string{"key.json", `unknown key "dwel"`}},
		{"ProfileMissing", serve("--lifecycle-profile", filepath.Join(dir, "nope-profile.json")), 1,
			[]string{"lifecycle profile", "nope-profile.json", "no such file"}},
		{"AdvanceUnknownState", []string{"advance", "--job", "JID123e4567-e89b-12d3-a456-426655440000", "--to", "Bogus"}, 2,
			[]string{`--to "Bogus" is not a job state`, "WithCustomer"}},
		{"AdvanceClusterUnknownState", []string{"advance", "--cluster", "CID123e4567-e89b-12d3-a456-426655440000", "--to", "Bogus"}, 2,
			[]string{`--to "Bogus" is not a cluster state`}},
		{"LogFormat", serve("--log-format", "xml"), 2, []string{"--log-format must be text or json"}},
		{"LogLevel", serve("--log-level", "loud"), 2, []string{"--log-level must be debug, info, warn or error"}},
		{"MaxInFlight", serve("--max-in-flight", "0"), 2, []string{"--max-in-flight must be at least 1"}},
		{"RequestTimeout", serve("--request-timeout", "0s"), 2, []string{"--request-timeout must be positive"}},
		{"ListenInUse", serve("--listen", "256.0.0.1:1"), 1, []string{"--listen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := frosty(t, tt.args...)
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if code != tt.wantCode || len(lines) != 1 || out != "" {
				t.Fatalf("frosty %v: exit %d, stdout %q, stderr %q; want exit %d and one line on stderr", tt.args, code, out, errOut, tt.wantCode)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q does not say %q", errOut, want)
				}
			}
			if strings.Contains(errOut, "Go value") || strings.Contains(errOut, "json: cannot") || strings.Contains(errOut, "sigv4.") {
				t.Errorf("stderr %q speaks Go, not the user's language", errOut)
			}
		})
	}
}

// TestShutdownStalledClient: SIGTERM while a client has stalled halfway
// through its request drains, cuts the client off, says so and exits 0.
func TestShutdownStalledClient(t *testing.T) {
	p := startServer(t, t.TempDir(), "--shutdown-timeout", "300ms")
	if _, err := p.client().DescribeAddresses(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: frosty\r\nContent-Length: 100\r\n"+
		"X-Amz-Target: AWSIESnowballJobManagementService.DescribeAddresses\r\n\r\n{")
	time.Sleep(50 * time.Millisecond) // let the server take the request in hand

	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	err = p.cmd.Wait()
	if err != nil {
		t.Errorf("frosty serve exited with %v after SIGTERM; stderr:\n%s", err, p.stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v with a 300ms drain", d)
	}
	log := p.stderr.String()
	for _, want := range []string{"connections still open after the drain were closed", "active=1", "frosty stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q:\n%s", want, log)
		}
	}
}

// TestHealthDamagedDatabase reproduces a disk that damages the database
// under a running server: the health check must say so.
func TestHealthDamagedDatabase(t *testing.T) {
	data := t.TempDir()
	p := startServer(t, data)
	c := p.client()
	if _, err := c.CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US")}}); err != nil {
		t.Fatal(err)
	}
	health := func() (int, map[string]string) {
		resp, err := http.Get(p.url + "/_frosty/health")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	if status, body := health(); status != http.StatusOK {
		t.Fatalf("healthy server: HTTP %d %v", status, body)
	}

	path := filepath.Join(data, "frosty.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte(strings.Repeat("\xde\xad\xbe\xef", 4096)), 0)
	f.Close()

	status, body := health()
	if status != http.StatusServiceUnavailable || body["status"] != "unavailable" || body["reason"] == "" {
		t.Errorf("damaged database: HTTP %d %v; want 503 with a reason", status, body)
	}
	if _, err := c.DescribeAddresses(t.Context(), nil); err == nil {
		t.Errorf("the API still answers from a damaged database")
	}
}

var pprofLine = regexp.MustCompile(`msg="pprof serving" addr=(http://\S+)`)

func TestDebugListen(t *testing.T) {
	t.Run("Off", func(t *testing.T) {
		p := startServer(t, t.TempDir())
		resp, err := http.Get(p.url + "/debug/pprof/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("pprof on the API port: HTTP %d, want 404", resp.StatusCode)
		}
	})
	t.Run("On", func(t *testing.T) {
		p := startServer(t, t.TempDir(), "--debug-listen", "127.0.0.1:0")
		var url string
		deadline := time.Now().Add(5 * time.Second)
		for url == "" && time.Now().Before(deadline) {
			if m := pprofLine.FindStringSubmatch(p.stderr.String()); m != nil {
				url = m[1]
			}
			time.Sleep(10 * time.Millisecond)
		}
		if url == "" {
			t.Fatalf("no pprof address in the log:\n%s", p.stderr)
		}
		resp, err := http.Get(url + "cmdline")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "serve") {
			t.Errorf("pprof cmdline: HTTP %d %q", resp.StatusCode, b)
		}
	})
}

func TestLogFormatJSON(t *testing.T) {
	p := startServer(t, t.TempDir(), "--log-format", "json")
	if _, err := p.client().DescribeAddresses(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	requests := 0
	sc := bufio.NewScanner(strings.NewReader(p.stderr.String()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		if rec["msg"] == "request" {
			requests++
			for _, k := range []string{"request_id", "kind", "op", "account", "status", "code", "latency_ms"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("request line %q has no %s", sc.Text(), k)
				}
			}
		}
	}
	if requests != 1 {
		t.Errorf("%d request lines, want 1:\n%s", requests, p.stderr)
	}
}
