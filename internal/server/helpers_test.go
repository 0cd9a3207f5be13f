package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"go/token"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/sigv4"
)

// Account IDs and credentials of the harness, named for readability.
var (
	alice = frostytest.Accounts[0]
	bob   = frostytest.Accounts[1]
)

// Fixed ARNs the tests send; they satisfy the model's patterns.
const (
	testRoleARN   = "arn:aws:iam::111122223333:role/snowball-import-S3-role"
	testKmsKeyARN = "arn:aws:kms:us-west-2:111122223333:key/abcd1234-12ab-34cd-56ef-123456123456"
	testBucketARN = "arn:aws:s3:::frosty-bucket"
)

// ID patterns of BEHAVIOR.md §6.
var (
	reJobID          = regexp.MustCompile(`^JID[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reClusterID      = regexp.MustCompile(`^CID[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reAddressID      = regexp.MustCompile(`^ADID[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reLTPID          = regexp.MustCompile(`^LTPID[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	reUnlockCode     = regexp.MustCompile(`^[0-9a-z]{5}(-[0-9a-z]{5}){4}$`)
	reTrackingNumber = regexp.MustCompile(`^1Z[0-9A-Z]{16}$`)
)

// sdkOpts lets cmp compare aws-sdk-go-v2 structs, whose unexported fields
// (noSmithyDocumentSerde, the ResultMetadata's values) are not data.
var sdkOpts = cmp.FilterPath(func(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	return ok && !token.IsExported(sf.Name())
}, cmp.Ignore())

// unknownID returns an ID of the right form that the server never issued,
// so that the request passes validation and fails on lookup.
func unknownID(prefix string) string {
	return prefix + "0badf00d-0000-4000-8000-000000000000"
}

func testAddress() *types.Address {
	return &types.Address{
		Name:            aws.String("Frosty Tester"),
		Company:         aws.String("Frosty Inc."),
		Street1:         aws.String("123 Main Street"),
		City:            aws.String("Seattle"),
		StateOrProvince: aws.String("WA"),
		Country:         aws.String("US"),
		PostalCode:      aws.String("98101"),
		PhoneNumber:     aws.String("425-555-5555"),
	}
}

// mustCreateAddress creates testAddress() and returns its ID.
func mustCreateAddress(tb testing.TB, c *snowball.Client) string {
	tb.Helper()
	out, err := c.CreateAddress(tb.Context(), &snowball.CreateAddressInput{Address: testAddress()})
	if err != nil {
		tb.Fatalf("CreateAddress: %v", err)
	}
	return aws.ToString(out.AddressId)
}

// importJob is a valid EDGE IMPORT job to addressID.
func importJob(addressID string) *snowball.CreateJobInput {
	return &snowball.CreateJobInput{
		JobType:        types.JobTypeImport,
		SnowballType:   types.SnowballTypeEdge,
		AddressId:      aws.String(addressID),
		ShippingOption: types.ShippingOptionSecondDay,
		RoleARN:        aws.String(testRoleARN),
		KmsKeyARN:      aws.String(testKmsKeyARN),
		Resources: &types.JobResource{S3Resources: []types.S3Resource{
			{BucketArn: aws.String(testBucketARN)},
		}},
	}
}

// exportJob is a valid EDGE EXPORT job to addressID.
func exportJob(addressID string) *snowball.CreateJobInput {
	in := importJob(addressID)
	in.JobType = types.JobTypeExport
	return in
}

// localUseJob is a valid EDGE LOCAL_USE job to addressID.
func localUseJob(addressID string) *snowball.CreateJobInput {
	in := importJob(addressID)
	in.JobType = types.JobTypeLocalUse
	in.Resources = nil
	return in
}

// mustCreateJob creates in and returns the new JobId.
func mustCreateJob(tb testing.TB, c *snowball.Client, in *snowball.CreateJobInput) string {
	tb.Helper()
	out, err := c.CreateJob(tb.Context(), in)
	if err != nil {
		tb.Fatalf("CreateJob: %v", err)
	}
	return aws.ToString(out.JobId)
}

// mustCreateImportJob creates an address and an import job to it.
func mustCreateImportJob(tb testing.TB, c *snowball.Client) string {
	tb.Helper()
	return mustCreateJob(tb, c, importJob(mustCreateAddress(tb, c)))
}

func mustDescribeJob(tb testing.TB, c *snowball.Client, id string) *snowball.DescribeJobOutput {
	tb.Helper()
	out, err := c.DescribeJob(tb.Context(), &snowball.DescribeJobInput{JobId: aws.String(id)})
	if err != nil {
		tb.Fatalf("DescribeJob(%s): %v", id, err)
	}
	return out
}

func jobState(tb testing.TB, c *snowball.Client, id string) types.JobState {
	tb.Helper()
	return mustDescribeJob(tb, c, id).JobMetadata.JobState
}

func wantJobState(tb testing.TB, c *snowball.Client, id string, want types.JobState) {
	tb.Helper()
	if got := jobState(tb, c, id); got != want {
		tb.Errorf("job %s is %s, want %s", id, got, want)
	}
}

func clusterState(tb testing.TB, c *snowball.Client, id string) types.ClusterState {
	tb.Helper()
	out, err := c.DescribeCluster(tb.Context(), &snowball.DescribeClusterInput{ClusterId: aws.String(id)})
	if err != nil {
		tb.Fatalf("DescribeCluster(%s): %v", id, err)
	}
	return out.ClusterMetadata.ClusterState
}

// mustJobWithCustomer creates an import job for c and has the operator
// deliver it.
func mustJobWithCustomer(tb testing.TB, s *frostytest.Server, c *snowball.Client) string {
	tb.Helper()
	id := mustCreateImportJob(tb, c)
	s.Advance(tb, id, string(types.JobStateWithCustomer))
	return id
}

// paginator is what aws-sdk-go-v2's New<Op>Paginator returns.
type paginator[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*snowball.Options)) (O, error)
}

// eachPage calls page with every page of p, in order, and whether it is
// the last one, as aws-sdk-go's <Op>Pages did.
func eachPage[O any](ctx context.Context, p paginator[O], page func(out O, last bool)) error {
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		page(out, !p.HasMorePages())
	}
	return nil
}

// wantErr fails tb unless err is (or wraps) a T, and returns it.
func wantErr[T error](tb testing.TB, err error) T {
	tb.Helper()
	var target T
	if !errors.As(err, &target) {
		tb.Fatalf("err = %v (%T), want %T", err, err, target)
	}
	return target
}

// wantCode fails tb unless err is a smithy.APIError with code.
func wantCode(tb testing.TB, err error, code string) smithy.APIError {
	tb.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		tb.Fatalf("err = %v (%T), want smithy.APIError %s", err, err, code)
	}
	if ae.ErrorCode() != code {
		tb.Fatalf("error code = %s (%v), want %s", ae.ErrorCode(), ae, code)
	}
	return ae
}

