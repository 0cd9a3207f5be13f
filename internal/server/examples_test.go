package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
)

// The examples of the service model (testdata/examples-1.json, a copy of
// the model's examples-1.json). botocore renders the very same examples in
// the boto3 documentation (the "Examples" sections of the seeds'
// boto3-snowball-client.txt), so this table covers both.

// The IDs the examples use; the server issues random ones, so every test
// maps these to the IDs it got.
const (
	exAddressID      = "ADID1234ab12-3eec-4eb3-9be6-9374c10eb51b"
	exOtherAddressID = "ADID5643ec50-3eec-4eb3-9be6-9374c10eb51b" // DescribeAddress's output names another ID than its input
	exClusterID      = "CID123e4567-e89b-12d3-a456-426655440000"
	exJobID          = "JID123e4567-e89b-12d3-a456-426655440000"
)

// exNodeID is the ID of the i-th (0-based) node of EX ListClusterJobs.
func exNodeID(i int) string { return fmt.Sprintf("JID123e4567-e89b-12d3-a456-42665544000%d", i) }

var reExampleID = regexp.MustCompile(`^(ADID|CID|JID)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

type modelExample struct {
	Input  json.RawMessage `json:"input"`
	Output json.RawMessage `json:"output"`
	ID     string          `json:"id"`
}

func loadExamples(tb testing.TB) map[string][]modelExample {
	tb.Helper()
	b, err := os.ReadFile("testdata/examples-1.json")
	if err != nil {
		tb.Fatal(err)
	}
	var f struct {
		Examples map[string][]modelExample `json:"examples"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatal(err)
	}
	return f.Examples
}

// substitute replaces the example IDs in raw by the server's.
func substitute(raw json.RawMessage, ids map[string]string) string {
	s := string(raw)
	for from, to := range ids {
		s = strings.ReplaceAll(s, from, to)
	}
	return s
}

func decodeJSON(tb testing.TB, s string) any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("decode %q: %v", s, err)
	}
	return v
}

// exampleEnv is what one example's setup works with.
type exampleEnv struct {
	t   *testing.T
	s   *frostytest.Server
	ex  map[string][]modelExample
	ids map[string]string
}

// call sends the first example of op, with IDs substituted, and returns
// the decoded result.
func (e *exampleEnv) call(op string, edit func(map[string]any)) map[string]any {
	e.t.Helper()
	in := decodeJSON(e.t, substitute(e.ex[op][0].Input, e.ids)).(map[string]any)
	if edit != nil {
		edit(in)
	}
	b, err := json.Marshal(in)
	if err != nil {
		e.t.Fatal(err)
	}
	return mustRaw(e.t, e.s, op, string(b))
}

// address creates an address as the example output shows it and maps the
// example's address IDs to it.
func (e *exampleEnv) address() string {
	e.t.Helper()
	out := decodeJSON(e.t, string(e.ex["DescribeAddress"][0].Output)).(map[string]any)
	a := out["Address"].(map[string]any)
	delete(a, "AddressId")
	b, _ := json.Marshal(map[string]any{"Address": a})
	id := mustRaw(e.t, e.s, "CreateAddress", string(b))["AddressId"].(string)
	e.ids[exAddressID], e.ids[exOtherAddressID] = id, id
	return id
}

// job creates the CreateJob example's job, edited, and maps exJobID to it.
func (e *exampleEnv) job(edit func(map[string]any)) string {
	e.t.Helper()
	id := e.call("CreateJob", edit)["JobId"].(string)
	e.ids[exJobID] = id
	return id
}

// pendingCluster creates the CreateCluster example's empty cluster, gives
// it its five nodes and has the operator start it, as EX DescribeCluster
// and ListClusters show it.
func (e *exampleEnv) pendingCluster() string {
	e.t.Helper()
	id := e.call("CreateCluster", nil)["ClusterId"].(string)
	e.ids[exClusterID] = id
	for i := range 5 {
		node := mustRaw(e.t, e.s, "CreateJob", fmt.Sprintf(`{"ClusterId":%q,"Description":"MyClustrer-node-%03d"}`, id, i+1))
		e.ids[exNodeID(i)] = node["JobId"].(string)
	}
	if status, body := advanceCluster(e.t, e.s, id, types.ClusterStatePending); status != http.StatusOK {
		e.t.Fatalf("advance cluster: HTTP %d %s", status, body)
	}
	return id
}

