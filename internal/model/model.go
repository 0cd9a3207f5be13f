// Package model holds the Snowball wire types, enums and structural
// validation generated from the service model (api-2.json), plus the few
// hand-written helpers the generated code relies on.
package model

//go:generate go run ./gen -in api-2.json -out model_gen.go

import (
	"fmt"
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
type Violations []string

// Error renders the violations as a ValidationException message.
func (v Violations) Error() string {
	noun := "error"
	if len(v) > 1 {
		noun = "errors"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(v), noun, strings.Join(v, "; "))
}

const sensitiveValue = "*** Sensitive Data Redacted ***"

func (v *Violations) add(path, value, constraint string) {
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
	shown := "'" + s + "'"
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
	shown := "'" + strconv.FormatFloat(f, 'f', -1, 64) + "'"
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

// UnmarshalJSON reads epoch seconds (a number) or, leniently, an RFC 3339 string.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return fmt.Errorf("timestamp: %w", err)
		}
		parsed, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q is neither epoch seconds nor RFC 3339", s)
		}
		t.Time = parsed.UTC()
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %s is not a number of epoch seconds", b)
	}
	t.Time = time.UnixMilli(int64(f * 1000)).UTC()
	return nil
}
