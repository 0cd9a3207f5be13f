package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/lifecycle"
	"github.com/frostyhq/frosty/internal/postgres/pgtest"
	"github.com/frostyhq/frosty/internal/sdkhttp"
)

const (
	// replicaCount is how many `frosty serve` share the store.
	replicaCount = 3
	// journeyTimeScale makes a real-world day last 0.5 s (the default
	// profile): an import job with SECOND_DAY shipping dwells 11 days and
	// an hour on its path, so it is Complete about 6 s after it was
	// created, plus the customer's turn; the longest, an export job of two
	// parts shipped SECOND_DAY, about 9 s.
	journeyTimeScale = "172800"
	// journeyDowntime is how long the killed replica stays down.
	journeyDowntime = time.Second
	// replicaPollEvery is how often the test looks at the replicas.
	replicaPollEvery = 50 * time.Millisecond
)

// TestReplicas runs three `frosty serve` over one PostgreSQL schema, as a
// service behind a load balancer would, and checks that they act as one:
// what one issues (keys, tokens, URLs, faults, clock moves) the others
// honour, and the timed lifecycle moves every job through its path exactly
// once, announcing each transition, while a replica is killed and
// restarted mid-journey. Each subtest has a schema of its own, so that
// the clock moves of Shared do not disturb the journey.
func TestReplicas(t *testing.T) {
	pgtest.ServerURL(t) // skips, saying why, without a server
	t.Run("Shared", testReplicasShared)
	t.Run("Journey", testReplicasJourney)
}

