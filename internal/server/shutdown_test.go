package server_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/server"
)

// stream is a dashboard whose every request stays open until Shutdown,
// as a live page's event stream does.
type stream struct{ done chan struct{} }

func (s *stream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	http.NewResponseController(w).Flush()
	<-s.done
}

func (s *stream) Shutdown() { close(s.done) }

// TestShutdownEndsDashboardStreams: the http.Server of HTTPServer tells
// the dashboard it is shutting down, so that an open stream does not hold
// the shutdown until its drain timeout.
func TestShutdownEndsDashboardStreams(t *testing.T) {
	base := frostytest.MustStart(t, frostytest.Options{})
	h := server.New(server.Config{
		Service: base.Service, Clock: base.Clock, Log: slog.New(slog.DiscardHandler),
		Dashboard: &stream{done: make(chan struct{})},
	})
	srv := h.HTTPServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	res, err := http.Get("http://" + ln.Addr().String() + "/_frosty/ui/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the stream answered %d", res.StatusCode)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown with a stream open = %v after %v, want it to end the stream and return", err, time.Since(start))
	}
}
