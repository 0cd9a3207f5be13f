package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/sigv4"
	domain "github.com/frostyhq/frosty/internal/snowball"
)

func TestSigV4(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	unknown := sigv4.Credential{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "alice-secret"}
	wrongSecret := sigv4.Credential{AccessKeyID: alice.AccessKeyID, SecretAccessKey: "not-alice-secret"}
	now := s.Clock.Now()

	for _, tc := range []struct {
		name string
		req  rawRequest
		code string // "" means success
	}{
		{"OK", rawRequest{Cred: &alice}, ""},
		{"OKSkew4MinBehind", rawRequest{Cred: &alice, SignAt: now.Add(-4 * time.Minute)}, ""},
		{"OKSkew4MinAhead", rawRequest{Cred: &alice, SignAt: now.Add(4 * time.Minute)}, ""},
		{"OKOtherRegion", rawRequest{Cred: &alice, Region: "eu-west-1"}, ""},
		{"OKContentTypeJSON10", rawRequest{Cred: &alice, ContentType: "application/x-amz-json-1.0"}, ""},
		{"OKContentTypeJSON", rawRequest{Cred: &alice, ContentType: "application/json"}, ""},
		{"ErrMissingAuthenticationToken", rawRequest{}, "MissingAuthenticationTokenException"},
		{"ErrIncompleteSignatureNoSignature", rawRequest{Header: map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDALICE/20260102/us-west-2/snowball/aws4_request, SignedHeaders=host;x-amz-date",
			"X-Amz-Date":    "20260102T150405Z",
		}}, "IncompleteSignatureException"},
		{"ErrIncompleteSignatureBadCredential", rawRequest{Header: map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDALICE, SignedHeaders=host, Signature=00",
			"X-Amz-Date":    "20260102T150405Z",
		}}, "IncompleteSignatureException"},
		{"ErrInvalidSignatureTargetChanged", rawRequest{Cred: &alice, Header: map[string]string{
			"X-Amz-Target": "AWSIESnowballJobManagementService.ListClusters",
		}}, "InvalidSignatureException"},
		{"ErrUnrecognizedClient", rawRequest{Cred: &unknown}, "UnrecognizedClientException"},
		{"ErrInvalidSignatureWrongSecret", rawRequest{Cred: &wrongSecret}, "InvalidSignatureException"},
		{"ErrInvalidSignatureSkew6MinBehind", rawRequest{Cred: &alice, SignAt: now.Add(-6 * time.Minute)}, "InvalidSignatureException"},
		{"ErrInvalidSignatureSkew6MinAhead", rawRequest{Cred: &alice, SignAt: now.Add(6 * time.Minute)}, "InvalidSignatureException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Target, tc.req.Body = "ListJobs", "{}"
			r := doRaw(t, s, tc.req)
			if tc.code == "" {
				if r.Status != http.StatusOK {
					t.Errorf("HTTP %d %s, want 200", r.Status, r.Body)
				}
				return
			}
			body := wantRawError(t, r, tc.code)
			if msg, _ := body["message"].(string); msg == "" {
				t.Errorf("no message: %s", r.Body)
			}
		})
	}

	t.Run("ErrInvalidSignatureSkewMessage", func(t *testing.T) {
		r := doRaw(t, s, rawRequest{Target: "ListJobs", Body: "{}", Cred: &alice, SignAt: now.Add(-6 * time.Minute)})
		if msg, _ := wantRawError(t, r, "InvalidSignatureException")["message"].(string); !strings.HasPrefix(msg, "Signature expired") {
			t.Errorf("message = %q, want Signature expired: ...", msg)
		}
	})

	t.Run("ErrInvalidSignatureBodyChanged", func(t *testing.T) {
		hr, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(`{"MaxResults":2}`))
		if err != nil {
			t.Fatal(err)
		}
		signed := doRawSigned(t, s, `{"MaxResults":1}`)
		hr.Header = signed
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
			t.Errorf("a body other than the signed one: HTTP %d %s, want 400 InvalidSignatureException",
				resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
	})

	t.Run("ErrThroughSDK", func(t *testing.T) {
		_, err := s.Client(wrongSecret, "us-west-2").ListJobs(t.Context(), &snowball.ListJobsInput{})
		wantCode(t, err, "InvalidSignatureException")
		_, err = s.Client(unknown, "us-west-2").ListJobs(t.Context(), &snowball.ListJobsInput{})
		wantCode(t, err, "UnrecognizedClientException")
	})
}

