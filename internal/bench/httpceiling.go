package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/awsjson"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
)

// httpCeiling is the ceiling of the reads: a bare net/http server that
// does what no Snowball server can skip, and nothing else. It reads the
// body, verifies its SigV4 signature with Frosty's own verifier and the
// same credentials, gives the response a request ID as Frosty does, and
// answers the bytes Frosty answered to the same request, with the same
// Content-Type.
//
// Given reads, by operation, it is the floor of the reads instead: before
// it answers, it makes the read Frosty's store makes for the operation,
// on the same store. What Frosty spends beyond the floor is the service's,
// the wire protocol's and the server's; what the floor spends beyond the
// ceiling is the store's.
type httpCeiling struct {
	url string
	srv *http.Server
}

// fixedAnswer is what the ceiling answers to one operation.
type fixedAnswer struct {
	contentType string
	body        []byte
}

// startHTTPCeiling serves answers, by operation, on a loopback listener,
// each after its read if reads has one.
func startHTTPCeiling(keys *sigv4.Keyring, answers map[string]fixedAnswer, reads map[string]func(context.Context) error) (*httpCeiling, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	v := sigv4.Verifier{Keys: keys, Service: "snowball"}
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(awsjson.RequestIDHeader, newRequestID())
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, server.MaxBodyBytes))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if _, _, err := v.Verify(r, body); err != nil {
			var se *sigv4.Error
			code := "InvalidSignatureException"
			if errors.As(err, &se) {
				code = se.Code
			}
			w.Header().Set("Content-Type", awsjson.ContentType)
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": err.Error()})
			return
		}
		name := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), model.TargetPrefix+".")
		a, ok := answers[name]
		if !ok {
			http.Error(w, "no answer for "+r.Header.Get("X-Amz-Target"), http.StatusBadRequest)
			return
		}
		if read := reads[name]; read != nil {
			if err := read(r.Context()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", a.contentType)
		w.WriteHeader(http.StatusOK)
		w.Write(a.body)
	}
	srv := &http.Server{Handler: http.HandlerFunc(h), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return &httpCeiling{url: "http://" + ln.Addr().String(), srv: srv}, nil
}

func (c *httpCeiling) close() { c.srv.Close() }

// serveReads starts an httpCeiling of answers (a floor, given reads) and
// returns a client like c of it, and what closes both.
func serveReads(c *client, keys *sigv4.Keyring, answers map[string]fixedAnswer, reads map[string]func(context.Context) error) (*client, func(), error) {
	h, err := startHTTPCeiling(keys, answers, reads)
	if err != nil {
		return nil, nil, err
	}
	hc := c.at(h.url)
	return hc, func() { hc.close(); h.close() }, nil
}

// newRequestID is a request ID as Frosty makes one: a random UUID.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// storeReads are the reads Frosty's store makes for DescribeJob of jobID
// and for a page of 100 of ListJobs, each in a View of its own, as the
// service makes them.
func storeReads(ctx context.Context, store snowball.Store, jobID string) (map[string]func(context.Context) error, error) {
	var owner snowball.Owner
	err := store.View(ctx, func(tx snowball.Tx) error {
		j, err := tx.Job(ctx, jobID)
		if err == nil {
			owner = j.Owner
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return map[string]func(context.Context) error{
		DescribeJob: func(ctx context.Context) error {
			return store.View(ctx, func(tx snowball.Tx) error {
				_, err := tx.Job(ctx, jobID)
				return err
			})
		},
		ListJobs: func(ctx context.Context) error {
			return store.View(ctx, func(tx snowball.Tx) error {
				// A page of 100 reads 101, to know whether there is a next.
				_, err := tx.JobEntries(ctx, snowball.JobFilter{Owner: &owner}, snowball.Page{Limit: 101})
				return err
			})
		},
	}, nil
}
