package sagemakerfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/schemas"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

func TestModelCoversEveryOperation(t *testing.T) {
	ops := slices.Collect(maps.Keys(handlers))
	for op := range readers {
		if handlers[op] != nil {
			t.Errorf("operation %s is both a reader and a writer", op)
		}
		ops = append(ops, op)
	}
	for _, op := range ops {
		m := model.operations[op]
		if m == nil || m.input == nil {
			t.Errorf("operation %s has no input shape in the embedded model", op)
		}
	}
	if model.targetPrefix != "SageMaker" {
		t.Errorf("target prefix %q", model.targetPrefix)
	}
}

// TestEnumsAreUnionedWithTheSDK makes sure no enum of the model escapes the SDK union, so a model
// update that adds an enum shape is noticed here rather than as a false rejection.
func TestEnumsAreUnionedWithTheSDK(t *testing.T) {
	for name, s := range model.shapes {
		if s.enum == nil {
			continue
		}
		sdk, ok := sdkEnumValues[name]
		if !ok {
			t.Errorf("enum shape %s has no entry in sdkEnumValues", name)
			continue
		}
		for _, v := range sdk {
			if _, ok := s.enumSet[v]; !ok {
				t.Errorf("%s: SDK value %q is not accepted", name, v)
			}
		}
	}
	it := model.shapes["AppInstanceType"]
	if want := len(types.AppInstanceType("").Values()); len(it.enum) != want || want != 176 {
		t.Errorf("AppInstanceType has %d values, the SDK %d; want 176", len(it.enum), want)
	}
	if !slices.Contains(it.enum, "ml.g7e.48xlarge") || !slices.Contains(it.enum, "system") {
		t.Error("AppInstanceType lacks the SDK's newest or oldest values")
	}
	if got := model.shapes["AppType"].enum; !slices.Equal(got, enumStrings(types.AppType("").Values())) {
		t.Errorf("AppType %v differs from the SDK", got)
	}
}

func TestPatternsAreAnchoredAndRE2Equivalent(t *testing.T) {
	for _, tc := range []struct {
		shape string
		value string
		ok    bool
	}{
		{"AppName", "a", true},
		{"AppName", "a_b", false},
		{"AppName", "xa_b", false},
		{"DomainId", "d--x", true},
		{"DomainId", "d-", false},
		{"DomainId", "xd-abc", false},
		{"NonEmptyString64", "team space", true},
		{"NonEmptyString64", "   ", false},
		{"QProfileArn", "arn:aws:codewhisperer:us-east-1:123456789012:profile/" + string(bytes.Repeat([]byte("a"), 1015)), true},
		{"QProfileArn", "arn:aws:codewhisperer:us-east-1:123456789012:profile/" + string(bytes.Repeat([]byte("a"), 1016)), false},
		{"RepositoryUrl", "https://github.com/org/repo", true},
		{"RepositoryUrl", "https://ab", false},
		{"RepositoryUrl", "https://abc", true},
		{"ImageVersionAlias", "1x2", true},
		{"ImageVersionAlias", "01.2.3", false},
		{"TagKey", "a b:c/d=e+f-g@h_i.j", true},
		{"TagKey", "\uFFFD", false},
	} {
		if got := model.shapes[tc.shape].re.MatchString(tc.value); got != tc.ok {
			t.Errorf("%s %q: match %v, want %v", tc.shape, tc.value, got, tc.ok)
		}
	}
}

// TestSDKBodyMatchesTheWire compares the body that seeding encodes with what the SDK client itself
// puts on the wire, for an input with nested structures, lists, a union, numbers and booleans.
func TestSDKBodyMatchesTheWire(t *testing.T) {
	var sent []byte
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer stub.Close()
	in := &sagemaker.CreateDomainInput{
		DomainName: aws.String("d\u00e9mo \"x\""),
		AuthMode:   types.AuthModeSso,
		DefaultUserSettings: &types.UserSettings{
			SecurityGroups: []string{"sg-1"},
			CustomFileSystemConfigs: []types.CustomFileSystemConfig{
				&types.CustomFileSystemConfigMemberS3FileSystemConfig{Value: types.S3FileSystemConfig{S3Uri: aws.String("s3://b/p")}},
				&types.CustomFileSystemConfigMemberEFSFileSystemConfig{Value: types.EFSFileSystemConfig{FileSystemId: aws.String("fs-01234567")}},
			},
			CustomPosixUserConfig: &types.CustomPosixUserConfig{Uid: aws.Int64(10000), Gid: aws.Int64(1001)},
			SpaceStorageSettings:  &types.DefaultSpaceStorageSettings{DefaultEbsStorageSettings: &types.DefaultEbsStorageSettings{DefaultEbsVolumeSizeInGb: aws.Int32(5), MaximumEbsVolumeSizeInGb: aws.Int32(100)}},
			StudioWebPortalSettings: &types.StudioWebPortalSettings{
				HiddenAppTypes: []types.AppType{types.AppTypeCanvas},
			},
		},
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v\xff")}},
	}
	c := sagemaker.New(sagemaker.Options{Region: "us-east-1", BaseEndpoint: aws.String(stub.URL), Credentials: dummyCredentials})
	if _, err := c.CreateDomain(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(sent, &want); err != nil {
		t.Fatal(err)
	}
	ours, err := sdkBody(schemas.CreateDomain, schemas.CreateDomainRequest, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ours, &got); err != nil {
		t.Fatalf("%s: %v", ours, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sdkBody:\n%s\nthe SDK sent:\n%s", ours, sent)
	}
}