// testReplicasShared checks, one quick check each, that what one replica
// issues another honours.
func testReplicasShared(t *testing.T) {
	// The default time scale: no job reaches WithCustomer by itself (35 s
	// with STANDARD shipping) before the operator moves it there.
	set := startReplicas(t, pgtest.MustSchema(t))
	a, b, c := set.rs[0], set.rs[1], set.rs[2]
	ctx := t.Context()

	t.Run("ReadyFiles", func(t *testing.T) {
		for _, r := range set.rs[1:] {
			if diff := diffReady(a.ready, r.ready); diff != "" {
				t.Errorf("replica %s's ready file differs from A's but for the URL (-A +%s):\n%s", r.name, r.name, diff)
			}
		}
	})

	// Every client below signs with A's credentials.
	t.Run("Credentials", func(t *testing.T) {
		addr, err := a.sb.CreateAddress(ctx, &snowball.CreateAddressInput{Address: &types.Address{
			Street1: aws.String("1 Replica Way"), City: aws.String("Seattle"), Country: aws.String("US")}})
		if err != nil {
			t.Fatalf("CreateAddress on A: %v", err)
		}
		for _, r := range set.rs {
			out, err := r.sb.DescribeAddress(ctx, &snowball.DescribeAddressInput{AddressId: addr.AddressId})
			if err != nil {
				t.Errorf("DescribeAddress on %s with A's credentials: %v", r.name, err)
			} else if got := aws.ToString(out.Address.Street1); got != "1 Replica Way" {
				t.Errorf("DescribeAddress on %s: Street1 %q, want the one written through A", r.name, got)
			}
		}
	})

	addr, err := b.sb.CreateAddress(ctx, &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("2 Replica Way"), City: aws.String("Seattle"), Country: aws.String("US")}})
	if err != nil {
		t.Fatalf("CreateAddress on B: %v", err)
	}
	var ids []string
	for i := range 4 {
		r := set.rs[i%len(set.rs)]
		out, err := r.sb.CreateJob(ctx, &snowball.CreateJobInput{
			JobType: types.JobTypeImport, AddressId: addr.AddressId, ShippingOption: types.ShippingOptionStandard,
			SnowballType: types.SnowballTypeEdge,
			Resources:    &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::replicas")}}},
		})
		if err != nil {
			t.Fatalf("CreateJob on %s: %v", r.name, err)
		}
		ids = append(ids, aws.ToString(out.JobId))
	}

	t.Run("NextToken", func(t *testing.T) {
		// One listing, a job a page, each page asked of the next replica
		// with the token the one before gave.
		var listed []string
		var token *string
		for i := 0; ; i++ {
			r, prev := set.rs[i%len(set.rs)], set.rs[(i+len(set.rs)-1)%len(set.rs)]
			out, err := r.sb.ListJobs(ctx, &snowball.ListJobsInput{MaxResults: aws.Int32(1), NextToken: token})
			if err != nil {
				t.Fatalf("ListJobs page %d on %s with the NextToken from %s: %v", i+1, r.name, prev.name, err)
			}
			for _, e := range out.JobListEntries {
				listed = append(listed, aws.ToString(e.JobId))
			}
			if token = out.NextToken; token == nil {
				break
			}
			if i > 2*len(ids) {
				t.Fatalf("ListJobs: still a NextToken after %d pages of one job", i+1)
			}
		}
		if diff := cmp.Diff(ids, listed); diff != "" {
			t.Errorf("the jobs listed a page per replica differ from those created (-created +listed):\n%s", diff)
		}
	})

	t.Run("AdminToken", func(t *testing.T) {
		var adv struct{ JobState string }
		status, err := set.operator(c, a.ready.AdminToken, http.MethodPost, "/_frosty/jobs/"+ids[0]+"/advance", map[string]string{"to": "WithCustomer"}, &adv)
		if err != nil || status != http.StatusOK || adv.JobState != "WithCustomer" {
			t.Fatalf("advance %s to WithCustomer on C with A's admin token: HTTP %d, %+v, %v; want 200 and WithCustomer", ids[0], status, adv, err)
		}
		if status, err := set.operator(c, "not-"+a.ready.AdminToken, http.MethodGet, "/_frosty/clock", nil, nil); err != nil || status != http.StatusUnauthorized {
			t.Errorf("GET /_frosty/clock on C with a wrong token: HTTP %d, %v; want 401", status, err)
		}
	})

	t.Run("PresignedURL", func(t *testing.T) {
		m, err := a.sb.GetJobManifest(ctx, &snowball.GetJobManifestInput{JobId: &ids[0]})
		if err != nil {
			t.Fatalf("GetJobManifest on A: %v", err)
		}
		signed, err := url.Parse(aws.ToString(m.ManifestURI))
		if err != nil {
			t.Fatal(err)
		}
		if want := hostOf(t, a.proc.url); signed.Host != want {
			t.Fatalf("A presigned %s, want a URL on A's host %s", signed, want)
		}
		fromA, status := set.download(t, signed, "")
		if status != http.StatusOK || len(fromA) == 0 {
			t.Fatalf("manifest from A itself: HTTP %d, %d bytes", status, len(fromA))
		}
		// B gets the request as a load balancer passes it on: the Host A
		// signed, sent to B's address. B must know A's download key.
		fromB, status := set.download(t, signed, hostOf(t, b.proc.url))
		if status != http.StatusOK || !bytes.Equal(fromA, fromB) {
			t.Errorf("A's presigned manifest URL downloaded from B: HTTP %d, %d bytes (%q...); want 200 and the %d bytes A serves",
				status, len(fromB), fromB[:min(len(fromB), 200)], len(fromA))
		}
		// And B does check it: the 200 above is not one it gives anyone.
		forged := *signed
		q := forged.Query()
		sig := q.Get("X-Amz-Signature")
		q.Set("X-Amz-Signature", strings.Repeat("0", len(sig)))
		forged.RawQuery = q.Encode()
		if _, status := set.download(t, &forged, hostOf(t, b.proc.url)); status != http.StatusForbidden {
			t.Errorf("a forged signature on B: HTTP %d, want 403", status)
		}
	})

	t.Run("Faults", func(t *testing.T) {
		var f struct {
			ID string `json:"id"`
		}
		status, err := set.operator(a, a.ready.AdminToken, http.MethodPost, "/_frosty/faults",
			map[string]string{"operation": "GetSnowballUsage", "error": "ThrottlingException"}, &f)
		if err != nil || status != http.StatusCreated || f.ID == "" {
			t.Fatalf("add a fault on A: HTTP %d, %+v, %v", status, f, err)
		}
		for _, r := range []*replicaProc{b, c} {
			took := waitFor(t, 5*time.Second, "GetSnowballUsage on "+r.name+" to raise the fault added on A", func() (bool, string) {
				_, err := r.sb.GetSnowballUsage(ctx, &snowball.GetSnowballUsageInput{})
				return isCode(err, "ThrottlingException"), fmt.Sprintf("GetSnowballUsage: %v", err)
			})
			t.Logf("the fault added on A hit on %s after %v", r.name, took.Round(time.Millisecond))
		}
		if status, err := set.operator(b, a.ready.AdminToken, http.MethodDelete, "/_frosty/faults/"+f.ID, nil, nil); err != nil || status != http.StatusNoContent {
			t.Fatalf("delete A's fault on B: HTTP %d, %v; want 204", status, err)
		}
		waitFor(t, 5*time.Second, "GetSnowballUsage on C to succeed once B deleted the fault", func() (bool, string) {
			_, err := c.sb.GetSnowballUsage(ctx, &snowball.GetSnowballUsageInput{})
			return err == nil, fmt.Sprintf("GetSnowballUsage: %v", err)
		})
	})

	t.Run("Clock", func(t *testing.T) {
		var moved clockAnswer
		if status, err := set.operator(a, a.ready.AdminToken, http.MethodPost, "/_frosty/clock", map[string]string{"advance": "1d"}, &moved); err != nil || status != http.StatusOK {
			t.Fatalf("advance the clock 1d on A: HTTP %d, %v", status, err)
		}
		if off, err := time.ParseDuration(moved.Offset); err != nil || off < 24*time.Hour {
			t.Fatalf("after advancing 1d A's clock is %+v, want an offset of at least 24h", moved)
		}
		for _, r := range []*replicaProc{b, c} {
			took := waitFor(t, 3*time.Second, r.name+"'s clock to follow A's advance of 1d", func() (bool, string) {
				var got clockAnswer
				status, err := set.operator(r, a.ready.AdminToken, http.MethodGet, "/_frosty/clock", nil, &got)
				off, perr := time.ParseDuration(got.Offset)
				return err == nil && status == http.StatusOK && perr == nil && off >= 24*time.Hour,
					fmt.Sprintf("GET /_frosty/clock: HTTP %d %+v %v", status, got, err)
			})
			t.Logf("%s saw A's clock move after %v", r.name, took.Round(time.Millisecond))
		}
	})
}

