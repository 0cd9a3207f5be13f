package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/manifest"
	"github.com/frostyhq/frosty/internal/service"
)

var (
	// The tests run as Alice in us-west-2: the URL is scoped to the job's region.
	reCredential = regexp.MustCompile(`^[A-Z0-9]+/\d{8}/us-west-2/s3/aws4_request$`)
	reSignature  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	reAmzDate    = regexp.MustCompile(`^\d{8}T\d{6}Z$`)
)

// checkPresignedURL checks that uri is an S3-style SigV4 presigned URL
// valid for expires seconds, and returns its parsed form.
func checkPresignedURL(tb testing.TB, uri string, expires string) *url.URL {
	tb.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		tb.Fatalf("presigned URL %q: %v", uri, err)
	}
	q := u.Query()
	for _, c := range []struct {
		param string
		ok    func(string) bool
	}{
		{"X-Amz-Algorithm", func(v string) bool { return v == "AWS4-HMAC-SHA256" }},
		{"X-Amz-Credential", reCredential.MatchString},
		{"X-Amz-Date", reAmzDate.MatchString},
		{"X-Amz-Expires", func(v string) bool { return v == expires }},
		{"X-Amz-SignedHeaders", func(v string) bool { return v == "host" }},
		{"X-Amz-Signature", reSignature.MatchString},
	} {
		if v := q[c.param]; len(v) != 1 || !c.ok(v[0]) {
			tb.Errorf("%s = %q in %s", c.param, v, uri)
		}
	}
	if !strings.Contains(uri, "X-Amz-Expires="+expires) {
		tb.Errorf("URL %s lacks X-Amz-Expires=%s", uri, expires)
	}
	return u
}

// deviceOps are the operations that hand out a device's files, each as a
// call on job id. Several tests share them, so they call with
// context.Background().
var deviceOps = []struct {
	name string
	call func(c *snowball.Client, id string) error
}{
	{"GetJobManifest", func(c *snowball.Client, id string) error {
		_, err := c.GetJobManifest(context.Background(), &snowball.GetJobManifestInput{JobId: aws.String(id)})
		return err
	}},
	{"GetJobUnlockCode", func(c *snowball.Client, id string) error {
		_, err := c.GetJobUnlockCode(context.Background(), &snowball.GetJobUnlockCodeInput{JobId: aws.String(id)})
		return err
	}},
	{"GetSoftwareUpdates", func(c *snowball.Client, id string) error {
		_, err := c.GetSoftwareUpdates(context.Background(), &snowball.GetSoftwareUpdatesInput{JobId: aws.String(id)})
		return err
	}},
	{"CreateReturnShippingLabel", func(c *snowball.Client, id string) error {
		_, err := c.CreateReturnShippingLabel(context.Background(), &snowball.CreateReturnShippingLabelInput{JobId: aws.String(id)})
		return err
	}},
}

// TestDeviceOpsNeedWithCustomer checks BEHAVIOR §1.4: a device's manifest,
// unlock code, updates and return label exist only while it is with the
// customer.
func TestDeviceOpsNeedWithCustomer(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	jobs := map[types.JobState]string{}
	for _, state := range []types.JobState{
		types.JobStateNew, types.JobStatePreparingAppliance, types.JobStatePreparingShipment,
		types.JobStateInTransitToCustomer, types.JobStateInTransitToAws, types.JobStateWithAws,
		types.JobStateComplete, types.JobStateCancelled,
	} {
		id := mustCreateJob(t, c, importJob(addr))
		switch state {
		case types.JobStateNew:
		case types.JobStateCancelled:
			if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
		default:
			s.Advance(t, id, string(state))
		}
		jobs[state] = id
	}
	for _, op := range deviceOps {
		for state, id := range jobs {
			t.Run(op.name+"/ErrInvalidJobState"+string(state), func(t *testing.T) {
				wantErr[*types.InvalidJobStateException](t, op.call(c, id))
			})
		}
		t.Run(op.name+"/ErrInvalidResource", func(t *testing.T) {
			wantResource(t, op.call(c, unknownID("JID")), "JOB")
		})
		t.Run(op.name+"/ErrInvalidResourceOtherAccount", func(t *testing.T) {
			wantResource(t, op.call(s.Bob(), jobs[types.JobStateNew]), "JOB")
		})
	}
}

