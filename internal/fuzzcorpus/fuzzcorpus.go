// Package fuzzcorpus keeps a fuzz target's checked-in seed corpus in step
// with the seeds its tests generate, so that a change to a format, a key
// or a time in the tests cannot leave a stale corpus behind.
package fuzzcorpus

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Check compares the files of testdata/fuzz/<fuzzName> named in seeds with
// the seeds, in the go command's corpus format; with update it writes them
// instead. Files not named in seeds, such as inputs the fuzzer saved, are
// left alone.
func Check(t testing.TB, fuzzName string, seeds map[string][]any, update bool) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", fuzzName)
	if update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, args := range seeds {
		b := Encode(args...)
		path := filepath.Join(dir, name)
		if update {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run go test -run Corpus -update-corpus)", err)
			continue
		}
		if diff := cmp.Diff(string(b), string(got)); diff != "" {
			t.Errorf("%s is stale (run go test -run Corpus -update-corpus); (-want +got):\n%s", path, diff)
		}
	}
}

// Encode writes one corpus entry as the go command does.
func Encode(args ...any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch a := a.(type) {
		case string:
			fmt.Fprintf(&b, "string(%q)\n", a)
		default:
			fmt.Fprintf(&b, "%T(%v)\n", a, a)
		}
	}
	return b.Bytes()
}
