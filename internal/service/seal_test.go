package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/manifest"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

var testOwner = snowball.Owner{Account: "111122223333", Partition: "us"}

// fakePresigner hands out URLs nobody verifies; these tests call Download
// directly.
type fakePresigner struct{}

func (fakePresigner) Presign(region, bucket, key string, expires time.Duration) (string, error) {
	return "https://frosty.test/" + bucket + "/" + key, nil
}

// mustOpenStore opens the SQLite store in the file at path, closed when
// the test ends.
func mustOpenStore(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// sealCounter counts the seals OnSeal reports.
type sealCounter struct {
	n    atomic.Int64
	last atomic.Int64 // the last seal's duration
}

func (c *sealCounter) onSeal(d time.Duration) {
	c.n.Add(1)
	c.last.Store(int64(d))
}

// mustService returns a Service over store on a fake clock, with a new
// seal counter as its OnSeal.
func mustService(store snowball.Store, cfg Config) (*Service, *sealCounter) {
	c := &sealCounter{}
	cfg.OnSeal = c.onSeal
	clock := snowball.NewFakeClock(time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC))
	return New(store, clock, fakePresigner{}, []byte("test-token-key"), cfg), c
}

// mustJob creates an EDGE import job and, unless to is New, advances it
// to state to; it returns the job as stored.
func mustJob(tb testing.TB, s *Service, to model.JobState) *snowball.Job {
	tb.Helper()
	ctx := WithOwner(tb.Context(), testOwner)
	addr, err := s.CreateAddress(ctx, &model.CreateAddressRequest{Address: &model.Address{
		Name: model.Ptr("Frosty Tester"), Street1: model.Ptr("123 Main Street"), City: model.Ptr("Seattle"),
		StateOrProvince: model.Ptr("WA"), Country: model.Ptr("US"), PostalCode: model.Ptr("98101"),
		PhoneNumber: model.Ptr("425-555-5555"),
	}})
	if err != nil {
		tb.Fatalf("CreateAddress: %v", err)
	}
	out, err := s.CreateJob(ctx, &model.CreateJobRequest{
		JobType:        model.Ptr(model.JobTypeImport),
		SnowballType:   model.Ptr(model.SnowballTypeEdge),
		AddressId:      addr.AddressId,
		ShippingOption: model.Ptr(model.ShippingOptionSecondDay),
		RoleARN:        model.Ptr("arn:aws:iam::111122223333:role/snowball-import-S3-role"),
		KmsKeyARN:      model.Ptr("arn:aws:kms:us-west-2:111122223333:key/abcd1234-12ab-34cd-56ef-123456123456"),
		Resources:      &model.JobResource{S3Resources: []model.S3Resource{{BucketArn: model.Ptr("arn:aws:s3:::frosty-bucket")}}},
	})
	if err != nil {
		tb.Fatalf("CreateJob: %v", err)
	}
	if to == model.JobStateNew {
		var j *snowball.Job
		err := s.store.View(tb.Context(), func(tx snowball.Tx) (err error) {
			j, err = tx.Job(tb.Context(), *out.JobId)
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
		return j
	}
	j, err := s.AdvanceJob(tb.Context(), *out.JobId, to)
	if err != nil {
		tb.Fatalf("AdvanceJob to %s: %v", to, err)
	}
	return j
}

func manifestKey(j *snowball.Job) string { return j.ID + "_manifest.bin" }

func mustDownloadManifest(tb testing.TB, s *Service, j *snowball.Job) []byte {
	tb.Helper()
	body, err := downloadManifest(tb.Context(), s, j)
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// downloadManifest is mustDownloadManifest for another goroutine than the
// test's.
func downloadManifest(ctx context.Context, s *Service, j *snowball.Job) ([]byte, error) {
	obj, err := s.Download(ctx, ManifestBucket, manifestKey(j))
	if err != nil {
		return nil, fmt.Errorf("Download of the manifest of %s: %w", j.ID, err)
	}
	return obj.Body, nil
}

// goDownload downloads j's manifest in a new goroutine into *body,
// failing t on an error.
func goDownload(t *testing.T, wg *sync.WaitGroup, s *Service, j *snowball.Job, body *[]byte) {
	wg.Go(func() {
		b, err := downloadManifest(t.Context(), s, j)
		if err != nil {
			t.Error(err)
		}
		*body = b
	})
}

// mustOpenManifest checks that body is j's manifest, sealed under its
// unlock code.
func mustOpenManifest(tb testing.TB, body []byte, j *snowball.Job) {
	tb.Helper()
	doc, err := manifest.Open(body, j.UnlockCode)
	if err != nil {
		tb.Fatalf("manifest.Open with the job's unlock code: %v", err)
	}
	if doc.JobID != j.ID || doc.SnowballID != j.SnowballID || doc.SnowballID == "" {
		tb.Errorf("manifest of job %s, Snowball %q; want job %s, Snowball %q", doc.JobID, doc.SnowballID, j.ID, j.SnowballID)
	}
}

func mustStoredManifest(tb testing.TB, s *Service, jobID string) []byte {
	tb.Helper()
	b, err := s.storedManifest(tb.Context(), jobID)
	if err != nil {
		tb.Fatalf("the stored manifest of %s: %v", jobID, err)
	}
	return b
}

// TestDownloadManifestSealedOnce has 50 clients download one manifest at
// once: they share one seal and get the same file, the one stored.
func TestDownloadManifestSealedOnce(t *testing.T) {
	store := mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db"))
	s, seals := mustService(store, Config{})
	j := mustJob(t, s, model.JobStateWithCustomer)

	const clients = 50
	bodies := make([][]byte, clients)
	var wg sync.WaitGroup
	for i := range clients {
		goDownload(t, &wg, s, j, &bodies[i])
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if n := seals.n.Load(); n != 1 {
		t.Errorf("%d downloads sealed %d times, want once", clients, n)
	}
	if d := time.Duration(seals.last.Load()); d <= 0 {
		t.Errorf("OnSeal reported a seal of %v", d)
	} else {
		t.Logf("the seal took %v", d)
	}
	for i, b := range bodies {
		if !bytes.Equal(b, bodies[0]) {
			t.Fatalf("download %d is not the same file as download 0", i)
		}
	}
	if !bytes.Equal(mustStoredManifest(t, s, j.ID), bodies[0]) {
		t.Errorf("the downloads are not the stored file")
	}
	mustOpenManifest(t, bodies[0], j)

	if b := mustDownloadManifest(t, s, j); !bytes.Equal(b, bodies[0]) || seals.n.Load() != 1 {
		t.Errorf("a later download: same file %v, seals %d; want the same file and no new seal", bytes.Equal(b, bodies[0]), seals.n.Load())
	}
}

// TestDownloadManifestNewService reads the manifest through a new Service
// over a second handle on the same file, as after a restart or on another
// replica: the same bytes, no seal.
func TestDownloadManifestNewService(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	s1, _ := mustService(mustOpenStore(t, path), Config{})
	j := mustJob(t, s1, model.JobStateWithCustomer)
	want := mustDownloadManifest(t, s1, j)

	s2, seals := mustService(mustOpenStore(t, path), Config{})
	if got := mustDownloadManifest(t, s2, j); !bytes.Equal(got, want) {
		t.Errorf("the new Service serves a different file")
	}
	if n := seals.n.Load(); n != 0 {
		t.Errorf("the new Service sealed %d times, want none", n)
	}
}

// TestDownloadManifestLosesRace has another process store the job's
// manifest while this one seals it: this one serves the stored file, not
// its own.
func TestDownloadManifestLosesRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	s, _ := mustService(mustOpenStore(t, path), Config{})
	j := mustJob(t, s, model.JobStateWithCustomer)

	other, _ := mustService(mustOpenStore(t, path), Config{})
	theirs, err := other.sealManifest(j)
	if err != nil {
		t.Fatal(err)
	}
	s.seal = func(j *snowball.Job) ([]byte, error) {
		err := other.store.Update(t.Context(), func(tx snowball.Tx) error {
			return tx.InsertSealedManifest(t.Context(), j.ID, theirs)
		})
		if err != nil {
			t.Errorf("the other process's insert: %v", err)
		}
		return fakeSeal(j)
	}
	if got := mustDownloadManifest(t, s, j); !bytes.Equal(got, theirs) {
		t.Errorf("the download is not the file the other process stored")
	}
	if got := mustDownloadManifest(t, s, j); !bytes.Equal(got, theirs) {
		t.Errorf("the second download is not the file the other process stored")
	}
	mustOpenManifest(t, theirs, j)
}

// TestSealsBounded downloads the manifests of 10 jobs at once: no more
// than MaxConcurrentSeals (2 here) seals run at a time. Each seal is
// held until the test lets it go, so that all the others that could start
// have started.
func TestSealsBounded(t *testing.T) {
	store := mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db"))
	s, seals := mustService(store, Config{MaxConcurrentSeals: 2})
	var jobs []*snowball.Job
	for range 10 {
		jobs = append(jobs, mustJob(t, s, model.JobStateWithCustomer))
	}

	var mu sync.Mutex
	var running, most int
	started, release := make(chan string, len(jobs)), make(chan struct{})
	s.seal = func(j *snowball.Job) ([]byte, error) {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		defer func() {
			mu.Lock()
			running--
			mu.Unlock()
		}()
		started <- j.ID
		<-release
		return fakeSeal(j)
	}

	bodies := make([][]byte, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		goDownload(t, &wg, s, j, &bodies[i])
	}
	// Two start, and only then is one let go; then one more start for
	// each let go.
	<-started
	<-started
	for i := range jobs {
		release <- struct{}{}
		if i < len(jobs)-2 {
			<-started
		}
	}
	wg.Wait()
	if most != 2 {
		t.Errorf("at most %d seals ran at once, want 2", most)
	}
	if n := seals.n.Load(); n != int64(len(jobs)) {
		t.Errorf("%d seals for %d jobs", n, len(jobs))
	}
	for i, j := range jobs {
		want, _ := fakeSeal(j)
		if !bytes.Equal(bodies[i], want) || !bytes.Equal(mustStoredManifest(t, s, j.ID), want) {
			t.Errorf("job %d: the download or the stored file is not the job's", i)
		}
	}
}

// fakeSeal stands for sealManifest where scrypt would only slow a test.
func fakeSeal(j *snowball.Job) ([]byte, error) { return []byte("sealed manifest of " + j.ID), nil }

// TestDownloadCanceledWhileQueued gives up a download waiting for the one
// seal slot: it returns at once with its context's error, and the seal it
// waited for is dropped.
func TestDownloadCanceledWhileQueued(t *testing.T) {
	store := mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db"))
	s, seals := mustService(store, Config{MaxConcurrentSeals: 1})
	a, b := mustJob(t, s, model.JobStateWithCustomer), mustJob(t, s, model.JobStateWithCustomer)

	started, release := make(chan struct{}), make(chan struct{})
	s.seal = func(j *snowball.Job) ([]byte, error) {
		if j.ID == a.ID {
			close(started)
			<-release
		}
		return fakeSeal(j)
	}
	var wg sync.WaitGroup
	var bodyA []byte
	goDownload(t, &wg, s, a, &bodyA)
	<-started // a holds the only slot

	ctx, cancel := context.WithCancel(t.Context())
	errB := make(chan error)
	go func() {
		_, err := s.Download(ctx, ManifestBucket, manifestKey(b))
		errB <- err
	}()
	for !s.waitingForSeal(b.ID) {
		runtime.Gosched()
	}
	cancel()
	select {
	case err := <-errB:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("canceled download: error = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a canceled download still waits for the seal slot")
	}

	close(release)
	wg.Wait()
	for j, got := range map[*snowball.Job][]byte{a: bodyA, b: mustDownloadManifest(t, s, b)} {
		if want, _ := fakeSeal(j); !bytes.Equal(got, want) {
			t.Errorf("the manifest of %s is %q, want %q", j.ID, got, want)
		}
	}
	if n := seals.n.Load(); n != 2 {
		t.Errorf("%d seals, want 2: the canceled download's seal must not run", n)
	}
}

// waitingForSeal reports whether a download waits for a seal of jobID.
func (s *Service) waitingForSeal(jobID string) bool {
	s.seals.mu.Lock()
	defer s.seals.mu.Unlock()
	f := s.seals.flights[jobID]
	return f != nil && f.waiters > 0
}

// TestManifestNotStoredBeforeFixed downloads the manifest of a New job,
// whose settings may still change: it is sealed for each download and not
// stored.
func TestManifestNotStoredBeforeFixed(t *testing.T) {
	store := mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db"))
	s, seals := mustService(store, Config{})
	j := mustJob(t, s, model.JobStateNew)
	body := mustDownloadManifest(t, s, j)
	if _, err := manifest.Open(body, j.UnlockCode); err != nil {
		t.Fatal(err)
	}
	mustDownloadManifest(t, s, j)
	if n := seals.n.Load(); n != 2 {
		t.Errorf("%d seals for 2 downloads of a New job's manifest, want 2", n)
	}
	if _, err := s.storedManifest(t.Context(), j.ID); !snowball.IsNotFound(err) {
		t.Errorf("the stored manifest of a New job: error = %v, want NotFound", err)
	}
}