// doRawSigned returns the headers of a ListJobs request signed by Alice
// over body.
func doRawSigned(tb testing.TB, s *frostytest.Server, body string) http.Header {
	tb.Helper()
	hr, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	hr.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.ListJobs")
	hr.Header.Set("Content-Type", "application/x-amz-json-1.1")
	signRequest(tb, hr, body, alice, "us-west-2", s.Clock.Now())
	return hr.Header
}

func TestNoAuth(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{NoAuth: true})

	r := doRaw(t, s, rawRequest{Target: "CreateAddress", Body: `{"Address":{"Street1":"1 Main","City":"Seattle","Country":"US"}}`})
	if r.Status != http.StatusOK {
		t.Fatalf("unsigned CreateAddress with --auth none: HTTP %d %s", r.Status, r.Body)
	}
	id, _ := r.JSON(t)["AddressId"].(string)
	var owner domain.Owner
	err := s.Store.View(context.Background(), func(tx domain.Tx) error {
		a, err := tx.Address(context.Background(), id)
		if err == nil {
			owner = a.Owner
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if owner.Account != "000000000000" {
		t.Errorf("unsigned request ran as account %q, want 000000000000", owner.Account)
	}

	// Any signature, valid or not, is the same default account.
	stranger := s.Client(sigv4.Credential{AccessKeyID: "AKIDANYONE", SecretAccessKey: "whatever"}, "us-east-1")
	out, err := stranger.DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: aws.String(id)})
	if err != nil {
		t.Fatalf("signed DescribeAddress with --auth none: %v", err)
	}
	if got := aws.ToString(out.Address.AddressId); got != id {
		t.Errorf("AddressId = %s, want %s", got, id)
	}
}

