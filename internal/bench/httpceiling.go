package bench

import (
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
)

// httpCeiling is the ceiling of the reads: a bare net/http server that
// does what no Snowball server can skip, and nothing else. It reads the
// body, verifies its SigV4 signature with Frosty's own verifier and the
// same credentials, gives the response a request ID as Frosty does, and
// answers the bytes Frosty answered to the same request, with the same
// Content-Type.
type httpCeiling struct {
	url string
	srv *http.Server
}

// fixedAnswer is what the ceiling answers to one operation.
type fixedAnswer struct {
	contentType string
	body        []byte
}

// startHTTPCeiling serves answers, by operation, on a loopback listener.
func startHTTPCeiling(keys *sigv4.Keyring, answers map[string]fixedAnswer) (*httpCeiling, error) {
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
		a, ok := answers[strings.TrimPrefix(r.Header.Get("X-Amz-Target"), model.TargetPrefix+".")]
		if !ok {
			http.Error(w, "no answer for "+r.Header.Get("X-Amz-Target"), http.StatusBadRequest)
			return
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

// newRequestID is a request ID as Frosty makes one: a random UUID.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
