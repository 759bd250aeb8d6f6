package sagemakerfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/schemas"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	smithy "github.com/aws/smithy-go"
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

// TestModelMatchesTheSDK walks the SDK's schemas from the input and output of every operation the
// fake serves and compares each structure's members with the fake's model: the model the fake
// checks requests against is the one the SDK the project builds with sends. A member that a newer
// SDK adds fails here until the model (or its overlay, model/sagemaker-sdk-overlay.json) has it.
func TestModelMatchesTheSDK(t *testing.T) {
	ops := map[string][2]*smithy.Schema{
		"AddTags":                  {schemas.AddTagsInput, schemas.AddTagsOutput},
		"CreateApp":                {schemas.CreateAppRequest, schemas.CreateAppResponse},
		"CreateDomain":             {schemas.CreateDomainRequest, schemas.CreateDomainResponse},
		"CreatePresignedDomainUrl": {schemas.CreatePresignedDomainUrlRequest, schemas.CreatePresignedDomainUrlResponse},
		"CreateSpace":              {schemas.CreateSpaceRequest, schemas.CreateSpaceResponse},
		"CreateUserProfile":        {schemas.CreateUserProfileRequest, schemas.CreateUserProfileResponse},
		"DeleteApp":                {schemas.DeleteAppRequest, nil},
		"DeleteSpace":              {schemas.DeleteSpaceRequest, nil},
		"DeleteTags":               {schemas.DeleteTagsInput, nil},
		"DeleteUserProfile":        {schemas.DeleteUserProfileRequest, nil},
		"DescribeApp":              {schemas.DescribeAppRequest, schemas.DescribeAppResponse},
		"DescribeDomain":           {schemas.DescribeDomainRequest, schemas.DescribeDomainResponse},
		"DescribeSpace":            {schemas.DescribeSpaceRequest, schemas.DescribeSpaceResponse},
		"DescribeUserProfile":      {schemas.DescribeUserProfileRequest, schemas.DescribeUserProfileResponse},
		"ListApps":                 {schemas.ListAppsRequest, schemas.ListAppsResponse},
		"ListSpaces":               {schemas.ListSpacesRequest, schemas.ListSpacesResponse},
		"ListTags":                 {schemas.ListTagsInput, schemas.ListTagsOutput},
		"ListUserProfiles":         {schemas.ListUserProfilesRequest, schemas.ListUserProfilesResponse},
		"UpdateSpace":              {schemas.UpdateSpaceRequest, schemas.UpdateSpaceResponse},
	}
	served := slices.Collect(maps.Keys(handlers))
	served = slices.AppendSeq(served, maps.Keys(readers))
	for _, op := range served {
		if _, ok := ops[op]; !ok {
			t.Errorf("operation %s is served but not compared with the SDK: add it here", op)
		}
	}
	seen := map[string]bool{}
	var walk func(name string, sdk *smithy.Schema)
	walk = func(name string, sdk *smithy.Schema) {
		if seen[name] {
			return
		}
		seen[name] = true
		mine := model.shapes[name]
		if mine == nil {
			t.Errorf("the SDK's shape %s is not in the model", name)
			return
		}
		switch sdk.Type() {
		case smithy.ShapeTypeStructure, smithy.ShapeTypeUnion:
			sdkMembers := slices.Sorted(maps.Keys(sdk.Members()))
			var ours []string
			for _, m := range mine.members {
				ours = append(ours, m.name)
			}
			if !slices.Equal(sdkMembers, ours) {
				t.Errorf("%s: the SDK has members %v, the model %v", name, sdkMembers, ours)
			}
			for _, m := range sdk.Members() {
				if mm := mine.byName[m.MemberName()]; mm != nil {
					walk(mm.shape.name, m)
				}
			}
		case smithy.ShapeTypeList:
			if el := sdk.ListMember(); el != nil && mine.listElem != nil {
				walk(mine.listElem.name, el)
			}
		}
	}
	for op, pair := range ops {
		m := model.operations[op]
		if m == nil {
			t.Errorf("operation %s is not in the model", op)
			continue
		}
		walk(m.input.name, pair[0])
		if pair[1] != nil && m.output != nil {
			walk(m.output.name, pair[1])
		}
	}
	if len(seen) < 150 {
		t.Errorf("compared only %d shapes", len(seen))
	}
}

// TestOverlayMembersAreCheckedAndAnswered: a member that only the SDK's newer model has
// (CreateDomain's HomeEfsFileSystemCreation) is checked against its enum and answered back by
// DescribeDomain, as a member of the botocore extract is.
func TestOverlayMembersAreCheckedAndAnswered(t *testing.T) {
	srv := Start(t)
	c := srv.Client()
	out, err := c.CreateDomain(context.Background(), &sagemaker.CreateDomainInput{
		DomainName: aws.String("efs"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{},
		SubnetIds: []string{"subnet-1"}, VpcId: aws.String("vpc-1"),
		HomeEfsFileSystemCreation: types.HomeEfsFileSystemCreationDisabled,
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeDomain(context.Background(), &sagemaker.DescribeDomainInput{DomainId: out.DomainId})
	if err != nil || d.HomeEfsFileSystemCreation != types.HomeEfsFileSystemCreationDisabled {
		t.Errorf("DescribeDomain: HomeEfsFileSystemCreation %q, %v", d.HomeEfsFileSystemCreation, err)
	}
	_, err = c.CreateDomain(context.Background(), &sagemaker.CreateDomainInput{
		DomainName: aws.String("efs"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{},
		SubnetIds: []string{"subnet-1"}, VpcId: aws.String("vpc-1"),
		HomeEfsFileSystemCreation: "Sometimes",
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != CodeValidation || !strings.Contains(ae.ErrorMessage(), "'homeEfsFileSystemCreation'") {
		t.Errorf("CreateDomain with HomeEfsFileSystemCreation Sometimes: %v", err)
	}
}
