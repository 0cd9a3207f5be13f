package service

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/frostyhq/frosty/internal/model"
)

// ParseSeed reads a seed document and checks it (Seed.Validate).
//
// It reads strictly, because a seed is written by hand and a typo must not
// pass for an absent member: a member name must be exactly a member's (the
// Snowball API's names, or accountId, region, ref and state), an object
// must not give a member twice, every value must have its member's type
// (an integer for an integer, a number of epoch seconds for a timestamp),
// and nothing may follow the document. encoding/json would let each of
// these pass (it ignores unknown members, matches names in any case and
// keeps the last of two), and so does the API's own decoder for the first
// (unknown members are ignored on the wire, as AWS does). Every error
// names the path of the value at fault: jobs[2].Resources.S3Resources[0].
// Errors: ValidationException.
func ParseSeed(data []byte) (*Seed, error) {
	if !utf8.Valid(data) {
		return nil, seedError("the document", "it is not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := checkJSON(dec, reflect.TypeFor[Seed](), ""); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, seedError("the document", "there is more after its JSON object")
	}
	var seed Seed
	if err := json.Unmarshal(data, &seed); err != nil {
		// checkJSON has checked what Unmarshal checks; this is a backstop.
		return nil, seedError("the document", "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if err := seed.Validate(); err != nil {
		return nil, err
	}
	return &seed, nil
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// jsonPath names the member name of the value at path, or its element i.
func jsonPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func pathOrDocument(path string) string {
	if path == "" {
		return "the document"
	}
	return path
}

// checkJSON reads the next value from dec and checks it against type t, as
// ParseSeed says; path names the value.
func checkJSON(dec *json.Decoder, t reflect.Type, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(dec, path, err)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if tok == nil {
		return nil // null leaves any member as it is
	}
	got := jsonKind(tok)
	if u := reflect.PointerTo(t); u.Implements(unmarshalerType) || u.Implements(textUnmarshalerType) {
		return checkUnmarshaler(dec, t, tok, path)
	}
	want := ""
	switch t.Kind() {
	case reflect.Struct:
		if tok == json.Delim('{') {
			return checkObject(dec, path, structMembers(t), nil)
		}
		want = "an object"
	case reflect.Map:
		if tok == json.Delim('{') && t.Key().Kind() == reflect.String {
			return checkObject(dec, path, nil, t.Elem())
		}
		want = "an object"
	case reflect.Slice, reflect.Array:
		if tok == json.Delim('[') {
			for i := 0; dec.More(); i++ {
				if err := checkJSON(dec, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			_, err := dec.Token()
			return syntaxError(dec, path, err)
		}
		want = "an array"
	case reflect.String:
		if _, ok := tok.(string); ok {
			return nil
		}
		want = "a string"
	case reflect.Bool:
		if _, ok := tok.(bool); ok {
			return nil
		}
		want = "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := tok.(json.Number); ok {
			if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
				return seedError(pathOrDocument(path), "%s is not an integer in range", model.Truncate(string(n)))
			}
			return nil
		}
		want = "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n, ok := tok.(json.Number); ok {
			if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
				return seedError(pathOrDocument(path), "%s is not a non-negative integer in range", model.Truncate(string(n)))
			}
			return nil
		}
		want = "an integer"
	case reflect.Float32, reflect.Float64:
		if n, ok := tok.(json.Number); ok {
			if _, err := strconv.ParseFloat(string(n), t.Bits()); err != nil {
				return seedError(pathOrDocument(path), "%s is not a number in range", model.Truncate(string(n)))
			}
			return nil
		}
		want = "a number"
	case reflect.Interface:
		return skipJSON(dec, tok, path)
	default:
		return seedError(pathOrDocument(path), "a member of type %s cannot be read", t)
	}
	return seedError(pathOrDocument(path), "want %s, got %s", want, got)
}

// checkObject reads the members of an object whose '{' has been read:
// those of a structure (members) or of a map (elem). A key given twice is
// refused either way.
func checkObject(dec *json.Decoder, path string, members map[string]reflect.Type, elem reflect.Type) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(dec, path, err)
		}
		name := tok.(string)
		if seen[name] {
			return seedError(pathOrDocument(path), "member %q is given twice", model.Truncate(name))
		}
		seen[name] = true
		t := elem
		if members != nil {
			var ok bool
			if t, ok = members[name]; !ok {
				return unknownMember(path, name, members)
			}
		}
		if err := checkJSON(dec, t, jsonPath(path, name)); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return syntaxError(dec, path, err)
}

// unknownMember is the error for a member name that no member has,
// pointing at the one it may have meant.
func unknownMember(path, name string, members map[string]reflect.Type) error {
	for m := range members {
		if strings.EqualFold(m, name) {
			return seedError(pathOrDocument(path), "unknown member %q (member names are case-sensitive: did you mean %q?)", model.Truncate(name), m)
		}
	}
	return seedError(pathOrDocument(path), "unknown member %q", model.Truncate(name))
}

// checkUnmarshaler checks a value that a type reads itself (a
// model.Timestamp, say) by having it read the value, when it is a scalar.
func checkUnmarshaler(dec *json.Decoder, t reflect.Type, tok json.Token, path string) error {
	if d, ok := tok.(json.Delim); ok {
		return skipJSON(dec, d, path)
	}
	raw, _ := json.Marshal(tok) // a json.Number marshals as itself
	v := reflect.New(t).Interface()
	var err error
	if u, ok := v.(json.Unmarshaler); ok {
		err = u.UnmarshalJSON(raw)
	} else if s, isString := tok.(string); isString {
		err = v.(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	} else {
		err = fmt.Errorf("want a string, got %s", jsonKind(tok))
	}
	if err != nil {
		return seedError(pathOrDocument(path), "%s", err.Error())
	}
	return nil
}

// skipJSON reads the rest of a value whose first token was tok, checking
// only that no object in it gives a key twice.
func skipJSON(dec *json.Decoder, tok json.Token, path string) error {
	switch tok {
	case json.Delim('{'):
		return checkObject(dec, path, nil, reflect.TypeFor[any]())
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := checkJSON(dec, reflect.TypeFor[any](), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return syntaxError(dec, path, err)
	}
	return nil
}

// syntaxError is the error for a document that is not JSON, or nil.
func syntaxError(dec *json.Decoder, path string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return seedError("the document", "it ends before its JSON is complete (in %s)", pathOrDocument(path))
	}
	return seedError("the document", "it is not valid JSON near byte %d (in %s): %s", dec.InputOffset(), pathOrDocument(path),
		strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return "null"
}

// structMembers returns the members of structure type t by their exact
// JSON names, following encoding/json: a json tag's name, else the field's;
// "-" and unexported fields are none; an embedded structure without a
// name in its tag gives its members.
func structMembers(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if tag == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for n, ft := range structMembers(f.Type) {
				if _, ok := out[n]; !ok {
					out[n] = ft
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
