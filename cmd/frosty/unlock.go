package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/frostyhq/frosty/internal/manifest"
)

func runUnlock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("unlock", stderr)
	path := fs.String("manifest", "", "the manifest file downloaded from GetJobManifest's URL")
	code := fs.String("unlock-code", "", "the job's unlock code, from GetJobUnlockCode")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *path == "" || *code == "" {
		return fmt.Errorf("%w: unlock needs --manifest FILE and --unlock-code CODE", errUsage)
	}
	sealed, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	doc, err := manifest.Open(sealed, *code)
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}
