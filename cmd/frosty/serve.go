package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/lifecycle"
	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/sqlite"
	"github.com/frostyhq/frosty/snowball"
)

// serveConfig is the configuration of `frosty serve`.
type serveConfig struct {
	listen, data, credentials, auth, adminToken, lifecycle, profile, publicURL string
	snsEndpoint, webhook                                                       string
	timeScale                                                                  float64
	snowballLimit, exportParts                                                 int
}

func (c *serveConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.listen, "listen", "127.0.0.1:4590", "address to listen on")
	fs.StringVar(&c.data, "data", "./frosty-data", "data directory: the SQLite database and the server's secret keys")
	fs.StringVar(&c.credentials, "credentials", "", `JSON file of [{"accountId","accessKeyId","secretAccessKey"}] (default: a generated key pair for account 000000000000)`)
	fs.StringVar(&c.auth, "auth", "sigv4", "sigv4: verify signatures; none: accept any caller as account 000000000000")
	fs.StringVar(&c.adminToken, "admin-token", "", "bearer token of the operator API (default: generated and kept in --data)")
	fs.StringVar(&c.lifecycle, "lifecycle", "timed", "timed: jobs move on their own; manual: only through the operator API")
	fs.Float64Var(&c.timeScale, "time-scale", lifecycle.DefaultTimeScale, "how much faster than real time the timed lifecycle runs (the default makes a day last 5 s)")
	fs.StringVar(&c.profile, "lifecycle-profile", "", "JSON file of dwell times per state, job type and shipping option (default: the real-world pace)")
	fs.StringVar(&c.publicURL, "public-url", "", "base URL put into presigned URLs (default http://<listen>)")
	fs.StringVar(&c.snsEndpoint, "sns-endpoint", "", "SNS-compatible API that job notifications are published to (moto, LocalStack, real SNS)")
	fs.StringVar(&c.webhook, "webhook", "", "URL that job notifications are POSTed to as JSON")
	fs.IntVar(&c.snowballLimit, "snowball-limit", service.DefaultSnowballLimit, "the device limit GetSnowballUsage reports")
	fs.IntVar(&c.exportParts, "export-parts", service.DefaultExportParts, "how many job parts an export job is split into")
}

