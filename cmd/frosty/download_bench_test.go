package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
)

// BenchmarkManifestDownloads measures what 50 concurrent manifest
// downloads cost a running frosty serve: its peak RSS, and how much they
// slow other clients' ListJobs. Each round, on a fresh server, measures
// ListJobs's p99 three times: idle; during 50 downloads that seal the
// manifests (the first downloads); and during the same 50 downloads again,
// now served from the stored files, which is the ceiling: the same
// requests without a seal. It reports the sealing p99 as a ratio of both.
// Two cases: 50 downloads of one URL (one seal), and one download each of
// 50 jobs (50 seals, a bounded number at once).
//
//	go test ./cmd/frosty -run '^$' -bench ManifestDownloads -benchtime 5x
func BenchmarkManifestDownloads(b *testing.B) {
	for _, tc := range []struct {
		name string
		jobs int
	}{{"OneURL", 1}, {"FiftyJobs", 50}} {
		b.Run(tc.name, func(b *testing.B) {
			var vsStored, vsIdle, rss []float64
			for b.Loop() {
				b.StopTimer()
				data := b.TempDir() // a fresh server, so that every round seals anew
				p := startServer(b, data)
				c := p.client()
				urls := manifestURLs(b, p, data, c, tc.jobs)
				b.StartTimer()

				idle := listJobsP99(b, c, 200, nil)
				sealing := listJobsP99(b, c, 200, func() { downloadAll(b, urls, 50) })
				stored := listJobsP99(b, c, 200, func() { downloadAll(b, urls, 50) })
				vsStored = append(vsStored, float64(sealing)/float64(stored))
				vsIdle = append(vsIdle, float64(sealing)/float64(idle))
				rss = append(rss, peakRSSMB(b, p.cmd.Process.Pid))
				b.Logf("ListJobs p99: idle %v, during sealing downloads %v, during stored downloads %v; peak RSS %.1f MB",
					idle, sealing, stored, rss[len(rss)-1])

				b.StopTimer()
				p.cmd.Process.Kill()
				p.cmd.Wait()
				b.StartTimer()
			}
			b.ReportMetric(slices.Max(rss), "peak-RSS-MB")
			b.ReportMetric(median(vsStored), "p99-vs-stored-median")
			b.ReportMetric(slices.Min(vsStored), "p99-vs-stored-min")
			b.ReportMetric(median(vsIdle), "p99-vs-idle-median")
		})
	}
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

// manifestURLs makes n jobs WithCustomer (the first time) and returns 50
// manifest URLs over them, round-robin.
func manifestURLs(tb testing.TB, p *serverProcess, data string, c *snowball.Client, n int) []string {
	tb.Helper()
	out, err := c.ListJobs(tb.Context(), &snowball.ListJobsInput{})
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, j := range out.JobListEntries {
		ids = append(ids, *j.JobId)
	}
	if len(ids) == 0 {
		addr, err := c.CreateAddress(tb.Context(), &snowball.CreateAddressInput{Address: &types.Address{
			Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US")}})
		if err != nil {
			tb.Fatal(err)
		}
		token := adminToken(tb, data)
		for range n {
			j, err := c.CreateJob(tb.Context(), &snowball.CreateJobInput{
				JobType: types.JobTypeImport, SnowballType: types.SnowballTypeEdge, AddressId: addr.AddressId,
				ShippingOption: types.ShippingOptionSecondDay, RoleARN: aws.String("arn:aws:iam::123456789012:role/snowball"),
				Resources: &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::b")}}},
			})
			if err != nil {
				tb.Fatal(err)
			}
			req, _ := http.NewRequest("POST", p.url+"/_frosty/jobs/"+*j.JobId+"/advance", strings.NewReader(`{"to":"WithCustomer"}`))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				tb.Fatalf("advance: %v %v", resp, err)
			}
			resp.Body.Close()
			ids = append(ids, *j.JobId)
		}
	}
	var urls []string
	for i := range 50 {
		m, err := c.GetJobManifest(tb.Context(), &snowball.GetJobManifestInput{JobId: aws.String(ids[i%len(ids)])})
		if err != nil {
			tb.Fatal(err)
		}
		urls = append(urls, *m.ManifestURI)
	}
	return urls
}

func adminToken(tb testing.TB, data string) string {
	b, err := os.ReadFile(filepath.Join(data, secretsFile))
	if err != nil {
		tb.Fatal(err)
	}
	var s secrets
	if err := json.Unmarshal(b, &s); err != nil {
		tb.Fatal(err)
	}
	return s.AdminToken
}

// downloadAll GETs urls with n at a time and checks each is a manifest.
func downloadAll(tb testing.TB, urls []string, n int) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, n)
	for _, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			resp, err := http.Get(u)
			if err != nil {
				tb.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("FROSTYMF")) {
				tb.Errorf("download: HTTP %d, %d bytes", resp.StatusCode, len(body))
			}
		}()
	}
	wg.Wait()
}

// listJobsP99 calls ListJobs n times, one at a time, while during (if
// any) runs alongside, and returns the 99th percentile latency.
func listJobsP99(tb testing.TB, c *snowball.Client, n int, during func()) time.Duration {
	done := make(chan struct{})
	if during != nil {
		go func() { defer close(done); during() }()
	} else {
		close(done)
	}
	var lat []time.Duration
	for i := 0; i < n || (during != nil && !closed(done)); i++ {
		start := time.Now()
		if _, err := c.ListJobs(tb.Context(), &snowball.ListJobsInput{}); err != nil {
			tb.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	<-done
	slices.Sort(lat)
	return lat[len(lat)*99/100]
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// peakRSSMB reads the peak resident set size of process pid.
func peakRSSMB(tb testing.TB, pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				tb.Fatal(err)
			}
			return float64(kb) / 1024
		}
	}
	tb.Fatal("no VmHWM in /proc/pid/status")
	return 0
}
