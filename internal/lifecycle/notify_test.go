package lifecycle_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/snowball"

	"github.com/frostyhq/frosty/internal/lifecycle"
	"github.com/frostyhq/frosty/internal/service"
	domain "github.com/frostyhq/frosty/internal/snowball"
)

// receiver is an HTTP endpoint that records what it is sent: an SNS
// Publish (Query protocol) or a webhook POST. While down it answers 503.
type receiver struct {
	mu       sync.Mutex
	down     bool
	received []url.Values // SNS: the form; webhook: {"body": [...], "id": [...]}
	auth     []string     // SNS: the Authorization header of each Publish
	srv      *httptest.Server
}

func newReceiver(t *testing.T, sns bool) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		if !sns {
			b, _ := io.ReadAll(req.Body)
			r.received = append(r.received, url.Values{"body": {string(b)}, "id": {req.Header.Get("X-Frosty-Message-Id")}})
			return
		}
		if !strings.HasPrefix(req.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
			http.Error(w, "unsigned", http.StatusForbidden)
			return
		}
		req.ParseForm()
		if req.Form.Get("Action") != "Publish" {
			http.Error(w, "unexpected action", http.StatusBadRequest)
			return
		}
		r.received = append(r.received, req.Form)
		r.auth = append(r.auth, req.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

func (r *receiver) got() []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]url.Values(nil), r.received...)
}

type notifyFixture struct {
	*fixture
	sns, hook  *receiver
	dispatcher *lifecycle.Dispatcher
}

func newNotifyFixture(t *testing.T) *notifyFixture {
	t.Helper()
	f := &notifyFixture{fixture: newFixture(t, service.Config{NotifySNS: true, NotifyWebhook: true}),
		sns: newReceiver(t, true), hook: newReceiver(t, false)}
	f.dispatcher = f.newDispatcher()
	return f
}

