package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/frostyhq/frosty/internal/model"
)

// client sends awsJson1.1 requests signed with SigV4 by aws-sdk-go-v2's
// signer, over keep-alive connections. It is not the SDK's Snowball
// client on purpose: the SDK's middleware stack (endpoint resolution,
// retries, serializers, checksums) costs several times what signing does,
// and on a shared 2-core machine every microsecond the load generator
// spends is taken from the server it measures. The same client drives
// Frosty and the ceilings, so what it costs weighs on both alike.
type client struct {
	http   *http.Client
	signer *v4.Signer
	creds  aws.Credentials
	url    string
	region string
	admin  string
}

func newClient(t Target, clients int) *client {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * clients,
		MaxIdleConnsPerHost: 4 * clients, // the default 2 would reconnect most requests
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &client{
		http:   &http.Client{Transport: transport, Timeout: time.Minute},
		signer: v4.NewSigner(),
		creds:  aws.Credentials{AccessKeyID: t.AccessKeyID, SecretAccessKey: t.SecretAccessKey, Source: "frosty bench"},
		url:    strings.TrimSuffix(t.URL, "/"),
		region: t.Region,
		admin:  t.AdminToken,
	}
}

// at returns a client for the same credentials at another URL, on the
// same connections' settings.
func (c *client) at(url string) *client {
	d := *c
	d.url = strings.TrimSuffix(url, "/")
	return &d
}

// close drops the idle connections.
func (c *client) close() { c.http.CloseIdleConnections() }

// response is what a call got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// ok reports a 200, or returns an error that says what came instead.
func (r *response) err(what string) error {
	if r.status == http.StatusOK {
		return nil
	}
	msg := string(r.body)
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return fmt.Errorf("%s: HTTP %d: %s", what, r.status, msg)
}

// call sends the API operation op with the JSON body, signed.
func (c *client) call(ctx context.Context, op string, body []byte) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", model.TargetPrefix+"."+op)
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "snowball", c.region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return c.do(req)
}

// advance moves a job to the state to through the operator API.
func (c *client) advance(ctx context.Context, jobID string, to model.JobState) (*response, error) {
	body := fmt.Appendf(nil, `{"to":%q}`, to)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/_frosty/jobs/"+jobID+"/advance", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.admin)
	return c.do(req)
}

func (c *client) do(req *http.Request) (*response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, nil
}
