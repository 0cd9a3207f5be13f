package bench

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/postgres/pgtest"
	"github.com/frostyhq/frosty/internal/sigv4"
)

// shortConfig is a run small enough for a test.
func shortConfig(t *testing.T) Config {
	return Config{Clients: 4, Duration: 200 * time.Millisecond, Rounds: 1, Jobs: 150, Dir: t.TempDir()}
}

// checkReport wants every call measured with no error, and every ratio
// above 0.
func checkReport(t *testing.T, r *Report) {
	t.Helper()
	var got []string
	for _, res := range r.Results {
		got = append(got, res.Call)
		if res.Errors > 0 || res.CeilingErrors > 0 {
			t.Errorf("%s: %d errors (first: %s), ceiling %d (first: %s)", res.Call, res.Errors, res.FirstError, res.CeilingErrors, res.CeilingFirstError)
		}
		if res.Rate <= 0 || res.Requests == 0 {
			t.Errorf("%s: rate %v over %d requests, want > 0", res.Call, res.Rate, res.Requests)
		}
		if res.Call == Lifecycle {
			continue
		}
		if res.RatioMedian <= 0 || res.RatioMin <= 0 {
			t.Errorf("%s: ratio median %v, min %v, want > 0", res.Call, res.RatioMedian, res.RatioMin)
		}
		if res.CPUMicros <= 0 || res.CeilingCPUMicros <= 0 || res.AllocsPerOp <= 0 || res.CeilingAllocsPerOp <= 0 {
			t.Errorf("%s: CPU µs %v (ceiling %v), allocs %v (ceiling %v), want all > 0", res.Call, res.CPUMicros, res.CeilingCPUMicros, res.AllocsPerOp, res.CeilingAllocsPerOp)
		}
		read := res.Call == DescribeJob || res.Call == ListJobs
		if floor := res.FloorRate > 0 && res.FloorRatioMin > 0 && res.OverFloorRatioMin > 0 && res.FloorCPUMicros > 0; floor != read {
			t.Errorf("%s: floor rate %v, ratio to the ceiling %v, Frosty's to it %v, CPU µs %v; want all > 0 for the reads alone",
				res.Call, res.FloorRate, res.FloorRatioMin, res.OverFloorRatioMin, res.FloorCPUMicros)
		}
		if res.FloorErrors > 0 {
			t.Errorf("%s: %d floor errors (first: %s)", res.Call, res.FloorErrors, res.FloorFirstError)
		}
	}
	if want := strings.Join(Calls, " "); strings.Join(got, " ") != want {
		t.Errorf("calls measured: %v, want %s", got, want)
	}
	var table bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())
}

func TestRunSQLite(t *testing.T) {
	r, err := Run(t.Context(), shortConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r)
}

// TestRunPostgres runs Frosty and the SQL ceiling on the PostgreSQL server
// FROSTY_TEST_POSTGRES names, each in a schema of its own. The URL carries
// a pool setting, as a user's --store may: every connection the run opens
// must take it.
func TestRunPostgres(t *testing.T) {
	cfg := shortConfig(t)
	u, err := url.Parse(pgtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "6")
	u.RawQuery = q.Encode()
	cfg.Store = u.String()
	r, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.CeilingStore, "PostgreSQL") {
		t.Errorf("ceiling store %q, want PostgreSQL", r.CeilingStore)
	}
	checkReport(t, r)
}

// TestHTTPCeilingRefusesBadSignature: the ceiling verifies signatures as
// Frosty does, or it would be a ceiling of less work.
func TestHTTPCeilingRefusesBadSignature(t *testing.T) {
	cred := newCredential()
	keys, err := sigv4.NewKeyring([]sigv4.Credential{cred})
	if err != nil {
		t.Fatal(err)
	}
	hc, err := startHTTPCeiling(keys, map[string]fixedAnswer{ListJobs: {contentType: "application/x-amz-json-1.1", body: []byte(`{"JobListEntries":[]}`)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hc.close()
	target := Target{URL: hc.url, Region: "us-west-2", AccountID: cred.AccountID, AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}
	for _, tc := range []struct {
		name   string
		secret string
		want   int
	}{
		{"OK", cred.SecretAccessKey, http.StatusOK},
		{"ErrWrongSecret", cred.SecretAccessKey + "x", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := target
			tg.SecretAccessKey = tc.secret
			c := newClient(tg, 1)
			defer c.close()
			resp, err := c.call(context.Background(), ListJobs, listJobsRequest())
			if err != nil {
				t.Fatal(err)
			}
			if resp.status != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.status, tc.want, resp.body)
			}
			if tc.want == http.StatusOK && resp.header.Get("x-amzn-RequestId") == "" {
				t.Errorf("no x-amzn-RequestId")
			}
		})
	}

	t.Run("ErrTamperedBody", func(t *testing.T) {
		c := newClient(target, 1)
		defer c.close()
		req, err := http.NewRequest(http.MethodPost, hc.url+"/", strings.NewReader(`{"MaxResults":100}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.ListJobs")
		// Signed for another body.
		if err := c.signer.SignHTTP(context.Background(), c.creds, req, strings.Repeat("0", 64), "snowball", "us-west-2", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := c.do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.status != http.StatusForbidden || !strings.Contains(string(resp.body), "InvalidSignatureException") {
			t.Errorf("status %d, %s; want 403 InvalidSignatureException", resp.status, resp.body)
		}
	})
}

// TestFloorReads: the floor makes its read before each answer, and does
// not answer 200 when the read fails.
func TestFloorReads(t *testing.T) {
	cred := newCredential()
	keys, err := sigv4.NewKeyring([]sigv4.Credential{cred})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	var fail atomic.Bool
	reads := map[string]func(context.Context) error{ListJobs: func(context.Context) error {
		n.Add(1)
		if fail.Load() {
			return errors.New("the store is gone")
		}
		return nil
	}}
	hf, err := startHTTPCeiling(keys, map[string]fixedAnswer{ListJobs: {contentType: "application/x-amz-json-1.1", body: []byte(`{"JobListEntries":[]}`)}}, reads)
	if err != nil {
		t.Fatal(err)
	}
	defer hf.close()
	c := newClient(Target{URL: hf.url, Region: "us-west-2", AccountID: cred.AccountID, AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}, 1)
	defer c.close()
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusInternalServerError} {
		fail.Store(want != http.StatusOK)
		resp, err := c.call(t.Context(), ListJobs, listJobsRequest())
		if err != nil {
			t.Fatal(err)
		}
		if resp.status != want {
			t.Errorf("call %d: status %d, want %d", i+1, resp.status, want)
		}
	}
	if n.Load() != 3 {
		t.Errorf("%d reads for 3 calls", n.Load())
	}
}
