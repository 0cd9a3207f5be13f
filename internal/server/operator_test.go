package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

// operatorWithToken calls the operator API with an explicit Authorization
// header ("" sends none).
func operatorWithToken(tb testing.TB, s *frostytest.Server, method, path, auth, body string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestOperatorAuth(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	id := mustCreateImportJob(t, s.Alice())
	for _, tc := range []struct {
		name, method, path, auth string
	}{
		{"ErrUnauthorizedAdvanceNoToken", http.MethodPost, "/_frosty/jobs/" + id + "/advance", ""},
		{"ErrUnauthorizedAdvanceWrongToken", http.MethodPost, "/_frosty/jobs/" + id + "/advance", "Bearer nope"},
		{"ErrUnauthorizedAdvanceNotBearer", http.MethodPost, "/_frosty/jobs/" + id + "/advance", frostytest.AdminToken},
		{"ErrUnauthorizedEventsNoToken", http.MethodGet, "/_frosty/jobs/" + id + "/events", ""},
		{"ErrUnauthorizedClusterNoToken", http.MethodPost, "/_frosty/clusters/" + unknownID("CID") + "/advance", ""},
		// A signed SigV4 header is no operator credential.
		{"ErrUnauthorizedSigV4", http.MethodPost, "/_frosty/jobs/" + id + "/advance",
			"AWS4-HMAC-SHA256 Credential=AKIDALICE/20260102/us-west-2/snowball/aws4_request, SignedHeaders=host, Signature=00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := operatorWithToken(t, s, tc.method, tc.path, tc.auth, `{"to":"WithCustomer"}`)
			if status != http.StatusUnauthorized {
				t.Errorf("HTTP %d %s, want 401", status, body)
			}
		})
	}
	wantJobState(t, s.Alice(), id, types.JobStateNew)

	t.Run("OKHealthNeedsNoToken", func(t *testing.T) {
		status, body := frostytest.Get(t, s.URL+"/_frosty/health")
		if status != http.StatusOK {
			t.Errorf("health: HTTP %d %s", status, body)
		}
	})
}

func TestOperatorAdvance(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	id := mustCreateImportJob(t, c)

	t.Run("OK", func(t *testing.T) {
		got := mustOperator(t, s, http.MethodPost, "/_frosty/jobs/"+id+"/advance", map[string]string{"to": "PreparingShipment"}, http.StatusOK)
		want := map[string]any{"JobId": id, "JobState": "PreparingShipment"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("advance response (-want +got):\n%s", diff)
		}
		wantJobState(t, c, id, types.JobStatePreparingShipment)
	})
	for _, tc := range []struct {
		name   string
		id     string
		body   any
		status int
	}{
		{"ErrNotFoundUnknownJob", unknownID("JID"), map[string]string{"to": "WithCustomer"}, http.StatusNotFound},
		{"ErrNotFoundMalformedID", "JIDnope", map[string]string{"to": "WithCustomer"}, http.StatusNotFound},
		{"ErrBadRequestBackwards", id, map[string]string{"to": "New"}, http.StatusBadRequest},
		{"ErrBadRequestSameState", id, map[string]string{"to": "PreparingShipment"}, http.StatusBadRequest},
		{"ErrBadRequestUnknownState", id, map[string]string{"to": "Shipped"}, http.StatusBadRequest},
		{"ErrBadRequestOffPath", id, map[string]string{"to": "Listing"}, http.StatusBadRequest},
		{"ErrBadRequestCancelled", id, map[string]string{"to": "Cancelled"}, http.StatusBadRequest},
		{"ErrBadRequestNoTarget", id, map[string]string{}, http.StatusBadRequest},
		{"ErrBadRequestNoBody", id, nil, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := s.Operator(t, http.MethodPost, "/_frosty/jobs/"+tc.id+"/advance", tc.body)
			if status != tc.status {
				t.Errorf("HTTP %d %s, want %d", status, body, tc.status)
			}
		})
	}
	wantJobState(t, c, id, types.JobStatePreparingShipment)

	t.Run("ErrBadRequestExportMasterComplete", func(t *testing.T) {
		master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))
		if status, body := tryAdvance(t, s, master, types.JobStateComplete); status != http.StatusBadRequest {
			t.Errorf("HTTP %d %s, want 400", status, body)
		}
		wantJobState(t, c, master, types.JobStateNew)
	})
	t.Run("ErrClusterAdvance", func(t *testing.T) {
		if status, body := advanceCluster(t, s, unknownID("CID"), "Pending"); status != http.StatusNotFound {
			t.Errorf("unknown cluster: HTTP %d %s, want 404", status, body)
		}
		in := clusterInput(mustCreateAddress(t, c))
		in.InitialClusterSize = aws.Int32(3)
		cluster := aws.ToString(mustCreateCluster(t, c, in).ClusterId)
		if status, body := advanceCluster(t, s, cluster, "InUse"); status != http.StatusBadRequest {
			t.Errorf("cluster to InUse: HTTP %d %s, want 400", status, body)
		}
		got := mustOperator(t, s, http.MethodPost, "/_frosty/clusters/"+cluster+"/advance", map[string]string{"to": "Pending"}, http.StatusOK)
		if diff := cmp.Diff(map[string]any{"ClusterId": cluster, "ClusterState": "Pending"}, got); diff != "" {
			t.Errorf("cluster advance response (-want +got):\n%s", diff)
		}
	})
}

