package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/xml"
)

func constantTimeEqual(a, b string) bool {
	return b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func xmlEscape(b *bytes.Buffer, s string) { xml.EscapeText(b, []byte(s)) }
