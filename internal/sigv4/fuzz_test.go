package sigv4

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"

	"github.com/frostyhq/frosty/internal/fuzzcorpus"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the seed corpora under testdata/fuzz")

// presignedNow is when FuzzVerifyPresigned verifies: inside every
// original's lifetime.
var presignedNow = t0.Add(time.Minute)

// presignedOriginals are the URLs signed for FuzzVerifyPresigned, by our
// Presign and by aws-sdk-go, with paths and queries that exercise escaping.
// They are the only URLs the fuzz target may see accepted.
func presignedOriginals(tb testing.TB) []*url.URL {
	tb.Helper()
	var raw []string
	for _, s := range []struct {
		url  string
		cred Credential
	}{
		{objectURL, alice},
		{"http://frosty.example", alice},
		{"https://frosty.example/k?X-Amz-Security-Token=tok%2Fen", alice},
		{"https://frosty.example/b/caf%C3%A9/a%3Bb%2Fc?v=a%3Bb%25c+d&pct=100%25&empty=", alice},
		{"https://frosty.example/bucket/manifests/JID123%20v1.bin?versionId=7", bob},
	} {
		u, err := Presign(s.url, s.cred, "us-west-2", "s3", t0, time.Hour)
		if err != nil {
			tb.Fatalf("Presign(%s): %v", s.url, err)
		}
		raw = append(raw, u)
	}
	req, err := http.NewRequest(http.MethodGet, "https://frosty.example:8443/bucket/dir/JID123%20v1.bin?versionId=7&partNumber=2", nil)
	if err != nil {
		tb.Fatal(err)
	}
	s := v4.NewSigner(credentials.NewStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
		func(s *v4.Signer) { s.DisableURIPathEscaping = true })
	if _, err := s.Presign(req, nil, "s3", "us-west-2", 15*time.Minute, t0); err != nil {
		tb.Fatalf("sdk presign: %v", err)
	}
	raw = append(raw, req.URL.String())

	urls := make([]*url.URL, len(raw))
	for i, r := range raw {
		if urls[i], err = url.Parse(r); err != nil {
			tb.Fatal(err)
		}
	}
	return urls
}

// presignedArgs splits u into FuzzVerifyPresigned's arguments: the path as
// sent on the request line, the raw query and the host.
func presignedArgs(u *url.URL) (path, rawQuery, host string) {
	return sentPath(u), u.RawQuery, u.Host
}

// sentPath is u's path as a request line carries it.
func sentPath(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// presignedSeeds is the checked-in corpus of FuzzVerifyPresigned: every
// original, and a few near misses of each kind VerifyPresigned rejects.
func presignedSeeds(tb testing.TB) map[string][]any {
	tb.Helper()
	orig := presignedOriginals(tb)
	seeds := map[string][]any{}
	for i, u := range orig {
		p, q, h := presignedArgs(u)
		seeds[fmt.Sprintf("valid-%d", i)] = []any{p, q, h}
	}
	with := func(u *url.URL, edit func(path, query, host string) (string, string, string)) []any {
		p, q, h := edit(sentPath(u), u.RawQuery, u.Host)
		return []any{p, q, h}
	}
	obj, odd := orig[0], orig[3]
	seeds["tampered-signature"] = with(obj, func(p, q, h string) (string, string, string) {
		return p, q[:len(q)-1] + "0", h
	})
	seeds["tampered-path"] = with(obj, func(p, q, h string) (string, string, string) {
		return strings.Replace(p, "JID123", "JID124", 1), q, h
	})
	seeds["tampered-host"] = with(obj, func(p, q, h string) (string, string, string) {
		return p, q, "FROSTY.example:8443"
	})
	seeds["other-service"] = with(obj, func(p, q, h string) (string, string, string) {
		return p, strings.Replace(q, "%2Fs3%2F", "%2Fdynamodb%2F", 1), h
	})
	seeds["duplicate-signature"] = with(obj, func(p, q, h string) (string, string, string) {
		return p, q + "&X-Amz-Signature=00", h
	})
	// "100%25" decodes to "100%"; sent raw, "100%" is no escape at all and
	// must not pass for it.
	seeds["malformed-escape"] = with(odd, func(p, q, h string) (string, string, string) {
		return p, strings.Replace(q, "pct=100%25", "pct=100%", 1), h
	})
	// Spelling a byte differently is the same URL to SigV4 and to S3.
	seeds["respelled-query"] = with(odd, func(p, q, h string) (string, string, string) {
		return p, strings.NewReplacer("%3B", ";", "%2F", "%2f").Replace(q), h
	})
	seeds["garbage"] = []any{"/%zz/\x00", "X-Amz-Credential=%&&=&X-Amz-Expires=-1&X-Amz-Date=\xff", ""}
	seeds["empty"] = []any{"", "", ""}
	return seeds
}

// FuzzVerifyPresigned checks that no path, query or host makes
// VerifyPresigned panic or fail with anything but an *Error, and that it
// accepts only the URLs that were signed: the same host and path, and a
// query with the same parameters once decoded, which is all SigV4's
// canonical form keeps.
func FuzzVerifyPresigned(f *testing.F) {
	orig := presignedOriginals(f)
	keys := testKeyring(f, alice, bob)
	for _, u := range orig {
		// A stale original would leave the target nothing to accept.
		p, q, h := presignedArgs(u)
		if _, err := VerifyPresigned(presignedRequest(p, q, h), keys, "s3", presignedNow); err != nil {
			f.Fatalf("original %s: %v", u, err)
		}
	}
	f.Fuzz(func(t *testing.T, path, rawQuery, host string) {
		r := presignedRequest(path, rawQuery, host)
		_, err := VerifyPresigned(r, keys, "s3", presignedNow)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, want *Error", err, err)
			}
			return
		}
		got, ok := decodedQuery(rawQuery)
		if !ok {
			t.Fatalf("accepted a query that does not decode: %q", rawQuery)
		}
		for _, o := range orig {
			want, _ := decodedQuery(o.RawQuery)
			if r.Host == o.Host && sentPath(r.URL) == sentPath(o) && slices.Equal(got, want) {
				return
			}
		}
		t.Fatalf("accepted path %q query %q host %q, which was never signed", sentPath(r.URL), rawQuery, host)
	})
}

// presignedRequest is a GET as net/http hands it to the download handler;
// a path the request line could not carry is used unparsed, which only
// makes the target's job harder.
func presignedRequest(path, rawQuery, host string) *http.Request {
	u, err := url.ParseRequestURI(path)
	if err != nil {
		u = &url.URL{Path: path}
	}
	u.RawQuery = rawQuery
	return &http.Request{Method: http.MethodGet, URL: u, Host: host, Header: http.Header{}}
}

// decodedQuery is the query's parameters decoded and sorted, without the
// package's own helpers: what a query means, however it is spelled. It
// reports false if any escape is malformed.
func decodedQuery(raw string) ([][2]string, bool) {
	var pairs [][2]string
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		pairs = append(pairs, [2]string{dk, dv})
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	return pairs, true
}

func TestVerifyPresignedCorpus(t *testing.T) {
	fuzzcorpus.Check(t, "FuzzVerifyPresigned", presignedSeeds(t), *updateCorpus)
}
