package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/sigv4"
	domain "github.com/frostyhq/frosty/internal/snowball"
)

// sdkHeaders are the headers the AWS SDK for JavaScript v3 asks a
// preflight for.
const sdkHeaders = "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-security-token,x-amz-target,x-amz-user-agent"

// mustStartCORS serves the service of a test server through a second
// handler that allows origins.
func mustStartCORS(tb testing.TB, origins []string, limits server.Limits) *frostytest.Server {
	tb.Helper()
	base := frostytest.MustStart(tb, frostytest.Options{})
	keys, err := sigv4.NewKeyring(frostytest.Accounts)
	if err != nil {
		tb.Fatal(err)
	}
	h := server.New(server.Config{
		Service: base.Service, Clock: base.Clock, Log: slog.New(slog.DiscardHandler),
		Keys: keys, AdminToken: frostytest.AdminToken, Limits: limits, CORSOrigins: origins,
	})
	ts := httptest.NewServer(h)
	tb.Cleanup(ts.Close)
	return &frostytest.Server{URL: ts.URL, Clock: base.Clock, Service: base.Service, HTTP: ts, Handler: h}
}

// preflight sends the OPTIONS a browser sends before a cross-origin POST.
func preflight(tb testing.TB, url, origin string) rawResponse {
	tb.Helper()
	req, err := http.NewRequest(http.MethodOptions, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", sdkHeaders)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// corsHeaders returns the Access-Control-* headers of h.
func corsHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			out[k] = strings.Join(v, ", ")
		}
	}
	return out
}

func TestCORSPreflight(t *testing.T) {
	const portal = "http://localhost:3000"
	tests := []struct {
		name       string
		origins    []string
		origin     string
		path       string
		wantStatus int
		want       map[string]string
	}{
		{"Allowed", []string{portal, "https://portal.example.com"}, portal, "/", http.StatusNoContent, map[string]string{
			"Access-Control-Allow-Origin":  portal,
			"Access-Control-Allow-Methods": "POST, GET, DELETE, OPTIONS",
			"Access-Control-Allow-Headers": sdkHeaders,
			"Access-Control-Max-Age":       "3600",
		}},
		{"AllowedOtherCase", []string{"https://portal.example.com"}, "https://Portal.Example.com", "/", http.StatusNoContent, map[string]string{
			"Access-Control-Allow-Origin":  "https://Portal.Example.com",
			"Access-Control-Allow-Methods": "POST, GET, DELETE, OPTIONS",
			"Access-Control-Allow-Headers": sdkHeaders,
			"Access-Control-Max-Age":       "3600",
		}},
		{"Wildcard", []string{"*"}, "https://anything.example.net:8443", "/", http.StatusNoContent, map[string]string{
			"Access-Control-Allow-Origin":  "https://anything.example.net:8443",
			"Access-Control-Allow-Methods": "POST, GET, DELETE, OPTIONS",
			"Access-Control-Allow-Headers": sdkHeaders,
			"Access-Control-Max-Age":       "3600",
		}},
		{"OperatorAPI", []string{portal}, portal, "/_frosty/health", http.StatusNoContent, map[string]string{
			"Access-Control-Allow-Origin":  portal,
			"Access-Control-Allow-Methods": "POST, GET, DELETE, OPTIONS",
			"Access-Control-Allow-Headers": sdkHeaders,
			"Access-Control-Max-Age":       "3600",
		}},
		{"ErrDisallowed", []string{portal}, "http://evil.example.com", "/", http.StatusForbidden, map[string]string{}},
		{"ErrPortDiffers", []string{portal}, "http://localhost:3001", "/", http.StatusForbidden, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustStartCORS(t, tt.origins, server.Limits{})
			r := preflight(t, s.URL+tt.path, tt.origin)
			if r.Status != tt.wantStatus {
				t.Fatalf("preflight: HTTP %d %s, want %d", r.Status, r.Body, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.want, corsHeaders(r.Header)); diff != "" {
				t.Errorf("CORS headers (-want +got):\n%s", diff)
			}
			if vary := strings.Join(r.Header.Values("Vary"), ", "); !strings.Contains(vary, "Origin") {
				t.Errorf("Vary %q does not name Origin", vary)
			}
			if r.Header.Get("x-amzn-RequestId") == "" {
				t.Error("the preflight has no request ID")
			}
		})
	}
}

// TestCORSOff: without origins an OPTIONS is what it always was, an
// unknown operation, and nothing says CORS.
func TestCORSOff(t *testing.T) {
	s := mustStartCORS(t, nil, server.Limits{})
	r := preflight(t, s.URL+"/", "http://localhost:3000")
	if r.Status != http.StatusBadRequest || r.Header.Get("X-Amzn-ErrorType") != domain.UnknownOperation {
		t.Errorf("preflight with CORS off: HTTP %d %s %s, want 400 %s", r.Status, r.Header.Get("X-Amzn-ErrorType"), r.Body, domain.UnknownOperation)
	}
	if got := corsHeaders(r.Header); len(got) != 0 {
		t.Errorf("CORS headers with CORS off: %v", got)
	}
}

