package main

// How clients find and reach a running server: --ready-file and
// --cors-origins.

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"strings"

	"github.com/frostyhq/frosty/internal/server"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
)

// readyInfo is what --ready-file holds: how to call the server that wrote
// it, so that a script or another language's test fixture waits for the
// file and reads it instead of parsing the banner.
type readyInfo struct {
	URL             string `json:"url"`
	Region          string `json:"region"`
	AccountID       string `json:"accountId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	AdminToken      string `json:"adminToken"`
}

// readyRegion is the region the ready file names; the four US regions
// share one set of resources.
const readyRegion = "us-west-2"

// newReadyInfo describes the server listening on addr. With signatures off
// (no creds) any key works, so it names "test".
func newReadyInfo(addr string, creds []sigv4.Credential, adminToken string) readyInfo {
	info := readyInfo{
		URL: dialURL(addr), Region: readyRegion, AdminToken: adminToken,
		AccountID: snowball.DefaultAccount, AccessKeyID: "test", SecretAccessKey: "test",
	}
	if len(creds) > 0 {
		info.AccountID, info.AccessKeyID, info.SecretAccessKey = creds[0].AccountID, creds[0].AccessKeyID, creds[0].SecretAccessKey
	}
	return info
}

// dialURL is the URL a client on this machine calls the listener at addr
// by, as the banner and the ready file show it: a listener on every
// interface (0.0.0.0, ::, or no host) is reached on loopback.
func dialURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// removeReadyFile removes a ready file left by a server that did not stop
// cleanly, so that it never points at a server that is gone.
func removeReadyFile(path string) error {
	if path == "" {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// originsFlag is --cors-origins, checked as it is set.
type originsFlag []string

func (o *originsFlag) String() string { return strings.Join(*o, ",") }

func (o *originsFlag) Set(s string) error {
	origins, err := server.ParseCORSOrigins(s)
	if err != nil {
		return err
	}
	*o = origins
	return nil
}
