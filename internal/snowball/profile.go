package snowball

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/model"
)

// Duration is a time.Duration written in JSON as a string such as "36h".
type Duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string such as \"36h\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("duration %q: want a positive Go duration such as \"36h\"", s)
	}
	*d = Duration(v)
	return nil
}

// Profile says how long a job dwells in each state in real-world time,
// before the timed lifecycle's time scale divides it (BEHAVIOR.md §1.3).
type Profile struct {
	// Dwell is the time spent in a state, for every job type.
	Dwell map[model.JobState]Duration `json:"dwell,omitempty"`
	// JobTypes overrides Dwell for one job type (e.g. InProgress of IMPORT).
	JobTypes map[model.JobType]map[model.JobState]Duration `json:"jobTypes,omitempty"`
	// Shipping is the time in transit, both ways, by shipping option.
	Shipping map[model.ShippingOption]Duration `json:"shipping,omitempty"`
	// ReturnLabel is how long a return shipping label takes to be ready.
	ReturnLabel Duration `json:"returnLabel,omitempty"`
}

const day = Duration(24 * time.Hour)

// DefaultProfile is the real-world pace of the service as documented.
func DefaultProfile() Profile {
	return Profile{
		Dwell: map[model.JobState]Duration{
			model.JobStateNew:                    Duration(time.Hour), // "usually within 60 minutes"
			model.JobStateListing:                Duration(time.Hour),
			model.JobStatePreparingAppliance:     day,
			model.JobStatePreparingShipment:      day,
			model.JobStateWithAWSSortingFacility: 2 * day,
			model.JobStateWithAWS:                day,
		},
		JobTypes: map[model.JobType]map[model.JobState]Duration{
			model.JobTypeImport: {model.JobStateInProgress: 2 * day}, // "an average of two business days"
			model.JobTypeExport: {model.JobStateInProgress: day},     // "typically takes one business day"
		},
		Shipping: map[model.ShippingOption]Duration{
			model.ShippingOptionNextDay:   day,
			model.ShippingOptionSecondDay: 2 * day,
			model.ShippingOptionExpress:   day,
			model.ShippingOptionStandard:  5 * day,
		},
		ReturnLabel: Duration(time.Minute),
	}
}

// LoadProfile reads a profile file and lays it over DefaultProfile: the
// file need only name what it changes. A key it does not know (a
// misspelled state, job type, shipping option or member) is an error that
// names it, never silently ignored.
func LoadProfile(path string) (Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, fmt.Errorf("lifecycle profile: %w", err)
	}
	file, err := parseProfile(b)
	if err != nil {
		return Profile{}, fmt.Errorf("lifecycle profile %s: %w", path, err)
	}
	p := DefaultProfile()
	for s, d := range file.Dwell {
		p.Dwell[s] = d
	}
	for jt, states := range file.JobTypes {
		if p.JobTypes[jt] == nil {
			p.JobTypes[jt] = map[model.JobState]Duration{}
		}
		for s, d := range states {
			p.JobTypes[jt][s] = d
		}
	}
	for o, d := range file.Shipping {
		p.Shipping[o] = d
	}
	if file.ReturnLabel != 0 {
		p.ReturnLabel = file.ReturnLabel
	}
	return p, nil
}

// parseProfile decodes a profile file strictly.
func parseProfile(b []byte) (Profile, error) {
	var file Profile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return Profile{}, fmt.Errorf("not valid JSON (at byte %d)", se.Offset)
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return Profile{}, errors.New("not valid JSON (it ends too soon)")
		case errors.As(err, &te) && te.Field != "":
			return Profile{}, fmt.Errorf("%q: want %s, not a JSON %s", te.Field, te.Type, te.Value)
		case errors.As(err, &te):
			return Profile{}, fmt.Errorf(`want an object such as {"dwell": {"PreparingAppliance": "2h"}}, not a JSON %s`, te.Value)
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return Profile{}, fmt.Errorf("unknown key %s (the keys are dwell, jobTypes, shipping and returnLabel)", name)
		}
		return Profile{}, err
	}
	if dec.More() {
		return Profile{}, errors.New("more than one JSON value")
	}
	states := func(where string, m map[model.JobState]Duration) error {
		for s := range m {
			if !slices.Contains(s.Values(), s) {
				return fmt.Errorf("%s: unknown job state %q (the states are %s)", where, s, strings.Join(enumNames(s.Values()), ", "))
			}
		}
		return nil
	}
	if err := states("dwell", file.Dwell); err != nil {
		return Profile{}, err
	}
	for jt, m := range file.JobTypes {
		if !slices.Contains(jt.Values(), jt) {
			return Profile{}, fmt.Errorf("jobTypes: unknown job type %q (the types are %s)", jt, strings.Join(enumNames(jt.Values()), ", "))
		}
		if err := states("jobTypes."+string(jt), m); err != nil {
			return Profile{}, err
		}
	}
	for o := range file.Shipping {
		if !slices.Contains(o.Values(), o) {
			return Profile{}, fmt.Errorf("shipping: unknown shipping option %q (the options are %s)", o, strings.Join(enumNames(o.Values()), ", "))
		}
	}
	return file, nil
}

func enumNames[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// DwellFor returns how long j stays in its current state before it moves
// on by itself; ok is false where it waits for someone instead: the
// customer (WithCustomer), the previous export part or the parts of a
// master (Pending), or nobody (Complete, Cancelled).
func (p Profile) DwellFor(j *Job) (d time.Duration, ok bool) {
	switch j.State {
	case model.JobStateWithCustomer, model.JobStatePending, model.JobStateComplete, model.JobStateCancelled:
		return 0, false
	case model.JobStateInTransitToCustomer, model.JobStateInTransitToAWS:
		option := model.ShippingOptionSecondDay
		if sd := j.Metadata.ShippingDetails; sd != nil && sd.ShippingOption != nil {
			option = *sd.ShippingOption
		}
		return time.Duration(p.Shipping[option]), true
	}
	if d, ok := p.JobTypes[model.Deref(j.Metadata.JobType)][j.State]; ok {
		return time.Duration(d), true
	}
	d, ok = time.Duration(p.Dwell[j.State]), true
	return d, ok
}