// TestCORSNotAnOperation: with CORS on, a preflight on / is answered, not
// refused as a request that names no operation.
func TestCORSNotAnOperation(t *testing.T) {
	s := mustStartCORS(t, []string{"*"}, server.Limits{})
	r := preflight(t, s.URL+"/", "http://localhost:3000")
	if r.Status >= 400 || r.Header.Get("X-Amzn-ErrorType") != "" {
		t.Errorf("preflight: HTTP %d %s %s, want a success", r.Status, r.Header.Get("X-Amzn-ErrorType"), r.Body)
	}
	// An OPTIONS that is no preflight is still no operation.
	req, _ := http.NewRequest(http.MethodOptions, s.URL+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != domain.UnknownOperation {
		t.Errorf("OPTIONS without Origin: HTTP %d %s, want 400 %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), domain.UnknownOperation)
	}
}

// TestCORSActualRequest: the signed call that follows the preflight is
// answered as usual; an allowed origin's answer, errors included, carries
// the headers that let the SDK read it.
func TestCORSActualRequest(t *testing.T) {
	const portal = "http://localhost:3000"
	allowed := map[string]string{
		"Access-Control-Allow-Origin":   portal,
		"Access-Control-Expose-Headers": "x-amzn-RequestId, x-amzn-ErrorType, x-amz-request-id",
	}
	tests := []struct {
		name       string
		origin     string
		cred       *sigv4.Credential
		wantStatus int
		want       map[string]string
	}{
		{"OK", portal, &alice, http.StatusOK, allowed},
		{"ErrMissingSignature", portal, nil, http.StatusBadRequest, allowed},
		{"Disallowed", "http://evil.example.com", &alice, http.StatusOK, map[string]string{}},
		{"NoOrigin", "", &alice, http.StatusOK, map[string]string{}},
	}
	s := mustStartCORS(t, []string{portal}, server.Limits{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := rawRequest{Target: "DescribeAddresses", Body: `{}`, Cred: tt.cred}
			if tt.origin != "" {
				req.Header = map[string]string{"Origin": tt.origin}
			}
			r := doRaw(t, s, req)
			if r.Status != tt.wantStatus {
				t.Fatalf("HTTP %d %s, want %d", r.Status, r.Body, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.want, corsHeaders(r.Header)); diff != "" {
				t.Errorf("CORS headers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCORSPreflightNotThrottled: a preflight takes no API slot, so a
// browser can ask while the server is at its limit.
func TestCORSPreflightNotThrottled(t *testing.T) {
	s := mustStartCORS(t, []string{"*"}, server.Limits{MaxInFlight: 1})
	body := `{}`
	pr, pw := io.Pipe()
	hr, err := http.NewRequest(http.MethodPost, s.URL+"/", pr)
	if err != nil {
		t.Fatal(err)
	}
	hr.ContentLength = int64(len(body))
	hr.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.DescribeAddresses")
	hr.Header.Set("Content-Type", "application/x-amz-json-1.1")
	signRequest(t, hr, body, alice, "us-west-2", s.Clock.Now())
	hr.Body = pr // the signer replaced it with a reader of body
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(hr); err == nil {
			resp.Body.Close()
		}
	}()
	io.WriteString(pw, body[:1])
	waitFor(t, "the first request to be in flight", func() bool { return s.Handler.InFlight() == 1 })
	if r := doRaw(t, s, rawRequest{Target: "DescribeAddresses", Body: `{}`, Cred: &alice}); r.Status != http.StatusBadRequest {
		t.Fatalf("second call: HTTP %d %s, want 400 ThrottlingException: the slot is not held", r.Status, r.Body)
	}
	if r := preflight(t, s.URL+"/", "http://localhost:3000"); r.Status != http.StatusNoContent {
		t.Errorf("preflight at the limit: HTTP %d %s, want 204", r.Status, r.Body)
	}
	io.WriteString(pw, body[1:])
	pw.Close()
	<-done
}

func TestParseCORSOrigins(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"*", []string{"*"}, false},
		{"http://localhost:3000", []string{"http://localhost:3000"}, false},
		{" http://localhost:3000 , https://Portal.Example.com/ ", []string{"http://localhost:3000", "https://portal.example.com"}, false},
		{"http://[::1]:3000,", []string{"http://[::1]:3000"}, false},
		{"localhost:3000", nil, true},
		{"portal.example.com", nil, true},
		{"http://localhost:3000/app", nil, true},
		{"http://user@localhost:3000", nil, true},
		{"http://localhost:3000?x=1", nil, true},
	}
	for _, tt := range tests {
		got, err := server.ParseCORSOrigins(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseCORSOrigins(%q): error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseCORSOrigins(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
