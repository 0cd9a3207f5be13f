package awsjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// decode reads a JSON object into in. An empty body counts as {}; anything
// that is not an object of the right member types is a
// SerializationException.
//
// Member names match exactly, as the service's do: a key that is not the
// exact name of a member ("jobid" for JobId) is an unknown member and
// ignored, at every depth, where encoding/json would match it regardless of
// case. Map keys are data and kept as sent.
//
// The same key twice in one JSON object, after unescaping, anywhere in the
// body (in maps and ignored members too), is a SerializationException:
// which value counts would otherwise be a guess. Keys that differ only in
// case are not the same key.
//
// A number or timestamp that does not fit its member is a
// SerializationException too, never a value that silently differs from
// what was sent; and so is a body that is not UTF-8 (RFC 8259 §8.1), which
// encoding/json would take with U+FFFD in place of the bytes sent.
//
// It works in one pass over the body guided by in's type (see scanner),
// then lets encoding/json decode the body, after rewriting the keys that
// are not exact member names to "", which no member is named.
func decode(body []byte, in any) error {
	body = bytes.Trim(body, " \t\r\n")
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return snowball.Errorf(snowball.Serialization, "Start of structure or map expected; the request body must be a JSON object.")
	}
	if !utf8.Valid(body) {
		return snowball.Errorf(snowball.Serialization, "The request body is not valid UTF-8 (at byte %d).", invalidUTF8At(body))
	}
	s := scanner{data: body}
	if s.top(shapeOf(reflect.TypeOf(in))) {
		return syntaxError(body)
	}
	if err := s.error(); err != nil {
		return err
	}
	if len(s.unknown) > 0 {
		body = blankKeys(body, s.unknown)
	}
	if err := json.Unmarshal(body, in); err != nil {
		// The scanner has checked syntax, keys and member types, so this is
		// only a backstop.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return snowball.Errorf(snowball.Serialization, "Unexpected JSON type %s for member %s.", model.Truncate(te.Value), model.Truncate(te.Field))
		}
		return readError(err)
	}
	return nil
}

// invalidUTF8At returns the offset of the first byte of b that is not part
// of a valid UTF-8 sequence.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// syntaxError is the SerializationException for a body that is not JSON,
// phrased from encoding/json's own check.
func syntaxError(body []byte) error {
	var se *json.SyntaxError
	if err := json.Unmarshal(body, new(struct{})); errors.As(err, &se) {
		return snowball.Errorf(snowball.Serialization, "The request body is not valid JSON (at byte %d).", se.Offset)
	} else if err != nil {
		return readError(err)
	}
	return snowball.Errorf(snowball.Serialization, "The request body is not valid JSON.")
}

func readError(err error) error {
	return snowball.Errorf(snowball.Serialization, "The request body could not be read: %s.", model.Truncate(strings.TrimPrefix(err.Error(), "json: ")))
}

// blankKeys returns a copy of body with each key at the offsets in spans
// (start and end pairs, in order) replaced by "".
func blankKeys(body []byte, spans []int) []byte {
	out := make([]byte, 0, len(body))
	prev := 0
	for i := 0; i < len(spans); i += 2 {
		out = append(out, body[prev:spans[i]]...)
		out = append(out, `""`...)
		prev = spans[i+1]
	}
	return append(out, body[prev:]...)
}

// kind is what JSON a shape takes, besides null, which every shape takes.
type kind uint8

const (
	anyKind       kind = iota // anything: unknown members, interfaces, types encoding/json checks itself
	boolKind                  // true or false
	stringKind                // a string
	intKind                   // an integer number that fits in bits
	floatKind                 // a number that fits in bits
	timestampKind             // a number that model.Timestamp takes
	structKind                // an object of members
	listKind                  // an array of elem
	mapKind                   // an object of elem, keys kept as sent
)

// shape is what the scanner needs to know of a Go type: the JSON it takes
// and, for a structure, the exact names of its members.
type shape struct {
	kind    kind
	bits    int               // intKind, floatKind
	members map[string]member // structKind: by exact JSON name
	elem    *shape            // listKind, mapKind
}

