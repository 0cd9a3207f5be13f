package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what a run measured.
type Report struct {
	Target       string        `json:"target"`
	InProcess    bool          `json:"inProcess"`
	Store        string        `json:"store"`
	CeilingStore string        `json:"ceilingStore"`
	Clients      int           `json:"clients"`
	Duration     time.Duration `json:"durationNs"`
	Rounds       int           `json:"rounds"`
	Jobs         int           `json:"jobs"`
	Results      []Result      `json:"results"`
}

// Result is one call's figures. Rates are medians over the rounds;
// latencies are over every request of every round; CPU and allocations
// are of the whole process (the load generator included), per unit, and
// only when Frosty ran in it.
type Result struct {
	Call        string  `json:"call"`
	Unit        string  `json:"unit"`
	Rate        float64 `json:"rate"`
	P50Ms       float64 `json:"p50Ms"`
	P99Ms       float64 `json:"p99Ms"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"firstError,omitempty"`
	CPUMicros   float64 `json:"cpuMicrosPerUnit,omitempty"`
	AllocsPerOp float64 `json:"allocsPerUnit,omitempty"`

	Ceiling            string  `json:"ceiling,omitempty"`
	CeilingRate        float64 `json:"ceilingRate,omitempty"`
	CeilingErrors      int     `json:"ceilingErrors,omitempty"`
	CeilingFirstError  string  `json:"ceilingFirstError,omitempty"`
	CeilingCPUMicros   float64 `json:"ceilingCpuMicrosPerUnit,omitempty"`
	CeilingAllocsPerOp float64 `json:"ceilingAllocsPerUnit,omitempty"`
	RatioMedian        float64 `json:"ratioMedian,omitempty"`
	RatioMin           float64 `json:"ratioMin,omitempty"`

	// The floor of a read (see httpCeiling), when Frosty runs in this
	// process: its rate; its rate over the ceiling's, and Frosty's over
	// its, in the same round.
	FloorRate            float64 `json:"floorRate,omitempty"`
	FloorErrors          int     `json:"floorErrors,omitempty"`
	FloorFirstError      string  `json:"floorFirstError,omitempty"`
	FloorCPUMicros       float64 `json:"floorCpuMicrosPerUnit,omitempty"`
	FloorAllocsPerOp     float64 `json:"floorAllocsPerUnit,omitempty"`
	FloorRatioMedian     float64 `json:"floorRatioMedian,omitempty"`
	FloorRatioMin        float64 `json:"floorRatioMin,omitempty"`
	OverFloorRatioMedian float64 `json:"overFloorRatioMedian,omitempty"`
	OverFloorRatioMin    float64 `json:"overFloorRatioMin,omitempty"`

	// RoundRates, CeilingRoundRates and FloorRoundRates are each round's
	// rates.
	RoundRates        []float64 `json:"roundRates"`
	CeilingRoundRates []float64 `json:"ceilingRoundRates,omitempty"`
	FloorRoundRates   []float64 `json:"floorRoundRates,omitempty"`
}

// Errors returns how many requests and ceiling transactions failed.
func (r *Report) Errors() int {
	n := 0
	for _, res := range r.Results {
		n += res.Errors + res.CeilingErrors + res.FloorErrors
	}
	return n
}

func newReport(cfg Config, url string, inProcess bool, calls []*measured) *Report {
	r := &Report{
		Target: url, InProcess: inProcess, Store: describeStore(cfg.Store, inProcess), CeilingStore: describeStore(cfg.CeilingStore, true),
		Clients: cfg.Clients, Duration: cfg.Duration, Rounds: cfg.Rounds, Jobs: cfg.Jobs,
	}
	for _, m := range calls {
		res := Result{Call: m.name, Unit: m.unit, Ceiling: m.kind}
		f := figuresOf(m.frostyS, inProcess)
		res.RoundRates, res.Requests, res.Errors, res.FirstError = f.rates, f.requests, f.errors, f.firstError
		res.Rate, res.CPUMicros, res.AllocsPerOp = median(f.rates), f.cpu, f.allocs
		res.P50Ms = ms(percentile(f.latencies, 0.50))
		res.P99Ms = ms(percentile(f.latencies, 0.99))
		if m.ceiling != nil {
			c := figuresOf(m.ceilS, inProcess)
			res.CeilingRoundRates, res.CeilingErrors, res.CeilingFirstError = c.rates, c.errors, c.firstError
			res.CeilingRate, res.CeilingCPUMicros, res.CeilingAllocsPerOp = median(c.rates), c.cpu, c.allocs
			res.RatioMedian, res.RatioMin = ratios(f.rates, c.rates)
			if m.floor != nil {
				fl := figuresOf(m.floorS, inProcess)
				res.FloorRoundRates, res.FloorErrors, res.FloorFirstError = fl.rates, fl.errors, fl.firstError
				res.FloorRate, res.FloorCPUMicros, res.FloorAllocsPerOp = median(fl.rates), fl.cpu, fl.allocs
				res.FloorRatioMedian, res.FloorRatioMin = ratios(fl.rates, c.rates)
				res.OverFloorRatioMedian, res.OverFloorRatioMin = ratios(f.rates, fl.rates)
			}
		}
		r.Results = append(r.Results, res)
	}
	return r
}

// figures are one side's samples summed up: rates by round, latencies
// sorted, and CPU and allocations per unit when Frosty ran in this
// process.
type figures struct {
	rates            []float64
	latencies        []time.Duration
	requests, errors int
	firstError       string
	cpu, allocs      float64
}

