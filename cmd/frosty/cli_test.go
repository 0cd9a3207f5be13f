package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestHelp: help is asked for, so it goes to stdout with exit 0.
func TestHelp(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantOut string
	}{
		{"Help", []string{"help"}, "usage: frosty <command>"},
		{"DashH", []string{"-h"}, "usage: frosty <command>"},
		{"DashDashHelp", []string{"--help"}, "usage: frosty <command>"},
		{"ServeH", []string{"serve", "-h"}, "FROSTY_LISTEN"},
		{"ServeHelp", []string{"serve", "--help"}, "FROSTY_READY_FILE"},
		{"HelpServe", []string{"help", "serve"}, "FROSTY_CORS_ORIGINS"},
		{"HealthH", []string{"health", "-h"}, "FROSTY_ENDPOINT"},
		{"VersionH", []string{"version", "-h"}, "Flags of frosty version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := frosty(t, tt.args...)
			if code != 0 || !strings.Contains(out, tt.wantOut) || errOut != "" {
				t.Errorf("frosty %v: exit %d, stdout %q, stderr %q; want exit 0, stdout with %q, nothing on stderr",
					tt.args, code, out, errOut, tt.wantOut)
			}
		})
	}
}

// TestServeHelpListsEveryVariable: each flag of serve can be set by its
// FROSTY_ variable, so the help names every one.
func TestServeHelpListsEveryVariable(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "-h"}, &out, &errOut); code != 0 {
		t.Fatalf("serve -h: exit %d, stderr %q", code, errOut.String())
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	new(serveConfig).register(fs)
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		if want := "--" + f.Name; !strings.Contains(out.String(), want) {
			t.Errorf("serve -h does not list %s", want)
		}
		if want := envName(f.Name); !strings.Contains(out.String(), want) {
			t.Errorf("serve -h does not name %s for --%s", want, f.Name)
		}
	})
	if n < 20 {
		t.Errorf("serve has %d flags; the test lost them", n)
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-version"} {
		out, errOut, code := frosty(t, arg)
		if code != 0 || !strings.HasPrefix(out, "frosty ") || !strings.Contains(out, "Snowball API 2016-06-30") || errOut != "" {
			t.Errorf("frosty %s: exit %d, stdout %q, stderr %q; want exit 0 and the version on stdout", arg, code, out, errOut)
		}
	}
}