// TestAccountIsolation checks that another account's resources look
// exactly like missing ones.
func TestAccountIsolation(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	a, b := s.Alice(), s.Bob()
	addr := mustCreateAddress(t, a)
	job := mustCreateJob(t, a, importJob(addr))
	delivered := mustJobWithCustomer(t, s, a)
	cluster := aws.ToString(mustCreateCluster(t, a, clusterInput(addr)).ClusterId)
	ltp := mustCreateLTP(t, a, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge)
	bobAddr := mustCreateAddress(t, b)
	bobLTP := mustCreateLTP(t, b, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge)
	ownAddress := map[*snowball.Client]string{a: addr, b: bobAddr}

	for _, tc := range []struct {
		name  string
		rtype string
		id    string // Alice's ID Bob tries
		call  func(c *snowball.Client, id string) error
	}{
		{"DescribeJob", "JOB", job, func(c *snowball.Client, id string) error {
			_, err := c.DescribeJob(t.Context(), &snowball.DescribeJobInput{JobId: aws.String(id)})
			return err
		}},
		{"UpdateJob", "JOB", job, func(c *snowball.Client, id string) error {
			_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(id), Description: aws.String("mine")})
			return err
		}},
		{"CancelJob", "JOB", job, func(c *snowball.Client, id string) error {
			_, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(id)})
			return err
		}},
		{"UpdateJobShipmentState", "JOB", delivered, func(c *snowball.Client, id string) error {
			_, err := c.UpdateJobShipmentState(t.Context(), &snowball.UpdateJobShipmentStateInput{JobId: aws.String(id), ShipmentState: types.ShipmentStateReturned})
			return err
		}},
		{"GetJobManifest", "JOB", delivered, deviceOps[0].call},
		{"GetJobUnlockCode", "JOB", delivered, deviceOps[1].call},
		{"GetSoftwareUpdates", "JOB", delivered, deviceOps[2].call},
		{"CreateReturnShippingLabel", "JOB", delivered, deviceOps[3].call},
		{"DescribeReturnShippingLabel", "JOB", delivered, func(c *snowball.Client, id string) error {
			_, err := c.DescribeReturnShippingLabel(t.Context(), &snowball.DescribeReturnShippingLabelInput{JobId: aws.String(id)})
			return err
		}},
		{"DescribeAddress", "ADDRESS", addr, func(c *snowball.Client, id string) error {
			_, err := c.DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: aws.String(id)})
			return err
		}},
		{"CreateJobAddressId", "ADDRESS", addr, func(c *snowball.Client, id string) error {
			_, err := c.CreateJob(t.Context(), importJob(id))
			return err
		}},
		{"UpdateJobAddressId", "ADDRESS", addr, func(c *snowball.Client, id string) error {
			own := mustCreateJob(t, c, importJob(ownAddress[c]))
			_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(own), AddressId: aws.String(id)})
			return err
		}},
		{"DescribeCluster", "CLUSTER", cluster, func(c *snowball.Client, id string) error {
			_, err := c.DescribeCluster(t.Context(), &snowball.DescribeClusterInput{ClusterId: aws.String(id)})
			return err
		}},
		{"UpdateCluster", "CLUSTER", cluster, func(c *snowball.Client, id string) error {
			_, err := c.UpdateCluster(t.Context(), &snowball.UpdateClusterInput{ClusterId: aws.String(id), Description: aws.String("mine")})
			return err
		}},
		{"CancelCluster", "CLUSTER", cluster, func(c *snowball.Client, id string) error {
			_, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: aws.String(id)})
			return err
		}},
		{"ListClusterJobs", "CLUSTER", cluster, func(c *snowball.Client, id string) error {
			_, err := c.ListClusterJobs(t.Context(), &snowball.ListClusterJobsInput{ClusterId: aws.String(id)})
			return err
		}},
		{"CreateJobClusterId", "CLUSTER", cluster, func(c *snowball.Client, id string) error {
			_, err := c.CreateJob(t.Context(), &snowball.CreateJobInput{ClusterId: aws.String(id)})
			return err
		}},
		{"UpdateLongTermPricing", "LONG_TERM_PRICING", ltp, func(c *snowball.Client, id string) error {
			_, err := c.UpdateLongTermPricing(t.Context(), &snowball.UpdateLongTermPricingInput{LongTermPricingId: aws.String(id), IsLongTermPricingAutoRenew: aws.Bool(true)})
			return err
		}},
		{"CreateJobLongTermPricingId", "LONG_TERM_PRICING", ltp, func(c *snowball.Client, id string) error {
			in := importJob(ownAddress[c])
			in.LongTermPricingId = aws.String(id)
			_, err := c.CreateJob(t.Context(), in)
			return err
		}},
		{"UpdateLongTermPricingReplacementJob", "JOB", job, func(c *snowball.Client, id string) error {
			own := bobLTP
			if c == a {
				own = ltp
			}
			_, err := c.UpdateLongTermPricing(t.Context(), &snowball.UpdateLongTermPricingInput{LongTermPricingId: aws.String(own), ReplacementJob: aws.String(id)})
			return err
		}},
	} {
		t.Run(tc.name+"/ErrInvalidResource", func(t *testing.T) {
			prefix := map[string]string{"JOB": "JID", "ADDRESS": "ADID", "CLUSTER": "CID", "LONG_TERM_PRICING": "LTPID"}[tc.rtype]
			missing := unknownID(prefix)
			errMissing := tc.call(a, missing)
			wantResource(t, errMissing, tc.rtype)
			errForeign := tc.call(b, tc.id)
			wantResource(t, errForeign, tc.rtype)
			got := wantErr[*types.InvalidResourceException](t, errForeign).ErrorMessage()
			want := strings.ReplaceAll(wantErr[*types.InvalidResourceException](t, errMissing).ErrorMessage(), missing, tc.id)
			if got != want {
				t.Errorf("foreign ID message %q, want the missing-ID message %q", got, want)
			}
		})
	}

	// Nothing Bob tried changed Alice's resources.
	if got := jobState(t, a, job); got != types.JobStateNew {
		t.Errorf("Alice's job is %s after Bob's calls", got)
	}
	if got := aws.ToString(mustDescribeJob(t, a, job).JobMetadata.Description); got != "" {
		t.Errorf("Alice's job Description = %q after Bob's UpdateJob", got)
	}
	if got := jobState(t, a, delivered); got != types.JobStateWithCustomer {
		t.Errorf("Alice's delivered job is %s after Bob's calls", got)
	}
	if got := clusterState(t, a, cluster); got != types.ClusterStateAwaitingQuorum {
		t.Errorf("Alice's cluster is %s after Bob's calls", got)
	}
	if e := mustLTPEntry(t, a, ltp); aws.ToBool(e.IsLongTermPricingAutoRenew) {
		t.Error("Bob's UpdateLongTermPricing changed Alice's contract")
	}

	t.Run("OKListsAreSeparate", func(t *testing.T) {
		jobs, err := b.ListJobs(t.Context(), &snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range jobs.JobListEntries {
			if id := aws.ToString(e.JobId); id == job || id == delivered {
				t.Errorf("Bob lists Alice's job %s", id)
			}
		}
		addrs, err := b.DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, ad := range addrs.Addresses {
			if aws.ToString(ad.AddressId) != bobAddr {
				t.Errorf("Bob lists address %s", aws.ToString(ad.AddressId))
			}
		}
	})
}