type exampleCase struct {
	op   string
	opts frostytest.Options
	// setup creates what the example refers to and fills env.ids.
	setup func(e *exampleEnv)
	// extra are members Frosty returns beyond the example's output, by
	// path ("JobMetadata.RemoteManagement", "Addresses[].Type"), with the
	// value BEHAVIOR.md gives them.
	extra map[string]any
	// after checks the effect of an example whose output is empty.
	after func(e *exampleEnv, c *snowball.Client)
}

func TestExamples(t *testing.T) {
	examples := loadExamples(t)
	start := json.Number(strconv.FormatInt(frostytest.Start.Unix(), 10))

	cases := []exampleCase{
		{op: "CancelCluster", setup: func(e *exampleEnv) {
			e.address()
			e.ids[exClusterID] = e.call("CreateCluster", nil)["ClusterId"].(string)
		}, after: func(e *exampleEnv, c *snowball.Client) {
			if got := clusterState(e.t, c, e.ids[exClusterID]); got != types.ClusterStateCancelled {
				e.t.Errorf("ClusterState = %s, want Cancelled", got)
			}
		}},
		{op: "CancelJob", setup: func(e *exampleEnv) {
			e.address()
			e.job(nil)
		}, after: func(e *exampleEnv, c *snowball.Client) {
			wantJobState(e.t, c, e.ids[exJobID], types.JobStateCancelled)
		}},
		{op: "CreateAddress", after: func(e *exampleEnv, c *snowball.Client) {
			out, err := c.DescribeAddresses(e.t.Context(), &snowball.DescribeAddressesInput{})
			if err != nil || len(out.Addresses) != 1 {
				e.t.Fatalf("DescribeAddresses = %v, %v", out, err)
			}
			a := out.Addresses[0]
			if aws.ToString(a.Company) != "My Company's Name" || aws.ToString(a.Country) != "USA" {
				e.t.Errorf("stored address = %v, want the example's", a)
			}
		}},
		{op: "CreateCluster", setup: func(e *exampleEnv) { e.address() }},
		{op: "CreateJob", setup: func(e *exampleEnv) { e.address() }},
		{op: "DescribeAddress", setup: func(e *exampleEnv) { e.address() },
			extra: map[string]any{"Address.Type": "AWS_SHIP"}}, // BEHAVIOR §4.6
		{op: "DescribeAddresses", setup: func(e *exampleEnv) { e.address() },
			extra: map[string]any{"Addresses[].Type": "AWS_SHIP"}},
		{op: "DescribeCluster", setup: func(e *exampleEnv) {
			e.address()
			e.pendingCluster()
		}, extra: map[string]any{"ClusterMetadata.SnowballType": "EDGE"}}, // the CreateCluster input's
		{op: "DescribeJob", setup: func(e *exampleEnv) {
			e.address()
			e.job(nil)
		}, extra: map[string]any{"JobMetadata.RemoteManagement": "NOT_INSTALLED"}}, // BEHAVIOR §4.3, STANDARD
		{op: "GetJobManifest", setup: func(e *exampleEnv) {
			e.address()
			e.s.Advance(e.t, e.job(nil), string(types.JobStateWithCustomer))
		}},
		{op: "GetJobUnlockCode", setup: func(e *exampleEnv) {
			e.address()
			e.s.Advance(e.t, e.job(nil), string(types.JobStateWithCustomer))
		}},
		{op: "GetSnowballUsage"},
		{op: "ListClusterJobs", setup: func(e *exampleEnv) {
			e.address()
			id := e.call("CreateCluster", nil)["ClusterId"].(string)
			e.ids[exClusterID] = id
			for i := range 5 {
				node := mustRaw(e.t, e.s, "CreateJob", fmt.Sprintf(`{"ClusterId":%q,"Description":"MyClustrer-node-%03d"}`, id, i+1))
				e.ids[exNodeID(i)] = node["JobId"].(string)
			}
		}},
		{op: "ListClusters", setup: func(e *exampleEnv) {
			e.address()
			e.pendingCluster()
		}},
		{op: "ListJobs", setup: func(e *exampleEnv) {
			e.address()
			e.job(func(in map[string]any) { in["Description"] = "MyJob" })
		}},
		{op: "ListPickupLocations", opts: frostytest.Options{Config: service.Config{PickupLocations: []model.Address{{
			AddressId: model.Ptr(exAddressID), City: model.Ptr("Seattle"), Company: model.Ptr("My Company"),
			Country: model.Ptr("US"), Name: model.Ptr("My Name"), PhoneNumber: model.Ptr("425-555-5555"),
			PostalCode: model.Ptr("98101"), StateOrProvince: model.Ptr("WA"), Street1: model.Ptr("123 Main Street"),
		}}}}, setup: func(e *exampleEnv) { e.ids[exAddressID] = exAddressID }}, // a seeded ID, not a new one
		{op: "UpdateCluster", setup: func(e *exampleEnv) {
			e.address()
			e.ids[exClusterID] = e.call("CreateCluster", nil)["ClusterId"].(string)
			e.ids[exAddressID] = mustCreateAddress(e.t, e.s.Alice()) // the address it moves to
		}, after: func(e *exampleEnv, c *snowball.Client) {
			out, err := c.DescribeCluster(e.t.Context(), &snowball.DescribeClusterInput{ClusterId: aws.String(e.ids[exClusterID])})
			if err != nil {
				e.t.Fatal(err)
			}
			if got := out.ClusterMetadata; aws.ToString(got.Description) != "updated-cluster-name" || aws.ToString(got.AddressId) != e.ids[exAddressID] {
				e.t.Errorf("cluster after UpdateCluster = %v", got)
			}
		}},
		// EX UpdateJob asks for capacity T100, which STANDARD (the
		// CreateJob example's type) does not offer (BEHAVIOR §4.4); it is
		// run against an EDGE job. TestExampleUpdateJobOnStandard covers
		// the STANDARD job.
		{op: "UpdateJob", setup: func(e *exampleEnv) {
			e.address()
			e.job(func(in map[string]any) {
				in["SnowballType"] = "EDGE"
				delete(in, "SnowballCapacityPreference")
			})
			e.ids[exAddressID] = mustCreateAddress(e.t, e.s.Alice())
		}, after: func(e *exampleEnv, c *snowball.Client) {
			md := mustDescribeJob(e.t, c, e.ids[exJobID]).JobMetadata
			got := []string{aws.ToString(md.AddressId), aws.ToString(md.Description),
				string(md.ShippingDetails.ShippingOption), string(md.SnowballCapacityPreference)}
			want := []string{e.ids[exAddressID], "updated-job-name", "NEXT_DAY", "T100"}
			if diff := cmp.Diff(want, got); diff != "" {
				e.t.Errorf("job after UpdateJob (-want +got):\n%s", diff)
			}
		}},
	}

	var covered []string
	for _, tc := range cases {
		covered = append(covered, tc.op)
		for _, ex := range examples[tc.op] {
			t.Run(tc.op+"/OK", func(t *testing.T) {
				s := frostytest.MustStart(t, tc.opts)
				e := &exampleEnv{t: t, s: s, ex: examples, ids: map[string]string{}}
				if tc.setup != nil {
					tc.setup(e)
				}
				got := mustRaw(t, s, tc.op, substitute(ex.Input, e.ids))
				want := map[string]any{}
				if len(ex.Output) > 0 {
					want = decodeJSON(t, substitute(ex.Output, e.ids)).(map[string]any)
				}
				m := exampleMatcher{t: t, ids: e.ids, start: start, extra: tc.extra}
				m.match("", want, got)
				if tc.after != nil {
					tc.after(e, s.Alice())
				}
			})
		}
	}
	var all []string
	for op := range examples {
		all = append(all, op)
	}
	slices.Sort(all)
	slices.Sort(covered)
	if diff := cmp.Diff(all, covered); diff != "" {
		t.Errorf("examples without a test case (-examples +cases):\n%s", diff)
	}
}

