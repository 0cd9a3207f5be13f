// Package dashboard is Frosty's web dashboard, served under /_frosty/ui/:
// every job and cluster of every account, their journeys, timelines and
// notifications, and the operator's actions on them, updated live as they
// move. An operator signs in with the admin token; the session is a signed
// cookie, and every action carries a token against cross-site requests.
// Templates, styles and script are embedded: it needs nothing from the
// network and no build step.
package dashboard

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Prefix is where the dashboard is mounted.
const Prefix = "/_frosty/ui/"

// DefaultPoll is how often, while a browser watches, the dashboard reads
// the store for changes that other replicas made.
const DefaultPoll = 2 * time.Second

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 12 * time.Hour

// Config wires a dashboard.
type Config struct {
	Service *service.Service
	// AdminToken is what an operator signs in with. Sessions are signed
	// with a key derived from it: another token ends them all.
	AdminToken string
	Log        *slog.Logger
	// Hub carries the transitions of this process to the live pages: the
	// caller publishes each committed one (service.Config.OnEvent).
	Hub *Hub
	// AfterClockChange, if set, runs after the operator moved the clock
	// (see server.Config).
	AfterClockChange func(ctx context.Context) error
	// Poll is how often the store is read for changes made elsewhere while
	// a live page is open; zero means DefaultPoll, negative never.
	Poll time.Duration
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// dashboard is the http.Handler New returns.
type dashboard struct {
	cfg    Config
	key    []byte // signs sessions and CSRF tokens
	mux    *http.ServeMux
	pages  map[string]*template.Template
	static http.Handler
	// version names the static files' contents, so that a browser never
	// keeps an old copy.
	version string

	closing   chan struct{} // closed by Shutdown: event streams end
	closeOnce sync.Once

	mu       sync.Mutex
	watchers int
	stopPoll chan struct{}
}

// New returns the dashboard's handler, to be mounted at Prefix. It has a
// Shutdown method, which ends the live pages' event streams: call it when
// the server shuts down.
func New(cfg Config) http.Handler {
	if cfg.Hub == nil {
		cfg.Hub = NewHub()
	}
	if cfg.Poll == 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	key := sha256.Sum256([]byte("frosty-dashboard\x00" + cfg.AdminToken))
	d := &dashboard{cfg: cfg, key: key[:], mux: http.NewServeMux(), pages: parseTemplates(), closing: make(chan struct{})}
	static, _ := fs.Sub(staticFS, "static")
	d.static = http.StripPrefix(Prefix+"static/", http.FileServerFS(static))
	d.version = staticVersion()

	d.mux.HandleFunc("GET "+Prefix+"static/", d.serveStatic)
	d.mux.HandleFunc("GET "+Prefix+"login", d.serveLogin)
	d.mux.HandleFunc("POST "+Prefix+"login", d.serveSignIn)
	d.mux.HandleFunc("POST "+Prefix+"logout", d.action(d.serveSignOut))
	d.mux.HandleFunc("GET "+Prefix+"{$}", d.page(d.serveJobs))
	d.mux.HandleFunc("GET "+Prefix+"jobs/{id}", d.page(d.serveJob))
	d.mux.HandleFunc("GET "+Prefix+"clusters", d.page(d.serveClusters))
	d.mux.HandleFunc("GET "+Prefix+"clusters/{id}", d.page(d.serveCluster))
	d.mux.HandleFunc("GET "+Prefix+"clock", d.page(d.serveClock))
	d.mux.HandleFunc("GET "+Prefix+"reset", d.page(d.serveResetConfirm))
	d.mux.HandleFunc("GET "+Prefix+"events", d.page(d.serveEvents))
	d.mux.HandleFunc("POST "+Prefix+"jobs/{id}/advance", d.action(d.serveAdvanceJob))
	d.mux.HandleFunc("POST "+Prefix+"jobs/{id}/return", d.action(d.serveReturnJob))
	d.mux.HandleFunc("POST "+Prefix+"jobs/{id}/cancel", d.action(d.serveCancelJob))
	d.mux.HandleFunc("POST "+Prefix+"clusters/{id}/advance", d.action(d.serveAdvanceCluster))
	d.mux.HandleFunc("POST "+Prefix+"clusters/{id}/cancel", d.action(d.serveCancelCluster))
	d.mux.HandleFunc("POST "+Prefix+"clock", d.action(d.serveChangeClock))
	d.mux.HandleFunc("POST "+Prefix+"reset", d.action(d.serveReset))
	d.mux.HandleFunc(Prefix, d.page(d.serveNotFound))
	return d
}

// ServeHTTP sets the headers every answer of the dashboard has: its
// pages run only their own script and style, are never framed, and are
// never cached.
func (d *dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	d.mux.ServeHTTP(w, r)
}

func (d *dashboard) serveStatic(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") == d.version {
		w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
	}
	d.static.ServeHTTP(w, r)
}

