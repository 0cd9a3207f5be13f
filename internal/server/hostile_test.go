package server_test

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
)

// minHostileRows keeps the corpus from shrinking silently.
const minHostileRows = 200

// maxMessage is the longest error message any response may carry.
const maxMessage = 4096

// hostileWire is the error envelope a row expects.
type hostileWire int

const (
	// wireAPI is an awsJson error: __type, X-Amzn-ErrorType, x-amzn-RequestId.
	wireAPI hostileWire = iota
	// wireS3 is the S3 XML <Error> of the download buckets.
	wireS3
	// wireOperator is the operator API's JSON: {"message"} when code is
	// empty, else {"code", "message"}.
	wireOperator
	// wireJSON is any JSON object: unknown paths under /_frosty/.
	wireJSON
	// wirePlain is a bare text/plain answer, neither XML nor JSON.
	wirePlain
)

// hostileRow is one request of the corpus and what the server must answer.
type hostileRow struct {
	name  string
	build func(t *testing.T) *http.Request
	// before runs just before build, for the rows that need the clock moved.
	before func(t *testing.T)

	status int
	wire   hostileWire
	code   string
	// message, if set, must occur in the error message (or equal it, if exact).
	message string
	exact   bool
	// fields are further members an API error body must carry.
	fields map[string]string
	// check, if set, makes further assertions on the message.
	check func(t *testing.T, message string)
}

// hostileEnv is the server under attack and the resources the rows aim at.
type hostileEnv struct {
	s *frostytest.Server

	addr, job, delivered, clusterA, clusterB, ltp string
	// opJob is the operator rows' target, in case one moves it.
	opJob                   string
	bobAddr, bobJob, bobLTP string

	// Genuine NextTokens, to forge from.
	tokAddresses, tokJobs, tokClusters, tokClusterJobs, tokLTP, tokVersions string

	// Genuine presigned download URLs, issued at urlsIssued, and the
	// access key ID that signs them.
	manifestURL, updatesURL, labelURL string
	urlsIssued                        time.Time
	downloadKeyID                     string
}

// TestHostileRequests sends a corpus of malformed, forged and foreign
// requests to a real listener. Every one must get the 4xx the row names —
// never a 5xx, a hang or a crash — with the right envelope, and the
// server must still work afterwards.
func TestHostileRequests(t *testing.T) {
	start := time.Now()
	e := newHostileEnv(t)
	rows := e.rows()
	if len(rows) < minHostileRows {
		t.Fatalf("the corpus has %d rows, want at least %d", len(rows), minHostileRows)
	}
	seen := map[string]bool{}
	for _, row := range rows {
		if seen[row.name] {
			t.Fatalf("two rows are named %s", row.name)
		}
		seen[row.name] = true
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			if row.before != nil {
				row.before(t)
			}
			checkHostile(t, row, sendHostile(t, row.build(t)))
		})
	}

	t.Run("OKStillServes", func(t *testing.T) {
		out, err := e.s.Alice().DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
		if err != nil {
			t.Fatalf("DescribeAddresses after the corpus: %v", err)
		}
		if len(out.Addresses) == 0 {
			t.Error("DescribeAddresses after the corpus lists no addresses")
		}
	})
	t.Run("OKNothingLogged", func(t *testing.T) {
		for line := range strings.Lines(e.s.Logs.String()) {
			if strings.Contains(line, "level=ERROR") || strings.Contains(line, "panic") {
				t.Errorf("server logged: %s", clip(line))
			}
		}
	})
	t.Logf("%d rows in %v", len(rows), time.Since(start).Round(time.Millisecond))
}

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	s := frostytest.MustStart(t, frostytest.Options{})
	a, b := s.Alice(), s.Bob()
	e := &hostileEnv{s: s}

	e.addr = mustCreateAddress(t, a)
	mustCreateAddress(t, a)
	e.job = mustCreateJob(t, a, importJob(e.addr))
	e.delivered = mustJobWithCustomer(t, s, a)
	e.opJob = mustCreateJob(t, a, importJob(e.addr))
	in := clusterInput(e.addr)
	in.InitialClusterSize = aws.Int32(3)
	e.clusterA = aws.ToString(mustCreateCluster(t, a, in).ClusterId)
	e.clusterB = aws.ToString(mustCreateCluster(t, a, clusterInput(e.addr)).ClusterId)
	e.ltp = mustCreateLTP(t, a, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge)
	mustCreateLTP(t, a, types.LongTermPricingTypeThreeYear, types.SnowballTypeEdge)
	e.bobAddr = mustCreateAddress(t, b)
	e.bobJob = mustCreateJob(t, b, importJob(e.bobAddr))
	e.bobLTP = mustCreateLTP(t, b, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge)

	one := aws.Int32(1)
	must := func(name string, tok *string, err error) string {
		t.Helper()
		if err != nil || tok == nil {
			t.Fatalf("%s with MaxResults 1: no NextToken (%v)", name, err)
		}
		return *tok
	}
	addrs, err := a.DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{MaxResults: one})
	e.tokAddresses = must("DescribeAddresses", addrs.NextToken, err)
	jobs, err := a.ListJobs(t.Context(), &snowball.ListJobsInput{MaxResults: one})
	e.tokJobs = must("ListJobs", jobs.NextToken, err)
	clusters, err := a.ListClusters(t.Context(), &snowball.ListClustersInput{MaxResults: one})
	e.tokClusters = must("ListClusters", clusters.NextToken, err)
	cj, err := a.ListClusterJobs(t.Context(), &snowball.ListClusterJobsInput{ClusterId: aws.String(e.clusterA), MaxResults: one})
	e.tokClusterJobs = must("ListClusterJobs", cj.NextToken, err)
	ltps, err := a.ListLongTermPricing(t.Context(), &snowball.ListLongTermPricingInput{MaxResults: one})
	e.tokLTP = must("ListLongTermPricing", ltps.NextToken, err)
	versions, err := a.ListServiceVersions(t.Context(), &snowball.ListServiceVersionsInput{ServiceName: types.ServiceNameKubernetes, MaxResults: one})
	e.tokVersions = must("ListServiceVersions", versions.NextToken, err)

	id := aws.String(e.delivered)
	manifest, err := a.GetJobManifest(t.Context(), &snowball.GetJobManifestInput{JobId: id})
	if err != nil {
		t.Fatal(err)
	}
	e.manifestURL = aws.ToString(manifest.ManifestURI)
	updates, err := a.GetSoftwareUpdates(t.Context(), &snowball.GetSoftwareUpdatesInput{JobId: id})
	if err != nil {
		t.Fatal(err)
	}
	e.updatesURL = aws.ToString(updates.UpdatesURI)
	if _, err := a.CreateReturnShippingLabel(t.Context(), &snowball.CreateReturnShippingLabelInput{JobId: id}); err != nil {
		t.Fatal(err)
	}
	label, err := a.DescribeReturnShippingLabel(t.Context(), &snowball.DescribeReturnShippingLabelInput{JobId: id})
	if err != nil {
		t.Fatal(err)
	}
	e.labelURL = aws.ToString(label.ReturnShippingLabelURI)
	e.urlsIssued = s.Clock.Now()
	u, err := url.Parse(e.manifestURL)
	if err != nil {
		t.Fatal(err)
	}
	e.downloadKeyID, _, _ = strings.Cut(u.Query().Get("X-Amz-Credential"), "/")
	// The tampered URLs below only mean something if the genuine ones work.
	for _, u := range []string{e.manifestURL, e.updatesURL, e.labelURL} {
		if status, body := frostytest.Get(t, u); status != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d %s", u, status, clip(string(body)))
		}
	}
	return e
}

// rows is the whole corpus, in the order it runs: the expired-URL rows
// move the clock, so they come last.
func (e *hostileEnv) rows() []hostileRow {
	var rows []hostileRow
	for _, part := range [][]hostileRow{
		e.framingRows(), e.typeRows(), e.modelRows(), e.targetRows(), e.authRows(),
		e.paginationRows(), e.isolationRows(), e.defectRows(), e.unknownGetRows(),
		e.operatorRows(), e.downloadRows(),
	} {
		rows = append(rows, part...)
	}
	return rows
}

// apiInputs are the zero inputs of the 27 operations, so rows can be
// generated from what the model says about them.
var apiInputs = map[string]model.Input{
	"CancelCluster":               &model.CancelClusterRequest{},
	"CancelJob":                   &model.CancelJobRequest{},
	"CreateAddress":               &model.CreateAddressRequest{},
	"CreateCluster":               &model.CreateClusterRequest{},
	"CreateJob":                   &model.CreateJobRequest{},
	"CreateLongTermPricing":       &model.CreateLongTermPricingRequest{},
	"CreateReturnShippingLabel":   &model.CreateReturnShippingLabelRequest{},
	"DescribeAddress":             &model.DescribeAddressRequest{},
	"DescribeAddresses":           &model.DescribeAddressesRequest{},
	"DescribeCluster":             &model.DescribeClusterRequest{},
	"DescribeJob":                 &model.DescribeJobRequest{},
	"DescribeReturnShippingLabel": &model.DescribeReturnShippingLabelRequest{},
	"GetJobManifest":              &model.GetJobManifestRequest{},
	"GetJobUnlockCode":            &model.GetJobUnlockCodeRequest{},
	"GetSnowballUsage":            &model.GetSnowballUsageRequest{},
	"GetSoftwareUpdates":          &model.GetSoftwareUpdatesRequest{},
	"ListClusterJobs":             &model.ListClusterJobsRequest{},
	"ListClusters":                &model.ListClustersRequest{},
	"ListCompatibleImages":        &model.ListCompatibleImagesRequest{},
	"ListJobs":                    &model.ListJobsRequest{},
	"ListLongTermPricing":         &model.ListLongTermPricingRequest{},
	"ListPickupLocations":         &model.ListPickupLocationsRequest{},
	"ListServiceVersions":         &model.ListServiceVersionsRequest{},
	"UpdateCluster":               &model.UpdateClusterRequest{},
	"UpdateJob":                   &model.UpdateJobRequest{},
	"UpdateJobShipmentState":      &model.UpdateJobShipmentStateRequest{},
	"UpdateLongTermPricing":       &model.UpdateLongTermPricingRequest{},
}

