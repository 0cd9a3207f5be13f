package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGeneratedIsCurrent fails when model_gen.go was not regenerated after a
// change to the model or to this generator.
func TestGeneratedIsCurrent(t *testing.T) {
	spec, err := os.ReadFile("../api-2.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../model_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("internal/model/model_gen.go is stale: run `go generate ./internal/model`")
	}
}
