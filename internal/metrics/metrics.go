// Package metrics counts what Frosty does and serves it in the Prometheus
// text format. It is the only package that imports the Prometheus client:
// the server, the service and the lifecycle report through plain hooks
// (func values) that cmd/frosty wires to the methods here.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sources are what the metrics read when they are scraped.
type Sources struct {
	// InFlight returns how many API requests are being processed.
	InFlight func() int
	// States counts the jobs and clusters in each state.
	States func(ctx context.Context) (jobs, clusters map[string]int, err error)
}

// Metrics holds Frosty's metrics in their own registry. Its methods are
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	transitions  *prometheus.CounterVec
	lateness     prometheus.Histogram
	deliveries   *prometheus.CounterVec
	failures     *prometheus.CounterVec
	storeErrors  prometheus.Counter
	seals        prometheus.Counter
	sealDuration prometheus.Histogram
}

// New returns Metrics reading src at scrape time.
func New(src Sources) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frosty_requests_total",
			Help: "Requests answered, by kind (api, operator, download, health, metrics, other), operation and error code (OK for a success).",
		}, []string{"kind", "operation", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "frosty_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by kind and operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"kind", "operation"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frosty_transitions_total",
			Help: "State transitions of jobs and clusters, by resource (job, cluster) and cause (timer, customer, operator, system).",
		}, []string{"resource", "cause"}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "frosty_transition_lateness_seconds",
			Help:    "How long after its due time the timed lifecycle applied a transition.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frosty_notifications_delivered_total",
			Help: "Notifications delivered, by target (sns, webhook).",
		}, []string{"target"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frosty_notification_failures_total",
			Help: "Failed notification deliveries (each is retried with backoff), by target.",
		}, []string{"target"}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frosty_store_errors_total",
			Help: "Store transactions that failed for a reason of the store's own (not a missing record or a refused change).",
		}),
		seals: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frosty_manifest_seals_total",
			Help: "Manifests encrypted (each job's manifest is sealed once, on its first download).",
		}),
		sealDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "frosty_manifest_seal_duration_seconds",
			Help:    "Time to seal one manifest (scrypt key derivation and encryption).",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.transitions, m.lateness, m.deliveries, m.failures,
		m.storeErrors, m.seals, m.sealDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.InFlight != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "frosty_requests_in_flight",
			Help: "API requests being processed now.",
		}, func() float64 { return float64(src.InFlight()) }))
	}
	if src.States != nil {
		m.reg.MustRegister(&stateCollector{states: src.States, storeErrors: m.storeErrors})
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Request counts one answered request.
func (m *Metrics) Request(kind, operation, code string, d time.Duration) {
	if code == "" {
		code = "OK"
	}
	m.requests.WithLabelValues(kind, operation, code).Inc()
	m.latency.WithLabelValues(kind, operation).Observe(d.Seconds())
}

// Transition counts one transition of a "job" or a "cluster".
func (m *Metrics) Transition(resource, cause string) {
	m.transitions.WithLabelValues(resource, cause).Inc()
}

// Late records how late the timed lifecycle applied a transition.
func (m *Metrics) Late(d time.Duration) { m.lateness.Observe(max(0, d.Seconds())) }

// Delivery counts one delivery attempt to target; err is its failure.
func (m *Metrics) Delivery(target string, err error) {
	if err != nil {
		m.failures.WithLabelValues(target).Inc()
		return
	}
	m.deliveries.WithLabelValues(target).Inc()
}

// StoreError counts one failure of the store.
func (m *Metrics) StoreError() { m.storeErrors.Inc() }

// Seal counts one manifest sealed in d.
func (m *Metrics) Seal(d time.Duration) {
	m.seals.Inc()
	m.sealDuration.Observe(d.Seconds())
}

// stateCollector reads the jobs and clusters by state at scrape time, so
// that the figures are the store's and every replica reports the same.
type stateCollector struct {
	states      func(ctx context.Context) (jobs, clusters map[string]int, err error)
	storeErrors prometheus.Counter
}

var (
	jobsDesc     = prometheus.NewDesc("frosty_jobs", "Jobs in each state, across all accounts.", []string{"state"}, nil)
	clustersDesc = prometheus.NewDesc("frosty_clusters", "Clusters in each state, across all accounts.", []string{"state"}, nil)
)

// ScrapeTimeout bounds how long a scrape waits for the store.
const ScrapeTimeout = 5 * time.Second

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- clustersDesc
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	jobs, clusters, err := c.states(ctx)
	if err != nil {
		c.storeErrors.Inc()
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for state, n := range jobs {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state)
	}
	for state, n := range clusters {
		ch <- prometheus.MustNewConstMetric(clustersDesc, prometheus.GaugeValue, float64(n), state)
	}
}