// clockAnswer is the operator API's clock.
type clockAnswer struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
	Offset string    `json:"offset"`
}

// journeyJob is a job of the journey and what the test expects of it.
type journeyJob struct {
	id, kind string
	// notify reports whether entering a state is announced.
	notify func(state string) bool
	// path is the states the job enters, once each, in order.
	path []string
	// returned is set once the test sent the device back.
	returned bool
}

// The job paths, written out here rather than read from the code under
// test (internal/snowball/states.go).
var (
	importPath = []string{"New", "PreparingAppliance", "PreparingShipment", "InTransitToCustomer", "WithCustomer",
		"InTransitToAWS", "WithAWSSortingFacility", "WithAWS", "InProgress", "Complete"}
	localUsePath = []string{"New", "PreparingAppliance", "PreparingShipment", "InTransitToCustomer", "WithCustomer",
		"InTransitToAWS", "WithAWSSortingFacility", "WithAWS", "Complete"}
	exportMasterPath = []string{"New", "Listing", "Pending", "Complete"}
	// exportPartPath is that of every part but the first, which is created
	// New.
	exportPartPath = []string{"Pending", "New", "PreparingAppliance", "InProgress", "PreparingShipment", "InTransitToCustomer",
		"WithCustomer", "InTransitToAWS", "WithAWSSortingFacility", "WithAWS", "Complete"}
)

