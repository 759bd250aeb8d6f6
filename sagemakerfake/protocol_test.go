package sagemakerfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	smithy "github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// post sends a raw request to the fake and returns the status, headers and decoded body.
func post(t *testing.T, url, method, target string, body []byte) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: body %q is not a JSON object: %v", target, raw, err)
	}
	return resp.StatusCode, resp.Header, out
}

func TestProtocolRawRequests(t *testing.T) {
	f := newFixture(t)
	valid := `{"DomainId":"` + testDomain + `"}`
	for _, tc := range []struct {
		name       string
		method     string
		target     string
		body       string
		wantStatus int
		wantType   string // "" for a success
	}{
		{"valid call", "POST", "SageMaker.DescribeDomain", valid, 200, ""},
		{"unknown operation", "POST", "SageMaker.ListDomains", valid, 400, "UnknownOperationException"},
		{"other service", "POST", "DynamoDB_20120810.ListTables", "{}", 400, "UnknownOperationException"},
		{"missing target", "POST", "", valid, 400, "UnknownOperationException"},
		{"GET", "GET", "SageMaker.DescribeDomain", "", 400, "UnknownOperationException"},
		{"malformed JSON", "POST", "SageMaker.DescribeDomain", `{"DomainId":`, 400, "SerializationException"},
		{"not an object", "POST", "SageMaker.DescribeDomain", `["d-x"]`, 400, "SerializationException"},
		{"trailing data", "POST", "SageMaker.DescribeDomain", valid + ` {}`, 400, "SerializationException"},
		{"string member given a number", "POST", "SageMaker.DescribeDomain", `{"DomainId":12}`, 400, "SerializationException"},
		{"integer member given a string", "POST", "SageMaker.ListApps", `{"MaxResults":"10"}`, 400, "SerializationException"},
		{"integer member given a fraction", "POST", "SageMaker.ListApps", `{"MaxResults":1.5}`, 400, "SerializationException"},
		{"boolean member given a string", "POST", "SageMaker.CreateApp", `{"DomainId":"d-x1","AppType":"JupyterServer","AppName":"a","UserProfileName":"u","RecoveryMode":"yes"}`, 400, "SerializationException"},
		{"structure member given a list", "POST", "SageMaker.CreateApp", `{"DomainId":"d-x1","AppType":"JupyterServer","AppName":"a","UserProfileName":"u","ResourceSpec":[]}`, 400, "SerializationException"},
		{"nested type error", "POST", "SageMaker.CreateApp", `{"DomainId":"d-x1","AppType":"JupyterServer","AppName":"a","UserProfileName":"u","Tags":[{"Key":1,"Value":"v"}]}`, 400, "SerializationException"},
		{"invalid UTF-8", "POST", "SageMaker.DescribeDomain", "{\"DomainId\":\"d-\xff\"}", 400, "SerializationException"},
		{"empty body counts as {}", "POST", "SageMaker.DescribeDomain", "", 400, "ValidationException"},
		{"explicit null is absent", "POST", "SageMaker.DescribeDomain", `{"DomainId":null}`, 400, "ValidationException"},
		{"unknown members are ignored", "POST", "SageMaker.DescribeDomain", `{"DomainId":"` + testDomain + `","Bogus":[1,2]}`, 200, ""},
		{"a member given twice keeps the last value", "POST", "SageMaker.DescribeDomain", `{"DomainId":"bad_x","DomainId":"` + testDomain + `"}`, 200, ""},
		{"a member given twice is checked as its last value", "POST", "SageMaker.DescribeDomain", `{"DomainId":"` + testDomain + `","DomainId":"bad_x"}`, 400, "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := post(t, f.srv.URL(), tc.method, tc.target, []byte(tc.body))
			if status != tc.wantStatus {
				t.Errorf("status %d, want %d (body %v)", status, tc.wantStatus, body)
			}
			if got, _ := body["__type"].(string); got != tc.wantType {
				t.Errorf("__type %q, want %q (body %v)", got, tc.wantType, body)
			}
			if tc.wantType != "" {
				if msg, _ := body["message"].(string); msg == "" {
					t.Errorf("error body %v has no message", body)
				}
			}
			if len(h.Get("X-Amzn-RequestId")) != 36 {
				t.Errorf("X-Amzn-RequestId %q is not UUID-shaped", h.Get("X-Amzn-RequestId"))
			}
			if ct := h.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// TestSerializationMessages pins the texts of the SerializationExceptions that say where a body
// went wrong.
func TestSerializationMessages(t *testing.T) {
	f := newFixture(t)
	for body, want := range map[string]string{
		`{"DomainId":`:              "Malformed JSON request body: unexpected EOF",
		`{"DomainId":"x"} {}`:       "Malformed JSON request body: data after the top-level value",
		`["d-x"]`:                   "Expected structure at 'the request' but found an array",
		`{"DomainId":12}`:           "Expected string at 'domainId' but found a number",
		"{\"DomainId\":\"d-\xff\"}": "Request body is not valid UTF-8",
	} {
		status, _, out := post(t, f.srv.URL(), "POST", "SageMaker.DescribeDomain", []byte(body))
		if status != 400 || out["__type"] != "SerializationException" || out["message"] != want {
			t.Errorf("%q: %d %v, want 400 SerializationException %q", body, status, out, want)
		}
	}
}

func TestProtocolBodyLimit(t *testing.T) {
	f := newFixture(t)
	for _, size := range []int{sagemakerfake.MaxBodyBytes, sagemakerfake.MaxBodyBytes + 1} {
		pad := size - len(`{"DomainId":"`+testDomain+`","Pad":""}`)
		body := []byte(`{"DomainId":"` + testDomain + `","Pad":"` + strings.Repeat("x", pad) + `"}`)
		status, h, out := post(t, f.srv.URL(), "POST", "SageMaker.DescribeDomain", body)
		want := 200
		if size > sagemakerfake.MaxBodyBytes {
			want = http.StatusRequestEntityTooLarge
		}
		if status != want {
			t.Errorf("body of %d bytes: status %d (%v), want %d", len(body), status, out["__type"], want)
		}
		if h.Get("X-Amzn-RequestId") == "" {
			t.Errorf("body of %d bytes: no request ID", len(body))
		}
	}
}

func TestProtocolTimestampsAreEpochSeconds(t *testing.T) {
	f := newFixture(t)
	_, err := f.client.CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, "ts", types.AppInstanceTypeSystem))
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := post(t, f.srv.URL(), "POST", "SageMaker.DescribeApp",
		[]byte(`{"DomainId":"`+testDomain+`","UserProfileName":"`+testUser+`","AppType":"JupyterServer","AppName":"ts"}`))
	if status != 200 {
		t.Fatalf("status %d: %v", status, body)
	}
	created, ok := body["CreationTime"].(float64)
	if !ok {
		t.Fatalf("CreationTime is %T %v, want a JSON number", body["CreationTime"], body["CreationTime"])
	}
	if got, want := time.UnixMilli(int64(created*1000+0.5)), f.srv.Now(); !got.Equal(want) {
		t.Errorf("CreationTime %v, want the server's clock %v", got, want)
	}
}

// rewrite returns a client option that changes the raw HTTP request after the SDK has built and
// signed it, to reach error paths that a well-behaved SDK never takes.
func rewrite(fn func(*smithyhttp.Request)) func(*sagemaker.Options) {
	return func(o *sagemaker.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("rewrite", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					fn(req)
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
		})
		o.RetryMaxAttempts = 1
	}
}

