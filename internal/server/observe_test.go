package server_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/service"
	domain "github.com/frostyhq/frosty/internal/snowball"
)

func TestRequestLog(t *testing.T) {
	var mu sync.Mutex
	var got []server.Request
	s := frostytest.MustStart(t, frostytest.Options{OnRequest: func(r *server.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, *r)
	}})
	addressID := mustCreateAddress(t, s.Alice())
	_, err := s.Alice().DescribeJob(t.Context(), &snowball.DescribeJobInput{JobId: aws.String(unknownID("JID"))})
	wantCode(t, err, domain.InvalidResource)
	doRaw(t, s, rawRequest{Target: "DescribeAddresses", Body: `{}`}) // unsigned
	doRaw(t, s, rawRequest{Target: "MakeItSo", Body: `{}`, Cred: &alice})
	jobID := mustCreateImportJob(t, s.Alice())
	s.Advance(t, jobID, "WithCustomer")
	frostytest.Get(t, s.URL+"/_frosty/health")
	frostytest.Get(t, s.URL+"/nothing-here")

	type row struct{ Kind, Operation, Account, ErrorCode string }
	want := []row{
		{"api", "CreateAddress", alice.AccountID, ""},
		{"api", "DescribeJob", alice.AccountID, domain.InvalidResource},
		{"api", "DescribeAddresses", "", domain.MissingAuthenticationToken},
		{"api", "", alice.AccountID, domain.UnknownOperation},
		{"api", "CreateAddress", alice.AccountID, ""}, // mustCreateImportJob's address
		{"api", "CreateJob", alice.AccountID, ""},
		{"operator", "POST /_frosty/jobs/{id}/advance", "", ""},
		{"health", "", "", ""},
		{"other", "", "", "NotFound"},
	}
	mu.Lock()
	var rows []row
	ids := map[string]bool{}
	for _, r := range got {
		rows = append(rows, row{r.Kind, r.Operation, r.Account, r.ErrorCode})
		if r.ID == "" || ids[r.ID] || r.Status == 0 || r.Duration <= 0 {
			t.Errorf("request %+v: want a unique ID, a status and a duration", r)
		}
		ids[r.ID] = true
	}
	mu.Unlock()
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("requests recorded (-want +got):\n%s", diff)
	}
	_ = addressID

	logs := s.Logs.String()
	for _, line := range []string{
		`msg=request request_id=`,
		`kind=api op=CreateAddress account=111122223333 status=200 code="" latency_ms=`,
		`kind=api op=DescribeJob account=111122223333 status=400 code=InvalidResourceException`,
		`kind=operator op="POST /_frosty/jobs/{id}/advance" account="" status=200`,
	} {
		if !strings.Contains(logs, line) {
			t.Errorf("the log has no %q:\n%s", line, logs)
		}
	}
	if strings.Contains(logs, "kind=health") {
		t.Errorf("health checks are logged at info level:\n%s", logs)
	}
	for _, secret := range []string{alice.SecretAccessKey, frostytest.AdminToken, "Signature=", "X-Amz-Signature", "Credential="} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q:\n%s", secret, logs)
		}
	}
}

func TestRequestLogDebug(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{LogLevel: slog.LevelDebug})
	frostytest.Get(t, s.URL+"/_frosty/health")
	if logs := s.Logs.String(); !strings.Contains(logs, "level=DEBUG msg=request") || !strings.Contains(logs, "kind=health") {
		t.Errorf("at debug level health checks are logged:\n%s", logs)
	}
}

func TestNotFound(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	tests := []struct {
		name, method, path string
		status             int
		contentType        string
		body               string
	}{
		{"OperatorUnknown", "GET", "/_frosty/nope", 404, "application/json", `"code":"NotFound"`},
		{"OperatorJobsList", "GET", "/_frosty/jobs", 404, "application/json", `"message":"the operator API has no GET /_frosty/jobs"`},
		{"OperatorDeep", "GET", "/_frosty/jobs/x/y/z", 404, "application/json", `"code":"NotFound"`},
		{"OperatorPost", "POST", "/_frosty/nope", 404, "application/json", `"code":"NotFound"`},
		{"Favicon", "GET", "/favicon.ico", 404, "text/plain", "404 page not found"},
		{"TwoSegments", "GET", "/foo/bar", 404, "text/plain", "404 page not found"},
		{"UnknownBucketKey", "GET", "/some-bucket/JID123_manifest.bin", 404, "text/plain", "404 page not found"},
		{"DeleteElsewhere", "DELETE", "/foo", 404, "text/plain", "404 page not found"},
		{"DownloadBucketUnsigned", "GET", "/" + service.ManifestBucket + "/x", 400, "application/xml", "<Code>AuthorizationQueryParametersError</Code>"},
		{"APIWithGET", "GET", "/", 400, "application/x-amz-json-1.1", `"__type":"UnknownOperationException"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, s.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType) || !strings.Contains(b.String(), tt.body) {
				t.Errorf("%s %s: HTTP %d %s %q; want %d %s containing %q", tt.method, tt.path,
					resp.StatusCode, resp.Header.Get("Content-Type"), b.String(), tt.status, tt.contentType, tt.body)
			}
		})
	}
}

// brokenStore is a store that can no longer be read.
type brokenStore struct{ domain.Store }

func (brokenStore) Ping(context.Context) error {
	return errors.New(`sqlite "frosty.db": file is not a database`)
}

func TestHealth(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		status, body := frostytest.Get(t, s.URL+"/_frosty/health")
		if status != http.StatusOK || string(body) != `{"status":"ok"}` {
			t.Errorf("HTTP %d %s", status, body)
		}
	})
	t.Run("ErrStoreBroken", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		svc := service.New(brokenStore{s.Store}, s.Clock, nil, []byte("k"), service.Config{})
		h := server.New(server.Config{Service: svc, Clock: s.Clock, Log: slog.New(slog.NewTextHandler(&s.Logs, nil))})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/_frosty/health", nil))
		want := `{"reason":"store: sqlite \"frosty.db\": file is not a database","status":"unavailable"}`
		if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != want {
			t.Errorf("HTTP %d %s; want 503 %s", rec.Code, rec.Body, want)
		}
		if !strings.Contains(s.Logs.String(), "health check") {
			t.Errorf("the failed health check is not logged:\n%s", s.Logs.String())
		}
	})
}
