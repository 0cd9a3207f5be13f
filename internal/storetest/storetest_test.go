package storetest

import (
	"reflect"
	"testing"
	"time"
)

// The round-trip tests show a dropped field only if the records set every
// field. These tests fail when a field is added to a record, or to the
// model, and the constructors are not taught it.

func TestRecordsAreFull(t *testing.T) {
	for name, r := range map[string]any{
		"Address":         NewAddress("x", ownerA),
		"Job":             NewJob("x", ownerA),
		"Cluster":         NewCluster("x", ownerA),
		"LongTermPricing": NewLongTermPricing("x", ownerA),
		"Event":           NewEvent("x", "from", "to"),
	} {
		for _, path := range unset(reflect.ValueOf(r).Elem(), name) {
			t.Errorf("%s is not set", path)
		}
	}
}

// unset returns the paths of the fields of v left at their zero value, but
// for Seq, which the store sets. Of a slice, it looks at the first element.
func unset(v reflect.Value, path string) []string {
	if v.IsZero() {
		return []string{path}
	}
	var out []string
	switch v.Kind() {
	case reflect.Pointer:
		out = unset(v.Elem(), path)
	case reflect.Slice:
		out = unset(v.Index(0), path+"[0]")
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			break
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Name != "Seq" && f.IsExported() {
				out = append(out, unset(v.Field(i), path+"."+f.Name)...)
			}
		}
	}
	return out
}

// TestChangesAreFull checks that the change functions alter every field but
// Seq, ID and Owner, so that the Put tests see a field a store does not
// replace.
func TestChangesAreFull(t *testing.T) {
	check := func(name string, before, after any) {
		t.Helper()
		b, a := reflect.ValueOf(before).Elem(), reflect.ValueOf(after).Elem()
		for i := range b.NumField() {
			f := b.Type().Field(i)
			switch f.Name {
			case "Seq", "ID", "Owner":
				continue
			}
			if reflect.DeepEqual(b.Field(i).Interface(), a.Field(i).Interface()) {
				t.Errorf("change%s leaves %s.%s as it was", name, name, f.Name)
			}
		}
	}
	a := NewAddress("x", ownerA)
	changeAddress(a)
	check("Address", NewAddress("x", ownerA), a)
	j := NewJob("x", ownerA)
	changeJob(j)
	check("Job", NewJob("x", ownerA), j)
	c := NewCluster("x", ownerA)
	changeCluster(c)
	check("Cluster", NewCluster("x", ownerA), c)
	l := NewLongTermPricing("x", ownerA)
	changeLongTermPricing(l)
	check("LongTermPricing", NewLongTermPricing("x", ownerA), l)
}
