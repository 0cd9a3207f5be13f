package dashboard_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/dashboard"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/postgres"
	"github.com/frostyhq/frosty/internal/postgres/pgtest"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

const adminToken = "test-admin-token"

// Accounts of the fixture.
const (
	alice = "111122223333"
	bob   = "444455556666"
)

type presigner struct{}

func (presigner) Presign(region, bucket, key string, _ time.Duration) (string, error) {
	return "https://frosty.test/" + bucket + "/" + key + "?X-Amz-Signature=x", nil
}

// fixture is a dashboard over a seeded store.
type fixture struct {
	Store   snowball.Store
	Service *service.Service
	URL     string
	IDs     map[string]string
	Handler http.Handler
}

// seed is the fixture's records: each kind of job, a cluster, and a job
// and an address with hostile text.
const seed = `{
	"addresses": [
		{"ref": "home", "accountId": "` + alice + `", "Name": "<img src=x onerror=alert(2)>", "Street1": "1 Main St", "City": "Seattle", "Country": "US"},
		{"ref": "bhome", "accountId": "` + bob + `", "Name": "Bob", "Street1": "2 Main St", "City": "Tacoma", "Country": "US"}
	],
	"clusters": [{"ref": "cl", "accountId": "` + alice + `", "AddressId": "ref:home", "InitialClusterSize": 3,
		"JobType": "LOCAL_USE", "SnowballType": "EDGE_C", "ShippingOption": "SECOND_DAY", "Description": "edge cluster"}],
	"jobs": [
		{"ref": "imp", "accountId": "` + alice + `", "state": "WithCustomer", "AddressId": "ref:home",
			"Description": "<script>alert(1)</script>", "Notification": {"NotifyAll": true}, ` + importJob + `},
		{"ref": "exp", "accountId": "` + alice + `", "state": "Pending", "AddressId": "ref:home", ` + exportJob + `},
		{"ref": "new", "accountId": "` + bob + `", "AddressId": "ref:bhome", "Description": "Bob's tapes", ` + importJob + `},
		{"ref": "busy", "accountId": "` + bob + `", "state": "InProgress", "AddressId": "ref:bhome", ` + importJob + `}
	]
}`

const (
	importJob = `"JobType": "IMPORT", "SnowballType": "EDGE", "ShippingOption": "SECOND_DAY",
		"Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::frosty-bucket"}]}`
	exportJob = `"JobType": "EXPORT", "SnowballType": "EDGE", "ShippingOption": "NEXT_DAY",
		"Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::frosty-bucket"}]}`
)

// stores open a new, empty store of each kind; PostgreSQL's skips the
// test when no server is given (scripts/postgres.sh).
var stores = []struct {
	name string
	open func(t *testing.T) snowball.Store
}{
	{"SQLite", func(t *testing.T) snowball.Store {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "frosty.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
	{"PostgreSQL", func(t *testing.T) snowball.Store {
		db, err := postgres.Open(t.Context(), pgtest.MustSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
}

// forEachStore runs fn on each kind of store.
func forEachStore(t *testing.T, fn func(t *testing.T, open func(*testing.T) snowball.Store)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { fn(t, s.open) })
	}
}

// mustStart serves a dashboard over a new, seeded SQLite store; poll is
// its Config.Poll.
func mustStart(t *testing.T, poll time.Duration) *fixture {
	return mustStartOn(t, stores[0].open, poll)
}

// mustStartOn is mustStart over the store open returns.
func mustStartOn(t *testing.T, open func(*testing.T) snowball.Store, poll time.Duration) *fixture {
	t.Helper()
	store := open(t)
	t.Cleanup(func() { store.Close() })
	clock := snowball.NewOperatorClock(snowball.NewFakeClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)), snowball.ClockState{})
	hub := dashboard.NewHub()
	svc := service.New(store, clock, presigner{}, []byte("token-key"), service.Config{
		OperatorClock: clock, NotifyWebhook: true, ExportParts: 2,
		OnEvent: func(e *snowball.Event) { hub.Publish(e.ResourceID) },
	})
	parsed, err := service.ParseSeed([]byte(seed))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Seed(t.Context(), parsed)
	if err != nil {
		t.Fatal(err)
	}
	h := dashboard.New(dashboard.Config{Service: svc, AdminToken: adminToken, Hub: hub, Poll: poll})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{Store: store, Service: svc, URL: srv.URL + dashboard.Prefix, IDs: res.IDs, Handler: h}
}

// client is a browser: it keeps cookies and does not follow redirects.
type client struct {
	t    *testing.T
	http *http.Client
	base string
}

func (f *fixture) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: f.URL, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request to path (under the dashboard) and returns the
// response with its body read.
func (c *client) do(method, path string, form url.Values, header ...string) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (c *client) get(path string, header ...string) (*http.Response, string) {
	return c.do(http.MethodGet, path, nil, header...)
}

// signIn signs c in and returns the CSRF token of its session.
func (c *client) signIn() string {
	c.t.Helper()
	res, _ := c.do(http.MethodPost, "login", url.Values{"token": {adminToken}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in: status %d, want 303", res.StatusCode)
	}
	_, body := c.get("")
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token in the jobs page")
	}
	return m[1]
}

func wantStatus(t *testing.T, what string, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Errorf("%s: status %d, want %d", what, res.StatusCode, want)
	}
}

