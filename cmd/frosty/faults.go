package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
)

const faultsUsage = `usage: frosty faults <add|list|delete|clear> [flags]

  add      make calls of an operation fail on purpose, or answer late:
           frosty faults add --operation CreateJob --error KMSRequestFailedException [--count N]
             [--probability P] [--delay 2s] [--message M] [--account ID]
           prints the new fault's ID
  list     print every fault, with how many calls it has hit and how many it has left
  delete   remove one fault: frosty faults delete ID
  clear    remove every fault

Each takes --endpoint, and --admin-token or --data; 'frosty faults <command> -h' lists them.
`

// faultJSON is a fault as the operator API shows it.
type faultJSON struct {
	ID          string  `json:"id"`
	Operation   string  `json:"operation"`
	Error       string  `json:"error"`
	Message     string  `json:"message"`
	AccountID   string  `json:"accountId"`
	Delay       string  `json:"delay"`
	Probability float64 `json:"probability"`
	Count       *int    `json:"count"`
	Hits        int     `json:"hits"`
	Remaining   *int    `json:"remaining"`
}

// runFaults manages a running server's faults.
func runFaults(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: faults needs a command: add, list, delete or clear\n\n%s", errUsage, faultsUsage)
	}
	cmd, args := args[0], args[1:]
	fs := newFlagSet("faults "+cmd, stderr)
	endpoint := fs.String("endpoint", "http://127.0.0.1:4590", "the running frosty serve")
	token := fs.String("admin-token", "", "the operator token (default: read from --data)")
	data := fs.String("data", "./frosty-data", "the data directory of the running server, to read its admin token from")
	call := func(method, path string, body any, out any) (int, error) {
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		return operatorCall(ctx, method, *endpoint, path, *token, *data, r, out)
	}
	switch cmd {
	case "add":
		return runFaultsAdd(fs, args, stdout, call)
	case "list":
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		var out struct {
			Faults  []faultJSON `json:"faults"`
			Message string      `json:"message"`
		}
		status, err := call(http.MethodGet, "/_frosty/faults", nil, &out)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("HTTP %d: %s", status, out.Message)
		}
		printFaults(stdout, out.Faults)
		return nil
	case "delete":
		// The ID comes first, flags after it, as in `frosty events`.
		var id string
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			id, args = args[0], args[1:]
		}
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if id == "" {
			return fmt.Errorf("%w: faults delete needs a fault ID: frosty faults delete ID [--endpoint URL]", errUsage)
		}
		if err := deleteCall(call, "/_frosty/faults/"+url.PathEscape(id)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s deleted\n", id)
		return nil
	case "clear":
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if err := deleteCall(call, "/_frosty/faults"); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "every fault deleted")
		return nil
	case "-h", "-help", "--help", "help":
		return helpText(faultsUsage)
	default:
		return fmt.Errorf("%w: faults has no command %q\n\n%s", errUsage, cmd, faultsUsage)
	}
}

func runFaultsAdd(fs *flag.FlagSet, args []string, stdout io.Writer, call func(method, path string, body, out any) (int, error)) error {
	operation := fs.String("operation", "", "the operation whose calls fail: CreateJob, DescribeJob, …")
	code := fs.String("error", "", "the error they get: one the model lets the operation raise, or ThrottlingException, InternalFailure or ServiceUnavailableException (default: none, only --delay)")
	message := fs.String("message", "", "the error's message (default: a realistic one for the error)")
	n := fs.Int("count", 0, "how many calls it hits before it is spent (default: no limit)")
	probability := fs.Float64("probability", 1, "the chance that a call is hit, more than 0 and at most 1; a call missed uses up no count")
	delay := fs.String("delay", "", `how long a hit call waits before its answer: "2s", "1.5s", "1d"`)
	account := fs.String("account", "", "only calls of this 12-digit account ID (default: every account's)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *operation == "" {
		return fmt.Errorf("%w: faults add needs --operation NAME, and --error CODE or --delay DURATION", errUsage)
	}
	body := map[string]any{"operation": *operation}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, v := range map[string]string{"error": *code, "message": *message, "delay": *delay, "accountId": *account} {
		if v != "" {
			body[name] = v
		}
	}
	if given["count"] {
		body["count"] = *n
	}
	if given["probability"] {
		body["probability"] = *probability
	}
	var out struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	}
	status, err := call(http.MethodPost, "/_frosty/faults", body, &out)
	if err != nil {
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("HTTP %d: %s", status, out.Message)
	}
	fmt.Fprintln(stdout, out.ID)
	return nil
}

// deleteCall makes a DELETE call, which answers 204 and no body.
func deleteCall(call func(method, path string, body, out any) (int, error), path string) error {
	var out struct {
		Message string `json:"message"`
	}
	status, err := call(http.MethodDelete, path, nil, &out)
	switch {
	case status == http.StatusNoContent:
		return nil // operatorCall found no JSON to read, as there is none
	case err != nil:
		return err
	default:
		return fmt.Errorf("HTTP %d: %s", status, out.Message)
	}
}

func printFaults(w io.Writer, fs []faultJSON) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tOPERATION\tERROR\tDELAY\tPROBABILITY\tACCOUNT\tHITS\tREMAINING")
	for _, f := range fs {
		remaining := "unlimited"
		if f.Remaining != nil {
			remaining = strconv.Itoa(*f.Remaining)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", f.ID, f.Operation, orDash(f.Error), orDash(f.Delay),
			strconv.FormatFloat(f.Probability, 'g', -1, 64), orDash(f.AccountID), f.Hits, remaining)
	}
	tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