// TestRegions checks the US partition: the four US regions share one
// store per account, other regions are apart.
func TestRegions(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	west := s.Alice()
	east := s.Client(alice, "us-east-1")
	eu := s.Client(alice, "eu-west-1")
	addr := mustCreateAddress(t, west)
	job := mustCreateJob(t, west, importJob(addr))

	list := func(t *testing.T, c *snowball.Client) []string {
		t.Helper()
		out, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return jobIDs(out.JobListEntries)
	}
	t.Run("OKUSEast1SeesUSWest2", func(t *testing.T) {
		if diff := cmp.Diff([]string{job}, list(t, east)); diff != "" {
			t.Errorf("us-east-1 ListJobs (-want +got):\n%s", diff)
		}
		if _, err := east.DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: aws.String(addr)}); err != nil {
			t.Errorf("us-east-1 DescribeAddress: %v", err)
		}
		wantJobState(t, east, job, types.JobStateNew)
	})
	t.Run("OKEUWest1SeesNone", func(t *testing.T) {
		if got := list(t, eu); len(got) != 0 {
			t.Errorf("eu-west-1 ListJobs = %v, want none", got)
		}
		out, err := eu.DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Addresses) != 0 {
			t.Errorf("eu-west-1 DescribeAddresses = %v, want none", out.Addresses)
		}
	})
	t.Run("ErrInvalidResourceEUWest1", func(t *testing.T) {
		_, err := eu.DescribeJob(t.Context(), &snowball.DescribeJobInput{JobId: aws.String(job)})
		wantResource(t, err, "JOB")
		_, err = eu.CreateJob(t.Context(), importJob(addr))
		wantResource(t, err, "ADDRESS")
	})
	t.Run("OKEUWest1OwnJobs", func(t *testing.T) {
		euJob := mustCreateImportJob(t, eu)
		if diff := cmp.Diff([]string{euJob}, list(t, eu)); diff != "" {
			t.Errorf("eu-west-1 ListJobs (-want +got):\n%s", diff)
		}
		if got := list(t, west); len(got) != 1 {
			t.Errorf("us-west-2 sees %d jobs, want 1", len(got))
		}
	})
}
