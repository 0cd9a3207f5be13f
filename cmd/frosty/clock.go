package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runClock shows or moves a running server's operator clock.
func runClock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("clock", stderr)
	advance := fs.String("advance", "", `move the clock forward by a duration: "2h", "360d", "1d12h"`)
	set := fs.String("set", "", "move the clock to an RFC 3339 time, never back: 2027-01-02T15:04:05Z")
	freeze := fs.Bool("freeze", false, "stop the clock")
	unfreeze := fs.Bool("unfreeze", false, "let a frozen clock run on")
	endpoint := fs.String("endpoint", "http://127.0.0.1:4590", "the running frosty serve")
	token := fs.String("admin-token", "", "the operator token (default: read from --data)")
	data := fs.String("data", "./frosty-data", "the data directory of the running server, to read its admin token from")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var body map[string]any
	switch n := count(*advance != "", *set != "", *freeze, *unfreeze); {
	case n > 1:
		return fmt.Errorf("%w: clock takes at most one of --advance, --set, --freeze and --unfreeze", errUsage)
	case *advance != "":
		body = map[string]any{"advance": *advance}
	case *set != "":
		body = map[string]any{"set": *set}
	case *freeze || *unfreeze:
		body = map[string]any{"freeze": *freeze}
	}
	method, reqBody := http.MethodGet, io.Reader(nil)
	if body != nil {
		b, _ := json.Marshal(body)
		method, reqBody = http.MethodPost, bytes.NewReader(b)
	}
	var out struct {
		Now     time.Time `json:"now"`
		Frozen  bool      `json:"frozen"`
		Offset  string    `json:"offset"`
		Message string    `json:"message"`
	}
	status, err := operatorCall(ctx, method, *endpoint, "/_frosty/clock", *token, *data, reqBody, &out)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", status, out.Message)
	}
	state := "running, " + out.Offset + " ahead of the real time"
	if out.Frozen {
		state = "frozen"
	}
	fmt.Fprintf(stdout, "%s (%s)\n", out.Now.Format(time.RFC3339), state)
	return nil
}

func count(conds ...bool) int {
	n := 0
	for _, c := range conds {
		if c {
			n++
		}
	}
	return n
}