// wantResource fails tb unless err is an InvalidResourceException with
// ResourceType rt.
func wantResource(tb testing.TB, err error, rt string) {
	tb.Helper()
	e := wantErr[*types.InvalidResourceException](tb, err)
	if got := aws.ToString(e.ResourceType); got != rt {
		tb.Errorf("ResourceType = %q, want %q (%v)", got, rt, e)
	}
}

// rawRequest is one hand-made API request.
type rawRequest struct {
	// Target is the operation name, or a full X-Amz-Target when it contains a dot.
	Target string
	Body   string
	// Cred signs the request; nil sends it unsigned.
	Cred *sigv4.Credential
	// Region of the signature; default us-west-2.
	Region string
	// SignAt is the signing time; zero means the server's clock.
	SignAt time.Time
	// ContentType replaces application/x-amz-json-1.1 (before signing).
	ContentType string
	// Header is set after signing, to break a signature on purpose.
	Header map[string]string
}

type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value, keeping numbers as json.Number
// so tests can tell them from strings.
func (r rawResponse) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		tb.Fatalf("response body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// doRaw sends req to s as an awsJson1.1 POST /, signed with the SDK's own
// SigV4 signer when req.Cred is set.
func doRaw(tb testing.TB, s *frostytest.Server, req rawRequest) rawResponse {
	tb.Helper()
	target := req.Target
	if !strings.Contains(target, ".") {
		target = "AWSIESnowballJobManagementService." + target
	}
	hr, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(req.Body))
	if err != nil {
		tb.Fatal(err)
	}
	hr.Header.Set("X-Amz-Target", target)
	hr.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if req.ContentType != "" {
		hr.Header.Set("Content-Type", req.ContentType)
	}
	if req.Cred != nil {
		region := req.Region
		if region == "" {
			region = "us-west-2"
		}
		at := req.SignAt
		if at.IsZero() {
			at = s.Clock.Now()
		}
		signRequest(tb, hr, req.Body, *req.Cred, region, at)
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// signRequest signs hr, whose body is body, with the SDK's SigV4 signer as
// of time at. The payload hash signed is an X-Amz-Content-Sha256 header
// already on hr, as aws-sdk-go's signer did, else body's: hostile requests
// claim a hash that is not the body's.
func signRequest(tb testing.TB, hr *http.Request, body string, cred sigv4.Credential, region string, at time.Time) {
	tb.Helper()
	hash := hr.Header.Get("X-Amz-Content-Sha256")
	if hash == "" {
		sum := sha256.Sum256([]byte(body))
		hash = hex.EncodeToString(sum[:])
	}
	creds := aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(tb.Context(), creds, hr, hash, "snowball", region, at); err != nil {
		tb.Fatal(err)
	}
}

// mustRaw is doRaw signed by Alice that must succeed.
func mustRaw(tb testing.TB, s *frostytest.Server, target, body string) map[string]any {
	tb.Helper()
	r := doRaw(tb, s, rawRequest{Target: target, Body: body, Cred: &alice})
	if r.Status != http.StatusOK {
		tb.Fatalf("%s %s: HTTP %d %s", target, body, r.Status, r.Body)
	}
	return r.JSON(tb)
}

// wantRawError checks an awsJson error response: status 400, __type code,
// the X-Amzn-ErrorType header equal to it and a request ID. It returns the
// decoded body.
func wantRawError(tb testing.TB, r rawResponse, code string) map[string]any {
	tb.Helper()
	if r.Status != http.StatusBadRequest {
		tb.Errorf("status = %d, want 400 (body %s)", r.Status, r.Body)
	}
	body := r.JSON(tb)
	if got := body["__type"]; got != code {
		tb.Errorf("__type = %v, want %s (body %s)", got, code, r.Body)
	}
	if got := r.Header.Get("X-Amzn-ErrorType"); got != code {
		tb.Errorf("X-Amzn-ErrorType = %q, want %q", got, code)
	}
	if r.Header.Get("X-Amzn-Requestid") == "" {
		tb.Errorf("no x-amzn-RequestId header")
	}
	return body
}

// mustOperator calls the operator API (a nil body sends none), checks the
// status and decodes the JSON answer.
func mustOperator(tb testing.TB, s *frostytest.Server, method, path string, body any, wantStatus int) map[string]any {
	tb.Helper()
	status, b := s.Operator(tb, method, path, body)
	if status != wantStatus {
		tb.Fatalf("%s %s: HTTP %d %s, want %d", method, path, status, b, wantStatus)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(b), &m); err != nil {
		tb.Fatalf("%s %s: body %q: %v", method, path, b, err)
	}
	return m
}

// advanceCluster asks the operator to move a cluster to state.
func advanceCluster(tb testing.TB, s *frostytest.Server, clusterID string, state types.ClusterState) (int, string) {
	tb.Helper()
	return s.Operator(tb, http.MethodPost, "/_frosty/clusters/"+clusterID+"/advance", map[string]string{"to": string(state)})
}

// tryAdvance is s.Advance that returns the status instead of failing.
func tryAdvance(tb testing.TB, s *frostytest.Server, jobID string, state types.JobState) (int, string) {
	tb.Helper()
	return s.Operator(tb, http.MethodPost, "/_frosty/jobs/"+jobID+"/advance", map[string]string{"to": string(state)})
}