// opNames lists the model's operations, checking apiInputs covers them.
func opNames() []string {
	var names []string
	for _, op := range model.Operations {
		if apiInputs[op.Name] == nil {
			panic("hostile_test: no input for operation " + op.Name)
		}
		names = append(names, op.Name)
	}
	if len(names) != len(apiInputs) {
		panic(fmt.Sprintf("hostile_test: %d operations, %d inputs", len(names), len(apiInputs)))
	}
	return names
}

// member is one top-level member of a Go input struct.
type member struct {
	name string // the wire name
	typ  reflect.Type
}

func members(v any) []member {
	rt := reflect.TypeOf(v)
	if rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	var out []member
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, member{name, f.Type})
	}
	return out
}

// lowerFirst is the Coral path of a member: lowerCamelCase.
func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

var timestampType = reflect.TypeFor[model.Timestamp]()

// wrongValue is a JSON value of the wrong type, named for its type.
type wrongValue struct{ kind, json string }

var (
	wrongString = wrongValue{"String", `"1"`}
	wrongNumber = wrongValue{"Number", `5`}
	wrongBool   = wrongValue{"Bool", `true`}
	wrongObject = wrongValue{"Object", `{}`}
	wrongArray  = wrongValue{"Array", `[]`}
)

// wrongJSON returns JSON values of the wrong type for a member of type rt.
func wrongJSON(rt reflect.Type) []wrongValue {
	if rt.Kind() == reflect.Slice {
		return []wrongValue{wrongString, wrongObject}
	}
	if rt.Kind() != reflect.Pointer {
		panic("hostile_test: member of unexpected type " + rt.String())
	}
	el := rt.Elem()
	if el == timestampType {
		return []wrongValue{wrongObject, wrongString}
	}
	switch el.Kind() {
	case reflect.String:
		return []wrongValue{wrongNumber, wrongObject}
	case reflect.Int64, reflect.Float64:
		return []wrongValue{wrongString, wrongArray}
	case reflect.Bool:
		return []wrongValue{wrongString, wrongNumber}
	case reflect.Struct:
		return []wrongValue{wrongArray, wrongString}
	}
	panic("hostile_test: member of unexpected type " + rt.String())
}

// isEnum reports whether rt is a pointer to a model enum.
func isEnum(rt reflect.Type) bool {
	return rt.Kind() == reflect.Pointer && rt.Elem().Kind() == reflect.String && rt.Elem() != reflect.TypeFor[string]()
}

// apiReq is rawRequest plus the knobs a hostile client turns.
type apiReq struct {
	rawRequest
	// Method and Path default to POST /.
	Method, Path string
	// RawTarget sends Target as the whole header; NoTarget sends none.
	RawTarget, NoTarget bool
	// Service is the signing service; default snowball.
	Service string
	// Signed is the body the signature covers, when not the one sent.
	Signed *string
	// PreSign headers are set before signing, so they are signed.
	PreSign map[string]string
	// Delete names headers removed after signing.
	Delete []string
	// Chunked sends the body without a Content-Length.
	Chunked bool
	// After edits the finished request.
	After func(*http.Request)
}

