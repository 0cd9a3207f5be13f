package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/client"
	snowballv1 "github.com/aws/aws-sdk-go/service/snowball"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/server"
)

// mustAddFault adds a fault through the operator API and returns its ID.
func mustAddFault(tb testing.TB, s *frostytest.Server, fault map[string]any) string {
	tb.Helper()
	out := mustOperator(tb, s, http.MethodPost, "/_frosty/faults", fault, http.StatusCreated)
	id, _ := out["id"].(string)
	if id == "" {
		tb.Fatalf("POST /_frosty/faults: no id in %v", out)
	}
	return id
}

// listFaults returns GET /_frosty/faults's faults.
func listFaults(tb testing.TB, s *frostytest.Server) []map[string]any {
	tb.Helper()
	status, body := s.Operator(tb, http.MethodGet, "/_frosty/faults", nil)
	if status != http.StatusOK {
		tb.Fatalf("GET /_frosty/faults: HTTP %d %s", status, body)
	}
	var out struct {
		Faults []map[string]any `json:"faults"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Faults == nil {
		tb.Fatalf("GET /_frosty/faults: %s: %v", body, err)
	}
	return out.Faults
}

// wantHits checks the hits and remaining calls of the i-th fault; a
// remaining of -1 means it has no limit.
func wantHits(tb testing.TB, s *frostytest.Server, i, hits, remaining int) {
	tb.Helper()
	f := listFaults(tb, s)[i]
	got := []any{f["hits"], f["remaining"]}
	want := []any{float64(hits), float64(remaining)}
	if remaining < 0 {
		want[1] = nil
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("fault %d: hits, remaining (-want +got):\n%s", i, diff)
	}
}

// retrying returns the option that lets a v2 call retry as the SDK does
// by default, with a short backoff so the test does not wait.
func retrying(o *snowball.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = 3
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
	})
}

// requestLog collects the server's record of every request.
type requestLog struct {
	mu    sync.Mutex
	reqs  []server.Request
	added chan struct{} // ticks after an add
}

func newRequestLog() *requestLog { return &requestLog{added: make(chan struct{}, 1)} }

func (l *requestLog) add(r *server.Request) {
	l.mu.Lock()
	l.reqs = append(l.reqs, *r)
	l.mu.Unlock()
	select {
	case l.added <- struct{}{}:
	default:
	}
}

// wait returns the server's record of the first API request for op, once
// it is answered, failing tb if none is within timeout.
func (l *requestLog) wait(tb testing.TB, op string, timeout time.Duration) server.Request {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		l.mu.Lock()
		for _, r := range l.reqs {
			if r.Kind == server.KindAPI && r.Operation == op {
				l.mu.Unlock()
				return r
			}
		}
		l.mu.Unlock()
		select {
		case <-l.added:
		case <-deadline:
			tb.Fatalf("the server answered no %s within %v", op, timeout)
		}
	}
}

// codes returns the error code ("OK" for none) of each API request for op.
func (l *requestLog) codes(op string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.reqs {
		if r.Kind == server.KindAPI && r.Operation == op {
			code := r.ErrorCode
			if code == "" {
				code = "OK"
			}
			out = append(out, code)
		}
	}
	return out
}

func TestFaultModeledError(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	got := mustOperator(t, s, http.MethodPost, "/_frosty/faults",
		map[string]any{"operation": "CreateJob", "error": "KMSRequestFailedException", "count": 1}, http.StatusCreated)
	want := map[string]any{
		"operation": "CreateJob", "error": "KMSRequestFailedException",
		"message":     "The provided AWS Key Management Service key lacks the permissions to perform the specified CreateJob or UpdateJob action.",
		"probability": 1.0, "count": 1.0, "hits": 0.0, "remaining": 1.0, "createdAt": frostytest.Start.Format(time.RFC3339),
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == "id" })); diff != "" {
		t.Errorf("POST /_frosty/faults (-want +got):\n%s", diff)
	}

	_, err := c.CreateJob(t.Context(), importJob(addr))
	e := wantErr[*types.KMSRequestFailedException](t, err)
	if got, want := aws.ToString(e.Message), want["message"]; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	wantHits(t, s, 0, 1, 0)
	mustCreateJob(t, c, importJob(addr)) // the fault is spent

	// Through the one error table: status, __type, header, Message.
	mustAddFault(t, s, map[string]any{"operation": "CancelJob", "error": "InvalidJobStateException", "message": "not now"})
	r := doRaw(t, s, rawRequest{Target: "CancelJob", Body: `{"JobId":"` + unknownID("JID") + `"}`, Cred: &alice})
	body := wantRawError(t, r, "InvalidJobStateException")
	if diff := cmp.Diff(map[string]any{"__type": "InvalidJobStateException", "Message": "not now"}, body); diff != "" {
		t.Errorf("wire body (-want +got):\n%s", diff)
	}
}

// TestFaultThrottlingRetried: the SDK retries a throttle, as it would
// AWS's, and the call then succeeds.
func TestFaultThrottlingRetried(t *testing.T) {
	log := newRequestLog()
	s := frostytest.MustStart(t, frostytest.Options{OnRequest: log.add})
	c := s.Alice()

	mustAddFault(t, s, map[string]any{"operation": "ListJobs", "error": "ThrottlingException", "count": 1})
	if _, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{}, retrying); err != nil {
		t.Fatalf("ListJobs with retries: %v", err)
	}
	if diff := cmp.Diff([]string{"ThrottlingException", "OK"}, log.codes("ListJobs")); diff != "" {
		t.Errorf("requests the SDK made (-want +got):\n%s", diff)
	}
	wantHits(t, s, 0, 1, 0)

	// Without retries the client sees the throttle as AWS sends it.
	mustAddFault(t, s, map[string]any{"operation": "ListJobs", "error": "ThrottlingException", "count": 1})
	_, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{})
	if ae := wantCode(t, err, "ThrottlingException"); ae.ErrorMessage() != "Rate exceeded" {
		t.Errorf("message = %q, want Rate exceeded", ae.ErrorMessage())
	}

	// aws-sdk-go v1 retries it too.
	v1 := s.ClientV1(alice, "us-west-2")
	v1.Retryer = client.DefaultRetryer{NumMaxRetries: 2, MinRetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond,
		MinThrottleDelay: time.Millisecond, MaxThrottleDelay: time.Millisecond}
	mustAddFault(t, s, map[string]any{"operation": "ListJobs", "error": "ThrottlingException", "count": 1})
	if _, err := v1.ListJobs(&snowballv1.ListJobsInput{}); err != nil {
		t.Fatalf("v1 ListJobs with retries: %v", err)
	}
	if diff := cmp.Diff([]string{"ThrottlingException", "OK", "ThrottlingException", "ThrottlingException", "OK"}, log.codes("ListJobs")); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestFaultServerErrors(t *testing.T) {
	log := newRequestLog()
	s := frostytest.MustStart(t, frostytest.Options{OnRequest: log.add})
	c := s.Alice()
	for _, tc := range []struct {
		code    string
		status  int
		message string
	}{
		{"InternalFailure", 500, "We encountered an internal error. Please try again."},
		{"ServiceUnavailableException", 503, "The service is unavailable. Please try again later."},
	} {
		t.Run(tc.code, func(t *testing.T) {
			t.Cleanup(func() { s.Operator(t, http.MethodDelete, "/_frosty/faults", nil) })
			mustAddFault(t, s, map[string]any{"operation": "GetSnowballUsage", "error": tc.code, "count": 1})
			r := doRaw(t, s, rawRequest{Target: "GetSnowballUsage", Body: `{}`, Cred: &alice})
			if r.Status != tc.status || r.Header.Get("X-Amzn-ErrorType") != tc.code {
				t.Errorf("HTTP %d %s %s, want %d %s", r.Status, r.Header.Get("X-Amzn-ErrorType"), r.Body, tc.status, tc.code)
			}
			if diff := cmp.Diff(map[string]any{"__type": tc.code, "message": tc.message}, r.JSON(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}

			// The SDK retries a 5xx, and the next attempt succeeds.
			mustAddFault(t, s, map[string]any{"operation": "GetSnowballUsage", "error": tc.code, "count": 1})
			if _, err := c.GetSnowballUsage(t.Context(), &snowball.GetSnowballUsageInput{}, retrying); err != nil {
				t.Fatalf("GetSnowballUsage with retries: %v", err)
			}
			// A v1 client with no retries sees the status.
			mustAddFault(t, s, map[string]any{"operation": "GetSnowballUsage", "error": tc.code, "count": 1})
			_, err := s.ClientV1(alice, "us-west-2").GetSnowballUsage(&snowballv1.GetSnowballUsageInput{})
			var rf awserr.RequestFailure
			if !errors.As(err, &rf) || rf.StatusCode() != tc.status || rf.Code() != tc.code {
				t.Errorf("v1: %v, want HTTP %d %s", err, tc.status, tc.code)
			}
		})
	}
	want := []string{"InternalFailure", "InternalFailure", "OK", "InternalFailure",
		"ServiceUnavailableException", "ServiceUnavailableException", "OK", "ServiceUnavailableException"}
	if diff := cmp.Diff(want, log.codes("GetSnowballUsage")); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if strings.Contains(s.Logs.String(), "internal failure") {
		t.Errorf("a fault's InternalFailure was logged as a real one:\n%s", s.Logs.String())
	}
}

func TestFaultDelay(t *testing.T) {
	log := newRequestLog()
	s := frostytest.MustStart(t, frostytest.Options{OnRequest: log.add})
	c := s.Alice()
	const delay = 200 * time.Millisecond

	t.Run("DelayOnly", func(t *testing.T) {
		mustAddFault(t, s, map[string]any{"operation": "ListClusters", "delay": "200ms", "count": 1})
		start := time.Now()
		if _, err := c.ListClusters(t.Context(), &snowball.ListClustersInput{}); err != nil {
			t.Fatalf("ListClusters after a delay-only fault: %v", err)
		}
		if d := time.Since(start); d < delay {
			t.Errorf("answered after %v, want at least %v", d, delay)
		}
	})
	t.Run("DelayThenError", func(t *testing.T) {
		mustAddFault(t, s, map[string]any{"operation": "ListClusters", "delay": "0.2s", "error": "InternalFailure", "count": 1})
		start := time.Now()
		_, err := c.ListClusters(t.Context(), &snowball.ListClustersInput{})
		wantCode(t, err, "InternalFailure")
		if d := time.Since(start); d < delay {
			t.Errorf("answered after %v, want at least %v", d, delay)
		}
	})
	t.Run("ClientGivesUp", func(t *testing.T) {
		mustAddFault(t, s, map[string]any{"operation": "ListLongTermPricing", "delay": "1m", "count": 1})
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.ListLongTermPricing(ctx, &snowball.ListLongTermPricingInput{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("ListLongTermPricing = %v, want the client's deadline", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("the client returned after %v", d)
		}
		// The server stops waiting too, rather than hold the request a minute.
		if r := log.wait(t, "ListLongTermPricing", 10*time.Second); r.Duration > 10*time.Second {
			t.Errorf("the server answered after %v", r.Duration)
		}
		if n := s.Handler.InFlight(); n != 0 {
			t.Errorf("%d requests still in flight", n)
		}
	})
}

func TestFaultDelayPastDeadline(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{Limits: server.Limits{RequestTimeout: 100 * time.Millisecond}})
	mustAddFault(t, s, map[string]any{"operation": "ListJobs", "delay": "1m", "error": "InternalFailure"})
	start := time.Now()
	_, err := s.Alice().ListJobs(t.Context(), &snowball.ListJobsInput{})
	wantCode(t, err, "ServiceUnavailableException")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("answered after %v, want the request's deadline", d)
	}
}

func TestFaultCount(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	mustAddFault(t, s, map[string]any{"operation": "DescribeAddresses", "error": "InvalidNextTokenException", "count": 2})
	var got []string
	for range 4 {
		_, err := c.DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
		var e *types.InvalidNextTokenException
		switch {
		case err == nil:
			got = append(got, "OK")
		case errors.As(err, &e):
			got = append(got, e.ErrorCode())
		default:
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"InvalidNextTokenException", "InvalidNextTokenException", "OK", "OK"}, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	wantHits(t, s, 0, 2, 0)

	// Without a count it goes on.
	mustAddFault(t, s, map[string]any{"operation": "GetSoftwareUpdates", "error": "InvalidJobStateException"})
	for range 3 {
		_, err := c.GetSoftwareUpdates(t.Context(), &snowball.GetSoftwareUpdatesInput{JobId: aws.String(unknownID("JID"))})
		wantErr[*types.InvalidJobStateException](t, err)
	}
	wantHits(t, s, 1, 3, -1)
}

// TestFaultAccount: a fault for one account leaves the others alone.
func TestFaultAccount(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	mustAddFault(t, s, map[string]any{"operation": "CreateAddress", "error": "UnsupportedAddressException", "accountId": alice.AccountID})
	_, err := s.Alice().CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: testAddress()})
	wantErr[*types.UnsupportedAddressException](t, err)
	mustCreateAddress(t, s.Bob())
	wantHits(t, s, 0, 1, -1)
	if got := listFaults(t, s)[0]["accountId"]; got != alice.AccountID {
		t.Errorf("accountId = %v, want %s", got, alice.AccountID)
	}
}

// TestFaultAfterValidation: a call that is invalid anyway gets its
// ValidationException, and uses up nothing.
func TestFaultAfterValidation(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	mustAddFault(t, s, map[string]any{"operation": "DescribeJob", "error": "InternalFailure", "count": 1})
	wantRawError(t, doRaw(t, s, rawRequest{Target: "DescribeJob", Body: `{}`, Cred: &alice}), "ValidationException")
	wantRawError(t, doRaw(t, s, rawRequest{Target: "DescribeJob", Body: `{"JobId":1}`, Cred: &alice}), "SerializationException")
	// An unsigned call is refused before any fault.
	wantRawError(t, doRaw(t, s, rawRequest{Target: "DescribeJob", Body: `{"JobId":"` + unknownID("JID") + `"}`}), "MissingAuthenticationTokenException")
	wantHits(t, s, 0, 0, 1)
	r := doRaw(t, s, rawRequest{Target: "DescribeJob", Body: `{"JobId":"` + unknownID("JID") + `"}`, Cred: &alice})
	if r.Status != http.StatusInternalServerError {
		t.Errorf("valid call: HTTP %d %s, want the fault's 500", r.Status, r.Body)
	}
}

func TestFaultsOperatorAPI(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	if got := listFaults(t, s); len(got) != 0 {
		t.Errorf("faults of a new server: %v", got)
	}
	a := mustAddFault(t, s, map[string]any{"operation": "CreateJob", "error": "Ec2RequestFailedException", "message": "no EC2",
		"count": 3, "probability": 0.5, "delay": "1.5s", "accountId": bob.AccountID})
	b := mustAddFault(t, s, map[string]any{"operation": "ListJobs", "delay": "1d"})
	cID := mustAddFault(t, s, map[string]any{"operation": "ListJobs", "error": "ThrottlingException", "probability": 1})
	created := frostytest.Start.Format(time.RFC3339)
	want := []map[string]any{
		{"id": a, "operation": "CreateJob", "error": "Ec2RequestFailedException", "message": "no EC2", "count": 3.0, "remaining": 3.0,
			"hits": 0.0, "probability": 0.5, "delay": "1.5s", "accountId": bob.AccountID, "createdAt": created},
		{"id": b, "operation": "ListJobs", "delay": "24h0m0s", "probability": 1.0, "hits": 0.0, "createdAt": created},
		{"id": cID, "operation": "ListJobs", "error": "ThrottlingException", "message": "Rate exceeded", "probability": 1.0, "hits": 0.0, "createdAt": created},
	}
	if diff := cmp.Diff(want, listFaults(t, s)); diff != "" {
		t.Errorf("GET /_frosty/faults (-want +got):\n%s", diff)
	}

	status, body := s.Operator(t, http.MethodDelete, "/_frosty/faults/"+b, nil)
	if status != http.StatusNoContent || body != "" {
		t.Errorf("DELETE: HTTP %d %q, want 204 and no body", status, body)
	}
	if got := len(listFaults(t, s)); got != 2 {
		t.Errorf("%d faults after a DELETE, want 2", got)
	}
	for _, id := range []string{b, "fault-0000000000000000", "nope"} {
		got := mustOperator(t, s, http.MethodDelete, "/_frosty/faults/"+id, nil, http.StatusNotFound)
		if got["code"] != "NotFound" || !strings.Contains(got["message"].(string), id) {
			t.Errorf("DELETE of %s: %v, want code NotFound naming it", id, got)
		}
	}
	status, body = s.Operator(t, http.MethodDelete, "/_frosty/faults", nil)
	if status != http.StatusNoContent || body != "" {
		t.Errorf("DELETE all: HTTP %d %q, want 204 and no body", status, body)
	}
	if got := listFaults(t, s); len(got) != 0 {
		t.Errorf("faults after DELETE all: %v", got)
	}
	// Cleared at once: ListJobs is not throttled.
	if _, err := s.Alice().ListJobs(t.Context(), &snowball.ListJobsInput{}); err != nil {
		t.Errorf("ListJobs after DELETE all: %v", err)
	}

	t.Run("ErrUnauthorized", func(t *testing.T) {
		for _, route := range []struct{ method, path, body string }{
			{http.MethodPost, "/_frosty/faults", `{"operation":"ListJobs","error":"InternalFailure"}`},
			{http.MethodGet, "/_frosty/faults", ""},
			{http.MethodDelete, "/_frosty/faults", ""},
			{http.MethodDelete, "/_frosty/faults/" + a, ""},
		} {
			if status, body := operatorWithToken(t, s, route.method, route.path, "Bearer nope", route.body); status != http.StatusUnauthorized {
				t.Errorf("%s %s with a wrong token: HTTP %d %s, want 401", route.method, route.path, status, body)
			}
		}
		if got := listFaults(t, s); len(got) != 0 {
			t.Errorf("an unauthorized POST added %v", got)
		}
	})
}

func TestFaultsBadBodies(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	for _, tc := range []struct {
		name, body, code, message string
	}{
		{"NotJSON", `operation=CreateJob`, "BadRequest", "the body is not a JSON object"},
		{"Array", `[{"operation":"CreateJob"}]`, "BadRequest", "the body is not a JSON object"},
		{"UnknownMember", `{"operation":"CreateJob","error":"InternalFailure","times":1}`, "BadRequest", `unknown member "times"`},
		{"WrongCase", `{"Operation":"CreateJob","error":"InternalFailure"}`, "BadRequest", `unknown member "Operation"`},
		{"Duplicate", `{"operation":"CreateJob","operation":"ListJobs","error":"InternalFailure"}`, "BadRequest", `member "operation" is given twice`},
		{"CountString", `{"operation":"CreateJob","error":"InternalFailure","count":"1"}`, "BadRequest", `member "count" has the wrong type`},
		{"CountFraction", `{"operation":"CreateJob","error":"InternalFailure","count":1.5}`, "BadRequest", `member "count" has the wrong type`},
		{"DelayNumber", `{"operation":"CreateJob","delay":2}`, "BadRequest", `member "delay" has the wrong type`},
		{"Trailing", `{"operation":"CreateJob","error":"InternalFailure"} {}`, "BadRequest", "more after its JSON object"},
		{"Empty", ``, "ValidationException", "operation is required"},
		{"NoOperation", `{"error":"InternalFailure"}`, "ValidationException", "operation is required: one of CancelCluster, CancelJob,"},
		{"UnknownOperation", `{"operation":"DeleteJob","error":"InternalFailure"}`, "ValidationException", `operation "DeleteJob" is not a Snowball operation`},
		{"ErrorNotAllowed", `{"operation":"CreateAddress","error":"KMSRequestFailedException"}`, "ValidationException",
			`error "KMSRequestFailedException" is not one CreateAddress can raise; it can raise InvalidAddressException, UnsupportedAddressException, ThrottlingException, InternalFailure, ServiceUnavailableException`},
		{"ProbabilityZero", `{"operation":"CreateJob","error":"InternalFailure","probability":0}`, "ValidationException", "probability is 0"},
		{"ProbabilityAboveOne", `{"operation":"CreateJob","error":"InternalFailure","probability":1.01}`, "ValidationException", "probability is 1.01"},
		{"DelayBad", `{"operation":"CreateJob","delay":"2 seconds"}`, "ValidationException", `delay "2 seconds" is not a duration`},
		{"DelayNegative", `{"operation":"CreateJob","delay":"-2s"}`, "ValidationException", `delay "-2s"`},
		{"AccountBad", `{"operation":"CreateJob","error":"InternalFailure","accountId":"alice"}`, "ValidationException", `accountId "alice" is not an account ID of 12 digits`},
		{"CountZero", `{"operation":"CreateJob","error":"InternalFailure","count":0}`, "ValidationException", "count is 0"},
		{"NothingToDo", `{"operation":"CreateJob"}`, "ValidationException", "a fault needs an error, a delay, or both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := operatorWithToken(t, s, http.MethodPost, "/_frosty/faults", "Bearer "+frostytest.AdminToken, tc.body)
			var got map[string]string
			if err := json.Unmarshal([]byte(body), &got); err != nil || status != http.StatusBadRequest {
				t.Fatalf("HTTP %d %s, want 400 and a JSON error", status, body)
			}
			if got["code"] != tc.code || !strings.Contains(got["message"], tc.message) {
				t.Errorf("error %v, want code %s and a message containing %q", got, tc.code, tc.message)
			}
		})
	}
	if got := listFaults(t, s); len(got) != 0 {
		t.Errorf("bad bodies added faults: %v", got)
	}
}

// TestFaultV1Typed: an aws-sdk-go v1 client gets a modeled fault as that
// exception's type too.
func TestFaultV1Typed(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	mustAddFault(t, s, map[string]any{"operation": "CreateJob", "error": "KMSRequestFailedException", "message": "denied"})
	c := s.AliceV1()
	addr, err := c.CreateAddress(&snowballv1.CreateAddressInput{Address: &snowballv1.Address{
		Name: awsv1.String("Ops"), Street1: awsv1.String("1 Main St"), City: awsv1.String("Seattle"), Country: awsv1.String("US"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateJob(&snowballv1.CreateJobInput{
		JobType: awsv1.String("IMPORT"), SnowballType: awsv1.String("EDGE"), AddressId: addr.AddressId,
		ShippingOption: awsv1.String("SECOND_DAY"),
		Resources:      &snowballv1.JobResource{S3Resources: []*snowballv1.S3Resource{{BucketArn: awsv1.String(testBucketARN)}}},
	})
	var e *snowballv1.KMSRequestFailedException
	if !errors.As(err, &e) || e.Message() != "denied" {
		t.Errorf("CreateJob = %v (%T), want *KMSRequestFailedException with message denied", err, err)
	}
}