func setBody(body []byte) func(*smithyhttp.Request) {
	return func(r *smithyhttp.Request) {
		r.ContentLength = int64(len(body))
		r2, err := r.SetStream(bytes.NewReader(body))
		if err == nil {
			*r = *r2
		}
	}
}

// TestErrorsDecodeInSDK drives every error code the fake emits through the real SDK client and
// checks the Go type the SDK decodes it into, its code, HTTP status and request ID.
func TestErrorsDecodeInSDK(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithQuota(types.AppTypeKernelGateway, types.AppInstanceTypeMlG548xlarge, 0))
	existing := userApp(types.AppTypeJupyterServer, "exists", types.AppInstanceTypeSystem)
	if _, err := f.client.CreateApp(ctx(t), existing); err != nil {
		t.Fatal(err)
	}
	noRetry := func(o *sagemaker.Options) { o.RetryMaxAttempts = 1 }

	for _, tc := range []struct {
		name       string
		call       func() error
		wantCode   string
		wantStatus int
		wantType   any // a pointer to the typed error the SDK should produce
	}{
		{
			name: "ValidationException",
			call: func() error {
				_, err := f.client.CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, "bad_name", types.AppInstanceTypeSystem))
				return err
			},
			wantCode: "ValidationException", wantStatus: 400, wantType: new(*smithy.GenericAPIError),
		},
		{
			name: "ResourceInUse",
			call: func() error {
				_, err := f.client.CreateApp(ctx(t), existing)
				return err
			},
			wantCode: "ResourceInUse", wantStatus: 400, wantType: new(*types.ResourceInUse),
		},
		{
			name: "ResourceNotFound",
			call: func() error {
				_, err := f.client.DescribeApp(ctx(t), describeInput(userApp(types.AppTypeJupyterServer, "missing", "")))
				return err
			},
			wantCode: "ResourceNotFound", wantStatus: 400, wantType: new(*types.ResourceNotFound),
		},
		{
			name: "ResourceLimitExceeded",
			call: func() error {
				_, err := f.client.CreateApp(ctx(t), userApp(types.AppTypeKernelGateway, "big", types.AppInstanceTypeMlG548xlarge))
				return err
			},
			wantCode: "ResourceLimitExceeded", wantStatus: 400, wantType: new(*types.ResourceLimitExceeded),
		},
		{
			name: "ThrottlingException",
			call: func() error {
				f.srv.SetThrottle("DescribeDomain", 1, 1)
				defer f.srv.SetThrottle("DescribeDomain", 0, 0)
				in := &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)}
				if _, err := f.client.DescribeDomain(ctx(t), in, noRetry); err != nil {
					return err
				}
				_, err := f.client.DescribeDomain(ctx(t), in, noRetry)
				return err
			},
			wantCode: "ThrottlingException", wantStatus: 400, wantType: new(*smithy.GenericAPIError),
		},
		{
			name: "UnknownOperationException",
			call: func() error {
				_, err := f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)},
					rewrite(func(r *smithyhttp.Request) { r.Header.Set("X-Amz-Target", "SageMaker.NoSuchOperation") }))
				return err
			},
			wantCode: "UnknownOperationException", wantStatus: 400, wantType: new(*smithy.GenericAPIError),
		},
		{
			name: "SerializationException",
			call: func() error {
				_, err := f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)},
					rewrite(setBody([]byte(`{"DomainId":`))))
				return err
			},
			wantCode: "SerializationException", wantStatus: 400, wantType: new(*smithy.GenericAPIError),
		},
		{
			name: "RequestEntityTooLarge",
			call: func() error {
				_, err := f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)},
					rewrite(setBody(bytes.Repeat([]byte(" "), sagemakerfake.MaxBodyBytes+1))))
				return err
			},
			wantCode: "RequestEntityTooLargeException", wantStatus: 413, wantType: new(*smithy.GenericAPIError),
		},
		{
			name: "InternalFailure",
			call: func() error {
				f.srv.InjectFault("DescribeDomain", sagemakerfake.Fault{Code: "InternalFailure", Times: 1})
				_, err := f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)}, noRetry)
				return err
			},
			wantCode: "InternalFailure", wantStatus: 500, wantType: new(*smithy.GenericAPIError),
		},
		{
			name: "ServiceUnavailable",
			call: func() error {
				f.srv.InjectFault("DescribeDomain", sagemakerfake.Fault{Code: "ServiceUnavailable", Times: 1})
				_, err := f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)}, noRetry)
				return err
			},
			wantCode: "ServiceUnavailable", wantStatus: 503, wantType: new(*smithy.GenericAPIError),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.As(err, tc.wantType) {
				t.Errorf("error %v (%T) is not a %T", err, err, tc.wantType)
			}
			if got := errorCode(err); got != tc.wantCode {
				t.Errorf("code %q, want %q", got, tc.wantCode)
			}
			if got := httpStatus(err); got != tc.wantStatus {
				t.Errorf("HTTP status %d, want %d", got, tc.wantStatus)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || len(re.ServiceRequestID()) != 36 {
				t.Errorf("no request ID in %v", err)
			}
			if errorMessage(err) == "" {
				t.Errorf("empty message in %v", err)
			}
		})
	}
}
