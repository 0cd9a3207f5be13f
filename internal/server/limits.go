package server

import (
	"log/slog"
	"net/http"
	"time"
)

// Limits bound what one client can take from a shared server. The zero
// value of a field means its default (DefaultLimits).
type Limits struct {
	// MaxInFlight is how many API requests are processed at once; one more
	// gets ThrottlingException (HTTP 400), which SDKs retry with backoff.
	MaxInFlight int
	// RequestTimeout is the deadline of one API call, from when its body
	// has been read. A call that cannot finish in time (waiting for the
	// store, say) is rolled back and gets ServiceUnavailableException (503).
	RequestTimeout time.Duration

	// The connection timeouts of the http.Server: how long a client may
	// take to send the headers, the whole request, and how long a response
	// and an idle keep-alive connection may last.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes int
}

// DefaultLimits are the limits of a server whose Limits are left zero.
var DefaultLimits = Limits{
	MaxInFlight:       256,
	RequestTimeout:    30 * time.Second,
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       30 * time.Second,
	WriteTimeout:      60 * time.Second,
	IdleTimeout:       2 * time.Minute,
	MaxHeaderBytes:    64 << 10,
}

// withDefaults fills in the zero fields of l.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxInFlight <= 0 {
		l.MaxInFlight = d.MaxInFlight
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = d.RequestTimeout
	}
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = d.ReadTimeout
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	// A response must be allowed to outlast the deadline of the call it
	// answers, or the client would see a cut connection instead of the 503.
	l.WriteTimeout = max(l.WriteTimeout, l.RequestTimeout+10*time.Second)
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = d.IdleTimeout
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	return l
}

// HTTPServer returns an http.Server for s with its connection limits; the
// caller sets ConnState or BaseContext if it wants them and calls Serve.
func (s *Server) HTTPServer() *http.Server {
	l := s.limits
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	}
	if d, ok := s.cfg.Dashboard.(interface{ Shutdown() }); ok {
		srv.RegisterOnShutdown(d.Shutdown)
	}
	return srv
}
