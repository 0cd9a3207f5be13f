package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/snowball"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/server"
	domain "github.com/frostyhq/frosty/internal/snowball"
)

// waitFor polls cond for up to 5 s of real time: for tests whose condition
// is another goroutine's progress, not the fake clock's.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestMaxInFlight(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{Limits: server.Limits{MaxInFlight: 1}})

	// The first request takes the only slot and holds it while its body
	// trickles in.
	body := `{"Address": {"Street1": "1 Main St", "City": "Seattle", "Country": "US"}}`
	pr, pw := io.Pipe()
	hr, err := http.NewRequest(http.MethodPost, s.URL+"/", pr)
	if err != nil {
		t.Fatal(err)
	}
	hr.ContentLength = int64(len(body))
	hr.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.CreateAddress")
	hr.Header.Set("Content-Type", "application/x-amz-json-1.1")
	signRequest(t, hr, body, alice, "us-west-2", s.Clock.Now())
	hr.Body = pr // the signer replaced it with a reader of body
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Error(err)
		}
		first <- resp
	}()
	io.WriteString(pw, body[:10])
	waitFor(t, "the first request to be in flight", func() bool { return s.Handler.InFlight() == 1 })

	t.Run("ErrThrottling", func(t *testing.T) {
		r := doRaw(t, s, rawRequest{Target: "DescribeAddresses", Body: `{}`, Cred: &alice})
		wantRawError(t, r, domain.Throttling)
		if r.Status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", r.Status)
		}
		_, err := s.Alice().DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
		throttle := retry.ThrottleErrorCode{Codes: retry.DefaultThrottleErrorCodes}
		if throttle.IsErrorThrottle(err) != aws.TrueTernary || !retry.NewStandard().IsErrorRetryable(err) {
			t.Errorf("aws-sdk-go-v2 does not see %v as a throttle to retry, so it would not back off", err)
		}
	})
	t.Run("HealthNotThrottled", func(t *testing.T) {
		if status, _ := frostytest.Get(t, s.URL+"/_frosty/health"); status != http.StatusOK {
			t.Errorf("health: HTTP %d while the API is busy", status)
		}
	})

	io.WriteString(pw, body[10:])
	pw.Close()
	resp := <-first
	if resp == nil {
		t.FailNow()
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the request holding the slot: HTTP %d", resp.StatusCode)
	}
	t.Run("OKAfterwards", func(t *testing.T) {
		mustRaw(t, s, "DescribeAddresses", `{}`)
	})
}

func TestRequestTimeout(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{Limits: server.Limits{RequestTimeout: 200 * time.Millisecond}})

	// Another transaction holds the store's only write connection.
	held, release := make(chan struct{}), make(chan struct{})
	go s.Store.Update(context.Background(), func(domain.Tx) error {
		close(held)
		<-release
		return errors.New("roll back")
	})
	<-held
	r := doRaw(t, s, rawRequest{Target: "CreateAddress", Cred: &alice,
		Body: `{"Address": {"Street1": "1 Main St", "City": "Seattle", "Country": "US"}}`})
	close(release)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("X-Amzn-ErrorType") != domain.ServiceUnavailable {
		t.Errorf("HTTP %d %s, want 503 %s", r.Status, r.Body, domain.ServiceUnavailable)
	}
	// Read the store itself: an API call here would have the same short
	// deadline, which a slow machine (-race) can miss.
	var left []*domain.Address
	if err := s.Store.View(context.Background(), func(tx domain.Tx) (err error) {
		left, err = tx.Addresses(context.Background(), domain.OwnerFor(alice.AccountID, "us-west-2"), domain.Page{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the call past its deadline left %d addresses behind", len(left))
	}
}

func TestBodyLimit(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	for _, tt := range []struct {
		name string
		size int
		code string
	}{
		{"AtLimit", server.MaxBodyBytes, domain.Serialization}, // padded with spaces: not an object of the right shape
		{"OverLimit", server.MaxBodyBytes + 1, domain.Serialization},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := `{}` + strings.Repeat(" ", tt.size-2)
			r := doRaw(t, s, rawRequest{Target: "DescribeAddresses", Body: body, Cred: &alice})
			if tt.size <= server.MaxBodyBytes {
				if r.Status != http.StatusOK {
					t.Fatalf("a body of %d bytes: HTTP %d %s", tt.size, r.Status, r.Body)
				}
				return
			}
			wantRawError(t, r, tt.code)
			if msg := r.JSON(t)["message"]; !strings.Contains(msg.(string), "larger than 1048576 bytes") {
				t.Errorf("message %q does not give the limit", msg)
			}
		})
	}
}

// dial opens a raw connection to s.
func dial(tb testing.TB, s *frostytest.Server) net.Conn {
	tb.Helper()
	c, err := net.Dial("tcp", s.HTTP.Listener.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reports whether the server closes c within d, after
// whatever response it sends.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	return err == nil // EOF: the server closed it; a timeout is an error
}

func TestConnectionTimeouts(t *testing.T) {
	const limit = 150 * time.Millisecond
	s := frostytest.MustStart(t, frostytest.Options{Limits: server.Limits{
		ReadHeaderTimeout: limit, ReadTimeout: 2 * limit, IdleTimeout: limit,
	}})
	t.Run("ReadHeaderTimeout", func(t *testing.T) {
		c := dial(t, s)
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: frosty\r\n") // and never the end of the headers
		if !closedWithin(c, 20*limit) {
			t.Error("a client that never finishes its headers keeps its connection")
		}
	})
	t.Run("ReadTimeout", func(t *testing.T) {
		c := dial(t, s)
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: frosty\r\nContent-Length: 100\r\nX-Amz-Target: AWSIESnowballJobManagementService.DescribeAddresses\r\n\r\n{")
		if !closedWithin(c, 20*limit) {
			t.Error("a client that never finishes its body keeps its connection")
		}
	})
	t.Run("IdleTimeout", func(t *testing.T) {
		c := dial(t, s)
		io.WriteString(c, "GET /_frosty/health HTTP/1.1\r\nHost: frosty\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !closedWithin(c, 20*limit) {
			t.Error("an idle keep-alive connection stays open past IdleTimeout")
		}
	})
	t.Run("MaxHeaderBytes", func(t *testing.T) {
		hr, _ := http.NewRequest(http.MethodGet, s.URL+"/_frosty/health", nil)
		hr.Header.Set("X-Big", strings.Repeat("a", server.DefaultLimits.MaxHeaderBytes+4096))
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("headers over the limit: HTTP %d, want 431", resp.StatusCode)
		}
	})
}

func TestDefaultLimits(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{Limits: server.Limits{RequestTimeout: time.Minute}})
	got := s.HTTP.Config
	want := server.DefaultLimits
	if got.ReadHeaderTimeout != want.ReadHeaderTimeout || got.ReadTimeout != want.ReadTimeout ||
		got.IdleTimeout != want.IdleTimeout || got.MaxHeaderBytes != want.MaxHeaderBytes {
		t.Errorf("http.Server limits %v %v %v %v, want the defaults", got.ReadHeaderTimeout, got.ReadTimeout, got.IdleTimeout, got.MaxHeaderBytes)
	}
	// A response must be allowed to outlast the deadline of its call.
	if got.WriteTimeout < time.Minute+10*time.Second {
		t.Errorf("WriteTimeout %v is shorter than the request deadline plus 10 s", got.WriteTimeout)
	}
}