// TestExampleUpdateJobOnStandard runs EX UpdateJob as written against the
// STANDARD job of EX CreateJob: T100 is not a STANDARD capacity.
func TestExampleUpdateJobOnStandard(t *testing.T) {
	examples := loadExamples(t)
	s := frostytest.MustStart(t, frostytest.Options{})
	e := &exampleEnv{t: t, s: s, ex: examples, ids: map[string]string{}}
	e.address()
	e.job(nil)
	r := doRaw(t, s, rawRequest{Target: "UpdateJob", Body: substitute(examples["UpdateJob"][0].Input, e.ids), Cred: &alice})
	wantRawError(t, r, "InvalidInputCombinationException")
}

// exampleMatcher compares a response with an example's output: the same
// members (plus the documented extras), the same values, except where the
// example shows a value only by its form.
type exampleMatcher struct {
	t     *testing.T
	ids   map[string]string
	start json.Number
	extra map[string]any
}

func (m exampleMatcher) match(path string, want, got any) {
	m.t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			m.t.Errorf("%s = %#v, want an object", path, got)
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				m.t.Errorf("%s lacks %s", path, k)
				continue
			}
			m.leaf(join(path, k), k, wv, gv)
		}
		for k, gv := range g {
			if _, ok := w[k]; ok {
				continue
			}
			p := join(path, k)
			if ev, ok := m.extra[p]; !ok {
				m.t.Errorf("%s has %s = %v, which the example does not show", path, k, gv)
			} else if ev != gv {
				m.t.Errorf("%s = %v, want %v", p, gv, ev)
			}
		}
		for p := range m.extra {
			if parent, k := splitPath(p); parent == path {
				if _, ok := g[k]; !ok {
					m.t.Errorf("%s lacks %s (BEHAVIOR.md)", path, k)
				}
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			m.t.Errorf("%s = %v, want %d elements like %v", path, got, len(w), want)
			return
		}
		for i := range w {
			m.match(path+"[]", w[i], g[i])
		}
	default:
		if got != want {
			m.t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
}

// leaf compares member k; the example's timestamps are strings of another
// date, its IDs stand for any server ID, and its URLs are S3's.
func (m exampleMatcher) leaf(path, k string, want, got any) {
	m.t.Helper()
	ws, isString := want.(string)
	switch {
	case k == "CreationDate":
		if got != m.start {
			m.t.Errorf("%s = %#v, want the JSON number %s", path, got, m.start)
		}
	case k == "ManifestURI":
		m.manifestURI(path, ws, got)
	case k == "UnlockCode":
		if gs, _ := got.(string); !reUnlockCode.MatchString(gs) {
			m.t.Errorf("%s = %#v, want a code like %s", path, got, ws)
		}
	case isString && reExampleID.MatchString(ws) && !slices.Contains(mapValues(m.ids), ws):
		// An ID the server issued in this very call.
		gs, _ := got.(string)
		if !reExampleID.MatchString(gs) || gs[:3] != ws[:3] || gs == ws {
			m.t.Errorf("%s = %#v, want a new ID like %s", path, got, ws)
		}
	default:
		m.match(path, want, got)
	}
}

func (m exampleMatcher) manifestURI(path, want string, got any) {
	m.t.Helper()
	gs, _ := got.(string)
	wu, err1 := url.Parse(strings.TrimSuffix(want, "..."))
	gu, err2 := url.Parse(gs)
	if err1 != nil || err2 != nil {
		m.t.Errorf("%s = %q, want a URL like %s", path, gs, want)
		return
	}
	// Frosty serves the objects itself, so only the key keeps S3's form.
	if !strings.HasSuffix(gu.Path, wu.Path) {
		m.t.Errorf("%s path = %s, want it to end in %s", path, gu.Path, wu.Path)
	}
	for k := range wu.Query() {
		if gu.Query().Get(k) == "" {
			m.t.Errorf("%s lacks %s", path, k)
		}
	}
	if got := gu.Query().Get("X-Amz-Algorithm"); got != wu.Query().Get("X-Amz-Algorithm") {
		m.t.Errorf("%s X-Amz-Algorithm = %s", path, got)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func splitPath(p string) (parent, k string) {
	i := strings.LastIndexByte(p, '.')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}