// testReplicasJourney sends jobs through their whole path on three
// replicas, the customer's moves made on any of them, and kills one with
// SIGKILL mid-journey: every job enters each state of its path exactly
// once, in order, and every transition that should be announced reaches
// the webhook, again only where a kill cut a delivery short.
func testReplicasJourney(t *testing.T) {
	hook := &webhookLog{}
	receiver := httptest.NewServer(hook)
	t.Cleanup(receiver.Close) // after the replicas are killed: cleanups run last first
	const exportParts = 2
	set := startReplicas(t, pgtest.MustSchema(t), "--time-scale", journeyTimeScale, "--webhook", receiver.URL,
		"--export-parts", fmt.Sprint(exportParts))
	ctx := t.Context()

	addr, err := set.rs[0].sb.CreateAddress(ctx, &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("3 Replica Way"), City: aws.String("Seattle"), Country: aws.String("US")}})
	if err != nil {
		t.Fatalf("CreateAddress: %v", err)
	}
	all := func(string) bool { return true }
	allImportStates := make([]types.JobState, len(importPath))
	for i, s := range importPath {
		allImportStates[i] = types.JobState(s)
	}
	shipping := []types.ShippingOption{types.ShippingOptionSecondDay, types.ShippingOptionNextDay, types.ShippingOptionExpress}
	jobs := map[string]*journeyJob{}
	var order, masters []string
	start := time.Now()
	for i := range 30 {
		r := set.rs[i%len(set.rs)]
		in := &snowball.CreateJobInput{
			AddressId: addr.AddressId, ShippingOption: shipping[(i+i/6)%len(shipping)], SnowballType: types.SnowballTypeEdge,
			Description: aws.String(fmt.Sprintf("journey %d via %s", i, r.name)),
		}
		j := &journeyJob{notify: all}
		switch i % 6 {
		case 0, 1, 2, 3: // IMPORT, asking for every state one way or the other
			j.kind, j.path = "IMPORT", importPath
			in.JobType = types.JobTypeImport
			in.Resources = &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::journey")}}}
			in.Notification = &types.Notification{NotifyAll: true}
			if i%2 == 1 {
				in.Notification = &types.Notification{JobStatesToNotify: allImportStates}
			}
		case 4: // LOCAL_USE, asking for two states only
			j.kind, j.path = "LOCAL_USE", localUsePath
			in.JobType = types.JobTypeLocalUse
			in.Notification = &types.Notification{JobStatesToNotify: []types.JobState{types.JobStateWithCustomer, types.JobStateComplete}}
			j.notify = func(s string) bool { return s == "WithCustomer" || s == "Complete" }
		case 5: // EXPORT: its parts, found later, inherit NotifyAll
			j.kind, j.path = "EXPORT", exportMasterPath
			in.JobType = types.JobTypeExport
			in.Resources = &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::journey")}}}
			in.Notification = &types.Notification{NotifyAll: true}
		}
		out, err := r.sb.CreateJob(ctx, in)
		if err != nil {
			t.Fatalf("CreateJob %d (%s) on %s: %v", i, j.kind, r.name, err)
		}
		j.id = aws.ToString(out.JobId)
		jobs[j.id] = j
		order = append(order, j.id)
		if j.kind == "EXPORT" {
			masters = append(masters, j.id)
		}
	}
	t.Logf("created %d jobs round-robin on %d replicas in %v", len(jobs), len(set.rs), time.Since(start).Round(time.Millisecond))

	// Drive the journey: send back each device that reaches the customer,
	// through the next replica up; kill the busiest replica once a third
	// of the devices went back, and start it again after a while.
	devices := len(jobs) - len(masters) + len(masters)*exportParts
	var (
		victim   *replicaProc
		killAt   time.Time
		returned int
	)
	deadline := start.Add(lifecycle.DefaultLease + time.Minute)
	tick := time.NewTicker(replicaPollEvery)
	defer tick.Stop()
	for {
		entries := set.listJobs(ctx)
		complete := 0
		for _, e := range entries {
			id := aws.ToString(e.JobId)
			j := jobs[id]
			if j == nil && e.JobType == types.JobTypeExport && !e.IsMaster {
				j = &journeyJob{id: id, kind: "EXPORT part", notify: all} // its path is known once its master lists it
				jobs[id] = j
				order = append(order, id)
			}
			if j == nil {
				t.Fatalf("ListJobs lists %s (%s %s), a job the test did not create", id, e.JobType, e.JobState)
			}
			if e.JobState == types.JobStateComplete {
				complete++
			}
			if e.JobState != types.JobStateWithCustomer || j.returned {
				continue
			}
			r := set.nextUp()
			if _, err := r.sb.UpdateJobShipmentState(ctx, &snowball.UpdateJobShipmentStateInput{JobId: &id, ShipmentState: types.ShipmentStateReturned}); err != nil {
				t.Fatalf("UpdateJobShipmentState %s (%s) RETURNED on %s: %v", id, j.kind, r.name, err)
			}
			j.returned = true
			returned++
		}
		switch {
		case victim == nil && returned >= devices/3:
			// The webhook keeps its answers until every replica waits for
			// one (a dispatcher sends one message at a time), so that the
			// kill cuts a delivery short: the receiver took the message,
			// the killed replica never recorded so, and another replica
			// must send it again once the claim lapses, which takes
			// lifecycle.DefaultMessageLease. -short leaves that out.
			held := "-short: no delivery held"
			if !testing.Short() {
				hook.hold()
				held = "the webhook held a delivery of every replica"
				if !pollUntil(5*time.Second, func() bool { return hook.waiting() >= len(set.rs) }) {
					held = fmt.Sprintf("only %d replicas were delivering, after 5 s", hook.waiting())
				}
			}
			victim = set.busiest()
			n := victim.timerTransitions()
			victim.kill(t)
			killAt = time.Now()
			if !testing.Short() {
				pollUntil(5*time.Second, func() bool { return len(hook.cutOff()) > 0 })
				hook.release()
			}
			t.Logf("%v in: killed %s with SIGKILL (it had applied %d timed transitions; %d of %d jobs Complete, %d of %d devices returned; %s)",
				time.Since(start).Round(time.Millisecond), victim.name, n, complete, len(jobs), returned, devices, held)
		case victim != nil && victim.down && time.Since(killAt) >= journeyDowntime:
			set.start(victim)
			t.Logf("%v in: %s serves again at %s", time.Since(start).Round(time.Millisecond), victim.name, victim.proc.url)
		}
		if victim != nil && !victim.down && len(entries) == devices+len(masters) && complete == len(entries) {
			break
		}
		if time.Now().After(deadline) {
			var late []string
			for _, e := range entries {
				if e.JobState != types.JobStateComplete {
					late = append(late, fmt.Sprintf("%s (%s) is %s", aws.ToString(e.JobId), jobs[aws.ToString(e.JobId)].kind, e.JobState))
				}
			}
			t.Fatalf("%v after they were created, %d of %d jobs are not Complete (claims of a killed replica last %v):\n%s",
				time.Since(start).Round(time.Millisecond), len(late), len(entries), lifecycle.DefaultLease, problemList(late, 20))
		}
		<-tick.C
	}
	t.Logf("all %d jobs Complete %v after they were created", len(jobs), time.Since(start).Round(time.Millisecond))

	// The parts' paths: each master lists its parts in order, the first
	// created New, the others Pending.
	for _, id := range masters {
		out, err := set.nextUp().sb.DescribeJob(ctx, &snowball.DescribeJobInput{JobId: &id})
		if err != nil {
			t.Fatalf("DescribeJob %s: %v", id, err)
		}
		if len(out.SubJobMetadata) != exportParts {
			t.Fatalf("export job %s has %d parts, want %d", id, len(out.SubJobMetadata), exportParts)
		}
		for i, p := range out.SubJobMetadata {
			j := jobs[aws.ToString(p.JobId)]
			if j == nil || j.kind != "EXPORT part" {
				t.Fatalf("export job %s lists part %s, which ListJobs did not show as a part", id, aws.ToString(p.JobId))
			}
			j.path = exportPartPath
			if i == 0 {
				j.path = exportPartPath[1:]
			}
		}
	}

	// Each job entered each state of its path once, in order; the events
	// say which transitions to announce.
	var problems []string
	timelines := 0 // path problems shown with their events
	want := map[announcement]bool{}
	for _, id := range order {
		j := jobs[id]
		r := set.nextUp()
		var evs struct {
			Events []struct {
				At    time.Time `json:"at"`
				From  string    `json:"from"`
				To    string    `json:"to"`
				Cause string    `json:"cause"`
			} `json:"events"`
		}
		if status, err := set.operator(r, r.ready.AdminToken, http.MethodGet, "/_frosty/jobs/"+id+"/events", nil, &evs); err != nil || status != http.StatusOK {
			t.Fatalf("events of %s on %s: HTTP %d, %v", id, r.name, status, err)
		}
		var entered, timeline []string
		for i, e := range evs.Events {
			entered = append(entered, e.To)
			timeline = append(timeline, fmt.Sprintf("%s %s→%s %s", e.At.Format("15:04:05.000"), e.From, e.To, e.Cause))
			prev := ""
			if i > 0 {
				prev = evs.Events[i-1].To
				if e.At.Before(evs.Events[i-1].At) {
					problems = append(problems, fmt.Sprintf("%s (%s): entered %s at %v, before it entered %s at %v", id, j.kind, e.To, e.At, prev, evs.Events[i-1].At))
				}
			}
			if e.From != prev {
				problems = append(problems, fmt.Sprintf("%s (%s): event %d is %q→%q, want it to leave %q", id, j.kind, i+1, e.From, e.To, prev))
			}
			if e.To == "InTransitToAWS" && e.Cause != "customer" {
				problems = append(problems, fmt.Sprintf("%s (%s): entered InTransitToAWS by %s, want by the customer's RETURNED", id, j.kind, e.Cause))
			}
			if j.notify(e.To) {
				want[announcement{id, e.From, e.To}] = true
			}
		}
		if !slices.Equal(entered, j.path) {
			p := fmt.Sprintf("%s (%s): entered %v, want %v, each once and in order", id, j.kind, entered, j.path)
			if timelines++; timelines <= 3 {
				p += "; its events:\n    " + strings.Join(timeline, "\n    ")
			}
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		t.Errorf("%d problems in the jobs' events:\n%s", len(problems), problemList(problems, 20))
	}

	resent := wantAnnounced(t, hook, want, killAt, 1)
	for _, r := range set.rs {
		var runs []string
		for i, l := range r.logs {
			runs = append(runs, fmt.Sprintf("run %d applied %d timed transitions and delivered %d notifications",
				i+1, countLines(l, "msg=transition", "cause=timer"), countLines(l, `msg="notification delivered"`)))
		}
		t.Logf("replica %s: %s", r.name, strings.Join(runs, "; "))
	}
	t.Logf("%d jobs (%d devices), %d events to announce, %d deliveries, %d of them repeats; journey checked %v after the jobs were created",
		len(jobs), devices, len(want), len(hook.all()), resent, time.Since(start).Round(time.Millisecond))
}

