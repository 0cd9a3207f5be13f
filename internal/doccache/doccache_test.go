package doccache_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/doccache"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/storetest"
)

func fullJob() *snowball.Job {
	j := storetest.NewJob("JID1", snowball.Owner{Account: "111122223333", Partition: "us"})
	j.Outbound = &snowball.Shipment{TrackingNumber: "1Z", Status: "InTransit"}
	return j
}

// TestCopyIsDeep checks that a copy equals its original and shares no
// pointer, slice or map with it, at any depth.
func TestCopyIsDeep(t *testing.T) {
	j := fullJob()
	c := doccache.Copy(j)
	if diff := cmp.Diff(j, c); diff != "" {
		t.Fatalf("copy differs (-original +copy):\n%s", diff)
	}
	seen := map[uintptr]string{}
	var walk func(v reflect.Value, path string, record bool)
	walk = func(v reflect.Value, path string, record bool) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			if v.IsNil() {
				return
			}
			if v.Kind() != reflect.Slice || v.Len() > 0 {
				if record {
					seen[v.Pointer()] = path
				} else if p, ok := seen[v.Pointer()]; ok {
					t.Errorf("the copy's %s shares memory with the original's %s", path, p)
				}
			}
			switch v.Kind() {
			case reflect.Pointer:
				walk(v.Elem(), path, record)
			case reflect.Slice:
				for i := range v.Len() {
					walk(v.Index(i), path+"[]", record)
				}
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i), path+"."+v.Type().Field(i).Name, record)
				}
			}
		}
	}
	walk(reflect.ValueOf(j), "job", true)
	walk(reflect.ValueOf(c), "job", false)
	if len(seen) < 20 {
		t.Errorf("the walk found %d references: the test job is not full enough", len(seen))
	}
}

// TestCacheGet checks that Get returns an equal record for a document put,
// a fresh copy each time, and nothing for another document.
func TestCacheGet(t *testing.T) {
	c := doccache.New[snowball.Job](4)
	j := fullJob()
	doc, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	c.Put(string(doc), j)
	j.Metadata.Description = nil // the cache kept a copy
	a, ok := c.Get(doc)
	if !ok || a.Metadata.Description == nil {
		t.Fatalf("Get = %v, %v; want the job as put", a, ok)
	}
	a.Metadata.Description = nil
	if b, _ := c.Get(doc); b.Metadata.Description == nil {
		t.Error("changing a record Get returned changed the cache")
	}
	if _, ok := c.Get(append(doc[:len(doc):len(doc)], ' ')); ok {
		t.Error("Get of another document hit")
	}
	for i := range 10 {
		c.Put(string(rune('a'+i)), j)
	}
	if _, ok := c.Get([]byte("j")); !ok {
		t.Error("the newest entry was forgotten")
	}
}

func BenchmarkDecodeJob(b *testing.B) {
	doc, _ := json.Marshal(fullJob())
	for b.Loop() {
		var j snowball.Job
		if err := json.Unmarshal(doc, &j); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCachedJob(b *testing.B) {
	j := fullJob()
	doc, _ := json.Marshal(j)
	c := doccache.New[snowball.Job](16)
	c.Put(string(doc), j)
	for b.Loop() {
		if _, ok := c.Get(doc); !ok {
			b.Fatal("miss")
		}
	}
}

// TestEncodeDecode: a record encoded decodes back equal, from the cache
// or, with a nil Cache, from its JSON; a document that is not JSON is an
// error.
func TestEncodeDecode(t *testing.T) {
	for _, c := range []*doccache.Cache[snowball.Job]{doccache.New[snowball.Job](4), nil} {
		j := fullJob()
		doc, err := c.Encode(j)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := json.Marshal(j); doc != string(want) {
			t.Errorf("Encode = %s, want the record's JSON %s", doc, want)
		}
		j.Metadata.Description = nil // neither the cache nor the document follow
		got, err := c.Decode([]byte(doc))
		if err != nil || got.Metadata.Description == nil {
			t.Fatalf("Decode = %v, %v; want the job as encoded", got, err)
		}
		if _, err := c.Decode([]byte(`{"ID":`)); err == nil {
			t.Error("Decode of a broken document: no error")
		}
	}
}