type member struct {
	name  string // the JSON name, interned so that keys compare cheaply
	shape *shape
}

var (
	anyShape           = &shape{kind: anyKind}
	timestampType      = reflect.TypeFor[model.Timestamp]()
	unmarshalerTyp     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerTyp = reflect.TypeFor[encoding.TextUnmarshaler]()

	shapeMu    sync.Mutex // serialises building
	shapeCache sync.Map   // reflect.Type → *shape
)

// shapeOf returns the shape of t, built once per type.
func shapeOf(t reflect.Type) *shape {
	if s, ok := shapeCache.Load(t); ok {
		return s.(*shape)
	}
	shapeMu.Lock()
	defer shapeMu.Unlock()
	built := map[reflect.Type]*shape{}
	s := buildShape(t, built)
	// Published only once complete: readers do not take the lock.
	for t, s := range built {
		shapeCache.Store(t, s)
	}
	return s
}

// buildShape follows encoding/json's rules for which member a key names
// (json tags, "-", exported fields); it panics on an embedded field, which
// the generated types never have, rather than guess at encoding/json's
// rules for promoting its members. built holds the shapes built so far.
func buildShape(t reflect.Type, built map[reflect.Type]*shape) *shape {
	if s, ok := shapeCache.Load(t); ok {
		return s.(*shape)
	}
	if s, ok := built[t]; ok {
		return s
	}
	if t.Kind() == reflect.Pointer {
		s := buildShape(t.Elem(), built)
		built[t] = s
		return s
	}
	s := &shape{kind: anyKind}
	switch {
	case t == timestampType:
		s.kind = timestampKind
	case reflect.PointerTo(t).Implements(unmarshalerTyp), reflect.PointerTo(t).Implements(textUnmarshalerTyp):
		// encoding/json hands these the value to check: anyKind.
	case t.Kind() == reflect.Bool:
		s.kind = boolKind
	case t.Kind() == reflect.String:
		s.kind = stringKind
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		s.kind, s.bits = intKind, t.Bits()
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s.kind, s.bits = floatKind, t.Bits()
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		s.kind = listKind
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		s.kind = mapKind
	case t.Kind() == reflect.Struct:
		s.kind, s.members = structKind, map[string]member{}
	}
	// Noted before the members and elements are built, so that a type that
	// contains itself ends.
	built[t] = s
	switch s.kind {
	case listKind, mapKind:
		s.elem = buildShape(t.Elem(), built)
	case structKind:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				panic("awsjson: embedded field " + f.Name + " in " + t.String() + " is not supported")
			}
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			ms := buildShape(f.Type, built)
			if strings.Contains(","+opts+",", ",string,") {
				ms = anyShape // a number or bool in a string: encoding/json checks it
			}
			s.members[name] = member{name: name, shape: ms}
		}
	}
	return s
}

// maxDepth is encoding/json's limit on nesting.
const maxDepth = 10000

// scanner checks a request body in one pass, guided by the shape of the
// target: its syntax, duplicate keys, keys that are not exact member names
// (noted in unknown for blanking), and that each member's JSON fits its
// type. It records the first error and goes on to the end, so that a body
// that is not JSON at all is always reported as such.
type scanner struct {
	data    []byte
	pos     int
	depth   int
	syntax  bool  // the body is not JSON
	unknown []int // start and end offsets of the keys to blank

	// The first error: a format with a verb for the (truncated) value and,
	// if errMember, one for the member path. The path is gathered on the way
	// back up from the error, so that it costs nothing on success.
	failed    bool
	errFormat string
	errValue  string
	errMember bool
	errPath   []string // innermost first
}

// top scans the body and reports whether it is not JSON.
func (s *scanner) top(sh *shape) (syntax bool) {
	s.value(sh)
	s.space()
	return s.syntax || s.pos != len(s.data)
}

