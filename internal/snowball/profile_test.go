package snowball

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/model"
)

func TestDwellFor(t *testing.T) {
	p := DefaultProfile()
	job := func(jt model.JobType, s model.JobState, ship model.ShippingOption) *Job {
		return &Job{State: s, Metadata: model.JobMetadata{JobType: &jt, ShippingDetails: &model.ShippingDetails{ShippingOption: &ship}}}
	}
	tests := []struct {
		name string
		job  *Job
		want time.Duration
		ok   bool
	}{
		{"New", job("IMPORT", "New", "NEXT_DAY"), time.Hour, true},
		{"ImportInProgress", job("IMPORT", "InProgress", "NEXT_DAY"), 48 * time.Hour, true},
		{"ExportInProgress", job("EXPORT", "InProgress", "NEXT_DAY"), 24 * time.Hour, true},
		{"ShippingStandard", job("IMPORT", "InTransitToCustomer", "STANDARD"), 120 * time.Hour, true},
		{"ShippingBack", job("IMPORT", "InTransitToAWS", "SECOND_DAY"), 48 * time.Hour, true},
		{"WithCustomerWaits", job("IMPORT", "WithCustomer", "NEXT_DAY"), 0, false},
		{"PendingWaits", job("EXPORT", "Pending", "NEXT_DAY"), 0, false},
		{"CompleteStays", job("IMPORT", "Complete", "NEXT_DAY"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.DwellFor(tt.job)
			if got != tt.want || ok != tt.ok {
				t.Errorf("DwellFor = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestLoadProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "profile.json")
	os.WriteFile(path, []byte(`{"dwell": {"PreparingAppliance": "2h"}, "jobTypes": {"LOCAL_USE": {"WithAWS": "30m"}},
		"shipping": {"STANDARD": "72h"}, "returnLabel": "5m"}`), 0o600)
	p, err := LoadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want Duration
	}{
		{"overridden dwell", p.Dwell[model.JobStatePreparingAppliance], Duration(2 * time.Hour)},
		{"default dwell kept", p.Dwell[model.JobStateWithAWS], Duration(24 * time.Hour)},
		{"job type override", p.JobTypes[model.JobTypeLocalUse][model.JobStateWithAWS], Duration(30 * time.Minute)},
		{"job type default kept", p.JobTypes[model.JobTypeImport][model.JobStateInProgress], Duration(48 * time.Hour)},
		{"shipping override", p.Shipping[model.ShippingOptionStandard], Duration(72 * time.Hour)},
		{"return label", p.ReturnLabel, Duration(5 * time.Minute)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, time.Duration(c.got), time.Duration(c.want))
		}
	}
	errs := []struct {
		name, body, want string
	}{
		{"ErrNotDuration", `{"dwell": {"New": "soon"}}`, `duration "soon"`},
		{"ErrNegative", `{"dwell": {"New": "-1h"}}`, `duration "-1h"`},
		{"ErrNotJSON", `{`, "not valid JSON"},
		{"ErrArray", `[]`, "want an object"},
		{"ErrUnknownKey", `{"dwel": {"New": "1h"}}`, `unknown key "dwel"`},
		{"ErrUnknownState", `{"dwell": {"PreparingApplianse": "1h"}}`, `dwell: unknown job state "PreparingApplianse"`},
		{"ErrUnknownJobType", `{"jobTypes": {"IMPORTS": {"New": "1h"}}}`, `jobTypes: unknown job type "IMPORTS"`},
		{"ErrUnknownStateOfJobType", `{"jobTypes": {"IMPORT": {"Nwe": "1h"}}}`, `jobTypes.IMPORT: unknown job state "Nwe"`},
		{"ErrUnknownShipping", `{"shipping": {"OVERNIGHT": "1h"}}`, `shipping: unknown shipping option "OVERNIGHT"`},
		{"ErrTwoValues", `{} {}`, "more than one JSON value"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			os.WriteFile(path, []byte(tt.body), 0o600)
			_, err := LoadProfile(path)
			if err == nil {
				t.Fatalf("LoadProfile(%s) accepted it", tt.body)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || !strings.Contains(msg, path) || strings.Contains(msg, "\n") {
				t.Errorf("LoadProfile(%s) = %q; want one line naming the file and %q", tt.body, msg, tt.want)
			}
		})
	}
}
