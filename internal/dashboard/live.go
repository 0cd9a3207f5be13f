package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Hub fans the IDs of jobs and clusters that moved out to the live pages
// of this process. Publish never blocks: each page's stream gathers what
// it has not sent yet, and past a few hundred IDs only says "everything".
type Hub struct {
	mu   sync.Mutex
	subs map[*subscriber]bool
}

// NewHub returns an empty Hub.
func NewHub() *Hub { return &Hub{subs: map[*subscriber]bool{}} }

// Publish tells every live page that the job or cluster id moved; "" says
// that anything may have.
func (h *Hub) Publish(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.add(id)
	}
}

func (h *Hub) subscribe() *subscriber {
	s := &subscriber{ids: map[string]bool{}, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	h.subs[s] = true
	h.mu.Unlock()
	return s
}

func (h *Hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// maxPending is how many IDs a stream gathers before it says "*".
const maxPending = 200

type subscriber struct {
	mu   sync.Mutex
	ids  map[string]bool
	all  bool
	wake chan struct{}
}

func (s *subscriber) add(id string) {
	s.mu.Lock()
	if id == "" || len(s.ids) >= maxPending {
		s.all = true
	} else {
		s.ids[id] = true
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take returns what moved since the last take: IDs separated by spaces,
// or "*" for anything.
func (s *subscriber) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := "*"
	if !s.all {
		ids := make([]string, 0, len(s.ids))
		for id := range s.ids {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		out = strings.Join(ids, " ")
	}
	s.all, s.ids = false, map[string]bool{}
	return out
}

// streamLifetime bounds one event stream, below the server's write
// timeout; the browser's EventSource connects again by itself.
const streamLifetime = 50 * time.Second

// serveEvents is the live pages' server-sent event stream: one "data:"
// line per batch of changes, the IDs that moved or "*".
func (d *dashboard) serveEvents(w http.ResponseWriter, r *http.Request, _ string) {
	rc := http.NewResponseController(w)
	sub := d.cfg.Hub.subscribe()
	defer d.cfg.Hub.unsubscribe(sub)
	d.watch()
	defer d.unwatch()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n: live\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	end := time.NewTimer(streamLifetime)
	defer end.Stop()
	beat := time.NewTicker(20 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-d.closing:
			return
		case <-end.C:
			return
		case <-beat.C:
			fmt.Fprint(w, ": beat\n\n")
		case <-sub.wake:
			fmt.Fprintf(w, "data: %s\n\n", sub.take())
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// Shutdown ends every event stream, now and from now on, so that a server
// shutting down does not wait for them (a stream lasts up to
// streamLifetime); the pages' EventSource connects again by itself.
// server.HTTPServer registers it with the http.Server.
func (d *dashboard) Shutdown() {
	d.closeOnce.Do(func() { close(d.closing) })
}

// watch counts a live page; the first starts reading the store for what
// other replicas changed, and unwatch of the last stops it. The first
// reading is made before the page's stream answers, so that nothing the
// page may have missed is taken for the state it saw.
func (d *dashboard) watch() {
	d.mu.Lock()
	d.watchers++
	var stop chan struct{}
	if d.watchers == 1 && d.cfg.Poll > 0 {
		stop = make(chan struct{})
		d.stopPoll = stop
	}
	d.mu.Unlock()
	if stop != nil {
		go d.poll(stop, d.counts())
	}
}

func (d *dashboard) unwatch() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.watchers--
	if d.watchers == 0 && d.stopPoll != nil {
		close(d.stopPoll)
		d.stopPoll = nil
	}
}

// counts reads the store's counts of jobs and clusters by state (an index
// answers it) as one string; "" when it cannot.
func (d *dashboard) counts() string {
	ctx, cancel := context.WithTimeout(context.Background(), max(d.cfg.Poll, time.Second))
	defer cancel()
	jobs, clusters, err := d.cfg.Service.StateCounts(ctx)
	if err != nil {
		d.cfg.Log.Warn("dashboard: read the state counts", "err", err)
		return ""
	}
	return fmt.Sprint(jobs, clusters) // fmt sorts map keys
}

// poll reads the counts every Poll and publishes "*" when they changed:
// every transition and every new job or cluster changes them, wherever it
// was made. last is the first reading.
func (d *dashboard) poll(stop <-chan struct{}, last string) {
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		now := d.counts()
		if now != "" && last != "" && now != last {
			d.cfg.Hub.Publish("")
		}
		if now != "" {
			last = now
		}
	}
}
