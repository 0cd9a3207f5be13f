package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/service"
	domain "github.com/frostyhq/frosty/internal/snowball"
)

// clockOf reads the operator clock through the operator API.
func clockOf(tb testing.TB, s *frostytest.Server) (time.Time, bool) {
	tb.Helper()
	status, body := s.Operator(tb, "GET", "/_frosty/clock", nil)
	if status != http.StatusOK {
		tb.Fatalf("GET /_frosty/clock: HTTP %d %s", status, body)
	}
	var out struct {
		Now    time.Time `json:"now"`
		Frozen bool      `json:"frozen"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		tb.Fatal(err)
	}
	return out.Now, out.Frozen
}

func moveClock(tb testing.TB, s *frostytest.Server, body any) {
	tb.Helper()
	if status, out := s.Operator(tb, "POST", "/_frosty/clock", body); status != http.StatusOK {
		tb.Fatalf("POST /_frosty/clock %v: HTTP %d %s", body, status, out)
	}
}

// rawJobWithCustomer creates an import job with raw requests and brings it
// to WithCustomer.
func rawJobWithCustomer(tb testing.TB, s *frostytest.Server) string {
	tb.Helper()
	addr := mustRaw(tb, s, "CreateAddress", `{"Address": {"Street1": "1 Main St", "City": "Seattle", "Country": "US"}}`)["AddressId"].(string)
	job := mustRaw(tb, s, "CreateJob", `{"JobType": "IMPORT", "SnowballType": "EDGE", "AddressId": "`+addr+`",
		"ShippingOption": "SECOND_DAY", "Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::b"}]}}`)["JobId"].(string)
	s.Advance(tb, job, "WithCustomer")
	return job
}

func TestOperatorClock(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	if now, frozen := clockOf(t, s); !now.Equal(frostytest.Start) || frozen {
		t.Fatalf("clock at start: %v frozen %v, want %v running", now, frozen, frostytest.Start)
	}
	job := rawJobWithCustomer(t, s)
	manifest := mustRaw(t, s, "GetJobManifest", `{"JobId": "`+job+`"}`)["ManifestURI"].(string)

	// 360 days on, the job's credentials have expired, and SigV4 still
	// works: it keeps to the real (here: the test's) time.
	moveClock(t, s, map[string]string{"advance": "360d"})
	if now, _ := clockOf(t, s); !now.Equal(frostytest.Start.Add(360 * 24 * time.Hour)) {
		t.Errorf("after advancing 360d the clock says %v", now)
	}
	r := doRaw(t, s, rawRequest{Target: "GetJobUnlockCode", Body: `{"JobId": "` + job + `"}`, Cred: &alice})
	if body := wantRawError(t, r, domain.InvalidJobState); !strings.Contains(body["Message"].(string), "expired") {
		t.Errorf("unlock code after 360 days: %v, want the credentials expired", body)
	}
	t.Run("PresignedURLExpired", func(t *testing.T) {
		resp, err := http.Get(manifest)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a manifest URL of 360 days ago: HTTP %d, want 403", resp.StatusCode)
		}
	})
	t.Run("TimestampsFollow", func(t *testing.T) {
		addr := mustRaw(t, s, "CreateAddress", `{"Address": {"Street1": "1 Main St", "City": "Seattle", "Country": "US"}}`)["AddressId"].(string)
		out := mustRaw(t, s, "CreateJob", `{"JobType": "IMPORT", "SnowballType": "EDGE", "AddressId": "`+addr+`",
			"ShippingOption": "NEXT_DAY", "Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::b"}]}}`)
		md := mustRaw(t, s, "DescribeJob", `{"JobId": "`+out["JobId"].(string)+`"}`)["JobMetadata"].(map[string]any)
		created, _ := md["CreationDate"].(json.Number).Float64()
		if want := float64(frostytest.Start.Add(360 * 24 * time.Hour).Unix()); created != want {
			t.Errorf("CreationDate %v, want the operator clock's %v", created, want)
		}
	})

	t.Run("Freeze", func(t *testing.T) {
		moveClock(t, s, map[string]bool{"freeze": true})
		at, frozen := clockOf(t, s)
		s.Clock.Advance(time.Hour) // the real time goes on
		if now, _ := clockOf(t, s); !now.Equal(at) || !frozen {
			t.Errorf("frozen clock moved from %v to %v", at, now)
		}
		moveClock(t, s, map[string]string{"advance": "1h"})
		if now, _ := clockOf(t, s); !now.Equal(at.Add(time.Hour)) {
			t.Errorf("a frozen clock advanced by 1h says %v, want %v", now, at.Add(time.Hour))
		}
		moveClock(t, s, map[string]bool{"freeze": false})
		s.Clock.Advance(time.Minute)
		if now, frozen := clockOf(t, s); !now.Equal(at.Add(time.Hour+time.Minute)) || frozen {
			t.Errorf("unfrozen clock says %v frozen %v, want it running on from %v", now, frozen, at.Add(time.Hour))
		}
	})
	t.Run("Set", func(t *testing.T) {
		target := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		moveClock(t, s, map[string]string{"set": target.Format(time.RFC3339)})
		if now, _ := clockOf(t, s); !now.Equal(target) {
			t.Errorf("set to %v, the clock says %v", target, now)
		}
	})

	for name, body := range map[string]string{
		"ErrBackwards":   `{"set": "2026-01-01T00:00:00Z"}`,
		"ErrNegative":    `{"advance": "-1h"}`,
		"ErrBadDuration": `{"advance": "soon"}`,
		"ErrBadTime":     `{"set": "tomorrow"}`,
		"ErrTwoMoves":    `{"advance": "1h", "freeze": true}`,
		"ErrNoMove":      `{}`,
		"ErrUnknown":     `{"adv": "1h"}`,
		"ErrFreezeType":  `{"freeze": "yes"}`,
	} {
		t.Run(name, func(t *testing.T) {
			before, _ := clockOf(t, s)
			var v any
			json.Unmarshal([]byte(body), &v)
			status, out := s.Operator(t, "POST", "/_frosty/clock", v)
			if status != http.StatusBadRequest || !strings.Contains(out, `"code"`) {
				t.Errorf("POST %s: HTTP %d %s, want 400", body, status, out)
			}
			if after, _ := clockOf(t, s); !after.Equal(before) {
				t.Errorf("a refused move moved the clock from %v to %v", before, after)
			}
		})
	}
	t.Run("ErrNoToken", func(t *testing.T) {
		if status, _ := frostytest.Get(t, s.URL+"/_frosty/clock"); status != http.StatusUnauthorized {
			t.Errorf("GET /_frosty/clock without the token: HTTP %d", status)
		}
	})
}

// TestOperatorClockRestored: a new server over the same store starts where
// the clock was left, never back in time.
func TestOperatorClockRestored(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	moveClock(t, s, map[string]string{"advance": "30d"})
	restored := domain.NewOperatorClock(s.Clock, domain.ClockState{})
	svc := newServiceOver(t, s, restored)
	if err := svc.RestoreClock(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := restored.Now(), frostytest.Start.Add(30*24*time.Hour); !got.Equal(want) {
		t.Errorf("restored clock says %v, want %v", got, want)
	}
}

func newServiceOver(tb testing.TB, s *frostytest.Server, clock *domain.OperatorClock) *service.Service {
	return service.New(s.Store, clock, nil, []byte("k"), service.Config{OperatorClock: clock})
}
