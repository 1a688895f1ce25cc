// The Go example: the client generated from openapi.yaml (package yunxiaoemas, in ./client),
// signed with the acs3 RoundTripper, against the Yunxiao emulator or the real service.
//
//	example READY_JSON    a token call, a signed call, each URL downloaded and its md5 checked
//	example vectors FILE  every vector of signing-vectors.json through package acs3
//
// READY_JSON is a file holding the first line `yunxiao-emas emulator` prints: where it
// listens (base_url), its AccessKeys, tokens and artifacts. The program prints one JSON line
// and exits 0 (all done), 1 (an API error), 2 (usage) or 3 (a download failed or its md5
// differs). On SignatureDoesNotMatch it prints the emulator's canonical request to stderr.
package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	api "github.com/yunxiao-emas/yunxiao-emas-go"
	"github.com/yunxiao-emas/yunxiao-emas/examples/go/acs3"
)

type artifact struct {
	OrganizationID      string `json:"organization_id"`
	PipelineID          int64  `json:"pipeline_id"`
	PipelineRunID       int64  `json:"pipeline_run_id"`
	EmasJobInstanceID   string `json:"emas_job_instance_id"`
	Md5                 string `json:"md5"`
	ServiceConnectionID *int64 `json:"service_connection_id"`
}

type ready struct {
	BaseURL    string              `json:"base_url"`
	AccessKeys map[string]string   `json:"access_keys"`
	StsTokens  map[string][]string `json:"sts_tokens"`
	Tokens     []string            `json:"tokens"`
	Artifacts  []artifact          `json:"artifacts"`
}

// newClient is the generated client aimed at baseURL. Setting cfg.Servers is not enough:
// each path of openapi.yaml names its own server, which the generated code keeps in
// cfg.OperationServers and prefers; left there, a "local" call goes to production.
func newClient(baseURL string, transport http.RoundTripper) *api.PipelineAPIService {
	cfg := api.NewConfiguration()
	cfg.Servers = api.ServerConfigurations{{URL: baseURL}}
	cfg.OperationServers = nil
	cfg.HTTPClient = &http.Client{Transport: transport, Timeout: 60 * time.Second}
	return api.NewAPIClient(cfg).PipelineAPI
}

// tokenTransport sends the personal access token of the token API.
type tokenTransport struct{ token string }

func (t tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("x-yunxiao-token", t.token)
	return http.DefaultTransport.RoundTrip(req)
}

type apiFailure struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

func (f apiFailure) Error() string { return fmt.Sprintf("%d %s: %s", f.Status, f.Code, f.Message) }

// failure reads an error answer: the code from the first of errorCode, Code, code that is a
// non-empty string (the spec's rule), whichever shape the body has.
func failure(err error, response *http.Response) error {
	var apiErr *api.GenericOpenAPIError
	if !errors.As(err, &apiErr) {
		return err
	}
	var body map[string]interface{}
	_ = json.Unmarshal(apiErr.Body(), &body)
	text := func(keys ...string) string {
		for _, key := range keys {
			if value, ok := body[key].(string); ok && value != "" {
				return value
			}
		}
		return ""
	}
	out := apiFailure{
		Code:      text("errorCode", "Code", "code"),
		Message:   text("errorMessage", "Message", "message"),
		RequestID: text("requestId", "RequestId"),
	}
	if response != nil {
		out.Status = response.StatusCode
	}
	// The emulator (never the real gateway) says what it signed: diff it with your own.
	if check, ok := body["EmulatorSignatureCheck"].(map[string]interface{}); ok {
		fmt.Fprintf(os.Stderr, "the emulator's canonical request:\n%v\nits string to sign:\n%v\n",
			check["canonicalRequest"], check["stringToSign"])
	}
	return out
}

// download fetches a pre-signed URL (no credentials) and checks the md5 of what came.
func download(url, wantMd5 string) (string, error) {
	response, err := (&http.Client{Timeout: 60 * time.Second}).Get(url)
	if err != nil {
		return "", err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download answered %s", response.Status)
	}
	hash := md5.New()
	if _, err := io.Copy(hash, response.Body); err != nil {
		return "", err
	}
	got := hex.EncodeToString(hash.Sum(nil))
	if got != wantMd5 {
		return got, fmt.Errorf("md5 %s, want %s", got, wantMd5)
	}
	return got, nil
}

func connectionOf(a artifact) int64 {
	if a.ServiceConnectionID != nil {
		return *a.ServiceConnectionID
	}
	return 1
}

func tokenCall(r ready, a artifact) (string, error) {
	client := newClient(r.BaseURL, tokenTransport{r.Tokens[0]})
	url, response, err := client.GetEmasArtifactDownloadUrl(context.Background(), a.OrganizationID).
		PipelineId(a.PipelineID).PipelineRunId(a.PipelineRunID).EmasJobInstanceId(a.EmasJobInstanceID).
		Md5(a.Md5).ServiceConnectionId(connectionOf(a)).Execute()
	if err != nil {
		return "", failure(err, response)
	}
	// The generated code hands a JSON string answer over still JSON-encoded.
	var decoded string
	if json.Unmarshal([]byte(url), &decoded) == nil {
		url = decoded
	}
	return url, nil
}

