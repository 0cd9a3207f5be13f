package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"
)

func runEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("events", stderr)
	endpoint := fs.String("endpoint", "http://127.0.0.1:4590", "the running frosty serve")
	token := fs.String("admin-token", "", "the operator token (default: read from --data)")
	data := fs.String("data", "./frosty-data", "the data directory of the running server, to read its admin token from")
	// The ID comes first, flags after it, as in `frosty events JID… --endpoint URL`.
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if id == "" {
		return fmt.Errorf("%w: events needs a JobId or ClusterId: frosty events JID... [--endpoint URL]", errUsage)
	}
	var out struct {
		Events []struct {
			At    time.Time `json:"at"`
			From  string    `json:"from"`
			To    string    `json:"to"`
			Cause string    `json:"cause"`
		} `json:"events"`
		Message string `json:"message"`
	}
	status, err := operatorCall(ctx, http.MethodGet, *endpoint, "/_frosty/jobs/"+id+"/events", *token, *data, nil, &out)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", status, out.Message)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSINCE START\tFROM\tTO\tCAUSE")
	for _, e := range out.Events {
		from := e.From
		if from == "" {
			from = "(created)"
		}
		since := e.At.Sub(out.Events[0].At).Round(time.Millisecond)
		fmt.Fprintf(tw, "%s\t+%s\t%s\t%s\t%s\n", e.At.Format("2006-01-02 15:04:05.000"), since, from, e.To, e.Cause)
	}
	return tw.Flush()
}

// operatorCall calls the operator API with the admin token (from the flag,
// or else from the data directory) and decodes the JSON answer into out.
func operatorCall(ctx context.Context, method, endpoint, path, token, dataDir string, body io.Reader, out any) (int, error) {
	if token == "" {
		s, err := readSecrets(dataDir)
		if err != nil {
			return 0, fmt.Errorf("no --admin-token given and %w", err)
		}
		token = s.AdminToken
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(endpoint, "/")+path, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(out); err != nil {
		return resp.StatusCode, fmt.Errorf("%s: unreadable answer (HTTP %d)", path, resp.StatusCode)
	}
	return resp.StatusCode, nil
}