// wantAnnounced checks the webhook's deliveries against want, the
// transitions to announce, once every one was delivered (the receiver
// answered it) or the killed replica's claims lapsed: nothing else was
// announced, each transition under one message ID, and a message went out
// again only where a kill cut its delivery short. It returns how many
// deliveries were repeats.
func wantAnnounced(t *testing.T, hook *webhookLog, want map[announcement]bool, killAt time.Time, kills int) (resent int) {
	t.Helper()
	// Every transition to announce is delivered: the receiver answered
	// it. A message whose delivery the kill cut short waits out its claim
	// before another replica sends it.
	msgDeadline := killAt.Add(lifecycle.DefaultMessageLease + 15*time.Second)
	if d := time.Now().Add(15 * time.Second); d.After(msgDeadline) {
		msgDeadline = d
	}
	var missing []string
	for {
		missing = missing[:0]
		got := hook.announcements()
		for a := range want {
			if len(got[a]) == 0 {
				missing = append(missing, fmt.Sprintf("%s %q→%s", a.jobID, a.from, a.to))
			}
		}
		if len(missing) == 0 || time.Now().After(msgDeadline) {
			break
		}
		time.Sleep(replicaPollEvery)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("%d of %d transitions to announce never reached the webhook by %v after the kill:\n%s",
			len(missing), len(want), time.Since(killAt).Round(time.Millisecond), problemList(missing, 20))
	}

	// Nothing else was announced, each transition under one message ID,
	// and again only where the kill cut a delivery short.
	deliveries := hook.all()
	for _, d := range hook.cutOff() {
		again := slices.IndexFunc(deliveries, func(e delivery) bool { return e.id == d.id && e.answered })
		if again < 0 {
			t.Errorf("message %s (%s %q→%s), whose delivery the kill cut short, was never delivered again", d.id, d.jobID, d.from, d.to)
			continue
		}
		t.Logf("message %s (%s %q→%s): the kill cut its delivery short; it was delivered again %v later",
			d.id, d.jobID, d.from, d.to, deliveries[again].at.Sub(d.at).Round(time.Millisecond))
	}
	byID := map[string][]delivery{}
	ids := map[announcement]map[string]bool{}
	var extra []string
	for _, d := range deliveries {
		a := d.announcement
		byID[d.id] = append(byID[d.id], d)
		if ids[a] == nil {
			ids[a] = map[string]bool{}
		}
		ids[a][d.id] = true
		if !want[a] {
			extra = append(extra, fmt.Sprintf("%s (message %s): %q→%s", a.jobID, d.id, a.from, a.to))
		}
	}
	if len(extra) > 0 {
		t.Errorf("%d deliveries announce a transition that is not one to announce (not asked for, or never made):\n%s", len(extra), problemList(extra, 20))
	}
	for a, msgIDs := range ids {
		if len(msgIDs) > 1 {
			t.Errorf("%s %q→%s was announced under %d message IDs %v, want one", a.jobID, a.from, a.to, len(msgIDs), slices.Sorted(maps.Keys(msgIDs)))
		}
	}
	var again []string
	resent = 0
	for id, ds := range byID {
		if len(ds) > 1 {
			again = append(again, fmt.Sprintf("%s (%s %q→%s) %d times", id, ds[0].jobID, ds[0].from, ds[0].to, len(ds)))
			resent += len(ds) - 1
		}
		for _, d := range ds[1:] {
			if d.announcement != ds[0].announcement {
				t.Errorf("message %s carried %+v, then %+v", id, ds[0].announcement, d.announcement)
			}
		}
	}
	slices.Sort(again)
	for _, s := range again {
		t.Logf("delivered more than once: %s", s)
	}
	if resent > kills {
		t.Errorf("%d deliveries were repeats (of %d messages), but only %d replica was killed: at most one message per kill may go out twice:\n%s",
			resent, len(again), kills, strings.Join(again, "\n"))
	}
	return resent
}