func signedCall(r ready, a artifact) (string, error) {
	signer := &acs3.RoundTripper{Action: "GetPipelineEmasArtifactUrl", Version: "2021-06-25"}
	for id, secret := range r.AccessKeys {
		signer.AccessKeyID, signer.AccessKeySecret = id, secret
		break
	}
	if signer.AccessKeyID == "" {
		for id, pair := range r.StsTokens {
			signer.AccessKeyID, signer.AccessKeySecret, signer.SecurityToken = id, pair[0], pair[1]
			break
		}
	}
	client := newClient(r.BaseURL, signer)
	answer, response, err := client.GetPipelineEmasArtifactUrl(context.Background(), a.OrganizationID,
		a.PipelineID, a.PipelineRunID, a.EmasJobInstanceID, a.Md5).
		ServiceConnectionId(connectionOf(a)).Execute()
	if err != nil {
		return "", failure(err, response)
	}
	// A 200 is not always a success: check success.
	if !answer.GetSuccess() {
		return "", apiFailure{200, answer.GetErrorCode(), answer.GetErrorMessage(), answer.GetRequestId()}
	}
	return answer.GetFileUrl(), nil
}

func emit(value interface{}, code int) {
	line, _ := json.Marshal(value)
	fmt.Println(string(line))
	os.Exit(code)
}

func round(path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		emit(map[string]interface{}{"ok": false, "error": err.Error()}, 2)
	}
	var r ready
	if err := json.Unmarshal(raw, &r); err != nil || r.BaseURL == "" || len(r.Artifacts) == 0 {
		emit(map[string]interface{}{"ok": false, "error": fmt.Sprintf("%s is not the emulator's first line with an artifact", path)}, 2)
	}
	a := r.Artifacts[0]
	results := map[string]interface{}{"ok": true}
	calls := []struct {
		name string
		call func(ready, artifact) (string, error)
	}{{"token", tokenCall}, {"signed", signedCall}}
	for _, c := range calls {
		url, err := c.call(r, a)
		var failed apiFailure
		if errors.As(err, &failed) {
			emit(map[string]interface{}{"ok": false, "api": c.name, "status": failed.Status,
				"code": failed.Code, "message": failed.Message, "requestId": failed.RequestID}, 1)
		} else if err != nil {
			emit(map[string]interface{}{"ok": false, "api": c.name, "error": err.Error()}, 1)
		}
		got, err := download(url, a.Md5)
		if err != nil {
			emit(map[string]interface{}{"ok": false, "api": c.name, "download": err.Error()}, 3)
		}
		results[c.name] = map[string]interface{}{"fileUrl": url, "md5": got, "verified": true}
	}
	emit(results, 0)
}

type vector struct {
	Name             string            `json:"name"`
	Method           string            `json:"method"`
	Path             string            `json:"path"`
	Query            [][2]string       `json:"query"`
	Headers          map[string]string `json:"headers"`
	AccessKeyID      string            `json:"accessKeyId"`
	AccessKeySecret  string            `json:"accessKeySecret"`
	CanonicalRequest string            `json:"canonicalRequest"`
	StringToSign     string            `json:"stringToSign"`
	Signature        string            `json:"signature"`
	SignedHeaders    string            `json:"signedHeaders"`
	Authorization    string            `json:"authorization"`
}

func vectors(path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var file struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil || len(file.Vectors) == 0 {
		fmt.Fprintf(os.Stderr, "%s holds no vectors: %v\n", path, err)
		os.Exit(2)
	}
	failed := 0
	for _, v := range file.Vectors {
		parts := acs3.Sign(v.AccessKeySecret, v.Method, v.Path, v.Query, v.Headers)
		got := []string{parts.CanonicalRequest, parts.StringToSign, parts.Signature, parts.SignedHeaders,
			acs3.Authorization(v.AccessKeyID, parts)}
		want := []string{v.CanonicalRequest, v.StringToSign, v.Signature, v.SignedHeaders, v.Authorization}
		for i, what := range []string{"canonical request", "string to sign", "signature", "signed headers", "Authorization"} {
			if got[i] != want[i] {
				failed++
				fmt.Fprintf(os.Stderr, "FAIL %s: %s\n got: %q\nwant: %q\n", v.Name, what, got[i], want[i])
				break
			}
		}
	}
	fmt.Printf("go signer: %d of %d vectors pass\n", len(file.Vectors)-failed, len(file.Vectors))
	if failed > 0 {
		os.Exit(1)
	}
}

func main() {
	switch {
	case len(os.Args) == 2:
		round(os.Args[1])
	case len(os.Args) == 3 && os.Args[1] == "vectors":
		vectors(os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "usage: example READY_JSON | example vectors SIGNING_VECTORS_JSON")
		os.Exit(2)
	}
}