// TestUsageErrors: a mistake on the command line is still exit 2 with the
// error on stderr and nothing on stdout.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"UnknownFlag", []string{"serve", "--no-such-flag"}, "flag provided but not defined"},
		{"HelpUnknownCommand", []string{"help", "thaw"}, `unknown command "thaw"`},
		{"BadCORSOrigin", []string{"serve", "--cors-origins", "localhost:3000"}, `"localhost:3000" is not an origin`},
		{"HealthArgument", []string{"health", "now"}, `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := frosty(t, tt.args...)
			if code != 2 || out != "" || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("frosty %v: exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout, stderr with %q",
					tt.args, code, out, errOut, tt.wantErr)
			}
		})
	}
}

func TestHealthCommand(t *testing.T) {
	answer := func(status int, body string) string {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/_frosty/health" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
		}))
		t.Cleanup(ts.Close)
		return ts.URL
	}
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		return "http://" + ln.Addr().String()
	}()
	tests := []struct {
		name     string
		endpoint string
		wantCode int
		wantErr  string
	}{
		{"OK", answer(http.StatusOK, `{"status":"ok"}`), 0, ""},
		{"OKTrailingSlash", answer(http.StatusOK, `{"status":"ok"}`) + "/", 0, ""},
		{"ErrUnavailable", answer(http.StatusServiceUnavailable, `{"status":"unavailable","reason":"store: disk on fire"}`), 1, "HTTP 503 store: disk on fire"},
		{"ErrNotFrosty", answer(http.StatusNotFound, "no"), 1, "HTTP 404"},
		{"ErrRefused", refused, 1, "connection refused"},
	}
	t.Run("FollowsFROSTY_LISTEN", func(t *testing.T) {
		// The image sets FROSTY_LISTEN; its HEALTHCHECK gives no --endpoint.
		t.Setenv("FROSTY_LISTEN", strings.TrimPrefix(answer(http.StatusOK, `{"status":"ok"}`), "http://"))
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"health"}, &out, &errOut); code != 0 {
			t.Errorf("health with FROSTY_LISTEN: exit %d, stderr %q", code, errOut.String())
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), []string{"health", "--endpoint", tt.endpoint}, &out, &errOut)
			if code != tt.wantCode || !strings.Contains(errOut.String(), tt.wantErr) || strings.Count(errOut.String(), "\n") > 1 {
				t.Errorf("health: exit %d, stdout %q, stderr %q; want exit %d, stderr with %q", code, out.String(), errOut.String(), tt.wantCode, tt.wantErr)
			}
		})
	}
}

// TestReadyFile: --ready-file appears once the server serves, says how to
// call it, and is gone after a clean shutdown.
func TestReadyFile(t *testing.T) {
	data := t.TempDir()
	ready := filepath.Join(t.TempDir(), "frosty.json")
	if err := os.WriteFile(ready, []byte(`{"url": "http://127.0.0.1:1"}`), 0o644); err != nil { // a killed server's
		t.Fatal(err)
	}
	p := startServer(t, data, "--ready-file", ready, "--cors-origins", "http://localhost:3000")
	got := mustReadReady(t, ready)
	sec, err := readSecrets(data)
	if err != nil {
		t.Fatal(err)
	}
	want := readyInfo{
		URL: p.url, Region: "us-west-2", AccountID: "000000000000",
		AccessKeyID: p.keyID, SecretAccessKey: p.secret, AdminToken: sec.AdminToken,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ready file (-want +got):\n%s", diff)
	}
	if fi, err := os.Stat(ready); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("ready file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}

	// Its URL and admin token work, and the server takes --cors-origins.
	req, _ := http.NewRequest(http.MethodGet, got.URL+"/_frosty/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+got.AdminToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("metrics with the ready file's token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req, _ = http.NewRequest(http.MethodOptions, got.URL+"/", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent ||
		resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("preflight: %v %v; want 204 allowing http://localhost:3000", resp, err)
	} else {
		resp.Body.Close()
	}
	if out, errOut, code := frosty(t, "health", "--endpoint", got.URL); code != 0 || out != "ok\n" {
		t.Errorf("frosty health: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("frosty serve: %v after SIGTERM; stderr:\n%s", err, p.stderr)
	}
	if _, err := os.Stat(ready); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after a clean shutdown the ready file is still there (%v)", err)
	}
}

// TestReadyFileAuthNone: without signatures any key works; the file says test.
func TestReadyFileAuthNone(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready.json")
	cmd := exec.Command(binary, "serve", "--listen", "0.0.0.0:0", "--data", t.TempDir(), "--lifecycle", "manual",
		"--auth", "none", "--ready-file", ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	got := mustReadReady(t, ready)
	if got.AccessKeyID != "test" || got.SecretAccessKey != "test" || got.AccountID != "000000000000" || got.Region != "us-west-2" {
		t.Errorf("ready file with --auth none: %+v", got)
	}
	// Listening on every interface, it names loopback: a URL a client dials.
	if !strings.HasPrefix(got.URL, "http://127.0.0.1:") || strings.HasSuffix(got.URL, ":0") {
		t.Errorf("url %q, want http://127.0.0.1:<port>", got.URL)
	}
	if out, errOut, code := frosty(t, "health", "--endpoint", got.URL); code != 0 {
		t.Errorf("frosty health %s: exit %d, stdout %q, stderr %q", got.URL, code, out, errOut)
	}
}

// TestReadyFileStale: a ready file left by a server that was killed is
// removed even when the new server cannot start.
func TestReadyFileStale(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ready := filepath.Join(t.TempDir(), "ready.json")
	if err := os.WriteFile(ready, []byte(`{"url": "http://127.0.0.1:1"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := frosty(t, "serve", "--listen", ln.Addr().String(), "--data", t.TempDir(), "--ready-file", ready)
	if code != 1 || !strings.Contains(errOut, "--listen") {
		t.Fatalf("serve on a port in use: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(ready); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the stale ready file is still there (%v)", err)
	}
}

func TestDialURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1:4590", "http://127.0.0.1:4590"},
		{"0.0.0.0:4590", "http://127.0.0.1:4590"},
		{"[::]:4590", "http://127.0.0.1:4590"},
		{"[::1]:4590", "http://[::1]:4590"},
		{":4590", "http://127.0.0.1:4590"},
		{"192.0.2.7:80", "http://192.0.2.7:80"},
	}
	for _, tt := range tests {
		if got := dialURL(tt.addr); got != tt.want {
			t.Errorf("dialURL(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// mustReadReady waits (at most 30 s) for the server to write the ready
// file and decodes it. A file is never seen half-written: it is renamed
// into place.
func mustReadReady(tb testing.TB, path string) readyInfo {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			var info readyInfo
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&info); err != nil {
				tb.Fatalf("ready file %s: %v\n%s", path, err, b)
			}
			if info.URL != "http://127.0.0.1:1" { // not the stale one the test left
				return info
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("no ready file %s within 30 s (%v)", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
