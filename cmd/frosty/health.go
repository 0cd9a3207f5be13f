package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// healthWait bounds how long `frosty health` waits: longer than the server
// takes to give up on its store (server.HealthTimeout), so that a sick
// server's 503 and its reason are seen.
const healthWait = 10 * time.Second

// runHealth asks a running server's health check: exit 0 when it answers
// 200, 1 otherwise. It is the container image's HEALTHCHECK, which has no
// shell or curl to call.
func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("health", stderr)
	// By default it asks the server this environment configures, so that
	// the image's HEALTHCHECK follows a FROSTY_LISTEN that moves the port.
	def := "http://127.0.0.1:4590"
	if listen := os.Getenv("FROSTY_LISTEN"); listen != "" {
		def = dialURL(listen)
	}
	endpoint := fs.String("endpoint", def, "the running frosty serve; by default the one FROSTY_LISTEN names, on loopback")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, healthWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(*endpoint, "/")+"/_frosty/health", nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		if out.Reason == "" {
			out.Reason = out.Status
		}
		return fmt.Errorf("health: %s: %s", req.URL, strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, out.Reason)))
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
