// Feeds every answer of cases.json (scripts/interop_cases.py) to the Go client generated from
// openapi.yaml, through its API service and an http.RoundTripper that returns the canned
// answer, and checks what the client read: the URL of a 200, the code of an error (the model
// the generated code decoded for that status, read by the spec's rule, and held in the typed
// field of the shape it chose: a service error as ServiceError, the gateway's as GatewayError).
//
// Usage: decode CASES_JSON   (built by scripts/check-go inside the generated module)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	api "github.com/yunxiao-emas/yunxiao-emas-go"
)

type testCase struct {
	Name        string `json:"name"`
	Operation   string `json:"operation"`
	API         string `json:"api"`
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
	Expect      struct {
		Code      *string                `json:"code"`
		URL       *string                `json:"url"`
		Success   *bool                  `json:"success"`
		FileURL   *string                `json:"fileUrl"`
		ErrorCode *string                `json:"errorCode"`
		Fields    map[string]interface{} `json:"fields"`
	} `json:"expect"`
}

type canned testCase

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: c.Status,
		Status:     fmt.Sprintf("%d %s", c.Status, http.StatusText(c.Status)),
		Header:     http.Header{"Content-Type": {c.ContentType}},
		Body:       io.NopCloser(strings.NewReader(c.Body)),
		Request:    r,
	}, nil
}