func TestGetJobManifest(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	id := mustJobWithCustomer(t, s, c)

	out, err := c.GetJobManifest(t.Context(), &snowball.GetJobManifestInput{JobId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	uri := aws.ToString(out.ManifestURI)
	u := checkPresignedURL(t, uri, "3600")
	if got, want := u.Query().Get("X-Amz-Date"), s.Clock.Now().Format("20060102T150405Z"); got != want {
		t.Errorf("X-Amz-Date = %s, want the server's time %s", got, want)
	}
	if !strings.HasSuffix(u.Path, "/"+id+"_manifest.bin") || !strings.Contains(uri, service.ManifestBucket) {
		t.Errorf("ManifestURI %s does not name %s/%s_manifest.bin", uri, service.ManifestBucket, id)
	}

	code, err := c.GetJobUnlockCode(t.Context(), &snowball.GetJobUnlockCodeInput{JobId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}

	status, body := frostytest.Get(t, uri)
	if status != http.StatusOK {
		t.Fatalf("GET manifest: HTTP %d %s", status, body)
	}
	t.Run("OKOpen", func(t *testing.T) {
		doc, err := manifest.Open(body, aws.ToString(code.UnlockCode))
		if err != nil {
			t.Fatal(err)
		}
		if doc.JobID != id {
			t.Errorf("manifest JobID = %s, want %s", doc.JobID, id)
		}
		if doc.JobType != string(types.JobTypeImport) || doc.SnowballType != string(types.SnowballTypeEdge) {
			t.Errorf("manifest JobType/SnowballType = %s/%s, want IMPORT/EDGE", doc.JobType, doc.SnowballType)
		}
		if want := aws.ToString(mustDescribeJob(t, c, id).JobMetadata.SnowballId); doc.SnowballID != want {
			t.Errorf("manifest SnowballID = %q, want %q", doc.SnowballID, want)
		}
	})
	t.Run("ErrWrongCode", func(t *testing.T) {
		wrong := []byte(aws.ToString(code.UnlockCode))
		if wrong[0] == '0' {
			wrong[0] = '1'
		} else {
			wrong[0] = '0'
		}
		if _, err := manifest.Open(body, string(wrong)); !errors.Is(err, manifest.ErrWrongCode) {
			t.Errorf("Open with a wrong code: %v, want ErrWrongCode", err)
		}
	})
	t.Run("OKFreshURLEachCall", func(t *testing.T) {
		s.Clock.Advance(time.Minute)
		again, err := c.GetJobManifest(t.Context(), &snowball.GetJobManifestInput{JobId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(again.ManifestURI) == uri {
			t.Errorf("a minute later GetJobManifest returned the same URL")
		}
	})
}

func TestGetJobUnlockCode(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	id := mustJobWithCustomer(t, s, c)
	other := mustJobWithCustomer(t, s, c)
	get := func(id string) string {
		t.Helper()
		out, err := c.GetJobUnlockCode(t.Context(), &snowball.GetJobUnlockCodeInput{JobId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UnlockCode)
	}
	code := get(id)
	if len(code) != 29 || !reUnlockCode.MatchString(code) {
		t.Errorf("UnlockCode = %q, want 29 chars like 12345-abcde-56789-fghij-01234", code)
	}
	s.Clock.Advance(time.Hour)
	if again := get(id); again != code {
		t.Errorf("UnlockCode changed from %s to %s", code, again)
	}
	if get(other) == code {
		t.Errorf("two jobs share the unlock code %s", code)
	}
}

func TestGetSoftwareUpdates(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	id := mustJobWithCustomer(t, s, c)
	out, err := c.GetSoftwareUpdates(t.Context(), &snowball.GetSoftwareUpdatesInput{JobId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	uri := aws.ToString(out.UpdatesURI)
	checkPresignedURL(t, uri, "172800")
	// Two days of validity: still good after a day.
	s.Clock.Advance(24 * time.Hour)
	status, body := frostytest.Get(t, uri)
	if status != http.StatusOK || !strings.Contains(string(body), id) {
		t.Errorf("GET updates a day later: HTTP %d %q, want 200 naming %s", status, body, id)
	}
	s.Clock.Advance(24*time.Hour + time.Minute)
	if status, body := frostytest.Get(t, uri); status != http.StatusForbidden {
		t.Errorf("GET updates after two days: HTTP %d %s, want 403", status, body)
	}
}

// TestPresignedURL checks that the download route verifies what it hands
// out: any change to a URL breaks it, and it expires.
func TestPresignedURL(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	id := mustJobWithCustomer(t, s, c)
	out, err := c.GetJobManifest(t.Context(), &snowball.GetJobManifestInput{JobId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	uri := aws.ToString(out.ManifestURI)

	t.Run("OK", func(t *testing.T) {
		if status, body := frostytest.Get(t, uri); status != http.StatusOK || len(body) == 0 {
			t.Errorf("GET: HTTP %d, %d bytes", status, len(body))
		}
	})
	u, _ := url.Parse(uri)
	pathChar := strings.Replace(uri, id, flipChar(id, len(id)-1), 1)
	expires := strings.Replace(uri, "X-Amz-Expires=3600", "X-Amz-Expires=3599", 1)
	q := u.Query()
	sig := q.Get("X-Amz-Signature")
	sigChanged := strings.Replace(uri, sig, flipChar(sig, 0), 1)
	for _, tc := range []struct {
		name, url string
	}{
		{"ErrSignatureDoesNotMatchPathChar", pathChar},
		{"ErrSignatureDoesNotMatchQueryValue", expires},
		{"ErrSignatureDoesNotMatchSignature", sigChanged},
		{"ErrSignatureDoesNotMatchAddedParam", uri + "&response-content-type=text%2Fplain"},
		{"ErrSignatureDoesNotMatchOtherBucket", strings.Replace(uri, service.ManifestBucket, service.UpdatesBucket, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.url == uri {
				t.Fatal("the tampered URL is unchanged")
			}
			status, body := frostytest.Get(t, tc.url)
			if status != http.StatusForbidden || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
				t.Errorf("GET: HTTP %d %s, want 403 SignatureDoesNotMatch", status, body)
			}
		})
	}
	t.Run("ErrAccessDeniedExpired", func(t *testing.T) {
		s.Clock.Advance(61 * time.Minute)
		status, body := frostytest.Get(t, uri)
		if status != http.StatusForbidden || !strings.Contains(string(body), "<Code>AccessDenied</Code>") ||
			!strings.Contains(string(body), "Request has expired") {
			t.Errorf("GET after 61 min: HTTP %d %s, want 403 AccessDenied Request has expired", status, body)
		}
	})
}

// TestCredentialsExpire checks that a job's manifest and unlock code are
// refused 360 days after the job was created.
func TestCredentialsExpire(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	id := mustJobWithCustomer(t, s, c)
	ops := deviceOps[:2] // GetJobManifest, GetJobUnlockCode

	s.Clock.Advance(359 * 24 * time.Hour)
	for _, op := range ops {
		t.Run(op.name+"/OKDay359", func(t *testing.T) {
			if err := op.call(c, id); err != nil {
				t.Errorf("after 359 days: %v", err)
			}
		})
	}
	s.Clock.Advance(2 * 24 * time.Hour)
	for _, op := range ops {
		t.Run(op.name+"/ErrInvalidJobStateDay361", func(t *testing.T) {
			wantErr[*types.InvalidJobStateException](t, op.call(c, id))
		})
	}
}

func TestReturnShippingLabel(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	create := func(id string) (*snowball.CreateReturnShippingLabelOutput, error) {
		return c.CreateReturnShippingLabel(t.Context(), &snowball.CreateReturnShippingLabelInput{JobId: aws.String(id)})
	}
	describe := func(id string) (*snowball.DescribeReturnShippingLabelOutput, error) {
		return c.DescribeReturnShippingLabel(t.Context(), &snowball.DescribeReturnShippingLabelInput{JobId: aws.String(id)})
	}

	// BEHAVIOR §8: a label expires 30 days after it was requested, whether
	// or not anyone looked at it in between.
	t.Run("OKTimedOutWhenFirstDescribedLate", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		c := s.Alice()
		id := mustJobWithCustomer(t, s, c)
		created := s.Clock.Now()
		if _, err := c.CreateReturnShippingLabel(t.Context(), &snowball.CreateReturnShippingLabelInput{JobId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		s.Clock.Advance(31 * 24 * time.Hour)
		out, err := c.DescribeReturnShippingLabel(t.Context(), &snowball.DescribeReturnShippingLabelInput{JobId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Status; got != types.ShippingLabelStatusTimedOut {
			t.Errorf("Status = %s, want TimedOut: the label expired on %v", got, created.Add(30*24*time.Hour))
		}
		if out.ReturnShippingLabelURI != nil {
			t.Errorf("an expired label has a URI: %s", *out.ReturnShippingLabelURI)
		}
	})
	t.Run("ErrInvalidJobStateDescribeInNew", func(t *testing.T) {
		_, err := describe(mustCreateImportJob(t, c))
		wantErr[*types.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidResourceDescribeNoneRequested", func(t *testing.T) {
		_, err := describe(mustJobWithCustomer(t, s, c))
		wantErr[*types.InvalidResourceException](t, err)
	})
	t.Run("ErrInvalidResourceDescribeUnknownJob", func(t *testing.T) {
		_, err := describe(unknownID("JID"))
		wantResource(t, err, "JOB")
	})

	id := mustJobWithCustomer(t, s, c)
	created := s.Clock.Now()
	t.Run("OKCreate", func(t *testing.T) {
		out, err := create(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Status; got != types.ShippingLabelStatusInProgress {
			t.Errorf("Status = %s, want InProgress", got)
		}
	})
	t.Run("ErrConflictWhileInProgress", func(t *testing.T) {
		_, err := create(id)
		e := wantErr[*types.ConflictException](t, err)
		if got := aws.ToString(e.ConflictResource); got != id {
			t.Errorf("ConflictResource = %q, want %s", got, id)
		}
	})
	t.Run("OKDescribeSucceeded", func(t *testing.T) {
		out, err := describe(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Status; got != types.ShippingLabelStatusSucceeded {
			t.Fatalf("Status = %s, want Succeeded", got)
		}
		if want := created.Add(30 * 24 * time.Hour); !aws.ToTime(out.ExpirationDate).Equal(want) {
			t.Errorf("ExpirationDate = %v, want %v", aws.ToTime(out.ExpirationDate), want)
		}
		uri := aws.ToString(out.ReturnShippingLabelURI)
		checkPresignedURL(t, uri, "3600")
		status, body := frostytest.Get(t, uri)
		if status != http.StatusOK || !strings.HasPrefix(string(body), "%PDF") {
			t.Errorf("GET label: HTTP %d %.20q, want a PDF", status, body)
		}
	})
	t.Run("ErrReturnShippingLabelAlreadyExists", func(t *testing.T) {
		_, err := create(id)
		wantErr[*types.ReturnShippingLabelAlreadyExistsException](t, err)
	})
	t.Run("OKDescribeInTransitToAWS", func(t *testing.T) {
		other := mustJobWithCustomer(t, s, c)
		if _, err := create(other); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateJobShipmentState(t.Context(), &snowball.UpdateJobShipmentStateInput{
			JobId: aws.String(other), ShipmentState: types.ShipmentStateReturned,
		}); err != nil {
			t.Fatal(err)
		}
		out, err := describe(other)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Status; got != types.ShippingLabelStatusSucceeded {
			t.Errorf("Status = %s, want Succeeded", got)
		}
		wantJobState(t, c, other, types.JobStateInTransitToAws) // labels do not move the job
	})
	t.Run("OKTimedOutAfter31Days", func(t *testing.T) {
		s.Clock.Advance(31 * 24 * time.Hour)
		out, err := describe(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Status; got != types.ShippingLabelStatusTimedOut {
			t.Errorf("Status = %s, want TimedOut", got)
		}
		if out.ExpirationDate == nil {
			t.Error("no ExpirationDate on a TimedOut label")
		}
		if out.ReturnShippingLabelURI != nil {
			t.Errorf("a TimedOut label has a URI: %s", *out.ReturnShippingLabelURI)
		}
		// An expired label can be replaced.
		again, err := create(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := again.Status; got != types.ShippingLabelStatusInProgress {
			t.Errorf("new label Status = %s, want InProgress", got)
		}
	})
}