// announcement is a transition as a notification names it.
type announcement struct{ jobID, from, to string }

// delivery is one notification the webhook took.
type delivery struct {
	id string // X-Frosty-Message-Id
	announcement
	at time.Time
	// answered is false for a delivery whose sender went away while the
	// webhook held its answer: the receiver took the message, the sender
	// never learnt so.
	answered bool
}

// webhookLog is a webhook receiver that records every notification and
// answers 200, at once or, while it holds, when released.
type webhookLog struct {
	mu      sync.Mutex
	got     []delivery
	held    chan struct{} // non-nil while it holds its answers
	waiters int           // requests waiting for an answer
}

func (l *webhookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var n struct {
		JobID            string `json:"JobId"`
		JobState         string `json:"JobState"`
		PreviousJobState string `json:"PreviousJobState"`
	}
	if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	d := delivery{id: r.Header.Get("X-Frosty-Message-Id"), announcement: announcement{n.JobID, n.PreviousJobState, n.JobState},
		at: time.Now(), answered: true}
	l.mu.Lock()
	held := l.held
	if held != nil {
		l.waiters++
	}
	l.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done(): // the sender went away
			d.answered = false
		}
	}
	l.mu.Lock()
	if held != nil {
		l.waiters--
	}
	l.got = append(l.got, d)
	l.mu.Unlock()
}