func TestSignIn(t *testing.T) {
	f := mustStart(t, -1)
	c := f.client(t)

	res, _ := c.get("")
	wantStatus(t, "GET / signed out", res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, dashboard.Prefix+"login") {
		t.Errorf("signed out: Location %q, want the sign-in page", loc)
	}
	for _, path := range []string{"jobs/" + f.IDs["imp"], "clusters", "clock", "reset"} {
		res, _ := c.get(path)
		wantStatus(t, "GET "+path+" signed out", res, http.StatusSeeOther)
	}
	res, _ = c.get("events")
	wantStatus(t, "events signed out", res, http.StatusUnauthorized)
	res, _ = c.get("", "X-Frosty-Fragment", "1")
	wantStatus(t, "fragment signed out", res, http.StatusUnauthorized)

	res, body := c.get("login")
	wantStatus(t, "GET login", res, http.StatusOK)
	if !strings.Contains(body, `type="password"`) {
		t.Errorf("login page has no password field")
	}

	res, body = c.do(http.MethodPost, "login", url.Values{"token": {"wrong"}})
	wantStatus(t, "wrong token", res, http.StatusUnauthorized)
	if res.Header.Get("Set-Cookie") != "" || !strings.Contains(body, "not the operator token") {
		t.Errorf("wrong token: Set-Cookie %q, message shown %v", res.Header.Get("Set-Cookie"), strings.Contains(body, "not the operator token"))
	}
	res, _ = c.get("")
	wantStatus(t, "after a wrong token", res, http.StatusSeeOther)

	res, _ = c.do(http.MethodPost, "login", url.Values{"token": {adminToken}, "next": {"https://evil.example/"}})
	wantStatus(t, "good token", res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != dashboard.Prefix {
		t.Errorf("after sign in: Location %q, want %q (next is not followed off the dashboard)", loc, dashboard.Prefix)
	}
	cookies := res.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("sign in set %d cookies, want 1", len(cookies))
	}
	ck := cookies[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != dashboard.Prefix || ck.Secure || strings.Contains(ck.Value, adminToken) {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path %s, not Secure over HTTP, without the token", ck, dashboard.Prefix)
	}
	res, _ = c.get("")
	wantStatus(t, "signed in", res, http.StatusOK)

	// A cookie that was not signed by the server is no session.
	forged, _ := cookiejar.New(nil)
	u, _ := url.Parse(f.URL)
	forged.SetCookies(u, []*http.Cookie{{Name: "frosty_session", Value: "abc.9999999999.def", Path: dashboard.Prefix}})
	c.http.Jar = forged
	res, _ = c.get("")
	wantStatus(t, "forged cookie", res, http.StatusSeeOther)
}

func TestSignInOverTLSIsSecure(t *testing.T) {
	f := mustStart(t, -1)
	req := httptest.NewRequest(http.MethodPost, "https://frosty.test"+dashboard.Prefix+"login", strings.NewReader("token="+adminToken))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.Handler.ServeHTTP(rec, req)
	res := rec.Result()
	if len(res.Cookies()) != 1 || !res.Cookies()[0].Secure {
		t.Errorf("sign in over TLS: cookies %+v, want one Secure", res.Cookies())
	}
}

func TestPagesRender(t *testing.T) { forEachStore(t, testPagesRender) }

func testPagesRender(t *testing.T, open func(*testing.T) snowball.Store) {
	f := mustStartOn(t, open, -1)
	c := f.client(t)
	c.signIn()
	exp, err := f.Service.ViewJob(t.Context(), f.IDs["exp"])
	if err != nil || len(exp.Parts) == 0 {
		t.Fatalf("ViewJob(export) = %+v, %v", exp, err)
	}
	cl, err := f.Service.ViewCluster(t.Context(), f.IDs["cl"])
	if err != nil {
		t.Fatal(err)
	}
	// The first notification of the job with hostile text was delivered.
	imp, err := f.Service.ViewJob(t.Context(), f.IDs["imp"])
	if err != nil || len(imp.Messages) < 2 {
		t.Fatalf("ViewJob = %+v, %v; want messages", imp, err)
	}
	err = f.Store.Update(t.Context(), func(tx snowball.Tx) error {
		m := imp.Messages[0]
		m.DeliveredAt = m.CreatedAt.Add(time.Second)
		return tx.PutMessage(t.Context(), m)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path   string
		status int
		want   []string
	}{
		{"", 200, []string{f.IDs["imp"], f.IDs["new"], "5 of 10 · <span class=\"state-name\">WithCustomer</span>"}},
		{"?account=" + bob, 200, []string{f.IDs["new"]}},
		{"?state=WithCustomer&type=IMPORT", 200, []string{f.IDs["imp"]}},
		{"?q=bob%27s+TAPES", 200, []string{f.IDs["new"]}},
		{"?cluster=" + f.IDs["cl"], 200, []string{cl.Nodes[0].ID}},
		{"?state=Sleeping", 400, []string{"not a job state"}},
		{"jobs/" + f.IDs["imp"], 200, []string{`id="journey"`, `id="timeline"`, "Download the manifest", `id="unlock"`,
			`id="notifications"`, "delivered", "pending", "/webhook", "Mark device returned", "next · waits for a call"}},
		{"jobs/" + f.IDs["exp"], 200, []string{`id="parts"`, exp.Parts[0].ID}},
		{"jobs/" + exp.Parts[0].ID, 200, []string{"Part 1 of", f.IDs["exp"]}},
		{"jobs/" + cl.Nodes[0].ID, 200, []string{"A node of", f.IDs["cl"]}},
		{"jobs/" + f.IDs["new"], 200, []string{"Cancel job", "1 of 10"}},
		{"jobs/" + f.IDs["busy"], 200, []string{`id="transfer"`, "0 B of 0 B", "9 of 10"}},
		{"jobs/JIDnope", 404, []string{"does not exist"}},
		{"clusters", 200, []string{f.IDs["cl"], "3 of 3 nodes", "edge cluster"}},
		{"clusters/" + f.IDs["cl"], 200, []string{`id="nodes"`, "3 of 3 nodes created", "Advance to Pending", "Cancel cluster"}},
		{"clusters/CIDnope", 404, []string{"does not exist"}},
		{"clock", 200, []string{"2026-11-22 09:00:00 UTC", "Advance by"}},
		{"reset", 200, []string{`name="confirm"`}},
		{"nowhere", 404, []string{"no page"}},
	} {
		res, body := c.get(tc.path)
		wantStatus(t, "GET "+tc.path, res, tc.status)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: the page lacks %q", tc.path, w)
			}
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q", tc.path, ct)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", tc.path, csp)
		}
	}

	// A page's script asks for its content alone.
	res, body := c.get("jobs/"+f.IDs["imp"], "X-Frosty-Fragment", "1")
	wantStatus(t, "fragment", res, 200)
	if strings.Contains(body, "<html") || !strings.Contains(body, `id="journey"`) {
		t.Errorf("fragment: want the content without the layout")
	}
	if w := res.Header.Get("X-Frosty-Watch"); !strings.Contains(w, f.IDs["imp"]) {
		t.Errorf("fragment: X-Frosty-Watch %q lacks the job", w)
	}
	for _, file := range []string{"static/app.css", "static/app.js"} {
		res, body := c.get(file)
		if res.StatusCode != 200 || len(body) < 100 {
			t.Errorf("GET %s: status %d, %d bytes", file, res.StatusCode, len(body))
		}
	}
}

