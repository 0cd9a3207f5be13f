// Package app assembles one Frosty from its parts: the service on the
// operator clock over a store, the timed lifecycle, the notification
// dispatcher, the faults, the metrics and the HTTP handler with its web
// dashboard. frosty serve and the public frostytest package both run an
// App, so that a server in a user's tests is wired exactly as the binary
// is.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/frostyhq/frosty/internal/dashboard"
	"github.com/frostyhq/frosty/internal/faults"
	"github.com/frostyhq/frosty/internal/lifecycle"
	"github.com/frostyhq/frosty/internal/metrics"
	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Config is what an App is made of. The caller owns the store and the
// listener.
type Config struct {
	Store snowball.Store
	Log   *slog.Logger
	// RealClock is the real time, which signatures and deliveries keep to;
	// nil means the system clock. The domain runs on an operator clock
	// over it.
	RealClock snowball.Clock

	// Keys are the API credentials; nil accepts any caller (--auth none).
	Keys       *sigv4.Keyring
	AdminToken string
	// Download signs and verifies presigned URLs, which point under
	// PublicURL; TokenKey signs pagination tokens. Both must be stable
	// across restarts.
	Download  sigv4.Credential
	PublicURL string
	TokenKey  []byte

	// Timed is the pace of the timed lifecycle; nil is the manual one.
	Timed *service.Timing
	// SNSEndpoint and Webhook are where notifications go ("": nowhere).
	SNSEndpoint, Webhook       string
	SnowballLimit, ExportParts int
	Limits                     server.Limits
	CORSOrigins                []string

	// Poll is how soon this replica sees what others over the same store
	// did: the jobs they made due, the messages they queued, a move of the
	// operator clock, the claims of one that died. Zero, for a store this
	// process alone uses, looks only when its own changes call for it.
	Poll time.Duration
}

// App is one Frosty, ready to serve.
type App struct {
	Service *service.Service
	Handler *server.Server
	Clock   *snowball.OperatorClock
	Metrics *metrics.Metrics

	engine     *lifecycle.Engine
	dispatcher *lifecycle.Dispatcher
	poll       time.Duration
	log        *slog.Logger
}