func (c *serveConfig) check() error {
	switch {
	case c.auth != "sigv4" && c.auth != "none":
		return fmt.Errorf("%w: --auth must be sigv4 or none, not %q", errUsage, c.auth)
	case c.lifecycle != "timed" && c.lifecycle != "manual":
		return fmt.Errorf("%w: --lifecycle must be timed or manual, not %q", errUsage, c.lifecycle)
	case c.timeScale <= 0:
		return fmt.Errorf("%w: --time-scale must be positive", errUsage)
	case c.snowballLimit < 0 || c.exportParts < 1:
		return fmt.Errorf("%w: --snowball-limit must be ≥ 0 and --export-parts ≥ 1", errUsage)
	}
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := newFlagSet("serve", stderr)
	cfg.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.check(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	if err := os.MkdirAll(cfg.data, 0o700); err != nil {
		return err
	}
	sec, _, err := loadOrCreateSecrets(cfg.data)
	if err != nil {
		return err
	}
	adminToken := cfg.adminToken
	if adminToken == "" {
		adminToken = sec.AdminToken
	}
	var keys *sigv4.Keyring
	var creds []sigv4.Credential
	if cfg.auth == "sigv4" {
		if creds, _, err = loadOrCreateCredentials(cfg.data, cfg.credentials); err != nil {
			return err
		}
		if keys, err = sigv4.NewKeyring(creds); err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
	}
	downloadKeys, err := sigv4.NewKeyring([]sigv4.Credential{sec.Download})
	if err != nil {
		return fmt.Errorf("%s: %w", secretsFile, err)
	}

	store, err := sqlite.Open(filepath.Join(cfg.data, databaseFile))
	if err != nil {
		return err
	}
	defer store.Close()

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	publicURL := cfg.publicURL
	if publicURL == "" {
		publicURL = "http://" + addr
	}
	clock := snowball.SystemClock{}
	svcCfg := service.Config{
		SnowballLimit: cfg.snowballLimit, ExportParts: cfg.exportParts,
		OnEvent: func(e *snowball.Event) {
			log.Info("transition", "id", e.ResourceID, "from", e.From, "to", e.To, "cause", e.Cause, "at", e.At.Format(time.RFC3339Nano))
		},
	}
	var timing *service.Timing
	if cfg.lifecycle == "timed" {
		profile := snowball.DefaultProfile()
		if cfg.profile != "" {
			if profile, err = snowball.LoadProfile(cfg.profile); err != nil {
				return err
			}
		}
		timing = &service.Timing{Profile: profile, Scale: cfg.timeScale}
		svcCfg.Timed = timing
	}
	senders := map[string]lifecycle.Sender{}
	httpClient := &http.Client{Timeout: 30 * time.Second}
	if cfg.snsEndpoint != "" {
		senders[snowball.MessageTargetSNS] = lifecycle.NewSNS(cfg.snsEndpoint, httpClient)
	}
	if cfg.webhook != "" {
		senders[snowball.MessageTargetWebhook] = lifecycle.Webhook{URL: cfg.webhook, Client: httpClient}
	}
	svcCfg.NotifySNS, svcCfg.NotifyWebhook = cfg.snsEndpoint != "", cfg.webhook != ""
	dispatcher := lifecycle.NewDispatcher(store, clock, senders, log)
	var engine *lifecycle.Engine
	svcCfg.OnChange = func() {
		if engine != nil {
			engine.Wake()
		}
		dispatcher.Wake()
	}
	svc := service.New(store, clock, server.PresignerFor(publicURL, sec.Download, clock), []byte(sec.TokenKey), svcCfg)
	if timing != nil {
		engine = lifecycle.New(store, svc, clock, timing, log)
	}
	handler := server.New(server.Config{
		Service: svc, Clock: clock, Log: log, Keys: keys, AdminToken: adminToken, DownloadKeys: downloadKeys,
	})

	printWelcome(stdout, "http://"+addr, creds, adminToken, cfg.auth == "none")
	if cfg.auth == "none" {
		log.Warn("signature checking is off (--auth none): every caller is account " + snowball.DefaultAccount)
	}
	log.Info("frosty serving", "addr", addr, "data", cfg.data, "public_url", publicURL, "lifecycle", cfg.lifecycle, "time_scale", cfg.timeScale)

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	engineCtx, stopEngine := context.WithCancel(ctx)
	engineDone := make(chan struct{})
	go func() {
		defer close(engineDone)
		if engine != nil {
			engine.Run(engineCtx) // catches up first with whatever fell due while the server was down
		}
	}()
	dispatcherDone := make(chan struct{})
	go func() {
		defer close(dispatcherDone)
		dispatcher.Run(engineCtx) // delivers what is pending in the outbox first
	}()
	defer func() { stopEngine(); <-engineDone; <-dispatcherDone }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("frosty stopped")
	return nil
}

// printWelcome tells a newcomer how to connect.
func printWelcome(w io.Writer, url string, creds []sigv4.Credential, adminToken string, noAuth bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "Frosty is serving the Snowball API at %s\n\n", url)
	switch {
	case noAuth:
		b.WriteString("Signatures are not checked (--auth none): any credentials work.\n")
		b.WriteString("  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-west-2\n")
	case len(creds) > 0:
		c := creds[0]
		fmt.Fprintf(&b, "Connect as account %s:\n", c.AccountID)
		fmt.Fprintf(&b, "  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n  export AWS_DEFAULT_REGION=us-west-2\n", c.AccessKeyID, c.SecretAccessKey)
		fmt.Fprintf(&b, "\nor, in ~/.aws/credentials and ~/.aws/config:\n  [frosty]\n  aws_access_key_id = %s\n  aws_secret_access_key = %s\n", c.AccessKeyID, c.SecretAccessKey)
		b.WriteString("  [profile frosty]\n  region = us-west-2\n")
		fmt.Fprintf(&b, "  endpoint_url = %s\n", url)
	}
	fmt.Fprintf(&b, "\nThen: aws snowball list-jobs --endpoint-url %s\n", url)
	fmt.Fprintf(&b, "Operator API token: %s   (frosty advance --job JID... --to WithCustomer)\n", adminToken)
	fmt.Fprint(w, b.String())
}
