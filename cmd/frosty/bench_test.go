package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchCommand runs frosty bench with tiny settings: every call is
// measured against its ceiling, with no error.
func TestBenchCommand(t *testing.T) {
	stdout, stderr, code := frosty(t, "bench", "--rounds", "1", "--duration", "100ms", "--clients", "2", "--jobs", "120")
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"DescribeJob", "ListJobs", "CreateAddress", "CreateJob", "UpdateJob", "Lifecycle (transitions/s)", "ratio median", "HTTP+SigV4", "SQL, SQLite"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the table has no %q:\n%s", want, stdout)
		}
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--calls", "Nope"},
		{"bench", "--rounds", "0"},
		{"bench", "--ceiling-store", "sqlite://x.db"},
		{"bench", "--endpoint", "http://127.0.0.1:1"},
	} {
		_, stderr, code := frosty(t, args...)
		if code != 2 {
			t.Errorf("frosty %v: exit %d, want 2 (usage); stderr: %s", args, code, stderr)
		}
	}
}

// TestBenchReadyFile measures a running frosty serve through its ready
// file: the in-process columns are left out.
func TestBenchReadyFile(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "frosty.json")
	startServer(t, t.TempDir(), "--ready-file", ready)
	mustReadReady(t, ready)
	stdout, stderr, code := frosty(t, "bench", "--ready-file", ready, "--calls", "DescribeJob,UpdateJob,Lifecycle",
		"--rounds", "1", "--duration", "100ms", "--clients", "2", "--jobs", "110")
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"DescribeJob", "UpdateJob", "Lifecycle", "store: the target's"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the table has no %q:\n%s", want, stdout)
		}
	}
}
