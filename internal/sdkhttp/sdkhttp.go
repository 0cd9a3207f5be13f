// Package sdkhttp is the HTTP client Frosty's own aws-sdk-go-v2 clients
// use (the SNS sender, and the tests' Snowball clients).
package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
)

// BufferedClient hands net/http a copy of each request body in memory.
// smithy-go closes the body it passed as soon as the response arrives, and
// its closed body answers net/http's last check for bytes beyond
// Content-Length with an error: net/http then closes the connection under
// the response the SDK is reading ("use of closed network connection",
// aws-sdk-go-v2#2737). The SDK's retryer hides it; a client that never
// retries does not, and a message SNS took would be sent again.
type BufferedClient struct {
	*http.Client
}

// Do sends r with its body read into memory.
func (c BufferedClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return c.Client.Do(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return c.Client.Do(r)
}
