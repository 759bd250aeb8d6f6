package sagemakerapp

import (
	"errors"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
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
