package sagemakerapp

import (
	"errors"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// FuzzValidate builds requests from arbitrary strings and checks that Validate never panics, that
// it returns an error exactly when it finds problems, and that its verdict on every string member
// is the model's: pattern by regexp, length in code points.
func FuzzValidate(f *testing.F) {
	f.Add("d-abc123", "KernelGateway", "default", "alice", "", "ml.t3.medium", testImageARN, "", "1.2.3", testLifecycleARN, "", "team", "ml", uint8(1))
	f.Add("d-", "JupyterServer", "-a", "", "space", "system", "", "None", "1x2", "None", testTrainingPlanARN, "aws:x", "", uint8(6))
	f.Add("D", "", "a_b", "x", "y", "", "arn:aws:sagemaker:r:1:image/a", "nope", "01.2", "arn", "None", "", "😀", uint8(255))
	re := map[string]*regexp.Regexp{}
	for _, p := range modelPatterns {
		re[p.pattern] = anchored(p.pattern)
	}
	f.Fuzz(func(t *testing.T, domain, appType, appName, user, space, instanceType, image, version, alias, lifecycle, plan, key, value string, flags uint8) {
		opt := func(bit uint8, s string) *string {
			if flags&bit == 0 {
				return nil
			}
			return &s
		}
		in := &sagemaker.CreateAppInput{
			DomainId:        &domain,
			AppType:         types.AppType(appType),
			AppName:         &appName,
			UserProfileName: opt(1, user),
			SpaceName:       opt(2, space),
			ResourceSpec: &types.ResourceSpec{
				InstanceType:               types.AppInstanceType(instanceType),
				SageMakerImageArn:          opt(4, image),
				SageMakerImageVersionArn:   opt(8, version),
				SageMakerImageVersionAlias: opt(16, alias),
				LifecycleConfigArn:         opt(32, lifecycle),
				TrainingPlanArn:            opt(64, plan),
			},
			Tags: []types.Tag{{Key: &key, Value: &value}, {Key: opt(128, key), Value: &value}},
		}
		err := Validate(in, AllowUnknownInstanceTypes())
		var ve *ValidationError
		if err != nil && (!errors.As(err, &ve) || len(ve.Problems) == 0) {
			t.Fatalf("error without problems: %v", err)
		}
		has := func(field string, typ FieldErrorType) bool {
			if ve == nil {
				return false
			}
			for _, p := range ve.Problems {
				if p.Field == field && p.Type == typ {
					return true
				}
			}
			return false
		}
		check := func(field string, v *string, r stringRule) {
			if v == nil {
				return
			}
			s := *v
			valid := utf8.ValidString(s)
			switch {
			case s == "" && r.min > 0:
				if !has(field, FieldRequired) {
					t.Fatalf("%s: empty value not reported as Required", field)
				}
				return
			case has(field, FieldInvalid) != (!valid || !re[r.pattern].MatchString(s)):
				t.Fatalf("%s %q: Invalid reported %v, regexp matches %v, valid UTF-8 %v", field, s, has(field, FieldInvalid), re[r.pattern].MatchString(s), valid)
			case valid && has(field, FieldTooLong) != (utf8.RuneCountInString(s) > r.max):
				t.Fatalf("%s %q: TooLong reported %v with %d code points", field, s, has(field, FieldTooLong), utf8.RuneCountInString(s))
			}
		}
		if domain != "" {
			check("DomainId", &domain, domainIDRule)
		}
		if appName != "" {
			check("AppName", &appName, nameRule)
		}
		check("UserProfileName", in.UserProfileName, nameRule)
		check("SpaceName", in.SpaceName, nameRule)
		check("ResourceSpec.SageMakerImageArn", in.ResourceSpec.SageMakerImageArn, imageARNRule)
		check("ResourceSpec.SageMakerImageVersionArn", in.ResourceSpec.SageMakerImageVersionArn, imageVersionARNRule)
		check("ResourceSpec.SageMakerImageVersionAlias", in.ResourceSpec.SageMakerImageVersionAlias, imageAliasRule)
		check("ResourceSpec.LifecycleConfigArn", in.ResourceSpec.LifecycleConfigArn, lifecycleARNRule)
		check("ResourceSpec.TrainingPlanArn", in.ResourceSpec.TrainingPlanArn, trainingPlanARNRule)
		check("Tags[0].Key", &key, tagKeyRule)
		check("Tags[0].Value", &value, tagValueRule)
		if in.Tags[1].Key != nil && key != "" && !has("Tags[1].Key", FieldDuplicate) {
			t.Fatalf("repeated key %q not reported", key)
		}
		if (in.UserProfileName == nil) == (in.SpaceName == nil) && err == nil {
			t.Fatal("a request without exactly one owner passed")
		}
	})
}

// FuzzValidateSpaceAppsAgreeWithTheFake holds the library and sagemakerfake to one verdict on
// the rules of space apps and images (facts §7.1, §7.3, DESIGN.md "Studio as it runs today"):
// JupyterLab and CodeEditor refused on a user profile, and an app that needs an image (or, for
// KernelGateway, an instance type) refused when neither the request nor any level of defaults
// gives one, "None" counting as unset. The library's side is Validate with WithDefaults, the
// fake's CheckCreateAppWithDefaults with the same levels.
func FuzzValidateSpaceAppsAgreeWithTheFake(f *testing.F) {
	const image = "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"
	const version = "arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/3"
	f.Add("JupyterLab", uint8(0b0000_0110), image, "", "ml.t3.medium", "", "", "", "", uint8(0))
	f.Add("JupyterLab", uint8(0b0000_0101), image, "", "ml.t3.medium", "", "", "", "", uint8(0))
	f.Add("CodeEditor", uint8(0b0001_0010), "", "", "", image, "", "", "", uint8(1))
	f.Add("CodeEditor", uint8(0b0100_1010), "", "None", "", "", "", "None", version, uint8(2))
	f.Add("JupyterLab", uint8(0b1010_0010), "", "", "", "None", "None", "", version, uint8(3))
	f.Add("KernelGateway", uint8(0b0000_0010), "", "", "", "", "ml.m5.large", "", "", uint8(1))
	f.Add("KernelGateway", uint8(0b0000_0001), image, "", "", "", "", "", "", uint8(2))
	f.Add("JupyterServer", uint8(0b0000_0001), "", "", "system", "", "", "", "", uint8(0))
	f.Fuzz(func(t *testing.T, appType string, flags uint8, image, version, instanceType, level1Image, level1InstanceType, level2Image, level2Version string, levels uint8) {
		for _, s := range []string{appType, image, version, instanceType, level1Image, level1InstanceType, level2Image, level2Version} {
			if !utf8.ValidString(s) {
				t.Skip("not valid UTF-8: the SDK would send U+FFFD in its place")
			}
		}
		opt := func(bit uint8, s string) *string {
			if flags&bit == 0 {
				return nil
			}
			return &s
		}
		in := &sagemaker.CreateAppInput{
			DomainId:        aws.String("d-abc123"),
			AppType:         types.AppType(appType),
			AppName:         aws.String("default"),
			UserProfileName: opt(1, "alice"),
			SpaceName:       opt(2, "alice-space"),
			ResourceSpec: &types.ResourceSpec{
				InstanceType:             types.AppInstanceType(instanceType),
				SageMakerImageArn:        opt(4, image),
				SageMakerImageVersionArn: opt(8, version),
			},
		}
		all := []*types.ResourceSpec{
			{SageMakerImageArn: opt(16, level1Image), InstanceType: types.AppInstanceType(level1InstanceType)},
			{SageMakerImageArn: opt(64, level2Image), SageMakerImageVersionArn: opt(128, level2Version)},
			nil,
		}
		defaults := all[:levels%4]
		libErr := Validate(in, WithDefaults(defaults...), AllowUnknownInstanceTypes())
		fakeErr := sagemakerfake.CheckCreateAppWithDefaults(in, defaults...)
		if in.ResourceSpec.InstanceType != "" && !IsKnownInstanceType(in.ResourceSpec.InstanceType) && fakeErr != nil {
			// The fake checks the SDK's enum; the library was told to let newer ones pass.
			return
		}
		if (libErr == nil) != (fakeErr == nil) {
			t.Fatalf("verdicts differ: app type %q, owner user=%v space=%v, spec %+v, %d levels %+v\nlibrary: %v\nfake:    %v",
				appType, in.UserProfileName != nil, in.SpaceName != nil, *in.ResourceSpec, len(defaults), defaults, libErr, fakeErr)
		}
	})
}
