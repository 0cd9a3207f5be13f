// Package doccache remembers the records the stores decoded from their
// JSON documents, keyed by the document itself, so that reading a
// document met before costs a copy instead of a decode.
//
// The key is the whole document, byte for byte, so an entry can never be
// stale: a record that changed has another document, which misses. No
// write, replica or other process needs to tell the cache anything.
package doccache

import (
	"encoding/json"
	"reflect"
	"sync"
)

// Cache holds up to max records of type R by their documents. It is safe
// for concurrent use. When full it forgets half its entries, any half: the
// documents read often come back at once.
type Cache[R any] struct {
	max int
	mu  sync.Mutex
	m   map[string]*R
}

// New returns a Cache of at most max records.
func New[R any](max int) *Cache[R] {
	return &Cache[R]{max: max, m: make(map[string]*R, max)}
}

// Get returns a copy of the record decoded from doc, sharing no memory
// with the cached one, or false if doc was not put. A nil Cache holds
// nothing.
func (c *Cache[R]) Get(doc []byte) (*R, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	r, ok := c.m[string(doc)] // no allocation: the compiler sees the lookup
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	return Copy(r), true
}

// Put remembers a copy of r as the record doc decodes to. The caller
// promises that it is: r was just decoded from doc, or encoded to it. A
// nil Cache forgets it.
func (c *Cache[R]) Put(doc string, r *R) {
	if c == nil {
		return
	}
	r = Copy(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		n := 0
		for k := range c.m {
			if n >= c.max/2 {
				break
			}
			delete(c.m, k)
			n++
		}
	}
	c.m[doc] = r
}

// Encode returns r's document, its JSON, and remembers r as what the
// document decodes to, since a record written is often read soon after. A
// nil Cache only encodes.
func (c *Cache[R]) Encode(r *R) (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	doc := string(b)
	c.Put(doc, r)
	return doc, nil
}

// Decode returns the record doc decodes to: a copy of the one remembered,
// or one decoded now, and then remembered. A nil Cache always decodes.
func (c *Cache[R]) Decode(doc []byte) (*R, error) {
	if r, ok := c.Get(doc); ok {
		return r, nil
	}
	r := new(R)
	if err := json.Unmarshal(doc, r); err != nil {
		return nil, err
	}
	c.Put(string(doc), r)
	return r, nil
}

// Copy returns a deep copy of r: pointers, slices and maps in it, at any
// depth, point to copies. Unexported fields are copied as they are (a
// time.Time's location is shared, which nothing changes).
func Copy[R any](r *R) *R {
	out := new(R)
	deepCopy(reflect.ValueOf(out).Elem(), reflect.ValueOf(r).Elem())
	return out
}

func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		if needsDeep(src.Type().Elem()) {
			for i := range src.Len() {
				deepCopy(s.Index(i), src.Index(i))
			}
		} else {
			reflect.Copy(s, src)
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Struct:
		dst.Set(src)
		for _, i := range deepFields(src.Type()) {
			deepCopy(dst.Field(i), src.Field(i))
		}
	case reflect.Array:
		dst.Set(src)
		if needsDeep(src.Type().Elem()) {
			for i := range src.Len() {
				deepCopy(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		deepCopy(v, src.Elem())
		dst.Set(v)
	default:
		dst.Set(src)
	}
}

// needsDeep reports whether a value of type t holds a reference that a
// plain assignment would share.
func needsDeep(t reflect.Type) bool { return planOf(t).deep }

// deepFields returns the indexes of the fields of struct type t that need
// a deep copy.
func deepFields(t reflect.Type) []int { return planOf(t).fields }

// A plan is what deepCopy needs to know of a type, worked out once.
type plan struct {
	deep   bool  // a value holds a reference
	fields []int // of a struct: the exported fields that do
}

var plans sync.Map // reflect.Type → *plan

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{deep: computeDeep(t, map[reflect.Type]bool{})}
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && computeDeep(f.Type, map[reflect.Type]bool{}) {
				p.fields = append(p.fields, i)
			}
		}
	}
	plans.Store(t, p)
	return p
}

func computeDeep(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	case reflect.Array:
		return computeDeep(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false
		}
		seen[t] = true
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && computeDeep(f.Type, seen) {
				return true
			}
		}
	}
	return false
}
