// Package model holds the Snowball wire types, enums and structural
// validation generated from the service model (api-2.json), plus the few
// hand-written helpers the generated code relies on.
package model

//go:generate go run ./gen -in api-2.json -out model_gen.go

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Operation describes one operation of the model.
type Operation struct {
	Name   string
	Input  string   // input shape name
	Output string   // output shape name
	Errors []string // modeled exception shape names
}

// Input is implemented by every generated request type.
type Input interface {
	validate(path string, v *Violations)
}

// Validate runs the model's structural checks (required members, lengths,
// patterns, enums, ranges) over in and returns the violations in a stable
// order; nil means valid.
func Validate(in Input) Violations {
	var v Violations
	in.validate("", &v)
	return v
}

// Violations are model constraint failures, phrased as the AWS Coral
// framework phrases them so clients and people see the familiar text.
//
// Only the first ListedViolations are spelled out; each later one is counted
// as an empty string, so that a request with a huge list of bad values costs
// neither memory nor a huge message.
type Violations []string

// ListedViolations is how many violations a ValidationException message
// spells out; it still counts them all.
const ListedViolations = 10

// Error renders the violations as a ValidationException message.
func (v Violations) Error() string {
	noun := "error"
	if len(v) > 1 {
		noun = "errors"
	}
	listed, more := v, ""
	if len(v) > ListedViolations {
		listed, more = v[:ListedViolations], fmt.Sprintf("; and %d more", len(v)-ListedViolations)
	}
	return fmt.Sprintf("%d validation %s detected: %s%s", len(v), noun, strings.Join(listed, "; "), more)
}

const sensitiveValue = "*** Sensitive Data Redacted ***"

// EchoLimit is how many characters of a client's value an error message
// repeats: enough to recognise it, never the whole of a huge input.
const EchoLimit = 256

// Truncate returns s, or, when s is longer than EchoLimit characters, its
// first EchoLimit characters and a note of its full length. It never cuts a
// UTF-8 sequence.
func Truncate(s string) string {
	if len(s) <= EchoLimit {
		return s
	}
	n := 0
	for i := range s {
		if n == EchoLimit {
			return s[:i] + fmt.Sprintf("...(truncated, %d characters)", utf8.RuneCountInString(s))
		}
		n++
	}
	return s
}

// add records a violation; value is what the message shows, already quoted
// and truncated.
func (v *Violations) add(path, value, constraint string) {
	if len(*v) >= ListedViolations {
		*v = append(*v, "")
		return
	}
	*v = append(*v, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: Member must %s", value, path, constraint))
}

func (v *Violations) null(path string) { v.add(path, "null", "not be null") }

type strRule struct {
	enum               []string
	min, max           int
	runesMin, runesMax int // a length lookahead the model's pattern carries
	pattern            string
	re                 interface{ MatchString(string) bool }
}

func (v *Violations) str(path, s string, r strRule, sensitive bool) {
	shown := "'" + Truncate(s) + "'"
	if sensitive {
		shown = "'" + sensitiveValue + "'"
	}
	n := utf8.RuneCountInString(s)
	if r.min > 0 && n < r.min {
		v.add(path, shown, fmt.Sprintf("have length greater than or equal to %d", r.min))
	}
	if r.max > 0 && n > r.max {
		v.add(path, shown, fmt.Sprintf("have length less than or equal to %d", r.max))
	}
	if r.re != nil && (!r.re.MatchString(s) || (r.runesMax > 0 && (n < r.runesMin || n > r.runesMax))) {
		v.add(path, shown, "satisfy regular expression pattern: "+r.pattern)
	}
	if r.enum != nil && !contains(r.enum, s) {
		v.add(path, shown, "satisfy enum value set: ["+strings.Join(r.enum, ", ")+"]")
	}
}

type numRule struct{ min, max *float64 }

func (v *Violations) num(path string, f float64, r numRule) {
	shown := "'" + Truncate(strconv.FormatFloat(f, 'f', -1, 64)) + "'"
	if r.min != nil && f < *r.min {
		v.add(path, shown, "have value greater than or equal to "+strconv.FormatFloat(*r.min, 'f', -1, 64))
	}
	if r.max != nil && f > *r.max {
		v.add(path, shown, "have value less than or equal to "+strconv.FormatFloat(*r.max, 'f', -1, 64))
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func enumStrings[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// join builds the Coral member path: members are lowerCamelCase and dotted.
func join(path, member string) string {
	if path == "" {
		return member
	}
	return path + "." + member
}

// listPath names a list element as Coral does: 1-based, then ".member".
func listPath(path string, i int) string { return path + "." + strconv.Itoa(i+1) + ".member" }

func ptr[T any](v T) *T { return &v }

// Ptr returns a pointer to v, for filling optional members.
func Ptr[T any](v T) *T { return &v }

// Deref returns *p, or the zero value when p is nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Timestamp is a model timestamp. On the wire it is epoch seconds as a JSON
// number with the fraction kept, the awsJson default the SDKs expect.
type Timestamp struct{ time.Time }

// NewTimestamp returns a *Timestamp for t, for filling optional members.
func NewTimestamp(t time.Time) *Timestamp { return &Timestamp{t} }

// MarshalJSON writes epoch seconds, with milliseconds when there are any.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	s := strconv.FormatInt(ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		s = strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
	}
	return []byte(s), nil
}

// The range of a Timestamp in epoch seconds: years 0001 to 9999, the years
// a date with four digits for the year can show.
const (
	minEpochSeconds = -62135596800 // 0001-01-01T00:00:00Z
	maxEpochSeconds = 253402300799 // 9999-12-31T23:59:59Z
)

// UnmarshalJSON reads epoch seconds. A JSON null leaves t as it is, the
// encoding/json convention. Anything else that is not a JSON number, and
// any number outside years 0001 to 9999, is an error rather than a time
// that silently differs from what was sent.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	// strconv.ParseFloat also reads "Inf", "NaN" and hex floats, which are
	// not JSON numbers.
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) || !json.Valid(b) {
		return fmt.Errorf("timestamp %s is not a number of epoch seconds", Truncate(string(b)))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < minEpochSeconds || f > maxEpochSeconds {
		return fmt.Errorf("timestamp %s is out of range", Truncate(string(b)))
	}
	t.Time = time.UnixMilli(int64(f * 1000)).UTC()
	return nil
}