// error returns the first error in the body, or nil.
func (s *scanner) error() error {
	if !s.failed {
		return nil
	}
	value := model.Truncate(s.errValue)
	if !s.errMember {
		return snowball.Errorf(snowball.Serialization, s.errFormat, value)
	}
	slices.Reverse(s.errPath)
	return snowball.Errorf(snowball.Serialization, s.errFormat, value, strings.Join(s.errPath, "."))
}

// fail records the first error, for the member being scanned; format has
// a %s for value and one for the member.
func (s *scanner) fail(format, value string) {
	if !s.failed {
		s.failed, s.errFormat, s.errValue, s.errMember = true, format, value, true
	}
}

// wrongType records that the member's JSON is of the wrong kind.
func (s *scanner) wrongType(got string) {
	s.fail("Unexpected JSON type %s for member %s.", got)
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// value scans one JSON value for sh; it returns false once the body is
// known not to be JSON.
func (s *scanner) value(sh *shape) bool {
	s.space()
	if s.pos >= len(s.data) {
		s.syntax = true
		return false
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		if sh.kind != anyKind && sh.kind != structKind && sh.kind != mapKind {
			s.wrongType("object")
			sh = anyShape
		}
		return s.object(sh)
	case c == '[':
		if sh.kind != anyKind && sh.kind != listKind {
			s.wrongType("array")
			sh = anyShape
		}
		return s.array(sh)
	case c == '"':
		if sh.kind != anyKind && sh.kind != stringKind {
			s.wrongType("string")
		}
		_, ok := s.string()
		return ok
	case c == 't' || c == 'f':
		lit := "true"
		if c == 'f' {
			lit = "false"
		}
		if !s.literal(lit) {
			return false
		}
		if sh.kind != anyKind && sh.kind != boolKind {
			s.wrongType("bool")
		}
		return true
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		start := s.pos
		if !s.number() {
			return false
		}
		s.checkNumber(sh, string(s.data[start:s.pos]))
		return true
	}
	s.syntax = true
	return false
}

// checkNumber checks that the number n fits sh.
func (s *scanner) checkNumber(sh *shape, n string) {
	switch sh.kind {
	case anyKind:
	case intKind:
		if !strings.ContainsAny(n, ".eE") {
			if _, err := strconv.ParseInt(n, 10, sh.bits); err != nil {
				s.fail("Number %s for member %s is out of range.", n)
			}
			return
		}
		f, err := strconv.ParseFloat(n, 64)
		limit := math.Ldexp(1, sh.bits-1)
		switch {
		case err != nil || f >= limit || f < -limit:
			s.fail("Number %s for member %s is out of range.", n)
		case f != math.Trunc(f):
			s.fail("Number %s for member %s is not an integer.", n)
		default:
			s.fail("Number %s for member %s must be written without a fraction or exponent.", n)
		}
	case floatKind:
		if _, err := strconv.ParseFloat(n, sh.bits); err != nil {
			s.fail("Number %s for member %s is out of range.", n)
		}
	case timestampKind:
		var t model.Timestamp
		if err := t.UnmarshalJSON([]byte(n)); err != nil {
			s.fail("Timestamp value %s for member %s is out of range.", n)
		}
	default:
		s.wrongType("number")
	}
}

func (s *scanner) literal(lit string) bool {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		s.syntax = true
		return false
	}
	s.pos += len(lit)
	return true
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() bool {
	if s.pos < len(s.data) && s.data[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.data) && s.data[s.pos] == '0':
		s.pos++
	case !s.digits():
		s.syntax = true
		return false
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if !s.digits() {
			s.syntax = true
			return false
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if !s.digits() {
			s.syntax = true
			return false
		}
	}
	return true
}

// digits scans [0-9]+.
func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

// string scans a string and reports whether it is plain: no escape and no
// byte outside ASCII, which encoding/json would rewrite when reading it.
func (s *scanner) string() (plain, ok bool) {
	s.pos++ // the opening quote
	plain = true
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return plain, true
		case c < 0x20:
			s.syntax = true
			return false, false
		case c == '\\':
			plain = false
			s.pos++
			if s.pos >= len(s.data) {
				break
			}
			switch s.data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				s.pos++
				for range 4 {
					if s.pos >= len(s.data) || !isHex(s.data[s.pos]) {
						s.syntax = true
						return false, false
					}
					s.pos++
				}
			default:
				s.syntax = true
				return false, false
			}
		default:
			if c >= 0x80 {
				plain = false
			}
			s.pos++
		}
	}
	s.syntax = true
	return false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// open enters an array or object and reports whether it is empty.
