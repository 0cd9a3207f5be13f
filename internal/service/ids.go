package service

import (
	"fmt"
	"io"
)

// newID returns prefix followed by a random (version 4) UUID in lowercase,
// the form the model's ID patterns require.
func newID(r io.Reader, prefix string) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%s%x-%x-%x-%x-%x", prefix, b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// randomString returns n characters of alphabet drawn from r without bias.
func randomString(r io.Reader, alphabet string, n int) (string, error) {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	var buf [1]byte
	for len(out) < n {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("random string: %w", err)
		}
		if int(buf[0]) < limit {
			out = append(out, alphabet[int(buf[0])%len(alphabet)])
		}
	}
	return string(out), nil
}

const (
	digits       = "0123456789"
	upperAlnum   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	secretLetter = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/"
)

// trackingNumber is a UPS-style tracking number: 1Z and 16 alphanumerics.
func trackingNumber(r io.Reader) (string, error) {
	s, err := randomString(r, upperAlnum, 16)
	return "1Z" + s, err
}
