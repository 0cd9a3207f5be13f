package lifecycle

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/frostyhq/frosty/internal/sdkhttp"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Sender delivers one outbox message to its receiver.
type Sender interface {
	Send(ctx context.Context, m *snowball.Message) error
}

// Backoff bounds: a failed delivery is tried again after 1 s, 2 s, 4 s, …,
// never more than 5 minutes apart.
const (
	MinBackoff = time.Second
	MaxBackoff = 5 * time.Minute
)

func backoff(attempts int) time.Duration {
	d := MinBackoff
	for i := 1; i < attempts && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// Dispatcher delivers the outbox at least once: a message leaves it only
// after its receiver accepted it, and a failed delivery is retried with
// backoff, across restarts. Dispatchers on several replicas share the
// outbox: each claims one message at a time (Store.ClaimMessages), so a
// message goes out from one replica, and again only if that replica died
// between its receiver taking it and recording so.
type Dispatcher struct {
	store   snowball.Store
	clock   snowball.Clock
	senders map[string]Sender
	targets []string
	log     *slog.Logger
	wake    chan struct{}

	// OnDelivery, if set, is called after each delivery attempt with its
	// target and its error (nil: delivered).
	OnDelivery func(target string, err error)
	// Lease is how long a claim keeps a message from other replicas: it
	// must be longer than a delivery can take.
	Lease time.Duration
	// Poll, if set, is the longest the dispatcher sleeps: how soon it sees
	// a message another replica queued. See Engine.Poll.
	Poll time.Duration
}

// DefaultMessageLease outlasts a delivery, which the HTTP client of frosty
// serve gives up after 30 s.
const DefaultMessageLease = 45 * time.Second

// NewDispatcher returns a Dispatcher with a Sender per message target.
func NewDispatcher(store snowball.Store, clock snowball.Clock, senders map[string]Sender, log *slog.Logger) *Dispatcher {
	targets := slices.Sorted(maps.Keys(senders))
	return &Dispatcher{store: store, clock: clock, senders: senders, targets: targets, log: log, wake: make(chan struct{}, 1),
		Lease: DefaultMessageLease}
}

// Wake makes a running Dispatcher look at the outbox again.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages as they fall due until ctx ends.
// With no Sender it has nothing to deliver and waits for ctx alone: the
// service queues messages only for the targets it is told are configured.
func (d *Dispatcher) Run(ctx context.Context) error {
	if len(d.senders) == 0 {
		<-ctx.Done()
		return nil
	}
	return runLoop(ctx, d.clock, d.wake, d.Poll, 0, d.RunDue, d.log.With("loop", "notify"))
}

// RunDue tries every pending message that is due, oldest first, and returns
// when the next retry is due (zero: none is waiting).
func (d *Dispatcher) RunDue(ctx context.Context) (next time.Time, err error) {
	for {
		now := d.clock.Now()
		claimed, err := d.store.ClaimMessages(ctx, d.targets, now, now.Add(d.Lease), 1)
		if err != nil {
			return time.Time{}, err
		}
		if len(claimed) == 0 {
			break
		}
		if err := d.deliver(ctx, claimed[0]); err != nil {
			return time.Time{}, err
		}
	}
	err = d.store.View(ctx, func(tx snowball.Tx) (err error) {
		next, err = tx.NextMessageAttempt(ctx, d.targets, d.clock.Now())
		return err
	})
	return next, err
}

// deliver makes one attempt at m and records it, which ends the claim.
func (d *Dispatcher) deliver(ctx context.Context, m *snowball.Message) error {
	sendErr := d.senders[m.Target].Send(ctx, m)
	if d.OnDelivery != nil {
		d.OnDelivery(m.Target, sendErr)
	}
	m.Attempts++
	if sendErr == nil {
		m.DeliveredAt, m.LastError = d.clock.Now(), ""
		d.log.Info("notification delivered", "id", m.ID, "target", m.Target, "attempts", m.Attempts)
	} else {
		m.LastError = sendErr.Error()
		m.NextAttempt = d.clock.Now().Add(backoff(m.Attempts))
		d.log.Warn("notification not delivered", "id", m.ID, "target", m.Target, "attempts", m.Attempts, "retry_at", m.NextAttempt, "err", sendErr)
	}
	// Recorded even when ctx has ended (a shutdown): the receiver has its
	// answer, and forgetting it would send the message again.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return d.store.Update(rctx, func(tx snowball.Tx) error { return tx.PutMessage(rctx, m) })
}

// Webhook POSTs each message's JSON body to URL.
type Webhook struct {
	URL    string
	Client *http.Client
}

// Send delivers m; any status but 2xx is a failure to retry.
func (w Webhook) Send(ctx context.Context, m *snowball.Message) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, strings.NewReader(m.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Frosty-Message-Id", m.ID)
	req.Header.Set("X-Frosty-Subject", m.Subject)
	resp, err := w.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s: HTTP %d", w.URL, resp.StatusCode)
	}
	return nil
}

// SNS publishes each message to its topic with the SNS Publish action,
// through aws-sdk-go-v2, at an endpoint of choice: moto, LocalStack or
// real SNS.
type SNS struct {
	client *sns.Client
}

// placeholders are the keys of a sender without credentials.
var placeholders = credentials.NewStaticCredentialsProvider("frosty", "frosty", "")

// NewSNS returns an SNS sender that publishes at endpoint (the SDK's own
// when empty) through httpClient (http.DefaultClient when nil). It signs
// with the AWS credential chain (environment, shared files, SSO, …) or,
// when that yields none, with placeholder keys, which local SNS emulators
// accept. The chain leaves out the EC2 instance metadata service: off EC2,
// asking it would delay every publish until it timed out.
func NewSNS(endpoint string, httpClient *http.Client) *SNS {
	var creds aws.CredentialsProvider = placeholders
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	if err == nil {
		creds = fallbackCredentials{cfg.Credentials}
	}
	return &SNS{client: sns.NewFromConfig(cfg, func(o *sns.Options) {
		o.Credentials = creds
		o.Retryer = aws.NopRetryer{} // the Dispatcher retries, with backoff
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		if httpClient == nil {
			httpClient = http.DefaultClient
		}
		o.HTTPClient = sdkhttp.BufferedClient{Client: httpClient}
	})}
}

// fallbackCredentials are those of the chain, or placeholders when it has
// none.
type fallbackCredentials struct {
	chain aws.CredentialsProvider
}

func (f fallbackCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if f.chain != nil {
		if c, err := f.chain.Retrieve(ctx); err == nil {
			return c, nil
		}
	}
	return placeholders.Retrieve(ctx)
}

// Send publishes m to m.TopicARN, in the topic's region.
func (s *SNS) Send(ctx context.Context, m *snowball.Message) error {
	parts := strings.Split(m.TopicARN, ":")
	if len(parts) < 6 || parts[3] == "" {
		return fmt.Errorf("sns: %q is not a topic ARN", m.TopicARN)
	}
	region := parts[3]
	_, err := s.client.Publish(ctx, &sns.PublishInput{TopicArn: &m.TopicARN, Subject: &m.Subject, Message: &m.Body},
		func(o *sns.Options) { o.Region = region })
	return err
}