// newDispatcher is a dispatcher on the fixture's store, as a restarted
// server would make.
func (f *notifyFixture) newDispatcher() *lifecycle.Dispatcher {
	return lifecycle.NewDispatcher(f.Store, f.Clock, map[string]lifecycle.Sender{
		domain.MessageTargetSNS:     lifecycle.NewSNS(f.sns.srv.URL, f.sns.srv.Client()),
		domain.MessageTargetWebhook: lifecycle.Webhook{URL: f.hook.srv.URL, Client: f.hook.srv.Client()},
	}, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func (f *notifyFixture) deliver(t *testing.T, d *lifecycle.Dispatcher) {
	t.Helper()
	if _, err := d.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

const topic = "arn:aws:sns:us-west-2:111122223333:snowball-jobs"

func (f *notifyFixture) createJob(t *testing.T, n *snowball.Notification) string {
	t.Helper()
	out, err := f.sb.CreateJob(&snowball.CreateJobInput{
		JobType: aws.String("LOCAL_USE"), AddressId: f.addr, ShippingOption: aws.String("NEXT_DAY"), Notification: n,
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.StringValue(out.JobId)
}

func states(t *testing.T, msgs []url.Values, field string) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		var n service.JobNotification
		if err := json.Unmarshal([]byte(m.Get(field)), &n); err != nil {
			t.Fatalf("message %q is not a JobNotification: %v", m.Get(field), err)
		}
		out = append(out, n.JobState)
	}
	return out
}

func TestNotifyStatesToNotify(t *testing.T) {
	f := newNotifyFixture(t)
	id := f.createJob(t, &snowball.Notification{SnsTopicARN: aws.String(topic),
		JobStatesToNotify: aws.StringSlice([]string{"PreparingShipment", "WithCustomer"})})
	f.run(t, 10*day)
	f.deliver(t, f.dispatcher)

	want := "PreparingShipment WithCustomer"
	if got := strings.Join(states(t, f.sns.got(), "Message"), " "); got != want {
		t.Errorf("SNS got %q, want %q", got, want)
	}
	if got := strings.Join(states(t, f.hook.got(), "body"), " "); got != want {
		t.Errorf("webhook got %q, want %q", got, want)
	}
	for _, m := range f.sns.got() {
		if m.Get("TopicArn") != topic || !strings.Contains(m.Get("Subject"), id) {
			t.Errorf("SNS Publish TopicArn %q Subject %q; want %s and the job ID", m.Get("TopicArn"), m.Get("Subject"), topic)
		}
	}
	f.deliver(t, f.dispatcher)
	if n := len(f.sns.got()); n != 2 {
		t.Errorf("%d SNS messages after a second run, want the same 2", n)
	}
}

func TestNotifyAll(t *testing.T) {
	f := newNotifyFixture(t)
	f.createJob(t, &snowball.Notification{SnsTopicARN: aws.String(topic), NotifyAll: aws.Bool(true)})
	f.createJob(t, nil) // no Notification: nothing is sent
	f.run(t, 10*day)
	f.deliver(t, f.dispatcher)
	want := "New PreparingAppliance PreparingShipment InTransitToCustomer WithCustomer"
	if got := strings.Join(states(t, f.sns.got(), "Message"), " "); got != want {
		t.Errorf("SNS got %q, want %q", got, want)
	}
}

// TestNotifyRetry has both receivers down: nothing is lost, retries back
// off, and everything arrives once they are back, even via a new
// dispatcher, as after a restart.
func TestNotifyRetry(t *testing.T) {
	f := newNotifyFixture(t)
	f.sns.setDown(true)
	f.hook.setDown(true)
	f.createJob(t, &snowball.Notification{SnsTopicARN: aws.String(topic), JobStatesToNotify: aws.StringSlice([]string{"New"})})

	next, err := f.dispatcher.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := f.Clock.Now().Add(lifecycle.MinBackoff); !next.Equal(want) {
		t.Errorf("after a failure the next try is at %v, want %v", next, want)
	}
	f.Clock.Advance(lifecycle.MinBackoff)
	next, _ = f.dispatcher.RunDue(context.Background())
	if want := f.Clock.Now().Add(2 * lifecycle.MinBackoff); !next.Equal(want) {
		t.Errorf("after a second failure the next try is at %v, want %v (backing off)", next, want)
	}

	f.sns.setDown(false)
	f.hook.setDown(false)
	restarted := f.newDispatcher()
	f.deliver(t, restarted) // not due yet
	if n := len(f.sns.got()) + len(f.hook.got()); n != 0 {
		t.Fatalf("%d messages sent before their retry time", n)
	}
	f.Clock.Advance(2 * lifecycle.MinBackoff)
	f.deliver(t, restarted)
	if len(f.sns.got()) != 1 || len(f.hook.got()) != 1 {
		t.Fatalf("after recovery SNS got %d and the webhook %d messages, want 1 each", len(f.sns.got()), len(f.hook.got()))
	}
	var pending []*domain.Message
	f.Store.View(context.Background(), func(tx domain.Tx) error {
		pending, err = tx.PendingMessages(context.Background(), domain.Page{})
		return err
	})
	if len(pending) != 0 {
		t.Errorf("%d messages still pending after delivery", len(pending))
	}
}

func TestBackoffCapped(t *testing.T) {
	f := newNotifyFixture(t)
	f.hook.setDown(true)
	f.createJob(t, &snowball.Notification{JobStatesToNotify: aws.StringSlice([]string{"New"})})
	for range 20 {
		next, err := f.dispatcher.RunDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if gap := next.Sub(f.Clock.Now()); gap > lifecycle.MaxBackoff {
			t.Fatalf("retry in %v, more than the %v cap", gap, lifecycle.MaxBackoff)
		}
		f.Clock.Set(next)
	}
}

// TestSNSSigning checks how a Publish is signed: in the topic's region,
// with the AWS credential chain's keys, or placeholders when it has none.
func TestSNSSigning(t *testing.T) {
	for _, tc := range []struct {
		name, keyID string
	}{
		{"Placeholders", "frosty"},
		{"Environment", "AKIDFROMENV"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
			t.Setenv("AWS_CONFIG_FILE", dir+"/config")
			t.Setenv("AWS_PROFILE", "")
			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			if tc.keyID != "frosty" {
				t.Setenv("AWS_ACCESS_KEY_ID", tc.keyID)
				t.Setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
			}
			r := newReceiver(t, true)
			m := &domain.Message{TopicARN: "arn:aws:sns:eu-west-1:111122223333:jobs", Subject: "s", Body: "{}"}
			if err := lifecycle.NewSNS(r.srv.URL, r.srv.Client()).Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			want := "Credential=" + tc.keyID + "/"
			if len(r.auth) != 1 || !strings.Contains(r.auth[0], want) || !strings.Contains(r.auth[0], "/eu-west-1/sns/aws4_request") {
				t.Errorf("Authorization %q, want %s… for eu-west-1/sns", r.auth, want)
			}
		})
	}
}

// viewCounter counts a store's read transactions.
type viewCounter struct {
	domain.Store
	views atomic.Int64
}

func (v *viewCounter) View(ctx context.Context, fn func(domain.Tx) error) error {
	v.views.Add(1)
	return v.Store.View(ctx, fn)
}

// TestDispatcherWithoutTargets: with no target configured the dispatcher
// never reads the outbox, however often it is woken.
func TestDispatcherWithoutTargets(t *testing.T) {
	f := newFixture(t, service.Config{})
	store := &viewCounter{Store: f.Store}
	d := lifecycle.NewDispatcher(store, f.Clock, map[string]lifecycle.Sender{}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	for range 100 {
		d.Wake()
	}
	cancel()
	<-done
	if n := store.views.Load(); n != 0 {
		t.Errorf("the dispatcher read the outbox %d times with nowhere to deliver", n)
	}
}
