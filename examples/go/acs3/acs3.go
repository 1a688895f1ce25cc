// Package acs3 signs requests with Alibaba Cloud request signature V3 (ACS3-HMAC-SHA256), the
// authentication of GetPipelineEmasArtifactUrl (API version 2021-06-25), as an
// http.RoundTripper for the Go client generated from openapi.yaml.
//
// Each step is a small function named for what it builds, in the order of the public V3
// documentation, like yunxiao_emas/auth/acs3.py and examples/typescript/src/acs3.ts:
// PercentEncode, CanonicalURI, CanonicalQuery, CanonicalHeaders, CanonicalRequest,
// StringToSign, Signature. signing-vectors.json pins them (`example vectors FILE`).
package acs3

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Algorithm is the signature method, the first word of the Authorization header.
const Algorithm = "ACS3-HMAC-SHA256"

// DateFormat is the layout of x-acs-date: UTC, to the second (yyyy-MM-ddTHH:mm:ssZ).
const DateFormat = "2006-01-02T15:04:05Z"

func unreserved(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
		b == '-' || b == '_' || b == '.' || b == '~'
}

func encodeBytes(data []byte) string {
	var out strings.Builder
	for _, b := range data {
		if unreserved(b) {
			out.WriteByte(b)
		} else {
			fmt.Fprintf(&out, "%%%02X", b)
		}
	}
	return out.String()
}

// PercentEncode is RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay; space is %20, never +.
func PercentEncode(value string) string {
	return encodeBytes([]byte(value))
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// segmentBytes decodes the %XX escapes of one path segment (a malformed escape stays as it
// is). Unlike url.PathUnescape it never fails, and unlike url.QueryUnescape it keeps + as +.
func segmentBytes(segment string) []byte {
	out := make([]byte, 0, len(segment))
	for i := 0; i < len(segment); i++ {
		if segment[i] == '%' && i+2 < len(segment) {
			hi, ok1 := hexValue(segment[i+1])
			lo, ok2 := hexValue(segment[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, segment[i])
	}
	return out
}

// CanonicalURI is the canonical URI of a path as it goes on the wire (req.URL.EscapedPath()):
// each segment decoded and encoded again per RFC 3986, so %2F stays inside its segment and the
// result does not depend on which characters the sender left bare.
func CanonicalURI(rawPath string) string {
	if rawPath == "" {
		return "/"
	}
	segments := strings.Split(rawPath, "/")
	for i, segment := range segments {
		segments[i] = encodeBytes(segmentBytes(segment))
	}
	return strings.Join(segments, "/")
}

// CanonicalQuery encodes the decoded parameters per RFC 3986, sorts them by name then value
// (byte order) and joins them with &. Repeated names are all kept.
func CanonicalQuery(params [][2]string) string {
	encoded := make([]string, 0, len(params))
	pairs := make([][2]string, 0, len(params))
	for _, p := range params {
		pairs = append(pairs, [2]string{PercentEncode(p[0]), PercentEncode(p[1])})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	for _, p := range pairs {
		encoded = append(encoded, p[0]+"="+p[1])
	}
	return strings.Join(encoded, "&")
}

// CanonicalHeaders gives "name:value\n" for each signed header (names lower-case and sorted,
// values trimmed) and the signed header names joined by ";".
func CanonicalHeaders(headers map[string]string) (canonical, signed string) {
	lowered := map[string]string{}
	for name, value := range headers {
		lowered[strings.ToLower(name)] = strings.TrimSpace(value)
	}
	names := make([]string, 0, len(lowered))
	for name := range lowered {
		names = append(names, name)
	}
	sort.Strings(names)
	var out strings.Builder
	for _, name := range names {
		out.WriteString(name + ":" + lowered[name] + "\n")
	}
	return out.String(), strings.Join(names, ";")
}

// Parts are every intermediate of one signature, for checks and debugging.
type Parts struct {
	CanonicalRequest string
	StringToSign     string
	Signature        string
	SignedHeaders    string
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// StringToSign is the algorithm and the hex SHA-256 of the canonical request.
func StringToSign(canonicalRequest string) string {
	return Algorithm + "\n" + sha256Hex([]byte(canonicalRequest))
}

// Signature is the hex HMAC-SHA256 of the string to sign, keyed with the AccessKey secret.
func Signature(secret, toSign string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(toSign))
	return hex.EncodeToString(mac.Sum(nil))
}

// Sign signs a request described as data: rawPath as sent, query decoded, headers exactly
// the ones to sign (their x-acs-content-sha256 is the payload hash).
func Sign(secret, method, rawPath string, query [][2]string, headers map[string]string) Parts {
	canonicalHeaders, signed := CanonicalHeaders(headers)
	payloadHash := ""
	for name, value := range headers {
		if strings.EqualFold(name, "x-acs-content-sha256") {
			payloadHash = value
		}
	}
	canonical := strings.Join([]string{
		strings.ToUpper(method), CanonicalURI(rawPath), CanonicalQuery(query),
		canonicalHeaders, signed, payloadHash,
	}, "\n")
	toSign := StringToSign(canonical)
	return Parts{canonical, toSign, Signature(secret, toSign), signed}
}

// Authorization is the value of the Authorization header.
func Authorization(accessKeyID string, parts Parts) string {
	return fmt.Sprintf("%s Credential=%s,SignedHeaders=%s,Signature=%s",
		Algorithm, accessKeyID, parts.SignedHeaders, parts.Signature)
}

// RoundTripper signs every request it sends. The generated client never sends x-acs-action
// and x-acs-version (they are vendor extensions of the spec): the RoundTripper adds them.
type RoundTripper struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string // with STS credentials; sent and signed as x-acs-security-token
	Action, Version string
	Base            http.RoundTripper // http.DefaultTransport when nil
	Now             func() time.Time  // the clock (tests fix it)
	Nonce           func() string     // a new random value per attempt (tests fix it)
}

func randomNonce() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// RoundTrip signs a copy of req (new date and nonce on every attempt) and sends it.
func (t *RoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	body := []byte{}
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	signed := req.Clone(req.Context())
	signed.Body = io.NopCloser(bytes.NewReader(body))
	signed.ContentLength = int64(len(body))
	now, nonce := time.Now, randomNonce
	if t.Now != nil {
		now = t.Now
	}
	if t.Nonce != nil {
		nonce = t.Nonce
	}
	h := signed.Header
	h.Del("Authorization")
	h.Set("x-acs-action", t.Action)
	h.Set("x-acs-version", t.Version)
	h.Set("x-acs-date", now().UTC().Format(DateFormat))
	h.Set("x-acs-signature-nonce", nonce())
	h.Set("x-acs-content-sha256", sha256Hex(body))
	if t.SecurityToken != "" {
		h.Set("x-acs-security-token", t.SecurityToken)
		h.Set("x-acs-accesskey-id", t.AccessKeyID)
	}
	// host as Go sends it: the URL's host, port included when the URL has one.
	host := signed.Host
	if host == "" {
		host = signed.URL.Host
	}
	toSign := map[string]string{"host": host}
	for name, values := range h {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-acs-") || (lower == "content-type" && len(body) > 0) {
			toSign[lower] = strings.Join(values, ",")
		}
	}
	var query [][2]string
	for name, values := range signed.URL.Query() {
		for _, value := range values {
			query = append(query, [2]string{name, value})
		}
	}
	parts := Sign(t.AccessKeySecret, signed.Method, signed.URL.EscapedPath(), query, toSign)
	h.Set("Authorization", Authorization(t.AccessKeyID, parts))
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(signed)
}