// staticVersion hashes the static files.
func staticVersion() string {
	h := sha256.New()
	fs.WalkDir(staticFS, "static", func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			b, _ := staticFS.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Sessions. A session cookie is "nonce.expiry.mac": the server keeps
// nothing, so that any replica sharing the admin token accepts it, and the
// CSRF token of a session is a MAC of its nonce.

const sessionCookie = "frosty_session"

func (d *dashboard) mac(parts ...string) string {
	m := hmac.New(sha256.New, d.key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(m.Sum(nil))
}

func (d *dashboard) newSession(now time.Time) string {
	var b [16]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	exp := strconv.FormatInt(now.Add(SessionLifetime).Unix(), 10)
	return nonce + "." + exp + "." + d.mac("session", nonce, exp)
}

// session returns the nonce of r's valid session, or "".
func (d *dashboard) session(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	nonce, rest, _ := strings.Cut(c.Value, ".")
	exp, mac, _ := strings.Cut(rest, ".")
	if !hmac.Equal([]byte(mac), []byte(d.mac("session", nonce, exp))) {
		return ""
	}
	if t, err := strconv.ParseInt(exp, 10, 64); err != nil || time.Now().Unix() >= t {
		return ""
	}
	return nonce
}

func (d *dashboard) csrfToken(nonce string) string { return d.mac("csrf", nonce) }

func (d *dashboard) setSession(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

// page guards a GET handler: without a session, a page sends the browser
// to sign in, and a script's request gets 401.
func (d *dashboard) page(h func(w http.ResponseWriter, r *http.Request, nonce string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		nonce := d.session(r)
		if nonce == "" {
			if isFragment(r) || r.URL.Path == Prefix+"events" {
				http.Error(w, "sign in first", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, nonce)
	}
}

// action guards a POST handler: it needs a session, a request from the
// dashboard's own origin and the session's CSRF token, in the form's csrf
// field or the X-CSRF-Token header.
func (d *dashboard) action(h func(w http.ResponseWriter, r *http.Request, nonce string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !sameOrigin(r) {
			d.refuse(w, r, http.StatusForbidden, "This request came from another site.")
			return
		}
		nonce := d.session(r)
		if nonce == "" {
			d.refuse(w, r, http.StatusUnauthorized, "Your session has ended: sign in again.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		token := r.Header.Get("X-CSRF-Token")
		if token == "" {
			token = r.PostFormValue("csrf")
		}
		if !hmac.Equal([]byte(token), []byte(d.csrfToken(nonce))) {
			d.refuse(w, r, http.StatusForbidden, "This form has expired or did not come from the dashboard: reload the page and try again.")
			return
		}
		h(w, r, nonce)
	}
}

// sameOrigin reports whether r may come from the dashboard's own pages:
// a browser that names the origin of a request must name this host.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

func isFragment(r *http.Request) bool { return r.Header.Get("X-Frosty-Fragment") == "1" }

// refuse answers a request that may not go on with a page saying why.
func (d *dashboard) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	d.render(w, r, status, "message", &view{Title: http.StatusText(status), Error: msg})
}

func (d *dashboard) serveLogin(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, http.StatusOK, "login", &view{Title: "Sign in", Next: safeNext(r.URL.Query().Get("next"))})
}

func (d *dashboard) serveSignIn(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		d.refuse(w, r, http.StatusForbidden, "This request came from another site.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := r.PostFormValue("token")
	next := safeNext(r.PostFormValue("next"))
	if d.cfg.AdminToken == "" || !hmac.Equal([]byte(token), []byte(d.cfg.AdminToken)) {
		d.render(w, r, http.StatusUnauthorized, "login", &view{Title: "Sign in", Next: next,
			Error: "That is not the operator token. It is --admin-token, or adminToken in the data directory's secrets.json."})
		return
	}
	d.setSession(w, r, d.newSession(time.Now()), int(SessionLifetime/time.Second))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext is where to go after signing in: a dashboard path, else its
// first page.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.ContainsAny(next, "\\\r\n") || strings.Contains(next, "//") {
		return Prefix
	}
	return next
}

func (d *dashboard) serveSignOut(w http.ResponseWriter, r *http.Request, _ string) {
	d.setSession(w, r, "", -1)
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

func (d *dashboard) serveNotFound(w http.ResponseWriter, r *http.Request, nonce string) {
	d.render(w, r, http.StatusNotFound, "message", &view{Title: "Not found", CSRF: d.csrfToken(nonce), SignedIn: true,
		Error: "The dashboard has no page " + r.URL.Path + "."})
}

// failed renders the page whose action failed with the service's error:
// an unknown resource is 404, a refused action 400, a failure of Frosty
// itself 500 with no detail.
func (d *dashboard) failed(err error) (status int, msg string) {
	var e *snowball.Error
	switch {
	case errors.As(err, &e) && e.Code == snowball.InvalidResource:
		return http.StatusNotFound, e.Message
	case errors.As(err, &e) && e.Code != snowball.InternalFailure && e.Code != snowball.NotFound:
		return http.StatusBadRequest, e.Message
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, "The request was cancelled."
	}
	d.cfg.Log.Error("dashboard", "err", err)
	return http.StatusInternalServerError, "Frosty failed to do this; its log says why."
}

// render writes a page, or only its content when the page's script asks
// for the fragment it refreshes.
func (d *dashboard) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := d.pages[page]
	if !ok {
		panic(fmt.Sprintf("dashboard: no template %q", page))
	}
	v.Version = d.version
	v.Prefix = Prefix
	names := []string{"layout"}
	if isFragment(r) {
		names = []string{"content", "now"}
	}
	var b strings.Builder
	var err error
	for _, name := range names {
		if err == nil {
			err = t.ExecuteTemplate(&b, name, v)
		}
	}
	if err != nil {
		d.cfg.Log.Error("dashboard: render", "page", page, "err", err)
		http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "X-Frosty-Fragment, Cookie")
	w.Header().Set("X-Frosty-Watch", v.Watch)
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}