func TestEscaping(t *testing.T) { forEachStore(t, testEscaping) }

func testEscaping(t *testing.T, open func(*testing.T) snowball.Store) {
	f := mustStartOn(t, open, -1)
	c := f.client(t)
	c.signIn()
	for _, path := range []string{"", "jobs/" + f.IDs["imp"], "?q=" + url.QueryEscape("<script>")} {
		_, body := c.get(path)
		if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x") {
			t.Errorf("GET %s: a description or address is not escaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s: the description is not shown as text", path)
		}
	}
	_, body := c.get("jobs/" + f.IDs["imp"])
	if !strings.Contains(body, "&lt;img src=x onerror=alert(2)&gt;") {
		t.Errorf("the address's name is not shown as text")
	}
}

func TestActionsNeedCSRF(t *testing.T) {
	f := mustStart(t, -1)
	c := f.client(t)
	path := "jobs/" + f.IDs["new"] + "/advance"

	res, _ := c.do(http.MethodPost, path, url.Values{"to": {"PreparingAppliance"}})
	wantStatus(t, "signed out", res, http.StatusUnauthorized)

	csrf := c.signIn()
	res, _ = c.do(http.MethodPost, path, url.Values{"to": {"PreparingAppliance"}})
	wantStatus(t, "no CSRF token", res, http.StatusForbidden)
	res, _ = c.do(http.MethodPost, path, url.Values{"to": {"PreparingAppliance"}, "csrf": {strings.Repeat("0", len(csrf))}})
	wantStatus(t, "wrong CSRF token", res, http.StatusForbidden)
	res, _ = c.do(http.MethodPost, path, url.Values{"to": {"PreparingAppliance"}, "csrf": {csrf}}, "Origin", "https://evil.example")
	wantStatus(t, "another origin", res, http.StatusForbidden)
	res, _ = c.do(http.MethodPost, path, url.Values{"to": {"PreparingAppliance"}, "csrf": {csrf}}, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site", res, http.StatusForbidden)
	res, _ = c.do(http.MethodPost, "login", url.Values{"token": {adminToken}}, "Origin", "https://evil.example")
	wantStatus(t, "sign in from another origin", res, http.StatusForbidden)
	if v, _ := f.Service.ViewJob(t.Context(), f.IDs["new"]); v.Job.State != model.JobStateNew {
		t.Fatalf("a refused request moved the job to %s", v.Job.State)
	}

	// Another session's token is no good either.
	other := f.client(t)
	otherCSRF := other.signIn()
	res, _ = c.do(http.MethodPost, path, url.Values{"to": {"PreparingAppliance"}, "csrf": {otherCSRF}})
	wantStatus(t, "another session's token", res, http.StatusForbidden)

	res, _ = c.do(http.MethodPost, path, url.Values{"to": {"PreparingAppliance"}, "csrf": {csrf}}, "Origin", strings.TrimSuffix(f.URL, dashboard.Prefix))
	wantStatus(t, "advance", res, http.StatusSeeOther)
	res, _ = c.do(http.MethodPost, path, url.Values{"to": {"PreparingShipment"}}, "X-CSRF-Token", csrf)
	wantStatus(t, "advance with the header", res, http.StatusSeeOther)
	if v, _ := f.Service.ViewJob(t.Context(), f.IDs["new"]); v.Job.State != model.JobStatePreparingShipment {
		t.Errorf("after advancing: %s, want PreparingShipment", v.Job.State)
	}

	res, _ = c.do(http.MethodPost, "logout", url.Values{"csrf": {csrf}})
	wantStatus(t, "sign out", res, http.StatusSeeOther)
	res, _ = c.get("")
	wantStatus(t, "after signing out", res, http.StatusSeeOther)
}

func TestActions(t *testing.T) {
	f := mustStart(t, -1)
	c := f.client(t)
	csrf := c.signIn()
	post := func(path string, form url.Values) (*http.Response, string) {
		form.Set("csrf", csrf)
		return c.do(http.MethodPost, path, form)
	}
	state := func(id string) model.JobState {
		v, err := f.Service.ViewJob(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return v.Job.State
	}
	imp, nw := f.IDs["imp"], f.IDs["new"]

	// Mistakes are refused with the service's reason, on the page.
	for _, tc := range []struct {
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"jobs/" + imp + "/advance", url.Values{"to": {"New"}}, 400, "not ahead of it"},
		{"jobs/" + imp + "/advance", url.Values{"to": {"Sleeping"}}, 400, "not a job state"},
		{"jobs/" + imp + "/cancel", url.Values{}, 400, "only allowed when the job is in New"},
		{"jobs/" + nw + "/return", url.Values{}, 400, "WithCustomer"},
		{"jobs/JIDnope/advance", url.Values{"to": {"Complete"}}, 404, "does not exist"},
		{"clusters/" + f.IDs["cl"] + "/advance", url.Values{"to": {"InUse"}}, 400, "only move an AwaitingQuorum cluster to Pending"},
		{"clock", url.Values{"advance": {"soon"}}, 400, "Advance by"},
		{"reset", url.Values{}, 400, "tick the box"},
		{"reset", url.Values{"confirm": {"yes"}, "account": {"12"}}, 400, "not an account ID"},
	} {
		res, body := post(tc.path, tc.form)
		wantStatus(t, "POST "+tc.path, res, tc.status)
		if !strings.Contains(body, tc.want) || !strings.Contains(body, `id="flash"`) {
			t.Errorf("POST %s %v: the page lacks the message %q", tc.path, tc.form, tc.want)
		}
	}

	res, _ := post("jobs/"+imp+"/return", url.Values{})
	wantStatus(t, "return", res, http.StatusSeeOther)
	if s := state(imp); s != model.JobStateInTransitToAWS {
		t.Errorf("after return: %s, want InTransitToAWS", s)
	}
	res, _ = post("jobs/"+nw+"/cancel", url.Values{})
	wantStatus(t, "cancel", res, http.StatusSeeOther)
	if s := state(nw); s != model.JobStateCancelled {
		t.Errorf("after cancel: %s, want Cancelled", s)
	}
	_, body := c.get("jobs/" + nw)
	if !strings.Contains(body, "from New") || !strings.Contains(body, "cause-operator") {
		t.Errorf("a cancelled job's page does not say it was cancelled from New by the operator")
	}
	res, _ = post("clusters/"+f.IDs["cl"]+"/advance", url.Values{"to": {"Pending"}})
	wantStatus(t, "advance cluster", res, http.StatusSeeOther)
	res, body = post("clusters/"+f.IDs["cl"]+"/cancel", url.Values{})
	wantStatus(t, "cancel a Pending cluster", res, http.StatusBadRequest)
	if !strings.Contains(body, "CancelCluster is only allowed") {
		t.Errorf("cancel a Pending cluster: no reason shown")
	}

	before, _ := f.Service.ClockNow()
	res, _ = post("clock", url.Values{"advance": {"2d"}})
	wantStatus(t, "advance the clock", res, http.StatusSeeOther)
	if after, _ := f.Service.ClockNow(); after.Sub(before) != 48*time.Hour {
		t.Errorf("the clock moved by %s, want 48h", after.Sub(before))
	}

	res, body = post("reset", url.Values{"confirm": {"yes"}, "account": {bob}})
	wantStatus(t, "reset", res, http.StatusOK)
	if !strings.Contains(body, "Forgotten: 2 jobs") {
		t.Errorf("reset: the page does not say what it forgot")
	}
	if jobs, _ := f.Service.FindJobs(t.Context(), snowball.JobQuery{Account: bob}); len(jobs) != 0 {
		t.Errorf("after reset: Bob has %d jobs", len(jobs))
	}
}

// readEvent returns the next data line of an event stream.
func readEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			return strings.TrimSpace(data)
		}
	}
}