// New assembles an App over cfg.Store, with its operator clock where the
// store says it was left.
func New(ctx context.Context, cfg Config) (*App, error) {
	log := cfg.Log
	real := cfg.RealClock
	if real == nil {
		real = snowball.SystemClock{}
	}
	a := &App{Clock: snowball.NewOperatorClock(real, snowball.ClockState{}), log: log}
	// The dashboard's live pages hear of every transition made here, and
	// read the store for those made by other replicas.
	hub := dashboard.NewHub()
	a.Metrics = metrics.New(metrics.Sources{
		InFlight: func() int { return a.Handler.InFlight() },
		States:   func(ctx context.Context) (map[string]int, map[string]int, error) { return a.Service.StateCounts(ctx) },
	})
	m := a.Metrics

	senders := map[string]lifecycle.Sender{}
	httpClient := &http.Client{Timeout: 30 * time.Second}
	if cfg.SNSEndpoint != "" {
		senders[snowball.MessageTargetSNS] = lifecycle.NewSNS(cfg.SNSEndpoint, httpClient)
	}
	if cfg.Webhook != "" {
		senders[snowball.MessageTargetWebhook] = lifecycle.Webhook{URL: cfg.Webhook, Client: httpClient}
	}
	a.dispatcher = lifecycle.NewDispatcher(cfg.Store, real, senders, log)
	a.dispatcher.OnDelivery = m.Delivery

	svcCfg := service.Config{
		SnowballLimit: cfg.SnowballLimit, ExportParts: cfg.ExportParts,
		Timed:         cfg.Timed,
		OperatorClock: a.Clock,
		NotifySNS:     cfg.SNSEndpoint != "", NotifyWebhook: cfg.Webhook != "",
		OnEvent: func(e *snowball.Event) {
			log.Info("transition", "id", e.ResourceID, "from", e.From, "to", e.To, "cause", e.Cause, "at", e.At.Format(time.RFC3339Nano))
			m.Transition(resourceKind(e.ResourceID), string(e.Cause))
			hub.Publish(e.ResourceID)
		},
		OnDue: func(at time.Time) {
			if a.engine != nil {
				a.engine.WakeFor(at)
			}
		},
		OnMessage:    a.dispatcher.Wake,
		OnSeal:       m.Seal,
		OnStoreError: func(error) { m.StoreError() },
	}
	a.Service = service.New(cfg.Store, a.Clock, server.PresignerFor(cfg.PublicURL, cfg.Download, a.Clock), cfg.TokenKey, svcCfg)
	if err := a.Service.RestoreClock(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	n, err := a.Service.RecomputeDue(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		log.Info("due times recomputed for this timing", "changed", n, "took", time.Since(start).Round(time.Millisecond).String())
	}
	if cfg.Timed != nil {
		a.engine = lifecycle.New(cfg.Store, a.Service, a.Clock, real, log)
		a.engine.OnLate = m.Late
		a.engine.Poll = cfg.Poll
		// The API comes first: under a burst of calls, transitions wait.
		a.engine.Busy = func() bool { return a.Handler.InFlight() > 0 }
	}
	a.dispatcher.Poll = cfg.Poll
	a.poll = cfg.Poll
	downloadKeys, err := sigv4.NewKeyring([]sigv4.Credential{cfg.Download})
	if err != nil {
		return nil, err
	}
	a.Handler = server.New(server.Config{
		Service: a.Service, Clock: a.Clock, SigningClock: real, Log: log,
		Keys: cfg.Keys, AdminToken: cfg.AdminToken, DownloadKeys: downloadKeys,
		AfterClockChange: a.RunDue,
		Limits:           cfg.Limits,
		Metrics:          m.Handler(),
		OnRequest: func(r *server.Request) {
			m.Request(r.Kind, r.Operation, r.ErrorCode, r.Duration)
		},
		CORSOrigins: cfg.CORSOrigins,
		Faults:      faults.New(cfg.Store, a.Clock),
		Dashboard: dashboard.New(dashboard.Config{
			Service: a.Service, AdminToken: cfg.AdminToken, Log: log, Hub: hub,
			AfterClockChange: a.RunDue, Poll: dashboardPoll(cfg.Poll),
		}),
	})
	return a, nil
}

// RunDue applies, in order, every transition of the timed lifecycle that
// is due by the operator clock's time; the manual lifecycle has none.
func (a *App) RunDue(ctx context.Context) error {
	if a.engine == nil {
		return nil
	}
	_, err := a.engine.RunDue(ctx)
	a.engine.Wake() // its timer was set for the clock as it was
	return err
}

// Run runs the timed lifecycle (catching up first with whatever fell due
// while no server ran) and the notification dispatcher until ctx ends,
// and waits for them to stop.
func (a *App) Run(ctx context.Context) {
	var wg sync.WaitGroup
	if a.engine != nil {
		wg.Go(func() { a.engine.Run(ctx) })
	}
	if a.poll > 0 {
		wg.Go(func() { a.followClock(ctx) })
	}
	a.dispatcher.Run(ctx) // delivers what is pending in the outbox first
	wg.Wait()
}

// followClock reads the operator clock from the store every poll, so that
// a move made through another replica reaches this one, and wakes the
// lifecycle when it moved.
func (a *App) followClock(ctx context.Context) {
	t := time.NewTicker(a.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		before := a.Clock.State()
		if err := a.Service.RestoreClock(ctx); err != nil {
			if ctx.Err() == nil {
				a.log.Error("follow the operator clock", "err", err)
			}
			continue
		}
		if a.Clock.State() != before && a.engine != nil {
			a.engine.Wake()
		}
	}
}

// resourceKind says whether an event's resource is a job or a cluster.
func resourceKind(id string) string {
	if strings.HasPrefix(id, "CID") {
		return "cluster"
	}
	return "job"
}

// dashboardPoll is how often the dashboard's live pages read the store for
// what other replicas did: never when no other replica can share it (no
// Poll), else at least every DefaultPoll.
func dashboardPoll(poll time.Duration) time.Duration {
	if poll <= 0 {
		return -1
	}
	return max(poll, dashboard.DefaultPoll)
}
