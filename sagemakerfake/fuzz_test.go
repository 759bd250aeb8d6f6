package sagemakerfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const fuzzSeed = `{
  "Domains": [{"DomainId": "d-fuzz0000001", "DomainName": "fuzz", "AuthMode": "IAM",
               "DefaultUserSettings": {"StudioWebPortal": "DISABLED", "KernelGatewayAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}}}}],
  "UserProfiles": [{"DomainId": "d-fuzz0000001", "UserProfileName": "u"}],
  "Spaces": [{"DomainId": "d-fuzz0000001", "SpaceName": "s"}]
}`

// FuzzServerBody sends arbitrary targets and bodies to the fake. Whatever arrives, the answer is
// never a 5xx and never a crash: a 4xx carries a JSON error with __type and message, and a 200
// carries a body that satisfies the operation's output shape in the model.
func FuzzServerBody(f *testing.F) {
	// Each input gets a fresh server, so that a failure reproduces from that input alone.
	newFuzzServer := func(tb testing.TB) *Server {
		srv, err := newServer(defaultConfig(), []Option{WithStartupDelay(0), WithRequestLog(0)}, false)
		if err != nil {
			tb.Fatal(err)
		}
		if err := srv.LoadSeed([]byte(fuzzSeed)); err != nil {
			tb.Fatal(err)
		}
		return srv
	}
	newFuzzServer(f)
	app := `"DomainId":"d-fuzz0000001","UserProfileName":"u","AppType":"KernelGateway","AppName":"a"`
	for _, seed := range []struct{ target, body string }{
		{"SageMaker.CreateApp", `{` + app + `,"Tags":[{"Key":"k","Value":"v"}],"ResourceSpec":{"InstanceType":"system"},"RecoveryMode":true}`},
		{"SageMaker.CreateApp", `{` + app + `,"Tags":[{"Key":"aws:x","Value":"v"},{"Key":"k"},null]}`},
		{"SageMaker.CreateApp", `{"DomainId":"d-fuzz0000001","SpaceName":"s","AppType":"JupyterLab","AppName":"b","ResourceSpec":{"TrainingPlanArn":"None","SageMakerImageVersionAlias":"1x2"}}`},
		{"SageMaker.DescribeApp", `{` + app + `}`},
		{"SageMaker.DeleteApp", `{` + app + `}`},
		{"SageMaker.ListApps", `{"MaxResults":1,"SortOrder":"Descending"}`},
		{"SageMaker.ListApps", `{"NextToken":"djEuMS4x","MaxResults":1e3}`},
		{"SageMaker.ListTags", `{"ResourceArn":"arn:aws:sagemaker:us-east-1:123456789012:domain/d-fuzz0000001"}`},
		{"SageMaker.AddTags", `{"ResourceArn":"arn:aws:sagemaker:us-east-1:123456789012:domain/d-fuzz0000001","Tags":[{"Key":"k","Value":"v"},{"Key":"k","Value":"w"}]}`},
		{"SageMaker.DeleteTags", `{"ResourceArn":"arn:aws:sagemaker:us-east-1:123456789012:user-profile/d-fuzz0000001/u","TagKeys":["k","aws:x"]}`},
		{"SageMaker.CreateDomain", `{"DomainName":"x","AuthMode":"IAM","DefaultUserSettings":{"CustomFileSystemConfigs":[{"EFSFileSystemConfig":{"FileSystemId":"fs-01234567"},"S3FileSystemConfig":{}}]}}`},
		{"SageMaker.CreateUserProfile", `{"DomainId":"d-fuzz0000001","UserProfileName":"v","UserSettings":{"CustomPosixUserConfig":{"Uid":99999999999999999999}}}`},
		{"SageMaker.CreateSpace", `{"DomainId":"d-fuzz0000001","SpaceName":"t","SpaceDisplayName":"  "}`},
		{"SageMaker.DescribeDomain", `{"DomainId":"d-fuzz0000001"}`},
		{"SageMaker.DescribeUserProfile", `{"DomainId":"d-fuzz0000001","UserProfileName":"u"}`},
		{"SageMaker.DescribeSpace", `{"DomainId":"d-fuzz0000001","SpaceName":"s"}`},
		{"SageMaker.CreateSpace", `{"DomainId":"d-fuzz0000001","SpaceName":"p","OwnershipSettings":{"OwnerUserProfileName":"u"},"SpaceSharingSettings":{"SharingType":"Private"},"SpaceSettings":{"AppType":"JupyterLab"}}`},
		{"SageMaker.CreateApp", `{"DomainId":"d-fuzz0000001","SpaceName":"s","AppType":"CodeEditor","AppName":"c","ResourceSpec":{"SageMakerImageArn":"arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"}}`},
		{"SageMaker.ListSpaces", `{"MaxResults":1,"SortBy":"LastModifiedTime","SortOrder":"Descending","SpaceNameContains":"S"}`},
		{"SageMaker.DeleteSpace", `{"DomainId":"d-fuzz0000001","SpaceName":"s"}`},
		{"SageMaker.CreatePresignedDomainUrl", `{"DomainId":"d-fuzz0000001","UserProfileName":"u","SpaceName":"s","LandingUri":"app:JupyterLab:s","ExpiresInSeconds":5}`},
		{"SageMaker.CreatePresignedDomainUrl", `{"DomainId":"d-fuzz0000001","UserProfileName":"u","LandingUri":"studio::/jupyterlab/s","SessionExpirationDurationInSeconds":1800}`},
		{"SageMaker.DescribeDomain", `{"DomainId":`},
		{"SageMaker.DescribeDomain", "\xff\xfe"},
		{"SageMaker.DescribeDomain", `[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]`},
		{"SageMaker.Nope", `{}`},
		{"", ``},
	} {
		f.Add(seed.target, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		srv := newFuzzServer(t)
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %s %q: %s", rec.Code, target, body, rec.Body)
		}
		if rec.Header().Get("X-Amzn-RequestId") == "" {
			t.Fatal("no request ID")
		}
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.UseNumber()
		var out map[string]any
		if err := dec.Decode(&out); err != nil {
			t.Fatalf("status %d body %q is not a JSON object: %v", rec.Code, rec.Body, err)
		}
		if rec.Code != http.StatusOK {
			if typ, _ := out["__type"].(string); typ == "" {
				t.Fatalf("status %d error without __type: %v", rec.Code, out)
			}
			if msg, _ := out["message"].(string); msg == "" {
				t.Fatalf("status %d error without message: %v", rec.Code, out)
			}
			return
		}
		op := model.operations[strings.TrimPrefix(target, "SageMaker.")]
		if op.output != nil {
			if err := checkInput(op.output, out); err != nil {
				t.Fatalf("the answer to %s breaks the model: %v\n%s", target, err, rec.Body)
			}
		}
	})
}