func (e *hostileEnv) apiRequest(t *testing.T, req apiReq) *http.Request {
	t.Helper()
	hr, err := http.NewRequest(cmp.Or(req.Method, http.MethodPost), e.s.URL+cmp.Or(req.Path, "/"), strings.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	if !req.NoTarget {
		target := req.Target
		if !req.RawTarget && !strings.Contains(target, ".") {
			target = "AWSIESnowballJobManagementService." + target
		}
		hr.Header.Set("X-Amz-Target", target)
	}
	hr.Header.Set("Content-Type", cmp.Or(req.ContentType, "application/x-amz-json-1.1"))
	for k, v := range req.PreSign {
		hr.Header.Set(k, v)
	}
	if req.Cred != nil {
		signed := req.Body
		if req.Signed != nil {
			signed = *req.Signed
		}
		region := cmp.Or(req.Region, "us-west-2")
		at := req.SignAt
		if at.IsZero() {
			at = e.s.Clock.Now()
		}
		if service := cmp.Or(req.Service, "snowball"); service == "snowball" {
			signRequest(t, hr, signed, *req.Cred, region, at)
		} else {
			signer := v4.NewSigner(credentials.NewStaticCredentials(req.Cred.AccessKeyID, req.Cred.SecretAccessKey, ""))
			if _, err := signer.Sign(hr, strings.NewReader(signed), service, region, at); err != nil {
				t.Fatal(err)
			}
		}
		// The signer attaches the body it signed; send the one meant.
		body := req.Body
		hr.Body = io.NopCloser(strings.NewReader(body))
		hr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
		hr.ContentLength = int64(len(body))
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	for _, k := range req.Delete {
		hr.Header.Del(k)
	}
	if req.Chunked {
		hr.ContentLength = -1
		hr.GetBody = nil
	}
	if req.After != nil {
		req.After(hr)
	}
	return hr
}

// hostileClient never follows redirects and gives up on a hang.
var hostileClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func sendHostile(t *testing.T, hr *http.Request) rawResponse {
	t.Helper()
	resp, err := hostileClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", hr.Method, clip(hr.URL.String()), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", hr.Method, clip(hr.URL.String()), err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// clip shortens s for a failure message.
func clip(s string) string {
	if len(s) > 300 {
		return fmt.Sprintf("%s...(%d bytes)", s[:300], len(s))
	}
	return s
}

func checkHostile(t *testing.T, row hostileRow, r rawResponse) {
	t.Helper()
	if r.Status < 400 || r.Status > 499 {
		// The envelope of a success, a redirect or a 5xx says nothing more.
		t.Fatalf("HTTP %d, want %d: a hostile request must get a 4xx (%s, body %s)",
			r.Status, row.status, r.Header.Get("Content-Type"), clip(string(r.Body)))
	}
	if r.Status != row.status {
		t.Errorf("status = %d, want %d (body %s)", r.Status, row.status, clip(string(r.Body)))
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	wantType := map[hostileWire]string{
		wireAPI: "application/x-amz-json-1.1", wireS3: "application/xml", wireOperator: "application/json",
		wireJSON: "application/json", wirePlain: "text/plain",
	}[row.wire]
	if mediaType != wantType {
		t.Errorf("Content-Type = %q, want %s (body %s)", r.Header.Get("Content-Type"), wantType, clip(string(r.Body)))
	}

	var msg string
	switch row.wire {
	case wireAPI:
		body, ok := jsonObject(t, r)
		if !ok {
			return
		}
		if got := body["__type"]; got != row.code {
			t.Errorf("__type = %v, want %s (body %s)", got, row.code, clip(string(r.Body)))
		}
		if got := r.Header.Get("X-Amzn-ErrorType"); got != row.code {
			t.Errorf("X-Amzn-ErrorType = %q, want %q", got, row.code)
		}
		if r.Header.Get("X-Amzn-Requestid") == "" {
			t.Errorf("no x-amzn-RequestId header")
		}
		lower, okLower := body["message"].(string)
		upper, okUpper := body["Message"].(string)
		if okLower == okUpper {
			t.Errorf("want exactly one of message and Message: %s", clip(string(r.Body)))
		}
		msg = lower + upper
		for k, want := range row.fields {
			if got := body[k]; got != want {
				t.Errorf("%s = %v, want %s", k, got, want)
			}
		}
	case wireS3:
		var x struct {
			Code, Message, Resource, RequestId string
		}
		if err := xml.Unmarshal(r.Body, &x); err != nil {
			t.Errorf("body is not an S3 <Error>: %v: %s", err, clip(string(r.Body)))
			return
		}
		if x.Code != row.code {
			t.Errorf("<Code> = %q, want %q (message %q)", x.Code, row.code, clip(x.Message))
		}
		if x.RequestId == "" {
			t.Error("no <RequestId>")
		}
		msg = x.Message
	case wireOperator:
		body, ok := jsonObject(t, r)
		if !ok {
			return
		}
		// Every operator error is {"code", "message"}; the rows leave the
		// code of the protocol's own errors implicit.
		want := []string{"code", "message"}
		if got := slices.Sorted(maps.Keys(body)); !slices.Equal(got, want) {
			t.Errorf("members %v, want %v: %s", got, want, clip(string(r.Body)))
		}
		code := row.code
		if code == "" {
			code = map[int]string{http.StatusUnauthorized: "Unauthorized", http.StatusBadRequest: "BadRequest"}[row.status]
		}
		if got, _ := body["code"].(string); got != code {
			t.Errorf("code = %q, want %q", got, code)
		}
		msg, _ = body["message"].(string)
		if msg == "" {
			t.Errorf("no message: %s", clip(string(r.Body)))
		}
	case wireJSON:
		jsonObject(t, r)
	case wirePlain:
		if b := bytes.TrimSpace(r.Body); len(b) > 0 && (b[0] == '<' || b[0] == '{') {
			t.Errorf("a plain 404 is neither XML nor JSON: %s", clip(string(r.Body)))
		}
	}

	if len(msg) > maxMessage {
		t.Errorf("message is %d bytes, want at most %d: %s", len(msg), maxMessage, clip(msg))
	}
	switch {
	case row.message == "":
	case row.exact && msg != row.message:
		t.Errorf("message = %q, want %q", clip(msg), row.message)
	case !row.exact && !strings.Contains(msg, row.message):
		t.Errorf("message %q does not contain %q", clip(msg), row.message)
	}
	if row.check != nil {
		row.check(t, msg)
	}
}

func jsonObject(t *testing.T, r rawResponse) (map[string]any, bool) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil || m == nil {
		t.Errorf("body is not a JSON object (%v): %s", err, clip(string(r.Body)))
		return nil, false
	}
	return m, true
}

// api is a row of one API request and the awsJson error it must get;
// every awsJson error is a 400.
func (e *hostileEnv) api(name string, req apiReq, code string) hostileRow {
	return hostileRow{name: name, build: func(t *testing.T) *http.Request { return e.apiRequest(t, req) },
		status: http.StatusBadRequest, wire: wireAPI, code: code}
}

// aliceReq is a request signed by Alice.
func aliceReq(target, body string) apiReq {
	return apiReq{rawRequest: rawRequest{Target: target, Body: body, Cred: &alice}}
}

func withMessage(r hostileRow, msg string) hostileRow { r.message = msg; return r }

func withResource(r hostileRow, rt string) hostileRow {
	r.fields = map[string]string{"ResourceType": rt}
	return r
}

const (
	serialization    = "SerializationException"
	validation       = "ValidationException"
	unknownOperation = "UnknownOperationException"
	incomplete       = "IncompleteSignatureException"
	invalidSignature = "InvalidSignatureException"
	invalidToken     = "InvalidNextTokenException"
	invalidResource  = "InvalidResourceException"
)

// framingRows: bodies that are not a well-formed JSON object, or are too
// big, too deep or oddly encoded.
func (e *hostileEnv) framingRows() []hostileRow {
	var rows []hostileRow
	for _, op := range opNames() {
		for _, f := range []struct{ name, body string }{
			{"Null", `null`},
			{"Array", `[]`},
			{"String", `"x"`},
			{"Number", `123`},
			{"Truncated", `{"MaxResults":`},
			{"TrailingGarbage", `{}}`},
		} {
			rows = append(rows, e.api("Framing/"+op+"/"+f.name, aliceReq(op, f.body), serialization))
		}
		// No body is {}: an operation with required members is invalid.
		if v := model.Validate(apiInputs[op]); v != nil {
			r := e.api("Framing/"+op+"/NoBody", aliceReq(op, ""), validation)
			r.message, r.exact = v.Error(), true
			rows = append(rows, r)
		}
	}
	nested := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	deepObject := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	tooBig := func(n int) string { // a CreateAddress body of n bytes
		head, tail := `{"Address":{"Street1":"`, `"}}`
		return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
	}
	for _, f := range []struct {
		name, op, body, code string
	}{
		{"WhitespaceOnly", "DescribeJob", " \r\n\t ", validation},
		{"BOM", "ListJobs", "\xef\xbb\xbf{}", serialization},
		{"TwoObjects", "ListJobs", `{}{}`, serialization},
		{"Comment", "ListJobs", `{/* frosty */}`, serialization},
		{"SingleQuotes", "DescribeJob", `{'JobId':'x'}`, serialization},
		{"UnquotedKey", "ListJobs", `{MaxResults:1}`, serialization},
		{"TrailingComma", "ListJobs", `{"MaxResults":1,}`, serialization},
		{"NaN", "ListJobs", `{"MaxResults":NaN}`, serialization},
		{"Infinity", "ListJobs", `{"MaxResults":Infinity}`, serialization},
		{"HexNumber", "ListJobs", `{"MaxResults":0x10}`, serialization},
		{"UnterminatedString", "DescribeJob", `{"JobId":"JID`, serialization},
		{"InvalidUTF8OutsideString", "ListJobs", "{\xff}", serialization},
		{"InvalidUTF8InJobId", "DescribeJob", "{\"JobId\":\"JID\xff\xfe\"}", serialization},
		// Invalid UTF-8 is not JSON (RFC 8259 §8.1); replacing it with
		// U+FFFD would store a value other than the one sent.
		{"InvalidUTF8InStringMember", "CreateAddress", "{\"Address\":{\"Street1\":\"1 Main \xff\",\"City\":\"Seattle\",\"Country\":\"US\"}}", serialization},
		{"InvalidUTF8InUnknownKey", "ListJobs", "{\"\xff\":1}", serialization},
		{"TruncatedUTF8Sequence", "CreateAddress", "{\"Address\":{\"Street1\":\"caf\xc3\",\"City\":\"Seattle\",\"Country\":\"US\"}}", serialization},
		{"RawNULInString", "DescribeJob", "{\"JobId\":\"JID\x00\"}", serialization},
		{"NULBeforeBody", "ListJobs", "\x00{}", serialization},
		{"NULAfterBody", "ListJobs", "{}\x00", serialization},
		{"EscapedNULJobId", "DescribeJob", `{"JobId":"\u0000"}`, validation},
		{"LoneSurrogateJobId", "DescribeJob", `{"JobId":"\ud800"}`, validation},
		{"BadEscape", "DescribeJob", `{"JobId":"\x41"}`, serialization},
		{"Nested10000ArraysBody", "ListJobs", nested("[", "]", 10000), serialization},
		{"Nested10000ArraysInStringMember", "DescribeJob", `{"JobId":` + nested("[", "]", 10000) + `}`, serialization},
		{"Nested10000ArraysInUnknownMember", "ListJobs", `{"Frosty":` + nested("[", "]", 10000) + `}`, serialization},
		{"Nested10000ObjectsInUnknownMember", "ListJobs", `{"Frosty":` + deepObject + `}`, serialization},
		{"Nested10000ObjectsInStructMember", "CreateAddress", `{"Address":` + deepObject + `}`, serialization},
		{"Unclosed10000Objects", "ListJobs", strings.Repeat(`{"a":`, 10000), serialization},
		{"HugeExponent", "ListJobs", `{"MaxResults":1e400}`, serialization},
		{"HugeInteger", "ListJobs", `{"MaxResults":1` + strings.Repeat("0", 400) + `}`, serialization},
		{"Int64Overflow", "ListJobs", `{"MaxResults":9223372036854775808}`, serialization},
		{"Int64Underflow", "ListJobs", `{"MaxResults":-9223372036854775809}`, serialization},
		{"FractionForInteger", "ListJobs", `{"MaxResults":1.5}`, serialization},
		{"HugeFloat", "CreateJob", `{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"StorageLimit":1e400}}}`, serialization},
		{"HugeClusterSize", "CreateCluster", `{"InitialClusterSize":1e400}`, serialization},
		{"BodyOf1MiBPlus1", "CreateAddress", tooBig(server.MaxBodyBytes + 1), serialization},
	} {
		rows = append(rows, e.api("Framing/"+f.name, aliceReq(f.op, f.body), f.code))
	}
	chunked := aliceReq("CreateAddress", tooBig(server.MaxBodyBytes+1))
	chunked.Chunked = true
	rows = append(rows, e.api("Framing/BodyOf1MiBPlus1Chunked", chunked, serialization))
	// Right at the limit the body is read, and the model refuses Street1.
	rows = append(rows, e.api("Framing/BodyOfExactly1MiB", aliceReq("CreateAddress", tooBig(server.MaxBodyBytes)), validation))
	return rows
}

// typeRows: members of the wrong JSON type, generated from the Go inputs.
func (e *hostileEnv) typeRows() []hostileRow {
	var rows []hostileRow
	for _, op := range []string{
		"CreateJob", "CreateCluster", "UpdateJob", "UpdateCluster", "ListJobs", "DescribeJob",
		"UpdateJobShipmentState", "CreateLongTermPricing", "UpdateLongTermPricing", "ListServiceVersions",
	} {
		for _, m := range members(apiInputs[op]) {
			wrong := wrongJSON(m.typ)
			if op != "CreateJob" {
				wrong = wrong[:1]
			}
			for _, v := range wrong {
				rows = append(rows, e.api("Types/"+op+"/"+m.name+v.kind, aliceReq(op, `{"`+m.name+`":`+v.json+`}`), serialization))
			}
		}
	}
	for _, n := range []struct {
		op, member string
		shape      any
	}{
		{"CreateAddress", "Address", model.Address{}},
		{"CreateJob", "PickupDetails", model.PickupDetails{}},
		{"CreateJob", "Notification", model.Notification{}},
		{"CreateJob", "Resources", model.JobResource{}},
		{"CreateJob", "OnDeviceServiceConfiguration", model.OnDeviceServiceConfiguration{}},
	} {
		for _, m := range members(n.shape) {
			v := wrongJSON(m.typ)[0]
			body := `{"` + n.member + `":{"` + m.name + `":` + v.json + `}}`
			rows = append(rows, e.api("Types/"+n.op+"/"+n.member+"."+m.name+v.kind, aliceReq(n.op, body), serialization))
		}
	}
	for _, f := range []struct{ name, op, body string }{
		{"ListElementNumber", "CreateCluster", `{"LongTermPricingIds":[5]}`},
		{"ListElementObject", "CreateJob", `{"Resources":{"S3Resources":["x"]}}`},
		{"EnumListElementObject", "CreateJob", `{"Notification":{"JobStatesToNotify":[{}]}}`},
		{"DeepWrongType", "CreateJob", `{"Resources":{"S3Resources":[{"KeyRange":{"BeginMarker":[]}}]}}`},
		{"BoolAsString", "CreateLongTermPricing", `{"IsLongTermPricingAutoRenew":"false","LongTermPricingType":"OneYear","SnowballType":"EDGE"}`},
	} {
		rows = append(rows, e.api("Types/"+f.name, aliceReq(f.op, f.body), serialization))
	}
	return rows
}

// modelRows: well-formed JSON the model refuses.
func (e *hostileEnv) modelRows() []hostileRow {
	var rows []hostileRow
	long := strings.Repeat("x", 1025)
	idPrefix := map[string]string{"JobId": "JID", "ClusterId": "CID", "AddressId": "ADID", "LongTermPricingId": "LTPID"}
	for _, op := range opNames() {
		in := apiInputs[op]
		if v := model.Validate(in); v != nil {
			r := e.api("Model/"+op+"/MissingRequired", aliceReq(op, `{}`), validation)
			r.message, r.exact = v.Error(), true
			rows = append(rows, r)
		}
		for _, m := range members(in) {
			path := lowerFirst(m.name)
			switch {
			case idPrefix[m.name] != "":
				prefix, otherKind := idPrefix[m.name], "ADID"
				if prefix == "ADID" {
					otherKind = "JID"
				}
				good := unknownID(prefix)
				for _, bad := range []struct{ name, id string }{
					{"Short", "nope"},
					{"UpperHex", prefix + strings.ToUpper(strings.TrimPrefix(good, prefix))},
					{"TrailingNewline", good + "\n"},
					{"OtherKindOfID", unknownID(otherKind)},
				} {
					body, _ := json.Marshal(map[string]string{m.name: bad.id})
					rows = append(rows, withMessage(e.api("Model/"+op+"/"+m.name+bad.name, aliceReq(op, string(body)), validation), "at '"+path+"'"))
				}
			case m.name == "MaxResults":
				for _, n := range []string{"101", "-1", "4294967296"} {
					rows = append(rows, withMessage(e.api("Model/"+op+"/MaxResults"+n, aliceReq(op, `{"MaxResults":`+n+`}`), validation), "at 'maxResults'"))
				}
			case m.name == "NextToken":
				rows = append(rows, withMessage(e.api("Model/"+op+"/NextTokenEmpty", aliceReq(op, `{"NextToken":""}`), validation), "at 'nextToken'"))
				rows = append(rows, withMessage(e.api("Model/"+op+"/NextTokenTooLong", aliceReq(op, `{"NextToken":"`+long+`"}`), validation), "at 'nextToken'"))
			case m.name == "Description":
				rows = append(rows, withMessage(e.api("Model/"+op+"/DescriptionTooLong", aliceReq(op, `{"Description":"`+long+`"}`), validation), "less than or equal to 1024"))
				rows = append(rows, withMessage(e.api("Model/"+op+"/DescriptionEmpty", aliceReq(op, `{"Description":""}`), validation), "greater than or equal to 1"))
			case isEnum(m.typ):
				rows = append(rows, withMessage(e.api("Model/"+op+"/"+m.name+"NotInEnum", aliceReq(op, `{"`+m.name+`":"NOT_AN_ENUM"}`), validation), "enum value set"))
			}
		}
	}
	for _, m := range members(model.Address{}) {
		if m.typ != reflect.TypeFor[*string]() || m.name == "AddressId" {
			continue
		}
		body := `{"Address":{"` + m.name + `":"` + long + `"}}`
		rows = append(rows, withMessage(e.api("Model/CreateAddress/Address."+m.name+"TooLong", aliceReq("CreateAddress", body), validation), "at 'address."+lowerFirst(m.name)+"'"))
	}
	for _, f := range []struct{ name, op, body, message string }{
		{"JobIdNull", "DescribeJob", `{"JobId":null}`, "Value null at 'jobId'"},
		{"EnumWrongCase", "CreateLongTermPricing", `{"LongTermPricingType":"oneyear","SnowballType":"edge"}`, "enum value set"},
		{"EnumLeadingSpace", "UpdateJobShipmentState", `{"JobId":"` + unknownID("JID") + `","ShipmentState":" RECEIVED"}`, "enum value set"},
		{"EnumInList", "CreateJob", `{"Notification":{"JobStatesToNotify":["Nope"]}}`, "at 'notification.jobStatesToNotify.1.member'"},
		{"AddressTypeEnum", "CreateAddress", `{"Address":{"Type":"MOON"}}`, "at 'address.type'"},
		{"RoleARNPattern", "CreateJob", `{"RoleARN":"not-an-arn"}`, "at 'roleARN'"},
		{"KmsKeyARNPattern", "CreateJob", `{"KmsKeyARN":"arn:aws:kms:us-west-2:1:key/x"}`, "at 'kmsKeyARN'"},
		{"SnsTopicARNPattern", "CreateJob", `{"Notification":{"SnsTopicARN":"arn:aws:sqs:us-west-2:111122223333:q"}}`, "at 'notification.snsTopicARN'"},
		{"BucketArnPattern", "CreateJob", `{"Resources":{"S3Resources":[{"BucketArn":"s3://frosty"}]}}`, "at 'resources.s3Resources.1.member.bucketArn'"},
		{"AmiIdPattern", "CreateJob", `{"Resources":{"Ec2AmiResources":[{"AmiId":"ami-XYZ"}]}}`, "at 'resources.ec2AmiResources.1.member.amiId'"},
		{"DevicePickupIdPattern", "CreateJob", `{"PickupDetails":{"DevicePickupId":"DPID"}}`, "at 'pickupDetails.devicePickupId'"},
		{"GSTINPattern", "CreateJob", `{"TaxDocuments":{"IND":{"GSTIN":"not-a-gstin-xxx"}}}`, "at 'taxDocuments.iND.gSTIN'"},
		{"InitialClusterSize17", "CreateCluster", `{"InitialClusterSize":17}`, "at 'initialClusterSize'"},
		{"InitialClusterSizeNegative", "CreateCluster", `{"InitialClusterSize":-1}`, "at 'initialClusterSize'"},
		{"FaultTolerance0", "CreateJob", `{"OnDeviceServiceConfiguration":{"S3OnDeviceService":{"FaultTolerance":0}}}`, "faultTolerance"},
		{"StorageLimitNegative", "CreateJob", `{"OnDeviceServiceConfiguration":{"NFSOnDeviceService":{"StorageLimit":-1}}}`, "storageLimit"},
		{"ServiceVersionEmpty", "ListServiceVersions", `{"ServiceName":"KUBERNETES","DependentServices":[{"ServiceName":"EKS_ANYWHERE","ServiceVersion":{"Version":""}}]}`, "version"},
		{"LongTermPricingIdsElement", "CreateCluster", `{"LongTermPricingIds":["LTPID"]}`, "at 'longTermPricingIds.1.member'"},
	} {
		rows = append(rows, withMessage(e.api("Model/"+f.name, aliceReq(f.op, f.body), validation), f.message))
	}
	// Sensitive members are not echoed.
	for _, f := range []struct{ name, body, secret string }{
		{"EmailRedacted", `{"PickupDetails":{"Email":"not-an-email-secret"}}`, "not-an-email-secret"},
		{"PhoneNumberRedacted", `{"PickupDetails":{"PhoneNumber":"secret-phone"}}`, "secret-phone"},
	} {
		r := withMessage(e.api("Model/"+f.name, aliceReq("CreateJob", f.body), validation), "*** Sensitive Data Redacted ***")
		secret := f.secret
		r.check = func(t *testing.T, msg string) {
			if strings.Contains(msg, secret) {
				t.Errorf("message %q echoes the sensitive value", msg)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// targetRows: X-Amz-Target and methods that name no operation.
func (e *hostileEnv) targetRows() []hostileRow {
	var rows []hostileRow
	raw := func(target string) apiReq {
		r := aliceReq(target, `{}`)
		r.RawTarget = true
		return r
	}
	for _, op := range opNames() {
		rows = append(rows,
			e.api("Targets/"+op+"/LowerFirst", raw("AWSIESnowballJobManagementService."+lowerFirst(op)), unknownOperation),
			e.api("Targets/"+op+"/UpperCase", raw("AWSIESnowballJobManagementService."+strings.ToUpper(op)), unknownOperation),
			e.api("Targets/"+op+"/NoPrefix", raw(op), unknownOperation),
		)
	}
	noTarget := aliceReq("", `{}`)
	noTarget.NoTarget = true
	rows = append(rows, e.api("Targets/Missing", noTarget, unknownOperation))
	for _, f := range []struct{ name, target string }{
		{"Empty", ""},
		{"PrefixOnly", "AWSIESnowballJobManagementService."},
		{"DotOnly", "."},
		{"UnknownOperation", "AWSIESnowballJobManagementService.DeleteJob"},
		{"WrongPrefix", "AmazonS3.ListJobs"},
		{"OtherService", "DynamoDB_20120810.ListTables"},
		{"PrefixLowerCase", "awsiesnowballjobmanagementservice.ListJobs"},
		{"PrefixSuffixed", "AWSIESnowballJobManagementService2.ListJobs"},
		{"DoubleDot", "AWSIESnowballJobManagementService..ListJobs"},
		{"ExtraSegment", "AWSIESnowballJobManagementService.ListJobs.Now"},
		{"OperationWithSpace", "AWSIESnowballJobManagementService.List Jobs"},
		{"GoMethodName", "AWSIESnowballJobManagementService.ServeHTTP"},
		{"VeryLong", "AWSIESnowballJobManagementService." + strings.Repeat("A", 8000)},
	} {
		rows = append(rows, e.api("Targets/"+f.name, raw(f.target), unknownOperation))
	}
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		r := aliceReq("ListJobs", "")
		r.Method = method
		rows = append(rows, e.api("Targets/Method"+method, r, unknownOperation))
	}
	return rows
}

// authRows: SigV4 missing, malformed, or wrong.
func (e *hostileEnv) authRows() []hostileRow {
	now := e.s.Clock.Now()
	amzDate := now.Format("20060102T150405Z")
	scope := "/" + now.Format("20060102") + "/us-west-2/snowball/aws4_request"
	unsigned := func(auth string, header map[string]string) apiReq {
		r := apiReq{rawRequest: rawRequest{Target: "ListJobs", Body: "{}", Header: map[string]string{"X-Amz-Date": amzDate}}}
		if auth != "" {
			r.Header["Authorization"] = auth
		}
		for k, v := range header {
			r.Header[k] = v
		}
		return r
	}
	good := "AWS4-HMAC-SHA256 Credential=AKIDALICE" + scope + ", SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("0", 64)
	signed := func(edit func(*apiReq)) apiReq {
		r := aliceReq("ListJobs", "{}")
		r.Header = map[string]string{}
		edit(&r)
		return r
	}
	unknown := sigv4.Credential{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "alice-secret"}
	wrongSecret := sigv4.Credential{AccessKeyID: alice.AccessKeyID, SecretAccessKey: "not-alice-secret"}
	// The download key signs URLs, not API calls.
	download := sigv4.Credential{AccessKeyID: e.downloadKeyID, SecretAccessKey: "any"}

	rows := []hostileRow{
		e.api("Auth/NoAuthorization", unsigned("", nil), "MissingAuthenticationTokenException"),
		e.api("Auth/NoAuthorizationNoDate", apiReq{rawRequest: rawRequest{Target: "ListJobs", Body: "{}"}}, "MissingAuthenticationTokenException"),
		e.api("Auth/QueryStringSignature", func() apiReq { r := unsigned("", nil); r.Path = "/?X-Amz-Signature=00"; return r }(), incomplete),
	}
	for _, f := range []struct{ name, auth, code string }{
		{"AlgorithmOnly", "AWS4-HMAC-SHA256", incomplete},
		{"AlgorithmSHA1", strings.Replace(good, "SHA256", "SHA1", 1), incomplete},
		{"AlgorithmLowerCase", strings.Replace(good, "AWS4-HMAC-SHA256", "aws4-hmac-sha256", 1), incomplete},
		{"SigV2", "AWS AKIDALICE:frosty=", incomplete},
		{"Bearer", "Bearer " + frostytest.AdminToken, incomplete},
		{"Basic", "Basic QUtJREFMSUNFOmFsaWNlLXNlY3JldA==", incomplete},
		{"NoCredential", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00", incomplete},
		{"NoSignature", "AWS4-HMAC-SHA256 Credential=AKIDALICE" + scope + ", SignedHeaders=host", incomplete},
		{"NoSignedHeaders", "AWS4-HMAC-SHA256 Credential=AKIDALICE" + scope + ", Signature=00", incomplete},
		{"EmptyCredential", "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=00", incomplete},
		{"PairWithoutEquals", "AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=00", incomplete},
		{"CredentialKeyOnly", strings.Replace(good, "AKIDALICE"+scope, "AKIDALICE", 1), incomplete},
		{"CredentialFourParts", strings.Replace(good, "/aws4_request", "", 1), incomplete},
		{"CredentialSixParts", strings.Replace(good, "/aws4_request", "/aws4_request/x", 1), incomplete},
		{"CredentialBadTerminator", strings.Replace(good, "aws4_request", "aws4_reques", 1), incomplete},
		{"CredentialBadDate", strings.Replace(good, now.Format("20060102"), now.Format("2006-01-02"), 1), incomplete},
		{"CredentialEmptyRegion", strings.Replace(good, "/us-west-2/", "//", 1), incomplete},
		{"CredentialEmptyService", strings.Replace(good, "/snowball/", "//", 1), incomplete},
		{"SignedHeadersWithoutHost", strings.Replace(good, "host;", "", 1), incomplete},
		{"UnknownKey", strings.Replace(good, "AKIDALICE", "AKIDNOBODY", 1), "UnrecognizedClientException"},
		{"EmptyKey", strings.Replace(good, "AKIDALICE", "", 1), incomplete},
		{"GarbageSignature", strings.Replace(good, strings.Repeat("0", 64), "zz", 1), invalidSignature},
		{"VeryLongHeader", "AWS4-HMAC-SHA1 " + strings.Repeat("Credential=x, ", 700), incomplete},
	} {
		rows = append(rows, e.api("Auth/"+f.name, unsigned(f.auth, nil), f.code))
	}
	rows = append(rows,
		e.api("Auth/NoDate", func() apiReq { r := unsigned(good, nil); delete(r.Header, "X-Amz-Date"); return r }(), incomplete),
		e.api("Auth/BadXAmzDate", unsigned(good, map[string]string{"X-Amz-Date": now.Format(time.RFC3339)}), incomplete),
		e.api("Auth/BadDateHeader", func() apiReq {
			r := unsigned(good, map[string]string{"Date": "yesterday"})
			delete(r.Header, "X-Amz-Date")
			return r
		}(), incomplete),

		e.api("Auth/UnknownKeySigned", apiReq{rawRequest: rawRequest{Target: "ListJobs", Body: "{}", Cred: &unknown}}, "UnrecognizedClientException"),
		e.api("Auth/DownloadKeySigned", apiReq{rawRequest: rawRequest{Target: "ListJobs", Body: "{}", Cred: &download}}, "UnrecognizedClientException"),
		e.api("Auth/WrongSecret", apiReq{rawRequest: rawRequest{Target: "ListJobs", Body: "{}", Cred: &wrongSecret}}, invalidSignature),
		withMessage(e.api("Auth/Skew6MinBehind", signed(func(r *apiReq) { r.SignAt = now.Add(-6 * time.Minute) }), invalidSignature), "Signature expired"),
		withMessage(e.api("Auth/Skew6MinAhead", signed(func(r *apiReq) { r.SignAt = now.Add(6 * time.Minute) }), invalidSignature), "Signature not yet current"),
		e.api("Auth/SkewOneDay", signed(func(r *apiReq) { r.SignAt = now.AddDate(0, 0, -1) }), invalidSignature),
		e.api("Auth/Year1970", signed(func(r *apiReq) { r.SignAt = time.Unix(0, 0) }), invalidSignature),
		e.api("Auth/Year9999", signed(func(r *apiReq) { r.SignAt = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) }), invalidSignature),
		// Signed yesterday, sent with today's X-Amz-Date: the scope's date is wrong.
		withMessage(e.api("Auth/ScopeDateNotRequestDate", signed(func(r *apiReq) {
			r.SignAt = now.AddDate(0, 0, -1)
			r.Header["X-Amz-Date"] = amzDate
		}), invalidSignature), "Date in Credential scope does not match"),
		e.api("Auth/DateHeaderInsteadOfXAmzDate", signed(func(r *apiReq) {
			r.Delete = []string{"X-Amz-Date"}
			r.Header["Date"] = now.Format(http.TimeFormat)
		}), invalidSignature),
		e.api("Auth/TargetChangedAfterSigning", signed(func(r *apiReq) {
			r.Header["X-Amz-Target"] = "AWSIESnowballJobManagementService.ListClusters"
		}), invalidSignature),
		e.api("Auth/ContentTypeChangedAfterSigning", signed(func(r *apiReq) { r.Header["Content-Type"] = "application/json" }), invalidSignature),
		e.api("Auth/RegionChangedAfterSigning", signed(func(r *apiReq) {
			r.After = func(hr *http.Request) {
				hr.Header.Set("Authorization", strings.Replace(hr.Header.Get("Authorization"), "/us-west-2/", "/eu-west-1/", 1))
			}
		}), invalidSignature),
		e.api("Auth/SignatureUpperCase", signed(func(r *apiReq) {
			r.After = func(hr *http.Request) {
				head, sig, _ := strings.Cut(hr.Header.Get("Authorization"), "Signature=")
				hr.Header.Set("Authorization", head+"Signature="+strings.ToUpper(sig))
			}
		}), invalidSignature),
		// A payload hash that is not the body's, signed: the signature is
		// over the wrong canonical request.
		e.api("Auth/ContentSha256WrongSigned", signed(func(r *apiReq) {
			r.PreSign = map[string]string{"X-Amz-Content-Sha256": strings.Repeat("0", 64)}
		}), invalidSignature),
		e.api("Auth/ContentSha256GarbageSigned", signed(func(r *apiReq) {
			r.PreSign = map[string]string{"X-Amz-Content-Sha256": "frosty"}
		}), invalidSignature),
		e.api("Auth/QueryAddedAfterSigning", signed(func(r *apiReq) {
			r.After = func(hr *http.Request) { hr.URL.RawQuery = "frosty=1" }
		}), invalidSignature),
	)
	return rows
}

// paginationRows: NextTokens that were forged, edited, cut or borrowed.
func (e *hostileEnv) paginationRows() []hostileRow {
	var rows []hostileRow
	listOps := map[string]string{ // the other members each list needs
		"DescribeAddresses":    ``,
		"ListJobs":             ``,
		"ListClusters":         ``,
		"ListClusterJobs":      `"ClusterId":"` + e.clusterA + `",`,
		"ListLongTermPricing":  ``,
		"ListPickupLocations":  ``,
		"ListCompatibleImages": ``,
		"ListServiceVersions":  `"ServiceName":"KUBERNETES",`,
	}
	req := func(op, token string, cred *sigv4.Credential) apiReq {
		b, _ := json.Marshal(token)
		return apiReq{rawRequest: rawRequest{Target: op, Body: "{" + listOps[op] + `"NextToken":` + string(b) + "}", Cred: cred}}
	}
	payload, mac, _ := strings.Cut(e.tokJobs, ".")
	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	forgedMAC := payload + "." + strings.Repeat("A", len(mac))
	for _, op := range slices.Sorted(maps.Keys(listOps)) {
		rows = append(rows,
			e.api("Pagination/"+op+"/Forged", req(op, "forged-token", &alice), invalidToken),
			e.api("Pagination/"+op+"/ForgedMAC", req(op, forgedMAC, &alice), invalidToken),
		)
	}
	foreign := map[string]string{
		"DescribeAddresses": e.tokAddresses, "ListJobs": e.tokJobs, "ListClusters": e.tokClusters,
		"ListClusterJobs": e.tokClusterJobs, "ListLongTermPricing": e.tokLTP, "ListServiceVersions": e.tokVersions,
	}
	// Every genuine token is refused by every other list operation.
	for _, from := range slices.Sorted(maps.Keys(foreign)) {
		for _, to := range []string{"DescribeAddresses", "ListJobs", "ListPickupLocations", "ListCompatibleImages"} {
			if from != to {
				rows = append(rows, e.api("Pagination/"+to+"/TokenOf"+from, req(to, foreign[from], &alice), invalidToken))
			}
		}
	}
	// A cursor the client wrote itself, with a MAC it could compute: a bare hash.
	cursor := []byte(`{"o":"ListJobs","w":"` + alice.AccountID + `/us","a":0}`)
	cursorSum := sha256.Sum256(cursor)
	selfMACed := base64.RawURLEncoding.EncodeToString(cursor) + "." + base64.RawURLEncoding.EncodeToString(cursorSum[:16])
	for _, f := range []struct{ name, op, token string }{
		{"PayloadFlipped", "ListJobs", flip(payload, 3) + "." + mac},
		{"MACFlipped", "ListJobs", payload + "." + flip(mac, 0)},
		{"TruncatedByOne", "ListJobs", e.tokJobs[:len(e.tokJobs)-1]},
		{"PayloadOnly", "ListJobs", payload},
		{"PayloadAndDot", "ListJobs", payload + "."},
		{"MACOnly", "ListJobs", "." + mac},
		{"Dot", "ListJobs", "."},
		{"TwoDots", "ListJobs", payload + "." + mac + "." + mac},
		{"Doubled", "ListJobs", e.tokJobs + e.tokJobs},
		{"LeadingSpace", "ListJobs", " " + e.tokJobs},
		{"StdBase64", "ListJobs", strings.NewReplacer("-", "+", "_", "/").Replace(e.tokJobs) + "=="},
		{"UpperCased", "ListJobs", strings.ToUpper(e.tokJobs)},
		{"SelfMACedCursor", "ListJobs", selfMACed},
		{"Max1024Garbage", "ListJobs", strings.Repeat("A", 1024)},
		{"ClusterJobsOfOtherCluster", "ListClusterJobs", ""},
		{"ServiceVersionsOfOtherService", "ListServiceVersions", ""},
	} {
		r := req(f.op, f.token, &alice)
		switch f.name {
		case "ClusterJobsOfOtherCluster":
			r.Body = `{"ClusterId":"` + e.clusterB + `","NextToken":"` + e.tokClusterJobs + `"}`
		case "ServiceVersionsOfOtherService":
			r.Body = `{"ServiceName":"EKS_ANYWHERE","NextToken":"` + e.tokVersions + `"}`
		}
		rows = append(rows, e.api("Pagination/"+f.name, r, invalidToken))
	}
	bobReq := req("ListJobs", e.tokJobs, &bob)
	euReq := req("ListJobs", e.tokJobs, &alice)
	euReq.Region = "eu-west-1"
	ltpBob := req("ListLongTermPricing", e.tokLTP, &bob)
	rows = append(rows,
		e.api("Pagination/OtherAccount", bobReq, invalidToken),
		e.api("Pagination/OtherAccountLTP", ltpBob, invalidToken),
		e.api("Pagination/OtherRegion", euReq, invalidToken),
	)
	return rows
}

// isolationRows: Bob (or Alice in another region) naming Alice's resources,
// and IDs never issued, all look the same: InvalidResourceException.
func (e *hostileEnv) isolationRows() []hostileRow {
	var rows []hostileRow
	fullJob := func(addr string, extra string) string {
		return `{"JobType":"IMPORT","SnowballType":"EDGE","AddressId":"` + addr + `","ShippingOption":"SECOND_DAY",` +
			`"RoleARN":"` + testRoleARN + `","KmsKeyARN":"` + testKmsKeyARN + `",` +
			`"Resources":{"S3Resources":[{"BucketArn":"` + testBucketARN + `"}]}` + extra + `}`
	}
	cluster := func(addr string) string {
		return `{"JobType":"LOCAL_USE","SnowballType":"EDGE","AddressId":"` + addr + `","ShippingOption":"SECOND_DAY"}`
	}
	type call struct {
		name, op, rtype string
		body            func(id string) string
		id              string // Alice's ID
	}
	jobID := func(id string) string { return `{"JobId":"` + id + `"}` }
	clusterID := func(id string) string { return `{"ClusterId":"` + id + `"}` }
	calls := []call{
		{"DescribeJob", "DescribeJob", "JOB", jobID, e.job},
		{"CancelJob", "CancelJob", "JOB", jobID, e.job},
		{"UpdateJob", "UpdateJob", "JOB", func(id string) string { return `{"JobId":"` + id + `","Description":"mine"}` }, e.job},
		{"UpdateJobShipmentState", "UpdateJobShipmentState", "JOB", func(id string) string {
			return `{"JobId":"` + id + `","ShipmentState":"RETURNED"}`
		}, e.delivered},
		{"GetJobManifest", "GetJobManifest", "JOB", jobID, e.delivered},
		{"GetJobUnlockCode", "GetJobUnlockCode", "JOB", jobID, e.delivered},
		{"GetSoftwareUpdates", "GetSoftwareUpdates", "JOB", jobID, e.delivered},
		{"CreateReturnShippingLabel", "CreateReturnShippingLabel", "JOB", jobID, e.delivered},
		{"DescribeReturnShippingLabel", "DescribeReturnShippingLabel", "JOB", jobID, e.delivered},
		{"DescribeAddress", "DescribeAddress", "ADDRESS", func(id string) string { return `{"AddressId":"` + id + `"}` }, e.addr},
		{"CreateJobAddressId", "CreateJob", "ADDRESS", func(id string) string { return fullJob(id, "") }, e.addr},
		{"CreateClusterAddressId", "CreateCluster", "ADDRESS", cluster, e.addr},
		{"DescribeCluster", "DescribeCluster", "CLUSTER", clusterID, e.clusterA},
		{"CancelCluster", "CancelCluster", "CLUSTER", clusterID, e.clusterA},
		{"UpdateCluster", "UpdateCluster", "CLUSTER", func(id string) string { return `{"ClusterId":"` + id + `","Description":"mine"}` }, e.clusterA},
		{"ListClusterJobs", "ListClusterJobs", "CLUSTER", clusterID, e.clusterA},
		{"CreateJobClusterId", "CreateJob", "CLUSTER", clusterID, e.clusterB},
		{"UpdateLongTermPricing", "UpdateLongTermPricing", "LONG_TERM_PRICING", func(id string) string {
			return `{"LongTermPricingId":"` + id + `","IsLongTermPricingAutoRenew":true}`
		}, e.ltp},
	}
	prefix := map[string]string{"JOB": "JID", "ADDRESS": "ADID", "CLUSTER": "CID", "LONG_TERM_PRICING": "LTPID"}
	for _, c := range calls {
		bobCall := apiReq{rawRequest: rawRequest{Target: c.op, Body: c.body(c.id), Cred: &bob}}
		euCall := aliceReq(c.op, c.body(c.id))
		euCall.Region = "eu-west-1"
		rows = append(rows,
			withResource(e.api("Isolation/"+c.name+"/OtherAccount", bobCall, invalidResource), c.rtype),
			withResource(e.api("Isolation/"+c.name+"/OtherRegion", euCall, invalidResource), c.rtype),
			withResource(e.api("Isolation/"+c.name+"/NeverIssued", aliceReq(c.op, c.body(unknownID(prefix[c.rtype]))), invalidResource), c.rtype),
		)
	}
	// Bob's own resources pointing at Alice's.
	bobOwn := func(op, body string) apiReq {
		return apiReq{rawRequest: rawRequest{Target: op, Body: body, Cred: &bob}}
	}
	rows = append(rows,
		withResource(e.api("Isolation/UpdateJobAddressId/OtherAccount",
			bobOwn("UpdateJob", `{"JobId":"`+e.bobJob+`","AddressId":"`+e.addr+`"}`), invalidResource), "ADDRESS"),
		withResource(e.api("Isolation/UpdateJobForwardingAddressId/OtherAccount",
			bobOwn("UpdateJob", `{"JobId":"`+e.bobJob+`","ForwardingAddressId":"`+e.addr+`"}`), invalidResource), "ADDRESS"),
		withResource(e.api("Isolation/CreateJobForwardingAddressId/OtherAccount",
			bobOwn("CreateJob", fullJob(e.bobAddr, `,"ForwardingAddressId":"`+e.addr+`"`)), invalidResource), "ADDRESS"),
		withResource(e.api("Isolation/CreateJobLongTermPricingId/OtherAccount",
			bobOwn("CreateJob", fullJob(e.bobAddr, `,"LongTermPricingId":"`+e.ltp+`"`)), invalidResource), "LONG_TERM_PRICING"),
		withResource(e.api("Isolation/UpdateLongTermPricingReplacementJob/OtherAccount",
			bobOwn("UpdateLongTermPricing", `{"LongTermPricingId":"`+e.bobLTP+`","ReplacementJob":"`+e.job+`"}`), invalidResource), "JOB"),
	)
	return rows
}

// defectRows are the hand-written rows of the defects being fixed; they
// expect the fixed behaviour.
func (e *hostileEnv) defectRows() []hostileRow {
	var rows []hostileRow
	// 1. The credential scope must name snowball.
	scopeMsg := "Credential should be scoped to correct service: 'snowball'. "
	for _, service := range []string{"dynamodb", "s3", "Snowball"} {
		r := aliceReq("ListJobs", "{}")
		r.Service = service
		row := e.api("Defect1/ScopeService"+service, r, invalidSignature)
		row.message, row.exact = scopeMsg, true
		rows = append(rows, row)
	}

	// 2. UNSIGNED-PAYLOAD is no payload hash for this API, and the body
	// sent must be the body signed.
	unsignedPayload := map[string]string{"X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}
	swapped := `{"MaxResults":1}`
	sum := sha256.Sum256([]byte(swapped))
	signedSum := sha256.Sum256([]byte("{}"))
	for _, f := range []struct {
		name string
		edit func(*apiReq)
	}{
		{"SignedUnsignedPayload", func(r *apiReq) { r.PreSign = unsignedPayload }},
		{"SignedUnsignedPayloadBodySwapped", func(r *apiReq) { r.PreSign = unsignedPayload; r.Body = swapped }},
		{"BodySwapped", func(r *apiReq) { r.Body = swapped }},
		{"BodySwappedUnsignedPayloadAdded", func(r *apiReq) { r.Body = swapped; r.Header = unsignedPayload }},
		{"BodySwappedHashOfNewBodyAdded", func(r *apiReq) {
			r.Body = swapped
			r.Header = map[string]string{"X-Amz-Content-Sha256": hex.EncodeToString(sum[:])}
		}},
		{"BodySwappedSignedHashReplaced", func(r *apiReq) {
			r.PreSign = map[string]string{"X-Amz-Content-Sha256": hex.EncodeToString(signedSum[:])}
			r.Body = swapped
			r.Header = map[string]string{"X-Amz-Content-Sha256": hex.EncodeToString(sum[:])}
		}},
		{"BodySwappedSignedHashKept", func(r *apiReq) {
			r.PreSign = map[string]string{"X-Amz-Content-Sha256": hex.EncodeToString(signedSum[:])}
			r.Body = swapped
		}},
		{"UnsignedPayloadLowerCase", func(r *apiReq) { r.PreSign = map[string]string{"X-Amz-Content-Sha256": "unsigned-payload"} }},
	} {
		r := aliceReq("ListJobs", "{}")
		r.Signed = aws.String("{}")
		f.edit(&r)
		rows = append(rows, e.api("Defect2/"+f.name, r, invalidSignature))
	}

	// 3. Member names are case-sensitive; a key twice in one object is an error.
	jid, other := unknownID("JID"), "JID0badf00d-0000-4000-8000-000000000001"
	nullJobID := "Value null at 'jobId' failed to satisfy constraint: Member must not be null"
	for _, key := range []string{"jobid", "jobId", "JOBID", "Jobid"} {
		rows = append(rows, withMessage(e.api("Defect3/DescribeJobKey"+key, aliceReq("DescribeJob", `{"`+key+`":"`+jid+`"}`), validation), nullJobID))
	}
	rows = append(rows,
		withResource(e.api("Defect3/DescribeJobUnknownLowerCaseMemberIgnored",
			aliceReq("DescribeJob", `{"JobId":"`+jid+`","jobid":"garbage"}`), invalidResource), "JOB"),
		withResource(e.api("Defect3/DescribeJobUnknownLowerCaseMemberFirstIgnored",
			aliceReq("DescribeJob", `{"jobid":"garbage","JobId":"`+jid+`"}`), invalidResource), "JOB"),
		withMessage(e.api("Defect3/CreateAddressKeyaddress",
			aliceReq("CreateAddress", `{"address":{"Street1":"1 Main","City":"Seattle","Country":"US"}}`), validation),
			"Value null at 'address' failed to satisfy constraint: Member must not be null"),
	)
	for _, f := range []struct{ name, op, body string }{
		{"DuplicateJobId", "DescribeJob", `{"JobId":"` + jid + `","JobId":"` + other + `"}`},
		{"DuplicateJobIdSameValue", "DescribeJob", `{"JobId":"` + jid + `","JobId":"` + jid + `"}`},
		{"DuplicateMaxResults", "ListJobs", `{"MaxResults":1,"MaxResults":1}`},
		{"DuplicateUnknownMember", "ListJobs", `{"Frosty":1,"Frosty":2}`},
		{"DuplicateInNestedStruct", "CreateAddress", `{"Address":{"Street1":"1 Main","City":"Seattle","City":"Portland","Country":"US"}}`},
		{"DuplicateInListElement", "CreateJob", `{"Resources":{"S3Resources":[{"BucketArn":"` + testBucketARN + `","BucketArn":"arn:aws:s3:::other"}]}}`},
		{"DuplicateDeepInUnknownMember", "ListJobs", `{"Frosty":[{"a":{"b":1,"b":2}}]}`},
		{"DuplicateNestedStructMember", "CreateJob", `{"PickupDetails":{"Name":"a"},"PickupDetails":{"Name":"b"}}`},
		{"DuplicateAfterUnescaping", "DescribeJob", `{"JobId":"` + jid + `","Job\u0049d":"` + other + `"}`},
	} {
		rows = append(rows, e.api("Defect3/"+f.name, aliceReq(f.op, f.body), serialization))
	}

	// 4. Timestamps out of range are refused, not silently changed.
	createJob := func(date string) string {
		return `{"JobType":"IMPORT","SnowballType":"EDGE","AddressId":"` + e.addr + `","ShippingOption":"SECOND_DAY",` +
			`"RoleARN":"` + testRoleARN + `","KmsKeyARN":"` + testKmsKeyARN + `",` +
			`"Resources":{"S3Resources":[{"BucketArn":"` + testBucketARN + `"}]},` +
			`"PickupDetails":{"Name":"Frosty Tester","IdentificationExpirationDate":` + date + `}}`
	}
	updateJob := func(date string) string {
		return `{"JobId":"` + e.job + `","PickupDetails":{"Name":"Frosty Tester","IdentificationExpirationDate":` + date + `}}`
	}
	for _, d := range []struct{ name, value string }{
		{"1e300", "1e300"}, {"Minus1e300", "-1e300"}, {"1e400", "1e400"}, {"Minus1e400", "-1e400"}, {"1e19", "1e19"},
	} {
		rows = append(rows,
			e.api("Defect4/CreateJobExpirationDate"+d.name, aliceReq("CreateJob", createJob(d.value)), serialization),
			e.api("Defect4/UpdateJobExpirationDate"+d.name, aliceReq("UpdateJob", updateJob(d.value)), serialization),
		)
	}

	// 5. Error messages are capped, and say so.
	truncated := func(t *testing.T, msg string) {
		if !strings.Contains(msg, "truncated") {
			t.Errorf("a capped message should say it was truncated: %s", clip(msg))
		}
	}
	street := strings.Repeat("a", 1_000_000)
	for _, f := range []struct{ name, op, body, code string }{
		{"CreateAddressStreet1Of1MB", "CreateAddress", `{"Address":{"Street1":"` + street + `"}}`, validation},
		{"CreateJobDescriptionOf5000", "CreateJob", `{"Description":"` + strings.Repeat("d", 5000) + `"}`, validation},
		{"ManyViolations", "CreateAddress", `{"Address":{` + manyStreets() + `}}`, validation},
	} {
		row := e.api("Defect5/"+f.name, aliceReq(f.op, f.body), f.code)
		row.check = truncated
		rows = append(rows, row)
	}
	return rows
}

// manyStreets fills every string member of an Address with 2,000 bytes.
func manyStreets() string {
	var parts []string
	for _, m := range members(model.Address{}) {
		if m.typ == reflect.TypeFor[*string]() && m.name != "AddressId" {
			parts = append(parts, `"`+m.name+`":"`+strings.Repeat("s", 2000)+`"`)
		}
	}
	return strings.Join(parts, ",")
}

// unknownGetRows (defect 6): only the download buckets speak S3 XML.
func (e *hostileEnv) unknownGetRows() []hostileRow {
	var rows []hostileRow
	get := func(path string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			hr, err := http.NewRequest(http.MethodGet, e.s.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			return hr
		}
	}
	for _, p := range []struct{ name, path string }{
		{"Nope", "/_frosty/nope"},
		{"Jobs", "/_frosty/jobs"},
		{"JobsSlash", "/_frosty/jobs/"},
		{"Root", "/_frosty/"},
		{"Cluster", "/_frosty/clusters/" + e.clusterA},
		{"Job", "/_frosty/jobs/" + e.job},
		{"HealthSubpath", "/_frosty/health/x"},
		{"EventsSubpath", "/_frosty/jobs/" + e.job + "/events/x"},
	} {
		rows = append(rows, hostileRow{name: "Defect6/Operator" + p.name, build: get(p.path), status: http.StatusNotFound, wire: wireJSON})
	}
	for _, p := range []struct{ name, path string }{
		{"Favicon", "/favicon.ico"},
		{"Robots", "/robots.txt"},
		{"FooBar", "/foo/bar"},
		{"FooBarBaz", "/foo/bar/baz"},
		{"NotABucket", "/snowball/" + e.job},
		{"BucketLookalike", "/" + service.ManifestBucket + "x/" + e.job + "_manifest.bin"},
		{"IndexHTML", "/index.html"},
	} {
		rows = append(rows, hostileRow{name: "Defect6/Plain" + p.name, build: get(p.path), status: http.StatusNotFound, wire: wirePlain})
	}
	return rows
}

// operatorRows: the operator API without its token or with bad bodies.
func (e *hostileEnv) operatorRows() []hostileRow {
	var rows []hostileRow
	op := func(method, path, auth, body string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			hr, err := http.NewRequest(method, e.s.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if auth != "" {
				hr.Header.Set("Authorization", auth)
			}
			return hr
		}
	}
	token := "Bearer " + frostytest.AdminToken
	advance := "/_frosty/jobs/" + e.opJob + "/advance"
	for _, f := range []struct{ name, method, path, auth string }{
		{"AdvanceNoToken", http.MethodPost, advance, ""},
		{"AdvanceWrongToken", http.MethodPost, advance, "Bearer nope"},
		{"AdvanceEmptyToken", http.MethodPost, advance, "Bearer "},
		{"AdvanceTokenPrefix", http.MethodPost, advance, token[:len(token)-1]},
		{"AdvanceTokenSuffixed", http.MethodPost, advance, token + "x"},
		{"AdvanceLowerCaseBearer", http.MethodPost, advance, "bearer " + frostytest.AdminToken},
		{"AdvanceTokenWithoutBearer", http.MethodPost, advance, frostytest.AdminToken},
		{"AdvanceBasic", http.MethodPost, advance, "Basic dGVzdC1hZG1pbi10b2tlbjo="},
		{"AdvanceSigV4", http.MethodPost, advance, "AWS4-HMAC-SHA256 Credential=AKIDALICE/20260102/us-west-2/snowball/aws4_request, SignedHeaders=host, Signature=00"},
		{"ClusterAdvanceNoToken", http.MethodPost, "/_frosty/clusters/" + e.clusterA + "/advance", ""},
		{"EventsNoToken", http.MethodGet, "/_frosty/jobs/" + e.job + "/events", ""},
		{"EventsWrongToken", http.MethodGet, "/_frosty/jobs/" + e.job + "/events", "Bearer nope"},
	} {
		rows = append(rows, hostileRow{name: "Operator/" + f.name, build: op(f.method, f.path, f.auth, `{"to":"WithCustomer"}`),
			status: http.StatusUnauthorized, wire: wireOperator})
	}
	for _, f := range []struct{ name, body string }{
		{"Empty", ""},
		{"Truncated", `{"to":`},
		{"Array", `[]`},
		{"String", `"WithCustomer"`},
		{"Null", `null`},
		{"EmptyObject", `{}`},
		{"ToNumber", `{"to":5}`},
		{"ToEmpty", `{"to":""}`},
		{"ToNull", `{"to":null}`},
		{"ToArray", `{"to":["WithCustomer"]}`},
		{"InvalidUTF8", "{\xff}"},
		{"Nested10000", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`},
		{"BodyOf1MiBPlus1", `{"to":"` + strings.Repeat("a", server.MaxBodyBytes) + `"}`},
		{"TrailingGarbage", `{"to":"PreparingAppliance"} x`},
		{"TwoObjects", `{"to":"PreparingAppliance"}{"to":"WithCustomer"}`},
	} {
		rows = append(rows, hostileRow{name: "Operator/AdvanceBody" + f.name, build: op(http.MethodPost, advance, token, f.body),
			status: http.StatusBadRequest, wire: wireOperator})
	}
	rows = append(rows,
		hostileRow{name: "Operator/AdvanceUnknownState", build: op(http.MethodPost, advance, token, `{"to":"Shipped"}`),
			status: http.StatusBadRequest, wire: wireOperator, code: validation},
		hostileRow{name: "Operator/AdvanceHugeState", build: op(http.MethodPost, advance, token, `{"to":"`+strings.Repeat("S", 100_000)+`"}`),
			status: http.StatusBadRequest, wire: wireOperator, code: validation},
		hostileRow{name: "Operator/AdvanceBackwards", build: op(http.MethodPost, "/_frosty/jobs/"+e.delivered+"/advance", token, `{"to":"New"}`),
			status: http.StatusBadRequest, wire: wireOperator, code: "InvalidJobStateException"},
		hostileRow{name: "Operator/AdvanceUnknownJob", build: op(http.MethodPost, "/_frosty/jobs/"+unknownID("JID")+"/advance", token, `{"to":"WithCustomer"}`),
			status: http.StatusNotFound, wire: wireOperator, code: invalidResource},
		hostileRow{name: "Operator/AdvanceMalformedJobID", build: op(http.MethodPost, "/_frosty/jobs/JIDnope/advance", token, `{"to":"WithCustomer"}`),
			status: http.StatusNotFound, wire: wireOperator, code: invalidResource},
		hostileRow{name: "Operator/AdvanceHugeJobID", build: op(http.MethodPost, "/_frosty/jobs/JID"+strings.Repeat("f", 20_000)+"/advance", token, `{"to":"WithCustomer"}`),
			status: http.StatusNotFound, wire: wireOperator, code: invalidResource},
		hostileRow{name: "Operator/AdvanceClusterUnknown", build: op(http.MethodPost, "/_frosty/clusters/"+unknownID("CID")+"/advance", token, `{"to":"Pending"}`),
			status: http.StatusNotFound, wire: wireOperator, code: invalidResource},
		hostileRow{name: "Operator/AdvanceClusterBadBody", build: op(http.MethodPost, "/_frosty/clusters/"+e.clusterA+"/advance", token, `{"to":`),
			status: http.StatusBadRequest, wire: wireOperator},
		hostileRow{name: "Operator/EventsUnknownJob", build: op(http.MethodGet, "/_frosty/jobs/"+unknownID("JID")+"/events", token, ""),
			status: http.StatusNotFound, wire: wireOperator, code: invalidResource},
		hostileRow{name: "Operator/EventsHugeJobID", build: op(http.MethodGet, "/_frosty/jobs/JID"+strings.Repeat("f", 20_000)+"/events", token, ""),
			status: http.StatusNotFound, wire: wireOperator, code: invalidResource},
		hostileRow{name: "Operator/POSTUnknownPath", build: op(http.MethodPost, "/_frosty/nope", token, `{}`),
			status: http.StatusNotFound, wire: wireJSON},
		hostileRow{name: "Operator/POSTEvents", build: op(http.MethodPost, "/_frosty/jobs/"+e.job+"/events", token, `{}`),
			status: http.StatusNotFound, wire: wireJSON},
	)
	return rows
}

// downloadRows: presigned URLs unsigned, tampered with, expired or signed
// by the wrong key. They run last, because the expired ones move the clock.
func (e *hostileEnv) downloadRows() []hostileRow {
	var rows []hostileRow
	const (
		aqpe     = sigv4.CodeAuthorizationQueryParametersError
		mismatch = sigv4.CodeSignatureDoesNotMatch
	)
	get := func(u string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			hr, err := http.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				t.Fatal(err)
			}
			return hr
		}
	}
	row := func(name, u string, code string) hostileRow {
		status := http.StatusForbidden
		if code == aqpe {
			status = http.StatusBadRequest
		}
		return hostileRow{name: "Downloads/" + name, build: get(u), status: status, wire: wireS3, code: code}
	}
	m := e.manifestURL
	base, _, _ := strings.Cut(m, "?")
	param := func(u, key string) string {
		_, q, _ := strings.Cut(u, "?")
		for p := range strings.SplitSeq(q, "&") {
			if k, v, _ := strings.Cut(p, "="); k == key {
				return v
			}
		}
		return ""
	}
	// set replaces (or with drop, removes) one query parameter, keeping the order.
	set := func(u, key, value string, drop bool) string {
		b, q, _ := strings.Cut(u, "?")
		var out []string
		for p := range strings.SplitSeq(q, "&") {
			if k, _, _ := strings.Cut(p, "="); k == key {
				if drop {
					continue
				}
				p = k + "=" + value
			}
			out = append(out, p)
		}
		return b + "?" + strings.Join(out, "&")
	}
	sig := param(m, "X-Amz-Signature")
	cred, _ := url.QueryUnescape(param(m, "X-Amz-Credential"))
	date := param(m, "X-Amz-Date")
	flipped := sig[:len(sig)-1] + "0"
	if flipped == sig {
		flipped = sig[:len(sig)-1] + "1"
	}
	u, _ := url.Parse(m)
	path := u.Path
	// presigned is a URL for the manifest's path, presigned by c.
	presigned := func(name string, c sigv4.Credential, code string) hostileRow {
		r := row(name, "", code)
		r.build = func(t *testing.T) *http.Request {
			out, err := sigv4.Presign(e.s.URL+path, c, "us-west-2", "s3", e.s.Clock.Now(), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return get(out)(t)
		}
		return r
	}
	qcred := func(s string) string { return url.QueryEscape(s) }
	signedAt, _ := time.Parse("20060102T150405Z", date)
	rows = append(rows,
		row("NoQuery", base, aqpe),
		row("NoSignature", set(m, "X-Amz-Signature", "", true), aqpe),
		row("EmptySignature", set(m, "X-Amz-Signature", "", false), aqpe),
		row("DuplicateSignature", m+"&X-Amz-Signature="+sig, aqpe),
		row("SignatureFlipped", set(m, "X-Amz-Signature", flipped, false), mismatch),
		row("SignatureUpperCase", set(m, "X-Amz-Signature", strings.ToUpper(sig), false), mismatch),
		row("SignatureTruncated", set(m, "X-Amz-Signature", sig[:32], false), mismatch),
		row("PathOtherJob", strings.Replace(m, e.delivered, e.job, 1), mismatch),
		row("PathOtherBucket", strings.Replace(m, service.ManifestBucket, service.LogsBucket, 1), mismatch),
		row("PathOtherSuffix", strings.Replace(m, "_manifest.bin", "_manifest.bim", 1), mismatch),
		row("PathPercentEncoded", strings.Replace(m, "/"+e.delivered, "/%4A"+e.delivered[1:], 1), mismatch),
		row("PathDoubleSlash", strings.Replace(m, "/"+e.delivered, "//"+e.delivered, 1), mismatch),
		row("ExtraQueryParameter", m+"&x-id=GetObject", mismatch),
		row("ExpiresChanged", set(m, "X-Amz-Expires", "3599", false), mismatch),
		row("ExpiresZero", set(m, "X-Amz-Expires", "0", false), aqpe),
		row("ExpiresNegative", set(m, "X-Amz-Expires", "-1", false), aqpe),
		row("ExpiresOverAWeek", set(m, "X-Amz-Expires", "604801", false), aqpe),
		row("ExpiresNotANumber", set(m, "X-Amz-Expires", "soon", false), aqpe),
		row("DateChanged", set(m, "X-Amz-Date", signedAt.Add(time.Second).Format("20060102T150405Z"), false), mismatch),
		row("DateOtherDay", set(m, "X-Amz-Date", signedAt.AddDate(0, 0, 1).Format("20060102T150405Z"), false), aqpe),
		row("DateMalformed", set(m, "X-Amz-Date", signedAt.Format(time.RFC3339), false), aqpe),
		row("AlgorithmWrong", set(m, "X-Amz-Algorithm", "AWS4-HMAC-SHA1", false), aqpe),
		row("CredentialMalformed", set(m, "X-Amz-Credential", e.downloadKeyID, false), aqpe),
		row("CredentialUnknownKey", set(m, "X-Amz-Credential", qcred(strings.Replace(cred, e.downloadKeyID, "AKIDNOBODY", 1)), false), sigv4.CodeInvalidAccessKeyID),
		row("CredentialRegionChanged", set(m, "X-Amz-Credential", qcred(strings.Replace(cred, "/us-west-2/", "/eu-west-1/", 1)), false), mismatch),
		row("CredentialServiceChanged", set(m, "X-Amz-Credential", qcred(strings.Replace(cred, "/s3/", "/snowball/", 1)), false), aqpe),
		row("SignedHeadersWithoutHost", set(m, "X-Amz-SignedHeaders", "x-amz-date", false), aqpe),
		row("SignedHeadersExtra", set(m, "X-Amz-SignedHeaders", "host%3Bx-frosty", false), mismatch),
		presigned("PresignedByAPIKey", alice, sigv4.CodeInvalidAccessKeyID),
		presigned("PresignedWithGuessedSecret", sigv4.Credential{AccessKeyID: e.downloadKeyID, SecretAccessKey: "guess"}, mismatch),
		row("UpdatesSignatureFlipped", set(e.updatesURL, "X-Amz-Signature", strings.Repeat("0", 64), false), mismatch),
		row("LabelPathOtherJob", strings.Replace(e.labelURL, e.delivered, e.job, 1), mismatch),
		row("LogsBucketNoQuery", e.s.URL+"/"+service.LogsBucket+"/"+e.delivered+"_job_report.pdf", aqpe),
		row("LabelsBucketNoKey", e.s.URL+"/"+service.LabelsBucket+"/", aqpe),
	)
	otherHost := row("HostChanged", m, mismatch)
	otherHost.build = func(t *testing.T) *http.Request {
		hr := get(m)(t)
		hr.Host = "frosty.example:80"
		return hr
	}
	rows = append(rows, otherHost)

	// Last: the URLs expire.
	expire := func(t *testing.T) {
		if at := e.urlsIssued.Add(max(service.ManifestURLExpiry, service.LabelURLExpiry) + time.Second); e.s.Clock.Now().Before(at) {
			e.s.Clock.Set(at)
		}
	}
	for _, x := range []struct{ name, url string }{{"ExpiredManifest", m}, {"ExpiredLabel", e.labelURL}} {
		r := row(x.name, x.url, sigv4.CodeAccessDenied)
		r.before, r.message = expire, "Request has expired"
		rows = append(rows, r)
	}
	return rows
}
