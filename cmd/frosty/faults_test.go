package main

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	snowballv2 "github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/smithy-go"
)

var faultID = regexp.MustCompile(`^fault-[0-9a-f]{16}$`)

// TestFaultsCommand drives `frosty faults` against the real binary and
// checks with a real client that the faults it adds strike.
func TestFaultsCommand(t *testing.T) {
	data := t.TempDir()
	p := startServer(t, data)
	at := []string{"--endpoint", p.url, "--data", data}
	faults := func(args ...string) (string, string, int) {
		t.Helper()
		return frosty(t, append(append([]string{"faults"}, args...), at...)...)
	}
	mustFaults := func(args ...string) string {
		t.Helper()
		out, errOut, code := faults(args...)
		if code != 0 {
			t.Fatalf("frosty faults %v: exit %d, stderr %q", args, code, errOut)
		}
		return out
	}

	if out := mustFaults("list"); strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "ID ") {
		t.Errorf("list with no faults: %q, want the header only", out)
	}
	throttle := strings.TrimSpace(mustFaults("add", "--operation", "ListJobs", "--error", "ThrottlingException", "--count", "1"))
	other := strings.TrimSpace(mustFaults("add", "--operation", "CreateJob", "--error", "KMSRequestFailedException",
		"--message", "no key", "--probability", "0.5", "--delay", "1.5s", "--account", "123456789012"))
	for _, id := range []string{throttle, other} {
		if !faultID.MatchString(id) {
			t.Errorf("add printed %q, want a fault ID", id)
		}
	}

	c := snowballv2.New(snowballv2.Options{
		BaseEndpoint: aws.String(p.url), Region: "us-west-2",
		Credentials: credentials.NewStaticCredentialsProvider(p.keyID, p.secret, ""),
		Retryer:     aws.NopRetryer{},
	})
	_, err := c.ListJobs(t.Context(), &snowballv2.ListJobsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException" || ae.ErrorMessage() != "Rate exceeded" {
		t.Errorf("ListJobs = %v, want ThrottlingException: Rate exceeded", err)
	}
	if _, err := c.ListJobs(t.Context(), &snowballv2.ListJobsInput{}); err != nil {
		t.Errorf("ListJobs once the fault is spent: %v", err)
	}

	out := mustFaults("list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("list: %q, want a header and two faults", out)
	}
	for i, want := range [][]string{
		{throttle, "ListJobs", "ThrottlingException", "-", "1", "-", "1", "0"},
		{other, "CreateJob", "KMSRequestFailedException", "1.5s", "0.5", "123456789012", "0", "unlimited"},
	} {
		if got := strings.Fields(lines[i+1]); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("list line %d = %q, want %q", i+1, got, want)
		}
	}

	if out := mustFaults("delete", throttle); strings.TrimSpace(out) != throttle+" deleted" {
		t.Errorf("delete: %q", out)
	}
	if _, errOut, code := faults("delete", throttle); code != 1 || !strings.Contains(errOut, "HTTP 404: there is no fault "+throttle) {
		t.Errorf("delete of a deleted fault: exit %d, stderr %q; want 1 and the 404", code, errOut)
	}
	mustFaults("clear")
	if out := mustFaults("list"); strings.Count(out, "\n") != 1 {
		t.Errorf("list after clear: %q", out)
	}

	t.Run("Errors", func(t *testing.T) {
		for _, tc := range []struct {
			args     []string
			code     int
			inStderr string
		}{
			{[]string{"add", "--operation", "DeleteJob", "--error", "InternalFailure"}, 1, `HTTP 400: operation "DeleteJob" is not a Snowball operation`},
			{[]string{"add", "--operation", "CreateAddress", "--error", "KMSRequestFailedException"}, 1, "it can raise InvalidAddressException, UnsupportedAddressException, ThrottlingException"},
			{[]string{"add", "--operation", "ListJobs", "--error", "InternalFailure", "--count", "0"}, 1, "count is 0"},
			{[]string{"add", "--operation", "ListJobs", "--delay", "soon"}, 1, `delay "soon"`},
			{[]string{"add", "--error", "InternalFailure"}, 2, "faults add needs --operation"},
			{[]string{"add", "--operation", "ListJobs", "--count", "many"}, 2, "invalid value"},
			{[]string{"delete"}, 2, "faults delete needs a fault ID"},
			{[]string{"list", "extra"}, 2, `unexpected argument "extra"`},
			{[]string{"bogus"}, 2, `faults has no command "bogus"`},
			{[]string{"list", "--admin-token", "wrong"}, 1, "HTTP 401"},
		} {
			if _, errOut, code := faults(tc.args...); code != tc.code || !strings.Contains(errOut, tc.inStderr) {
				t.Errorf("faults %v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.inStderr)
			}
		}
		if _, errOut, code := frosty(t, "faults"); code != 2 || !strings.Contains(errOut, "add, list, delete or clear") {
			t.Errorf("faults alone: exit %d, stderr %q", code, errOut)
		}
		if out := mustFaults("list"); strings.Count(out, "\n") != 1 {
			t.Errorf("the refused adds added faults: %q", out)
		}
	})

	t.Run("Help", func(t *testing.T) {
		for args, want := range map[string]string{"faults -h": "frosty faults add --operation", "faults add -h": "--probability"} {
			out, errOut, code := frosty(t, strings.Fields(args)...)
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("frosty %s: exit %d, stdout %q, stderr %q; want 0 and %q on stdout", args, code, out, errOut, want)
			}
		}
	})
}
