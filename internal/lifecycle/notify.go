package lifecycle

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/sns"

	"github.com/frostyhq/frosty/snowball"
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
// backoff, across restarts.
type Dispatcher struct {
	store   snowball.Store
	clock   snowball.Clock
	senders map[string]Sender
	log     *slog.Logger
	wake    chan struct{}

	// OnDelivery, if set, is called after each delivery attempt with its
	// target and its error (nil: delivered).
	OnDelivery func(target string, err error)
}

// NewDispatcher returns a Dispatcher with a Sender per message target.
func NewDispatcher(store snowball.Store, clock snowball.Clock, senders map[string]Sender, log *slog.Logger) *Dispatcher {
	return &Dispatcher{store: store, clock: clock, senders: senders, log: log, wake: make(chan struct{}, 1)}
}

// Wake makes a running Dispatcher look at the outbox again.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages as they fall due until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	return runLoop(ctx, d.clock, d.wake, d.RunDue, d.log.With("loop", "notify"))
}

// RunDue tries every pending message that is due, oldest first, and returns
// when the next retry is due (zero: none is waiting).
func (d *Dispatcher) RunDue(ctx context.Context) (next time.Time, err error) {
	var pending []*snowball.Message
	err = d.store.View(ctx, func(tx snowball.Tx) error {
		pending, err = tx.PendingMessages(ctx, snowball.Page{})
		return err
	})
	if err != nil {
		return time.Time{}, err
	}
	for _, m := range pending {
		now := d.clock.Now()
		sender := d.senders[m.Target]
		if sender == nil {
			continue // queued for a target this server is not configured for
		}
		if m.NextAttempt.After(now) {
			if next.IsZero() || m.NextAttempt.Before(next) {
				next = m.NextAttempt
			}
			continue
		}
		sendErr := sender.Send(ctx, m)
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
			if next.IsZero() || m.NextAttempt.Before(next) {
				next = m.NextAttempt
			}
			d.log.Warn("notification not delivered", "id", m.ID, "target", m.Target, "attempts", m.Attempts, "retry_at", m.NextAttempt, "err", sendErr)
		}
		if err := d.store.Update(ctx, func(tx snowball.Tx) error { return tx.PutMessage(ctx, m) }); err != nil {
			return time.Time{}, err
		}
	}
	return next, nil
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
// through aws-sdk-go, at Endpoint: moto, LocalStack or real SNS.
type SNS struct {
	Endpoint    string
	Credentials *credentials.Credentials
	HTTPClient  *http.Client

	mu      sync.Mutex
	clients map[string]*sns.SNS // by region
}

// NewSNS returns an SNS sender. It signs with the usual AWS credential
// chain (environment, shared files), or with placeholder keys when there
// are none, as local SNS emulators accept any.
func NewSNS(endpoint string, httpClient *http.Client) *SNS {
	creds := credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvProvider{},
		&credentials.SharedCredentialsProvider{},
		&credentials.StaticProvider{Value: credentials.Value{AccessKeyID: "frosty", SecretAccessKey: "frosty"}},
	})
	return &SNS{Endpoint: endpoint, Credentials: creds, HTTPClient: httpClient, clients: map[string]*sns.SNS{}}
}

func (s *SNS) client(region string) (*sns.SNS, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[region]; ok {
		return c, nil
	}
	sess, err := session.NewSession(&aws.Config{
		Endpoint: aws.String(s.Endpoint), Region: aws.String(region), Credentials: s.Credentials,
		HTTPClient: s.HTTPClient, MaxRetries: aws.Int(0),
	})
	if err != nil {
		return nil, err
	}
	c := sns.New(sess)
	s.clients[region] = c
	return c, nil
}

// Send publishes m to m.TopicARN, in the topic's region.
func (s *SNS) Send(ctx context.Context, m *snowball.Message) error {
	parts := strings.Split(m.TopicARN, ":")
	if len(parts) < 6 || parts[3] == "" {
		return fmt.Errorf("sns: %q is not a topic ARN", m.TopicARN)
	}
	c, err := s.client(parts[3])
	if err != nil {
		return err
	}
	_, err = c.PublishWithContext(ctx, &sns.PublishInput{TopicArn: &m.TopicARN, Subject: &m.Subject, Message: &m.Body})
	return err
}
