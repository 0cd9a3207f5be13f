package dashboard

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// pageSize is how many jobs or clusters a list shows at once.
const pageSize = 50

// view is what every page's template gets; Data is the page's own.
type view struct {
	Title, Prefix, Version, CSRF string
	SignedIn                     bool
	// Nav names the page's entry in the navigation.
	Nav string
	// Error is a message about what the operator just tried.
	Error string
	// Next is where signing in leads.
	Next string
	// Watch lists the IDs whose moves refresh the page; empty, any move.
	Watch string
	// Now is the domain's time, on the operator clock.
	Now  time.Time
	Data any
}

func parseTemplates() map[string]*template.Template {
	funcs := template.FuncMap{
		"time":  fmtTime,
		"step":  stepOf,
		"kind":  func(j *snowball.Job) string { return j.Kind().String() },
		"deref": func(p *string) string { return model.Deref(p) },
		"bytes": fmtBytes,
		"lower": func(v any) string { return strings.ToLower(fmt.Sprint(v)) },
		"words": words,
	}
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	pages := map[string]*template.Template{}
	for _, name := range []string{"login", "message", "jobs", "job", "clusters", "cluster", "clock", "reset"} {
		t := template.Must(base.Clone())
		pages[name] = template.Must(t.ParseFS(templateFS, "templates/"+name+".html"))
	}
	return pages
}