// hold makes the webhook keep its answers until release.
func (l *webhookLog) hold() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = make(chan struct{})
}

func (l *webhookLog) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.held)
	l.held = nil
}

// waiting returns how many requests wait for their answer.
func (l *webhookLog) waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waiters
}

func (l *webhookLog) all() []delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

// cutOff returns the deliveries whose sender went away before the answer.
func (l *webhookLog) cutOff() []delivery {
	return slices.DeleteFunc(l.all(), func(d delivery) bool { return d.answered })
}

// announcements returns the message IDs each transition was delivered
// under, in answered deliveries.
func (l *webhookLog) announcements() map[announcement][]string {
	out := map[announcement][]string{}
	for _, d := range l.all() {
		if d.answered {
			out[d.announcement] = append(out[d.announcement], d.id)
		}
	}
	return out
}

// replicaProc is one replica: a `frosty serve` over the shared store with
// a data directory of its own, which the test may kill and start again.
type replicaProc struct {
	name string
	data string
	args []string // serve's flags but --data and --ready-file

	proc  *serverProcess
	ready readyInfo
	sb    *snowball.Client // signs with the replica set's one key pair
	down  bool
	// starts counts the runs; logs holds each run's stderr.
	starts int
	logs   []*syncBuffer
}

// timerTransitions counts the transitions of the timed lifecycle the
// replica applied, over all its runs, from its log.
func (r *replicaProc) timerTransitions() int {
	n := 0
	for _, l := range r.logs {
		n += countLines(l, "msg=transition", "cause=timer")
	}
	return n
}

// countLines counts the lines of a log that hold every one of subs.
func countLines(log *syncBuffer, subs ...string) int {
	n := 0
	for line := range strings.Lines(log.String()) {
		if !slices.ContainsFunc(subs, func(s string) bool { return !strings.Contains(line, s) }) {
			n++
		}
	}
	return n
}

// logTail returns the last n lines of a replica's log but the requests
// that succeeded, most of them the test's own polls.
func logTail(log *syncBuffer, n int) string {
	var lines []string
	for line := range strings.Lines(log.String()) {
		if !strings.Contains(line, "msg=request") || !strings.Contains(line, " status=200 ") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

// kill stops the replica with SIGKILL.
func (r *replicaProc) kill(t *testing.T) {
	t.Helper()
	if err := r.proc.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill %s: %v", r.name, err)
	}
	r.proc.cmd.Wait()
	r.down = true
}

// replicaSet is the replicas of one store.
type replicaSet struct {
	t    *testing.T
	rs   []*replicaProc
	next int // of the round robin
	http *http.Client
	// first is A's first ready file: every client signs with its key pair.
	first readyInfo
}

// startReplicas starts replicaCount servers over store with the timed
// lifecycle and the flags extra, one after the other, each with a data
// directory of its own. If the test fails, the tail of each one's stderr
// is logged.
func startReplicas(t *testing.T, store string, extra ...string) *replicaSet {
	t.Helper()
	s := &replicaSet{t: t, http: &http.Client{Timeout: 10 * time.Second}}
	for i := range replicaCount {
		r := &replicaProc{
			name: string(rune('A' + i)), data: t.TempDir(),
			args: append([]string{"--store", store, "--lifecycle", "timed"}, extra...),
		}
		s.rs = append(s.rs, r)
		s.start(r)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, r := range s.rs {
			for i, l := range r.logs {
				t.Logf("replica %s, run %d of %d: stderr, last 40 lines but the requests that succeeded:\n%s", r.name, i+1, len(r.logs), logTail(l, 40))
			}
		}
	})
	return s
}