func (s *scanner) open(end byte) (empty, ok bool) {
	if s.depth++; s.depth > maxDepth {
		s.syntax = true
		return false, false
	}
	s.pos++
	s.space()
	if s.pos < len(s.data) && s.data[s.pos] == end {
		s.pos++
		s.depth--
		return true, true
	}
	return false, true
}

// next reads what follows an element of an array or object: it reports
// whether another element follows, and ok false if the body is not JSON.
func (s *scanner) next(end byte) (more, ok bool) {
	s.space()
	if s.pos >= len(s.data) {
		s.syntax = true
		return false, false
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		s.space()
		return true, true
	case end:
		s.pos++
		s.depth--
		return false, true
	}
	s.syntax = true
	return false, false
}

func (s *scanner) array(sh *shape) bool {
	empty, ok := s.open(']')
	if empty || !ok {
		return ok
	}
	elem := sh.elem
	if elem == nil {
		elem = anyShape
	}
	for {
		if !s.value(elem) {
			return false
		}
		if more, ok := s.next(']'); !more {
			return ok
		}
	}
}

func (s *scanner) object(sh *shape) bool {
	empty, ok := s.open('}')
	if empty || !ok {
		return ok
	}
	var seen keySet
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			s.syntax = true
			return false
		}
		start := s.pos
		plain, ok := s.string()
		if !ok {
			return false
		}
		var (
			key string
			m   member
			isM bool
		)
		if plain {
			raw := s.data[start+1 : s.pos-1]
			if m, isM = sh.members[string(raw)]; isM {
				key = m.name // no allocation
			} else {
				key = string(raw)
			}
		} else {
			// As encoding/json reads it: escapes undone, bad UTF-8 replaced.
			var k string
			json.Unmarshal(s.data[start:s.pos], &k)
			key = k
			m, isM = sh.members[key]
		}
		if seen.add(key) && !s.failed {
			s.failed, s.errFormat, s.errValue = true, "Duplicate member %q in a JSON object of the request body.", key
		}
		elem := anyShape
		switch {
		case sh.kind == structKind && isM:
			elem = m.shape
		case sh.kind == structKind:
			s.unknown = append(s.unknown, start, s.pos)
		case sh.kind == mapKind:
			elem = sh.elem
		}
		s.space()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			s.syntax = true
			return false
		}
		s.pos++
		failed := s.failed
		if !s.value(elem) {
			return false
		}
		if isM && !failed && s.failed {
			// The first error is in this member's value.
			s.errPath = append(s.errPath, m.name)
		}
		if more, ok := s.next('}'); !more {
			return ok
		}
	}
}

// keySet is the keys of one JSON object so far: a few in place, a map
// past that, so that a huge object costs no more than linear time.
type keySet struct {
	few  [8]string
	n    int
	many map[string]struct{}
}

// add adds k and reports whether it was there already.
func (ks *keySet) add(k string) bool {
	if ks.many != nil {
		if _, ok := ks.many[k]; ok {
			return true
		}
		ks.many[k] = struct{}{}
		return false
	}
	for _, f := range ks.few[:ks.n] {
		if f == k {
			return true
		}
	}
	if ks.n < len(ks.few) {
		ks.few[ks.n] = k
		ks.n++
		return false
	}
	ks.many = make(map[string]struct{}, 2*len(ks.few))
	for _, f := range ks.few {
		ks.many[f] = struct{}{}
	}
	ks.many[k] = struct{}{}
	return false
}