// words lets a state's name break between its words: InTransitToAWS is
// In<wbr>Transit<wbr>To<wbr>AWS.
func words(name string) template.HTML {
	rs := []rune(name)
	upper := func(i int) bool { return i >= 0 && i < len(rs) && unicode.IsUpper(rs[i]) }
	lower := func(i int) bool { return i >= 0 && i < len(rs) && unicode.IsLower(rs[i]) }
	var b strings.Builder
	for i, r := range rs {
		if upper(i) && (lower(i-1) || upper(i-1) && lower(i+1)) {
			b.WriteString("<wbr>")
		}
		b.WriteString(template.HTMLEscapeString(string(r)))
	}
	return template.HTML(b.String())
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func fmtBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// step is where a job is on its kind's path: state N of Of, or off the
// path (Cancelled).
type step struct {
	N, Of int
	State string
	Off   bool
}

func stepOf(j *snowball.Job) step {
	path := snowball.JobPath(j.Kind())
	i := slices.Index(path, j.State)
	return step{N: i + 1, Of: len(path), State: string(j.State), Off: i < 0}
}

// signedIn returns the common part of a signed-in page's view.
func (d *dashboard) signedIn(nonce, title, nav string) *view {
	now, _ := d.cfg.Service.ClockNow()
	return &view{Title: title, Nav: nav, CSRF: d.csrfToken(nonce), SignedIn: true, Now: now}
}

// jobsData is the jobs page.
type jobsData struct {
	Filter        jobFilter
	States, Types []string
	Jobs          []*snowball.Job
	// Older is the next page of older jobs ("" for none); Newest, when
	// this is not the first page, the first.
	Older, Newest template.URL
}

type jobFilter struct {
	Account, State, Type, Cluster, Q string
}

func (d *dashboard) serveJobs(w http.ResponseWriter, r *http.Request, nonce string) {
	v := d.signedIn(nonce, "Jobs", "jobs")
	q := r.URL.Query()
	f := jobFilter{
		Account: strings.TrimSpace(q.Get("account")), State: q.Get("state"), Type: q.Get("type"),
		Cluster: strings.TrimSpace(q.Get("cluster")), Q: strings.TrimSpace(q.Get("q")),
	}
	data := &jobsData{Filter: f, States: enumStrings(model.JobState("").Values()), Types: enumStrings(model.JobType("").Values())}
	v.Data = data
	status := http.StatusOK
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	switch {
	case f.State != "" && !slices.Contains(data.States, f.State):
		status, v.Error = http.StatusBadRequest, fmt.Sprintf("%q is not a job state.", f.State)
	case f.Type != "" && !slices.Contains(data.Types, f.Type):
		status, v.Error = http.StatusBadRequest, fmt.Sprintf("%q is not a job type.", f.Type)
	default:
		jobs, err := d.cfg.Service.FindJobs(r.Context(), snowball.JobQuery{
			Account: f.Account, State: model.JobState(f.State), Type: model.JobType(f.Type), ClusterID: f.Cluster, Text: f.Q,
			Before: before, Limit: pageSize + 1,
		})
		if err != nil {
			status, v.Error = d.failed(err)
			break
		}
		query := url.Values{}
		for k, val := range map[string]string{"account": f.Account, "state": f.State, "type": f.Type, "cluster": f.Cluster, "q": f.Q} {
			if val != "" {
				query.Set(k, val)
			}
		}
		if before > 0 {
			data.Newest = template.URL(Prefix + "?" + query.Encode())
		}
		if len(jobs) > pageSize {
			jobs = jobs[:pageSize]
			query.Set("before", strconv.FormatInt(jobs[len(jobs)-1].Seq, 10))
			data.Older = template.URL(Prefix + "?" + query.Encode())
		}
		data.Jobs = jobs
	}
	d.render(w, r, status, "jobs", v)
}

func enumStrings[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// jobData is a job's page.
type jobData struct {
	*service.JobView
	Step    step
	Journey []journeyStep
	// CancelledFrom is the state a cancelled job left.
	CancelledFrom string
	// AdvanceTo are the states ahead of the job on its path.
	AdvanceTo              []string
	CanReturn, CanCancel   bool
	WithCustomer, Transfer bool
	ManifestURL, Unlock    string
	DeviceError            string
	// The data transfer while InProgress.
	Bytes, TotalBytes, Objects, TotalObjects int64
	Percent                                  int
}

// journeyStep is one state of a job's path as its page draws it.
type journeyStep struct {
	State string
	// Status is passed, current, next or ahead.
	Status string
	// At is when the job entered it (passed, current); Due when the timed
	// lifecycle moves it on to it (next).
	At, Due time.Time
}

// unreadable answers, on the message page, a job's or a cluster's page
// whose record could not be read (err): with msg, if an action on it
// failed first, or else with why the read failed.
func (d *dashboard) unreadable(w http.ResponseWriter, r *http.Request, nonce, title, nav string, err error, msg string) {
	status, m := d.failed(err)
	if msg != "" {
		m = msg
	}
	v := d.signedIn(nonce, title, nav)
	v.Error = m
	d.render(w, r, status, "message", v)
}

func (d *dashboard) serveJob(w http.ResponseWriter, r *http.Request, nonce string) {
	d.jobPage(w, r, nonce, r.PathValue("id"), http.StatusOK, "")
}

// jobPage renders a job's page, with msg if an action on it failed.
func (d *dashboard) jobPage(w http.ResponseWriter, r *http.Request, nonce, id string, status int, msg string) {
	jv, err := d.cfg.Service.ViewJob(r.Context(), id)
	if err != nil {
		d.unreadable(w, r, nonce, "Job", "jobs", err, msg)
		return
	}
	j := jv.Job
	v := d.signedIn(nonce, "Job "+j.ID, "jobs")
	v.Error = msg
	watch := []string{j.ID, j.MasterID, j.ClusterID}
	for _, p := range jv.Parts {
		watch = append(watch, p.ID)
	}
	v.Watch = strings.Join(slices.DeleteFunc(watch, func(s string) bool { return s == "" }), " ")

	data := &jobData{JobView: jv, Step: stepOf(j)}
	path := snowball.JobPath(j.Kind())
	entered := map[string]time.Time{}
	for _, e := range jv.Events {
		entered[e.To] = e.At
	}
	cur := slices.Index(path, j.State)
	if j.State == model.JobStateCancelled && len(jv.Events) > 0 {
		data.CancelledFrom = jv.Events[len(jv.Events)-1].From
		cur = slices.Index(path, model.JobState(data.CancelledFrom)) + 1 // all up to it were passed
	}
	for i, s := range path {
		js := journeyStep{State: string(s), Status: "ahead"}
		switch {
		case i < cur:
			js.Status, js.At = "passed", entered[string(s)]
		case i == cur && j.State != model.JobStateCancelled:
			js.Status, js.At = "current", entered[string(s)]
		case i == cur+1 && j.State != model.JobStateCancelled:
			js.Status, js.Due = "next", j.DueAt
		}
		data.Journey = append(data.Journey, js)
	}
	if len(path) > 0 {
		ahead, _ := snowball.JobStatesBetween(j.Kind(), j.State, path[len(path)-1])
		data.AdvanceTo = enumStrings(ahead)
	}
	data.CanCancel = snowball.CanCancelJob(j.Kind(), j.State)
	data.WithCustomer = j.HasDevice() && j.State == model.JobStateWithCustomer
	data.CanReturn = data.WithCustomer
	if data.WithCustomer {
		data.ManifestURL, data.Unlock, err = d.cfg.Service.DeviceFiles(r.Context(), j.ID)
		if err != nil {
			_, data.DeviceError = d.failed(err)
		}
	}
	if p := jv.Metadata.DataTransferProgress; j.State == model.JobStateInProgress && p != nil {
		data.Transfer = true
		data.Bytes, data.TotalBytes = model.Deref(p.BytesTransferred), model.Deref(p.TotalBytes)
		data.Objects, data.TotalObjects = model.Deref(p.ObjectsTransferred), model.Deref(p.TotalObjects)
		if data.TotalBytes > 0 {
			data.Percent = int(100 * data.Bytes / data.TotalBytes)
		}
	}
	v.Data = data
	d.render(w, r, status, "job", v)
}

// clusterRow is a cluster in the list.
type clusterRow struct {
	*snowball.Cluster
	Live int
}

type clustersData struct {
	Clusters      []clusterRow
	Older, Newest template.URL
}

func (d *dashboard) serveClusters(w http.ResponseWriter, r *http.Request, nonce string) {
	v := d.signedIn(nonce, "Clusters", "clusters")
	data := &clustersData{}
	v.Data = data
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	clusters, err := d.cfg.Service.FindClusters(r.Context(), before, pageSize+1)
	if err != nil {
		st, msg := d.failed(err)
		v.Error = msg
		d.render(w, r, st, "clusters", v)
		return
	}
	if len(clusters) > pageSize {
		clusters = clusters[:pageSize]
		data.Older = template.URL(Prefix + "clusters?before=" + strconv.FormatInt(clusters[len(clusters)-1].Seq, 10))
	}
	if before > 0 {
		data.Newest = template.URL(Prefix + "clusters")
	}
	for _, c := range clusters {
		nodes, err := d.cfg.Service.FindJobs(r.Context(), snowball.JobQuery{ClusterID: c.ID})
		if err != nil {
			st, msg := d.failed(err)
			v.Error = msg
			d.render(w, r, st, "clusters", v)
			return
		}
		row := clusterRow{Cluster: c}
		for _, n := range nodes {
			if n.State != model.JobStateCancelled {
				row.Live++
			}
		}
		data.Clusters = append(data.Clusters, row)
	}
	d.render(w, r, http.StatusOK, "clusters", v)
}

type clusterData struct {
	*service.ClusterView
	CanAdvance bool
}

func (d *dashboard) serveCluster(w http.ResponseWriter, r *http.Request, nonce string) {
	d.clusterPage(w, r, nonce, r.PathValue("id"), http.StatusOK, "")
}

func (d *dashboard) clusterPage(w http.ResponseWriter, r *http.Request, nonce, id string, status int, msg string) {
	cv, err := d.cfg.Service.ViewCluster(r.Context(), id)
	if err != nil {
		d.unreadable(w, r, nonce, "Cluster", "clusters", err, msg)
		return
	}
	v := d.signedIn(nonce, "Cluster "+cv.Cluster.ID, "clusters")
	v.Error = msg
	watch := []string{cv.Cluster.ID}
	for _, n := range cv.Nodes {
		watch = append(watch, n.ID)
	}
	v.Watch = strings.Join(watch, " ")
	v.Data = &clusterData{ClusterView: cv, CanAdvance: cv.Cluster.State == model.ClusterStateAwaitingQuorum}
	d.render(w, r, status, "cluster", v)
}

// The actions. Each redirects to the page it was taken on when it
// succeeds, and draws that page again with the service's refusal when it
// does not.

func (d *dashboard) serveAdvanceJob(w http.ResponseWriter, r *http.Request, nonce string) {
	id := r.PathValue("id")
	_, err := d.cfg.Service.AdvanceJob(r.Context(), id, model.JobState(r.PostFormValue("to")))
	d.afterJobAction(w, r, nonce, id, err)
}

func (d *dashboard) serveReturnJob(w http.ResponseWriter, r *http.Request, nonce string) {
	id := r.PathValue("id")
	d.afterJobAction(w, r, nonce, id, d.cfg.Service.MarkReturned(r.Context(), id))
}

func (d *dashboard) serveCancelJob(w http.ResponseWriter, r *http.Request, nonce string) {
	id := r.PathValue("id")
	d.afterJobAction(w, r, nonce, id, d.cfg.Service.OperatorCancelJob(r.Context(), id))
}

func (d *dashboard) afterJobAction(w http.ResponseWriter, r *http.Request, nonce, id string, err error) {
	if err != nil {
		status, msg := d.failed(err)
		d.jobPage(w, r, nonce, id, status, msg)
		return
	}
	http.Redirect(w, r, Prefix+"jobs/"+url.PathEscape(id), http.StatusSeeOther)
}

func (d *dashboard) serveAdvanceCluster(w http.ResponseWriter, r *http.Request, nonce string) {
	id := r.PathValue("id")
	_, err := d.cfg.Service.AdvanceCluster(r.Context(), id, model.ClusterState(r.PostFormValue("to")))
	d.afterClusterAction(w, r, nonce, id, err)
}

func (d *dashboard) serveCancelCluster(w http.ResponseWriter, r *http.Request, nonce string) {
	id := r.PathValue("id")
	d.afterClusterAction(w, r, nonce, id, d.cfg.Service.OperatorCancelCluster(r.Context(), id))
}

func (d *dashboard) afterClusterAction(w http.ResponseWriter, r *http.Request, nonce, id string, err error) {
	if err != nil {
		status, msg := d.failed(err)
		d.clusterPage(w, r, nonce, id, status, msg)
		return
	}
	http.Redirect(w, r, Prefix+"clusters/"+url.PathEscape(id), http.StatusSeeOther)
}

type clockData struct {
	Enabled bool
	Frozen  bool
	Offset  string
}

func (d *dashboard) serveClock(w http.ResponseWriter, r *http.Request, nonce string) {
	d.clockPage(w, r, nonce, http.StatusOK, "")
}

func (d *dashboard) clockPage(w http.ResponseWriter, r *http.Request, nonce string, status int, msg string) {
	v := d.signedIn(nonce, "Clock", "clock")
	v.Error = msg
	_, st := d.cfg.Service.ClockNow()
	data := &clockData{Enabled: d.cfg.Service.HasOperatorClock(), Frozen: st.Frozen}
	if !st.Frozen {
		data.Offset = st.Offset.Round(time.Second).String()
	}
	v.Data = data
	d.render(w, r, status, "clock", v)
}

// serveChangeClock moves the operator clock by the form's advance (a
// duration such as 90m or 3d) or freezes it (freeze=true|false).
func (d *dashboard) serveChangeClock(w http.ResponseWriter, r *http.Request, nonce string) {
	var c service.ClockChange
	switch f := r.PostFormValue("freeze"); {
	case f == "true" || f == "false":
		freeze := f == "true"
		c.Freeze = &freeze
	default:
		dur, err := snowball.ParseDuration(strings.TrimSpace(r.PostFormValue("advance")))
		if err != nil {
			d.clockPage(w, r, nonce, http.StatusBadRequest, fmt.Sprintf("Advance by: %v.", err))
			return
		}
		c.Advance = dur
	}
	_, err := d.cfg.Service.ChangeClock(r.Context(), c)
	if err == nil && d.cfg.AfterClockChange != nil {
		err = d.cfg.AfterClockChange(r.Context())
	}
	if err != nil {
		status, msg := d.failed(err)
		d.clockPage(w, r, nonce, status, msg)
		return
	}
	http.Redirect(w, r, Prefix+"clock", http.StatusSeeOther)
}

type resetData struct {
	Account string
	Done    *snowball.RecordCounts
}

func (d *dashboard) serveResetConfirm(w http.ResponseWriter, r *http.Request, nonce string) {
	v := d.signedIn(nonce, "Reset", "reset")
	v.Data = &resetData{}
	d.render(w, r, http.StatusOK, "reset", v)
}

// serveReset forgets the records of the form's account, or of every
// account, once the operator ticked the confirmation.
func (d *dashboard) serveReset(w http.ResponseWriter, r *http.Request, nonce string) {
	v := d.signedIn(nonce, "Reset", "reset")
	data := &resetData{Account: strings.TrimSpace(r.PostFormValue("account"))}
	v.Data = data
	if r.PostFormValue("confirm") != "yes" {
		v.Error = "Nothing was reset: tick the box to confirm."
		d.render(w, r, http.StatusBadRequest, "reset", v)
		return
	}
	n, err := d.cfg.Service.Reset(r.Context(), data.Account)
	if err != nil {
		status, msg := d.failed(err)
		v.Error = msg
		d.render(w, r, status, "reset", v)
		return
	}
	data.Done = &n
	d.render(w, r, http.StatusOK, "reset", v)
}