// fields is what a decoded model holds: its properties and its additional properties.
func fields(model interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	if raw, err := json.Marshal(model); err == nil {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// codeOf applies the spec's rule: the first of errorCode, Code, code that is a non-empty string.
func codeOf(model interface{}) string {
	held := fields(model)
	for _, key := range []string{"errorCode", "Code", "code"} {
		if value, ok := held[key].(string); ok && value != "" {
			return value
		}
	}
	return ""
}

// alternative is the one shape the generated anyOf decoder kept (it stops at the first match).
func alternative(e api.ErrorResponse) interface{} {
	switch {
	case e.GatewayError != nil:
		return e.GatewayError
	case e.GatewayErrorLowerCase != nil:
		return e.GatewayErrorLowerCase
	case e.ServiceError != nil:
		return e.ServiceError
	}
	return nil
}

// generic decodes JSON with numbers kept exact (int64 ids beyond float64's precision).
func generic(raw []byte) (interface{}, error) {
	decoder := json.NewDecoder(strings.NewReader(string(raw)))
	decoder.UseNumber()
	var value interface{}
	err := decoder.Decode(&value)
	return value, err
}

// at is the value at a dotted path ("stages.0.stageInfo.jobs.0.params") of a generic value.
func at(value interface{}, path string) (interface{}, bool) {
	for _, part := range strings.Split(path, ".") {
		switch v := value.(type) {
		case map[string]interface{}:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			value = next
		case []interface{}:
			var index int
			if _, err := fmt.Sscanf(part, "%d", &index); err != nil || index < 0 || index >= len(v) {
				return nil, false
			}
			value = v[index]
		default:
			return nil, false
		}
	}
	return value, true
}

// fieldsProblem compares the fields of a decoded model (written back as JSON by the generated
// code) with the expected ones; "" when they agree.
func fieldsProblem(model interface{}, want map[string]interface{}) string {
	raw, err := json.Marshal(model)
	if err != nil {
		return fmt.Sprintf("cannot write the model back as JSON: %v", err)
	}
	held, err := generic(raw)
	if err != nil {
		return fmt.Sprintf("cannot read the model's JSON: %v", err)
	}
	for path, expected := range want {
		got, ok := at(held, path)
		if !ok {
			return fmt.Sprintf("no %s in %s", path, raw)
		}
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(expected)
		if string(gotJSON) != string(wantJSON) {
			return fmt.Sprintf("read %s = %s, not %s", path, gotJSON, wantJSON)
		}
	}
	return ""
}

// typedCode is the code in the typed field of the shape the decoder kept: ServiceError's
// errorCode, GatewayError's Code, GatewayErrorLowerCase's code.
func typedCode(e api.ErrorResponse) string {
	switch {
	case e.GatewayError != nil:
		return e.GatewayError.GetCode()
	case e.GatewayErrorLowerCase != nil:
		return e.GatewayErrorLowerCase.GetCode()
	case e.ServiceError != nil:
		return e.ServiceError.GetErrorCode()
	}
	return ""
}

// finding calls one of the operations that find the ids, returning what the client decoded.
func finding(ctx context.Context, client *api.PipelineAPIService, operation string) (interface{}, error) {
	const org = "5ebbc0228123212b59xxxxx"
	switch operation {
	case "GetPipelineRun":
		answer, _, err := client.GetPipelineRun(ctx, org, 1111, 1).Execute()
		return answer, err
	case "GetPipelineRunByToken":
		answer, _, err := client.GetPipelineRunByToken(ctx, org, 1111, 1).Execute()
		return answer, err
	case "GetLatestPipelineRunByToken":
		answer, _, err := client.GetLatestPipelineRunByToken(ctx, org, 1111).Execute()
		return answer, err
	case "ListPipelineRuns":
		answer, _, err := client.ListPipelineRuns(ctx, org, 1111).MaxResults(30).Status("SUCCESS").Execute()
		return answer, err
	case "ListPipelineRunsByToken":
		answer, _, err := client.ListPipelineRunsByToken(ctx, org, 1111).Page(1).PerPage(30).Execute()
		return answer, err
	case "ListServiceConnections":
		answer, _, err := client.ListServiceConnections(ctx, org).SericeConnectionType("emas").Execute()
		return answer, err
	case "ListServiceConnectionsByToken":
		answer, _, err := client.ListServiceConnectionsByToken(ctx, org).SericeConnectionType("emas").Execute()
		return answer, err
	}
	return nil, fmt.Errorf("unknown operation %s", operation)
}

// workarounds counts the answers read through the documented workaround, by name.
var workarounds = map[string]int{}

func check(c testCase) string {
	cfg := api.NewConfiguration()
	cfg.HTTPClient = &http.Client{Transport: canned(c)}
	client := api.NewAPIClient(cfg).PipelineAPI
	ctx := context.Background()
	ok := c.Status >= 200 && c.Status < 300

	var err error
	if c.Expect.Fields != nil || (c.Operation != "GetPipelineEmasArtifactUrl" && c.Operation != "GetEmasArtifactDownloadUrl") {
		var answer interface{}
		answer, err = finding(ctx, client, c.Operation)
		if err == nil {
			if !ok {
				return fmt.Sprintf("expected an error, got %+v", answer)
			}
			return fieldsProblem(answer, c.Expect.Fields)
		}
	} else if c.Operation == "GetPipelineEmasArtifactUrl" {
		var answer *api.ArtifactUrlResponse
		answer, _, err = client.GetPipelineEmasArtifactUrl(ctx, "5ebbc0228123212b59xxxxx", 1111, 1, "Psaxsa", "assasas").
			ServiceConnectionId(122).Execute()
		if err == nil {
			if !ok {
				return fmt.Sprintf("expected an error, got %+v", answer)
			}
			if answer.GetSuccess() != *c.Expect.Success || answer.GetFileUrl() != *c.Expect.FileURL ||
				answer.GetErrorCode() != *c.Expect.ErrorCode {
				return fmt.Sprintf("read success=%v fileUrl=%q errorCode=%q",
					answer.GetSuccess(), answer.GetFileUrl(), answer.GetErrorCode())
			}
			return ""
		}
	} else {
		var url string
		url, _, err = client.GetEmasArtifactDownloadUrl(ctx, "5ebbc0228123212b59xxxxx").PipelineId(1111).
			PipelineRunId(1).EmasJobInstanceId("Psaxsa").Md5("assasas").ServiceConnectionId(122).Execute()
		if err == nil {
			if !ok {
				return fmt.Sprintf("expected an error, got %q", url)
			}
			if url != *c.Expect.URL && strings.HasPrefix(c.ContentType, "application/json") {
				// The generated decode() hands a string answer over as it came, JSON quotes and
				// all: the caller decodes a JSON answer itself (documented in
				// examples/typescript/README.md).
				var decoded string
				if json.Unmarshal([]byte(url), &decoded) == nil {
					workarounds["a JSON string answer is returned still encoded; json.Unmarshal it"]++
					url = decoded
				}
			}
			if url != *c.Expect.URL {
				return fmt.Sprintf("read the URL %q", url)
			}
			return ""
		}
	}
	var apiErr *api.GenericOpenAPIError
	if ok || !errors.As(err, &apiErr) {
		return fmt.Sprintf("failed: %v", err)
	}
	model := apiErr.Model()
	if model == nil {
		return fmt.Sprintf("no model decoded: %v", apiErr.Error())
	}
	var code string
	switch m := model.(type) {
	case api.ErrorResponse:
		if c.API != "signed" {
			return "a token API error decoded as the signed API's ErrorResponse"
		}
		if typed := typedCode(m); typed == "" {
			// The spec's shapes have required keys that do not overlap, so the decoder keeps
			// the shape the body has, its code in the typed field, not an additional property.
			return fmt.Sprintf("decoded as %T without its code in the typed field", alternative(m))
		}
		code = codeOf(alternative(m))
	case api.TokenApiError:
		if c.API != "token" {
			return "a signed API error decoded as the token API's TokenApiError"
		}
		code = m.GetErrorCode()
	default:
		return fmt.Sprintf("decoded into an unexpected %T", model)
	}
	if code != *c.Expect.Code {
		return fmt.Sprintf("read the code %q from %+v", code, model)
	}
	return ""
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: decode CASES_JSON")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var cases []testCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	failed := 0
	for _, c := range cases {
		if problem := check(c); problem != "" {
			failed++
			fmt.Fprintf(os.Stderr, "  FAIL %s: %s\n", c.Name, problem)
		}
	}
	for note, count := range workarounds {
		fmt.Printf("  note: %d answer(s): %s\n", count, note)
	}
	fmt.Printf("decode go: %d of %d answers read as documented\n", len(cases)-failed, len(cases))
	if failed > 0 || len(cases) == 0 {
		os.Exit(1)
	}
}