// start starts r, or starts it again on its data directory, and waits for
// its ready file.
func (s *replicaSet) start(r *replicaProc) {
	t := s.t
	t.Helper()
	r.starts++
	readyFile := filepath.Join(r.data, fmt.Sprintf("ready-%d.json", r.starts))
	r.proc = startServer(t, r.data, append(slices.Clone(r.args), "--ready-file", readyFile)...)
	r.logs = append(r.logs, r.proc.stderr)
	r.ready = mustReadReady(t, readyFile)
	r.down = false
	if s.first.URL == "" {
		s.first = r.ready
	} else if diff := diffReady(s.first, r.ready); r.starts > 1 && diff != "" {
		t.Errorf("%s, started again, has a ready file that differs from A's first but for the URL (-A +%s):\n%s", r.name, r.name, diff)
	}
	r.sb = snowball.New(snowball.Options{
		BaseEndpoint: aws.String(r.proc.url),
		Region:       r.ready.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(s.first.AccessKeyID, s.first.SecretAccessKey, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkhttp.BufferedClient{Client: s.http},
	})
}

// nextUp returns the next replica that is up, round-robin.
func (s *replicaSet) nextUp() *replicaProc {
	for range s.rs {
		r := s.rs[s.next%len(s.rs)]
		s.next++
		if !r.down {
			return r
		}
	}
	s.t.Fatal("no replica is up")
	return nil
}

// busiest returns the replica up that applied the most timed transitions:
// the one most likely to hold claims when it is killed.
func (s *replicaSet) busiest() *replicaProc {
	var best *replicaProc
	for _, r := range s.rs {
		if !r.down && (best == nil || r.timerTransitions() > best.timerTransitions()) {
			best = r
		}
	}
	return best
}

// listJobs lists every job, page by page, on the next replica up.
func (s *replicaSet) listJobs(ctx context.Context) []types.JobListEntry {
	r := s.nextUp()
	var out []types.JobListEntry
	for pages := snowball.NewListJobsPaginator(r.sb, &snowball.ListJobsInput{}); pages.HasMorePages(); {
		page, err := pages.NextPage(ctx)
		if err != nil {
			s.t.Fatalf("ListJobs on %s: %v", r.name, err)
		}
		out = append(out, page.JobListEntries...)
	}
	return out
}

// operator calls r's operator API with token, sending body (nil: none) as
// JSON and decoding the answer into out (nil: discarded). It returns the
// HTTP status.
func (s *replicaSet) operator(r *replicaProc, token, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(s.t.Context(), method, r.proc.url+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s on %s: %w", method, path, r.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s on %s: %w: %s", method, path, r.name, err, b)
		}
	}
	if resp.StatusCode/100 != 2 && out != nil {
		return resp.StatusCode, fmt.Errorf("%s %s on %s: HTTP %d: %s", method, path, r.name, resp.StatusCode, b)
	}
	return resp.StatusCode, nil
}

// download GETs a presigned URL, at the host dial if given, with the Host
// header the URL names, as a load balancer in front of the replicas would
// pass it on.
func (s *replicaSet) download(t *testing.T, u *url.URL, dial string) ([]byte, int) {
	t.Helper()
	target := *u
	if dial != "" {
		target.Host = dial
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = u.Host
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatalf("GET %s (Host %s): %v", target.Redacted(), u.Host, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, resp.StatusCode
}

// diffReady compares two ready files but for their URLs.
func diffReady(a, b readyInfo) string {
	a.URL, b.URL = "", ""
	return cmp.Diff(a, b)
}

func hostOf(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// pollUntil polls cond until it holds, for at most d, and reports whether
// it came to hold.
func pollUntil(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); !cond(); {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// waitFor polls cond until it holds and returns how long that took; after
// d it fails t with what cond last saw.
func waitFor(t *testing.T, d time.Duration, what string, cond func() (ok bool, seen string)) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		ok, seen := cond()
		if ok {
			return time.Since(start)
		}
		if time.Since(start) > d {
			t.Fatalf("waited %v for %s; last saw %s", d, what, seen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