type operatorEvent struct {
	At    time.Time `json:"at"`
	From  string    `json:"from"`
	To    string    `json:"to"`
	Cause string    `json:"cause"`
}

func mustEvents(tb testing.TB, s *frostytest.Server, id string) []operatorEvent {
	tb.Helper()
	status, body := s.Operator(tb, http.MethodGet, "/_frosty/jobs/"+id+"/events", nil)
	if status != http.StatusOK {
		tb.Fatalf("events: HTTP %d %s", status, body)
	}
	var out struct {
		JobID  string          `json:"JobId"`
		Events []operatorEvent `json:"events"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		tb.Fatalf("events %s: %v", body, err)
	}
	if out.JobID != id {
		tb.Errorf("events JobId = %s, want %s", out.JobID, id)
	}
	return out.Events
}

func TestOperatorEvents(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	id := mustCreateImportJob(t, c)
	created := s.Clock.Now()
	s.Clock.Advance(time.Hour)
	advanced := s.Clock.Now()
	s.Advance(t, id, string(types.JobStateWithCustomer))
	s.Clock.Advance(time.Hour)
	returned := s.Clock.Now()
	if _, err := c.UpdateJobShipmentState(t.Context(), &snowball.UpdateJobShipmentStateInput{
		JobId: aws.String(id), ShipmentState: types.ShipmentStateReturned,
	}); err != nil {
		t.Fatal(err)
	}

	want := []operatorEvent{
		{At: created, To: "New", Cause: "customer"},
		{At: advanced, From: "New", To: "PreparingAppliance", Cause: "operator"},
		{At: advanced, From: "PreparingAppliance", To: "PreparingShipment", Cause: "operator"},
		{At: advanced, From: "PreparingShipment", To: "InTransitToCustomer", Cause: "operator"},
		{At: advanced, From: "InTransitToCustomer", To: "WithCustomer", Cause: "operator"},
		{At: returned, From: "WithCustomer", To: "InTransitToAWS", Cause: "customer"},
	}
	if diff := cmp.Diff(want, mustEvents(t, s, id)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		status, body := s.Operator(t, http.MethodGet, "/_frosty/jobs/"+unknownID("JID")+"/events", nil)
		if status != http.StatusNotFound {
			t.Errorf("HTTP %d %s, want 404", status, body)
		}
	})
}