// openEvents opens c's event stream; it ends with the test.
func (c *client) openEvents() *bufio.Reader {
	c.t.Helper()
	ctx, cancel := context.WithCancel(c.t.Context())
	c.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"events", nil)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		c.t.Fatalf("events: status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	r := bufio.NewReader(res.Body)
	if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
		c.t.Fatalf("events: first line %q", line)
	}
	return r
}

func TestEventsAfterTransition(t *testing.T) {
	f := mustStart(t, -1)
	c := f.client(t)
	c.signIn()
	events := c.openEvents()
	if _, err := f.Service.AdvanceJob(t.Context(), f.IDs["new"], model.JobStatePreparingAppliance); err != nil {
		t.Fatal(err)
	}
	if got := readEvent(t, events); got != f.IDs["new"] {
		t.Errorf("event %q, want the job that moved, %s", got, f.IDs["new"])
	}
}

func TestEventsOfAnotherReplica(t *testing.T) { forEachStore(t, testEventsOfAnotherReplica) }

func testEventsOfAnotherReplica(t *testing.T, open func(*testing.T) snowball.Store) {
	f := mustStartOn(t, open, 20*time.Millisecond)
	c := f.client(t)
	c.signIn()
	events := c.openEvents()
	// Another replica over the same store: its transitions reach no hub
	// of this process.
	clock := snowball.NewFakeClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	other := service.New(f.Store, clock, presigner{}, []byte("token-key"), service.Config{})
	if _, err := other.AdvanceJob(t.Context(), f.IDs["new"], model.JobStatePreparingAppliance); err != nil {
		t.Fatal(err)
	}
	if got := readEvent(t, events); got != "*" {
		t.Errorf("event %q, want *", got)
	}
}

