package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/metrics"
	"github.com/frostyhq/frosty/internal/server"
)

func TestMetricsEndpoint(t *testing.T) {
	var m *metrics.Metrics
	s := frostytest.MustStart(t, frostytest.Options{
		Metrics:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.Handler().ServeHTTP(w, r) }),
		OnRequest: func(r *server.Request) { m.Request(r.Kind, r.Operation, r.ErrorCode, r.Duration) },
	})
	m = metrics.New(metrics.Sources{
		InFlight: s.Handler.InFlight,
		States: func(context.Context) (map[string]int, map[string]int, error) {
			return map[string]int{"New": 2, "WithCustomer": 1}, map[string]int{"AwaitingQuorum": 1}, nil
		},
	})

	for range 2 {
		if status, _ := frostytest.Get(t, s.URL+"/_frosty/metrics"); status != http.StatusUnauthorized {
			t.Errorf("metrics without the admin token: HTTP %d, want 401", status)
		}
	}

	s.Alice().DescribeAddresses(t.Context(), nil)
	s.Alice().DescribeAddresses(t.Context(), nil)
	frostytest.Get(t, s.URL+"/_frosty/health")
	m.Transition("job", "timer")
	m.Late(30 * time.Millisecond)
	m.Delivery("webhook", nil)
	m.Delivery("sns", errors.New("down"))
	m.StoreError()
	m.Seal(200 * time.Millisecond)

	status, text := s.Operator(t, "GET", "/_frosty/metrics", nil)
	if status != http.StatusOK {
		t.Fatalf("metrics: HTTP %d %s", status, text)
	}
	for _, line := range []string{
		`frosty_requests_total{code="OK",kind="api",operation="DescribeAddresses"} 2`,
		`frosty_requests_total{code="Unauthorized",kind="metrics",operation=""} 2`,
		`frosty_requests_total{code="OK",kind="health",operation=""} 1`,
		`frosty_request_duration_seconds_count{kind="api",operation="DescribeAddresses"} 2`,
		`frosty_requests_in_flight 0`,
		`frosty_jobs{state="New"} 2`,
		`frosty_jobs{state="WithCustomer"} 1`,
		`frosty_clusters{state="AwaitingQuorum"} 1`,
		`frosty_transitions_total{cause="timer",resource="job"} 1`,
		`frosty_transition_lateness_seconds_bucket{le="0.05"} 1`,
		`frosty_notifications_delivered_total{target="webhook"} 1`,
		`frosty_notification_failures_total{target="sns"} 1`,
		`frosty_store_errors_total 1`,
		`frosty_manifest_seals_total 1`,
		`frosty_manifest_seal_duration_seconds_sum 0.2`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(text, line) {
			t.Errorf("the metrics have no %q", line)
		}
	}
}

func TestStatesError(t *testing.T) {
	m := metrics.New(metrics.Sources{States: func(context.Context) (map[string]int, map[string]int, error) {
		return nil, nil, errors.New("store down")
	}})
	var rec *httptest.ResponseRecorder
	for range 2 { // the first scrape's failure may be counted after the counter was read
		rec = httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/_frosty/metrics", nil))
	}
	// The other metrics are still served, and the failure is counted.
	body := rec.Body.String()
	if !strings.Contains(body, "go_goroutines") ||
		!(strings.Contains(body, "frosty_store_errors_total 1") || strings.Contains(body, "frosty_store_errors_total 2")) {
		t.Errorf("HTTP %d; a scrape that cannot read the store:\n%s", rec.Code, body)
	}
}