func figuresOf(samples []*sample, inProcess bool) figures {
	var f figures
	var units, cpu, mallocs float64
	for _, s := range samples {
		f.rates = append(f.rates, s.rate())
		f.requests += s.requests
		f.errors += s.errors
		if f.firstError == "" {
			f.firstError = s.firstError
		}
		f.latencies = append(f.latencies, s.latencies...)
		units += float64(s.units)
		cpu += float64(s.cpu.Microseconds())
		mallocs += float64(s.mallocs)
	}
	slices.Sort(f.latencies)
	if inProcess && units > 0 {
		f.cpu, f.allocs = cpu/units, mallocs/units
	}
	return f
}

// ratios returns the median and the minimum of a[i]/b[i] over the rounds
// in which b measured anything.
func ratios(a, b []float64) (med, least float64) {
	var rs []float64
	for i := range min(len(a), len(b)) {
		if b[i] > 0 {
			rs = append(rs, a[i]/b[i])
		}
	}
	if len(rs) == 0 {
		return 0, 0
	}
	return median(rs), slices.Min(rs)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// describeStore names a store without a PostgreSQL password.
func describeStore(store string, inProcess bool) string {
	switch {
	case !inProcess:
		return "the target's"
	case IsPostgres(store):
		host := store
		if _, rest, ok := strings.Cut(store, "@"); ok {
			host = rest
		} else if _, rest, ok := strings.Cut(store, "://"); ok {
			host = rest
		}
		host, _, _ = strings.Cut(host, "?")
		return "PostgreSQL " + host
	case store == "":
		return "SQLite"
	}
	return "SQLite " + strings.TrimPrefix(store, "sqlite://")
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes r as a table, with footnotes that say what the
// figures are.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "frosty bench: %s (store: %s), SQL ceiling on %s; %d clients, %d rounds of %s, %d jobs preloaded\n\n",
		r.Target, r.Store, r.CeilingStore, r.Clients, r.Rounds, r.Duration, r.Jobs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "call\tFrosty/s\tp50 ms\tp99 ms\tceiling/s\tratio median\tratio min\tCPU µs\tceiling CPU µs\tallocs\tceiling allocs\terrors\tceiling\t")
	for _, res := range r.Results {
		hasCeiling := res.Ceiling != ""
		kind := res.Ceiling
		if !hasCeiling {
			kind = "none"
		}
		name := res.Call
		if res.Unit != "req/s" {
			name += " (" + res.Unit + ")"
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n",
			name, res.Rate, res.P50Ms, res.P99Ms,
			cell(hasCeiling, "%.0f", res.CeilingRate), cell(hasCeiling, "%.2f", res.RatioMedian), cell(hasCeiling, "%.2f", res.RatioMin),
			cell(r.InProcess, "%.0f", res.CPUMicros), cell(r.InProcess && hasCeiling, "%.0f", res.CeilingCPUMicros),
			cell(r.InProcess, "%.0f", res.AllocsPerOp), cell(r.InProcess && hasCeiling, "%.0f", res.CeilingAllocsPerOp),
			res.Errors+res.CeilingErrors, kind)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprint(w, `
Rates are medians over the rounds; p50 and p99 are over every request of every round. The ratio is
Frosty's rate over the ceiling's in the same round; each round measures a call on both sides, back
to back, each side going first in turn. Ceilings: HTTP+SigV4 is a bare net/http server in this
process that verifies the same signature with Frosty's verifier and answers the bytes Frosty
answered; SQL is the transaction Frosty's store runs for the call, one per write, straight on the
database with the same driver and settings, from as many goroutines as there are clients.
CPU µs and allocs are per request (per transition for Lifecycle), of this whole process: they
include the load generator, on both sides, and not a PostgreSQL server's own work. They are shown
only when Frosty runs in this process.
`)
	floors := false
	for _, res := range r.Results {
		floors = floors || res.FloorRate > 0
	}
	if floors {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "read\tfloor/s\tfloor/ceiling median\tmin\tFrosty/floor median\tmin\tfloor CPU µs\tfloor allocs\t")
		for _, res := range r.Results {
			if res.FloorRate > 0 {
				fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t\n", res.Call, res.FloorRate,
					res.FloorRatioMedian, res.FloorRatioMin, res.OverFloorRatioMedian, res.OverFloorRatioMin, res.FloorCPUMicros, res.FloorAllocsPerOp)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprint(w, `
The floor of a read is the HTTP+SigV4 ceiling that, before it answers, makes the read Frosty's store
makes for the call (one View: DescribeJob's job, ListJobs' page of entries) on the same store. The
floor over the ceiling is what the store's read leaves of the ceiling; Frosty over the floor is
what the service, the wire protocol and the server leave of the floor.
`)
	}
	for _, res := range r.Results {
		if res.FloorFirstError != "" {
			fmt.Fprintf(w, "%s floor: %d errors, the first: %s\n", res.Call, res.FloorErrors, res.FloorFirstError)
		}
		if res.FirstError != "" {
			fmt.Fprintf(w, "%s: %d errors, the first: %s\n", res.Call, res.Errors, res.FirstError)
		}
		if res.CeilingFirstError != "" {
			fmt.Fprintf(w, "%s ceiling: %d errors, the first: %s\n", res.Call, res.CeilingErrors, res.CeilingFirstError)
		}
	}
	return nil
}

// cell formats v, or is "-" when there is nothing to show.
func cell(show bool, format string, v float64) string {
	if !show {
		return "-"
	}
	return fmt.Sprintf(format, v)
}