func TestHubGathers(t *testing.T) {
	f := mustStart(t, -1)
	c := f.client(t)
	c.signIn()
	events := c.openEvents()
	// Moves made in one transaction arrive together or one after another,
	// never lost.
	seen := map[string]bool{}
	if _, err := f.Service.AdvanceJob(t.Context(), f.IDs["imp"], model.JobStateInTransitToAWS); err != nil {
		t.Fatal(err)
	}
	for !seen[f.IDs["imp"]] {
		for _, id := range strings.Fields(readEvent(t, events)) {
			seen[id] = true
		}
	}
}

// TestShutdownEndsEvents: a stream lasts up to a minute, so a server
// shutting down ends it rather than wait; one opened after ends at once.
func TestShutdownEndsEvents(t *testing.T) {
	f := mustStart(t, -1)
	c := f.client(t)
	c.signIn()
	events := c.openEvents()
	ended := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(events)
		ended <- err
	}()
	f.Handler.(interface{ Shutdown() }).Shutdown()
	select {
	case err := <-ended:
		if err != nil {
			t.Errorf("the stream ended with %v, want its end", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream is still open 10 s after Shutdown")
	}
	start := time.Now()
	if _, err := io.ReadAll(c.openEvents()); err != nil || time.Since(start) > 5*time.Second {
		t.Errorf("a stream opened after Shutdown ended after %v with %v, want at once", time.Since(start), err)
	}
}
