package sagemakerapp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testImageARN        = "arn:aws:sagemaker:us-east-1:123456789012:image/datascience-1-0"
	testImageVersionARN = "arn:aws:sagemaker:us-east-1:123456789012:image-version/datascience-1-0/3"
	testLifecycleARN    = "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/install-extensions"
	testTrainingPlanARN = "arn:aws:sagemaker:us-east-1:123456789012:training-plan/reserved-p5"
)

// typicalInput is the request the targets speak of: KernelGateway, a user profile, an image ARN
// and ten tags.
func typicalInput() *sagemaker.CreateAppInput {
	return &sagemaker.CreateAppInput{
		DomainId:        aws.String("d-xy7pqhqf3kz1"),
		AppType:         types.AppTypeKernelGateway,
		AppName:         aws.String("datascience-kernel"),
		UserProfileName: aws.String("alice-smith"),
		ResourceSpec: &types.ResourceSpec{
			InstanceType:      types.AppInstanceTypeMlT3Medium,
			SageMakerImageArn: aws.String(testImageARN),
		},
		Tags: makeTags(10),
	}
}

func makeTags(n int) []types.Tag {
	tags := make([]types.Tag, n)
	for i := range tags {
		tags[i] = types.Tag{Key: aws.String(fmt.Sprintf("team:cost-center-%02d", i)), Value: aws.String(fmt.Sprintf("value %d", i))}
	}
	return tags
}

type problem struct {
	Field string
	Type  FieldErrorType
}

func problemsOf(t *testing.T, err error) []problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.NotEmpty(t, ve.Problems, "a ValidationError must hold problems")
	var ps []problem
	for _, p := range ve.Problems {
		ps = append(ps, problem{p.Field, p.Type})
	}
	return ps
}

func TestValidateRules(t *testing.T) {
	long := strings.Repeat
	tests := []struct {
		name   string
		change func(in *sagemaker.CreateAppInput)
		opts   []ValidateOption
		want   []problem
	}{
		{name: "typical request is valid", change: func(*sagemaker.CreateAppInput) {}},

		// DomainId: required, at most 63, ^d-(-*[a-z0-9]){1,61}$.
		{name: "DomainId nil", change: func(in *sagemaker.CreateAppInput) { in.DomainId = nil }, want: []problem{{"DomainId", FieldRequired}}},
		{name: "DomainId empty", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("") }, want: []problem{{"DomainId", FieldRequired}}},
		{name: "DomainId shortest", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-a") }},
		{name: "DomainId prefix only", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-") }, want: []problem{{"DomainId", FieldInvalid}}},
		{name: "DomainId 63 characters", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-" + long("a", 61)) }},
		{name: "DomainId 64 characters, 62 groups", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-" + long("a", 62)) }, want: []problem{{"DomainId", FieldTooLong}, {"DomainId", FieldInvalid}}},
		{name: "DomainId 64 characters with hyphens", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-" + long("-a", 31)) }, want: []problem{{"DomainId", FieldTooLong}}},
		{name: "DomainId hyphen run", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d--x") }},
		{name: "DomainId upper case", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-ABC") }, want: []problem{{"DomainId", FieldInvalid}}},
		{name: "DomainId trailing hyphen", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-abc-") }, want: []problem{{"DomainId", FieldInvalid}}},
		{name: "DomainId wrong prefix", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("x-abc") }, want: []problem{{"DomainId", FieldInvalid}}},
		{name: "DomainId not UTF-8", change: func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-\xff") }, want: []problem{{"DomainId", FieldInvalid}}},

		// AppName (and the owner names): required, 1–63, ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$.
		{name: "AppName nil", change: func(in *sagemaker.CreateAppInput) { in.AppName = nil }, want: []problem{{"AppName", FieldRequired}}},
		{name: "AppName empty", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("") }, want: []problem{{"AppName", FieldRequired}}},
		{name: "AppName one character", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("a") }},
		{name: "AppName 63 characters", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String(long("a", 63)) }},
		{name: "AppName 64 characters", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String(long("a", 64)) }, want: []problem{{"AppName", FieldTooLong}, {"AppName", FieldInvalid}}},
		{name: "AppName 63 with hyphen run", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("a" + long("-", 61) + "b") }},
		{name: "AppName 64 with hyphen run", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("a" + long("-", 62) + "b") }, want: []problem{{"AppName", FieldTooLong}}},
		{name: "AppName leading hyphen", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("-a") }, want: []problem{{"AppName", FieldInvalid}}},
		{name: "AppName trailing hyphen", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("a-") }, want: []problem{{"AppName", FieldInvalid}}},
		{name: "AppName underscore", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("a_b") }, want: []problem{{"AppName", FieldInvalid}}},
		{name: "AppName non-ASCII letter", change: func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("café") }, want: []problem{{"AppName", FieldInvalid}}},

		// AppType: required, one of the SDK's values.
		{name: "AppType empty", change: func(in *sagemaker.CreateAppInput) { in.AppType = "" }, want: []problem{{"AppType", FieldRequired}}},
		{name: "AppType unknown", change: func(in *sagemaker.CreateAppInput) { in.AppType = "Bogus" }, want: []problem{{"AppType", FieldNotSupported}}},
		{name: "AppType wrong case", change: func(in *sagemaker.CreateAppInput) { in.AppType = "kernelgateway" }, want: []problem{{"AppType", FieldNotSupported}}},

		// Exactly one of UserProfileName or SpaceName.
		{name: "no owner", change: func(in *sagemaker.CreateAppInput) { in.UserProfileName = nil }, want: []problem{{"UserProfileName", FieldRequired}}},
		{name: "both owners", change: func(in *sagemaker.CreateAppInput) { in.SpaceName = aws.String("shared") }, want: []problem{{"SpaceName", FieldForbidden}}},
		{name: "space only", change: func(in *sagemaker.CreateAppInput) { in.UserProfileName, in.SpaceName = nil, aws.String("shared") }},
		{name: "UserProfileName empty", change: func(in *sagemaker.CreateAppInput) { in.UserProfileName = aws.String("") }, want: []problem{{"UserProfileName", FieldRequired}}},
		{name: "UserProfileName 64 characters", change: func(in *sagemaker.CreateAppInput) { in.UserProfileName = aws.String(long("u", 64)) }, want: []problem{{"UserProfileName", FieldTooLong}, {"UserProfileName", FieldInvalid}}},
		{name: "SpaceName invalid", change: func(in *sagemaker.CreateAppInput) { in.UserProfileName, in.SpaceName = nil, aws.String("my_space") }, want: []problem{{"SpaceName", FieldInvalid}}},

		// Tags.
		{name: "no tags", change: func(in *sagemaker.CreateAppInput) { in.Tags = nil }},
		{name: "50 tags", change: func(in *sagemaker.CreateAppInput) { in.Tags = makeTags(50) }},
		{name: "51 tags", change: func(in *sagemaker.CreateAppInput) { in.Tags = makeTags(51) }, want: []problem{{"Tags", FieldTooMany}}},
		{name: "tag key nil", change: func(in *sagemaker.CreateAppInput) { in.Tags[3].Key = nil }, want: []problem{{"Tags[3].Key", FieldRequired}}},
		{name: "tag key empty", change: func(in *sagemaker.CreateAppInput) { in.Tags[3].Key = aws.String("") }, want: []problem{{"Tags[3].Key", FieldRequired}}},
		{name: "tag key 128 characters", change: func(in *sagemaker.CreateAppInput) { in.Tags[0].Key = aws.String(long("k", 128)) }},
		{name: "tag key 129 characters", change: func(in *sagemaker.CreateAppInput) { in.Tags[0].Key = aws.String(long("k", 129)) }, want: []problem{{"Tags[0].Key", FieldTooLong}}},
		{name: "tag key 128 two-byte characters", change: func(in *sagemaker.CreateAppInput) { in.Tags[0].Key = aws.String(long("é", 128)) }},
		{name: "tag key 129 two-byte characters", change: func(in *sagemaker.CreateAppInput) { in.Tags[0].Key = aws.String(long("é", 129)) }, want: []problem{{"Tags[0].Key", FieldTooLong}}},
		{name: "tag key reserved prefix", change: func(in *sagemaker.CreateAppInput) { in.Tags[2].Key = aws.String("aws:createdBy") }, want: []problem{{"Tags[2].Key", FieldForbidden}}},
		{name: "tag key reserved prefix upper case", change: func(in *sagemaker.CreateAppInput) { in.Tags[2].Key = aws.String("AWS:x") }, want: []problem{{"Tags[2].Key", FieldForbidden}}},
		{name: "tag key aws without colon", change: func(in *sagemaker.CreateAppInput) { in.Tags[2].Key = aws.String("aws") }},
		{name: "tag key awsx:", change: func(in *sagemaker.CreateAppInput) { in.Tags[2].Key = aws.String("awsx:y") }},
		{name: "tag key every allowed class", change: func(in *sagemaker.CreateAppInput) { in.Tags[0].Key = aws.String("Kü 日本 Ⅻ² _.:/=+-@\u00a0x") }},
		{name: "tag key hash sign", change: func(in *sagemaker.CreateAppInput) { in.Tags[0].Key = aws.String("a#b") }, want: []problem{{"Tags[0].Key", FieldInvalid}}},
		{name: "tag key tab", change: func(in *sagemaker.CreateAppInput) { in.Tags[0].Key = aws.String("a\tb") }, want: []problem{{"Tags[0].Key", FieldInvalid}}},
		{name: "tag key invalid UTF-8", change: func(in *sagemaker.CreateAppInput) { in.Tags[0].Key = aws.String("a\xffb") }, want: []problem{{"Tags[0].Key", FieldInvalid}}},
		{name: "tag keys differ in case", change: func(in *sagemaker.CreateAppInput) {
			in.Tags[0].Key, in.Tags[1].Key = aws.String("Team"), aws.String("team")
		}},
		{name: "tag keys with equal fingerprints", change: func(in *sagemaker.CreateAppInput) {
			in.Tags[0].Key, in.Tags[1].Key = aws.String("prefix-aX-suffix"), aws.String("prefix-bX-suffix")
		}},
		{name: "duplicate tag key", change: func(in *sagemaker.CreateAppInput) { in.Tags[7].Key = aws.String(*in.Tags[2].Key) }, want: []problem{{"Tags[7].Key", FieldDuplicate}}},
		{name: "duplicate tag key, 51 tags", change: func(in *sagemaker.CreateAppInput) {
			in.Tags = makeTags(51)
			in.Tags[50].Key = aws.String(*in.Tags[0].Key)
		}, want: []problem{{"Tags", FieldTooMany}, {"Tags[50].Key", FieldDuplicate}}},
		{name: "tag value nil", change: func(in *sagemaker.CreateAppInput) { in.Tags[4].Value = nil }, want: []problem{{"Tags[4].Value", FieldRequired}}},
		{name: "tag value empty", change: func(in *sagemaker.CreateAppInput) { in.Tags[4].Value = aws.String("") }},
		{name: "tag value 256 characters", change: func(in *sagemaker.CreateAppInput) { in.Tags[4].Value = aws.String(long("v", 256)) }},
		{name: "tag value 257 characters", change: func(in *sagemaker.CreateAppInput) { in.Tags[4].Value = aws.String(long("v", 257)) }, want: []problem{{"Tags[4].Value", FieldTooLong}}},
		{name: "tag value emoji", change: func(in *sagemaker.CreateAppInput) { in.Tags[4].Value = aws.String("ok 😀") }, want: []problem{{"Tags[4].Value", FieldInvalid}}},

		// InstanceType.
		{name: "instance type unknown", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.InstanceType = "ml.fake.huge" }, want: []problem{{"ResourceSpec.InstanceType", FieldNotSupported}}},
		{name: "instance type unknown allowed", opts: []ValidateOption{AllowUnknownInstanceTypes()}, change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.InstanceType = "ml.g9.xlarge" }},
		{name: "newest instance type", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.InstanceType = types.AppInstanceTypeMlG7e48xlarge }},
		{name: "KernelGateway on system", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.InstanceType = InstanceTypeSystem }},
		{name: "JupyterServer on system", change: func(in *sagemaker.CreateAppInput) {
			in.AppType, in.ResourceSpec = types.AppTypeJupyterServer, &types.ResourceSpec{InstanceType: InstanceTypeSystem}
		}},
		{name: "JupyterServer on ml.t3.medium", change: func(in *sagemaker.CreateAppInput) { in.AppType = types.AppTypeJupyterServer }, want: []problem{{"ResourceSpec.InstanceType", FieldNotSupported}}},
		{name: "JupyterServer on unknown type, unknown allowed", opts: []ValidateOption{AllowUnknownInstanceTypes()}, change: func(in *sagemaker.CreateAppInput) {
			in.AppType, in.ResourceSpec.InstanceType = types.AppTypeJupyterServer, "ml.g9.xlarge"
		}, want: []problem{{"ResourceSpec.InstanceType", FieldNotSupported}}},
		{name: "no ResourceSpec", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec = nil }},

		// Image ARNs and alias.
		{name: "image ARN other partition", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageArn = aws.String("arn:aws-us-gov:sagemaker:us-gov-west-1:123456789012:image/a.b-c")
		}},
		{name: "image ARN 11-digit account", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageArn = aws.String("arn:aws:sagemaker:us-east-1:12345678901:image/x")
		}, want: []problem{{"ResourceSpec.SageMakerImageArn", FieldInvalid}}},
		{name: "image ARN double separator", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageArn = aws.String("arn:aws:sagemaker:us-east-1:123456789012:image/a..b")
		}, want: []problem{{"ResourceSpec.SageMakerImageArn", FieldInvalid}}},
		{name: "image ARN empty", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageArn = aws.String("") }, want: []problem{{"ResourceSpec.SageMakerImageArn", FieldInvalid}}},
		{name: "image ARN 256 characters", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageArn = aws.String(testImageARN + long("x", 256-len(testImageARN)))
		}},
		{name: "image ARN 257 characters", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageArn = aws.String(testImageARN + long("x", 257-len(testImageARN)))
		}, want: []problem{{"ResourceSpec.SageMakerImageArn", FieldTooLong}}},
		{name: "image version ARN", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionArn = aws.String(testImageVersionARN)
		}},
		{name: "image version ARN 256 characters", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionArn = aws.String(strings.Replace(testImageVersionARN, "/3", "/"+long("3", 256-len(testImageVersionARN)+1), 1))
		}},
		{name: "image version ARN 257 characters", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionArn = aws.String(strings.Replace(testImageVersionARN, "/3", "/"+long("3", 257-len(testImageVersionARN)+1), 1))
		}, want: []problem{{"ResourceSpec.SageMakerImageVersionArn", FieldTooLong}}},
		{name: "image version ARN None", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionArn = aws.String("None") }},
		{name: "image version ARN none", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionArn = aws.String("none") }, want: []problem{{"ResourceSpec.SageMakerImageVersionArn", FieldInvalid}}},
		{name: "image version ARN upper-case image", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionArn = aws.String(strings.Replace(testImageVersionARN, "datascience", "DataScience", 1))
		}, want: []problem{{"ResourceSpec.SageMakerImageVersionArn", FieldInvalid}}},
		{name: "alias major", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("2") }},
		{name: "alias major.minor", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("2.6") }},
		{name: "alias unescaped dot accepts 1x2", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("1x2") }},
		{name: "alias full SemVer", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionAlias = aws.String("1.2.3-rc.1+build.5")
		}},
		{name: "alias leading zero", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("01.2.3") }, want: []problem{{"ResourceSpec.SageMakerImageVersionAlias", FieldInvalid}}},
		{name: "alias v prefix", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("v1.2.3") }, want: []problem{{"ResourceSpec.SageMakerImageVersionAlias", FieldInvalid}}},
		{name: "alias empty", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("") }, want: []problem{{"ResourceSpec.SageMakerImageVersionAlias", FieldRequired}}},
		{name: "alias 128 characters", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionAlias = aws.String(long("1", 128))
		}},
		{name: "alias 129 characters", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionAlias = aws.String(long("1", 129))
		}, want: []problem{{"ResourceSpec.SageMakerImageVersionAlias", FieldTooLong}}},

		// Lifecycle config and training plan.
		{name: "lifecycle config", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.LifecycleConfigArn = aws.String(testLifecycleARN) }},
		{name: "lifecycle config None", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.LifecycleConfigArn = aws.String("None") }},
		{name: "lifecycle config short account", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.LifecycleConfigArn = aws.String("arn:aws:sagemaker:us-east-1:123:studio-lifecycle-config/x")
		}, want: []problem{{"ResourceSpec.LifecycleConfigArn", FieldInvalid}}},
		{name: "lifecycle config 256 characters", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.LifecycleConfigArn = aws.String(testLifecycleARN + long("x", 256-len(testLifecycleARN)))
		}},
		{name: "lifecycle config 257 characters", change: func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.LifecycleConfigArn = aws.String(testLifecycleARN + long("x", 257-len(testLifecycleARN)))
		}, want: []problem{{"ResourceSpec.LifecycleConfigArn", FieldTooLong}}},
		{name: "training plan on JupyterLab", change: func(in *sagemaker.CreateAppInput) {
			inSpace(in)
			in.AppType, in.ResourceSpec.TrainingPlanArn = types.AppTypeJupyterLab, aws.String(testTrainingPlanARN)
		}},
		{name: "training plan on CodeEditor, 2048 characters", change: func(in *sagemaker.CreateAppInput) {
			inSpace(in)
			in.AppType, in.ResourceSpec.TrainingPlanArn = types.AppTypeCodeEditor, aws.String(testTrainingPlanARN+long("x", 2048-len(testTrainingPlanARN)))
		}},
		{name: "training plan 2049 characters", change: func(in *sagemaker.CreateAppInput) {
			inSpace(in)
			in.AppType, in.ResourceSpec.TrainingPlanArn = types.AppTypeCodeEditor, aws.String(testTrainingPlanARN+long("x", 2049-len(testTrainingPlanARN)))
		}, want: []problem{{"ResourceSpec.TrainingPlanArn", FieldTooLong}}},
		{name: "training plan None on KernelGateway", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.TrainingPlanArn = aws.String("None") }},
		{name: "training plan None on JupyterServer", change: func(in *sagemaker.CreateAppInput) {
			in.AppType, in.ResourceSpec.InstanceType, in.ResourceSpec.TrainingPlanArn = types.AppTypeJupyterServer, InstanceTypeSystem, aws.String("None")
		}},
		{name: "training plan on KernelGateway", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.TrainingPlanArn = aws.String(testTrainingPlanARN) }, want: []problem{{"ResourceSpec.TrainingPlanArn", FieldForbidden}}},

		// Instance-type precedence, given the defaults.
		{name: "KernelGateway without instance type, defaults unknown", change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.InstanceType = "" }},
		{name: "KernelGateway without instance type at any level", opts: []ValidateOption{WithDefaults(nil, &types.ResourceSpec{})},
			change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.InstanceType = "" }, want: []problem{{"ResourceSpec.InstanceType", FieldRequired}}},
		{name: "KernelGateway without ResourceSpec at any level", opts: []ValidateOption{WithDefaults()},
			change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec = nil }, want: []problem{{"ResourceSpec.InstanceType", FieldRequired}}},
		{name: "KernelGateway instance type from profile", opts: []ValidateOption{WithDefaults(&types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large}, nil)},
			change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec = nil }},
		{name: "KernelGateway instance type from domain", opts: []ValidateOption{WithDefaults(nil, &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large})},
			change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec = nil }},
		{name: "JupyterLab needs no instance type", opts: []ValidateOption{WithDefaults(nil, nil)},
			change: func(in *sagemaker.CreateAppInput) {
				inSpace(in)
				in.AppType, in.ResourceSpec = types.AppTypeJupyterLab, &types.ResourceSpec{SageMakerImageArn: aws.String(testImageARN)}
			}},

		// Apps that run in spaces.
		{name: "JupyterLab on a user profile", change: func(in *sagemaker.CreateAppInput) { in.AppType = types.AppTypeJupyterLab },
			want: []problem{{"UserProfileName", FieldForbidden}}},
		{name: "CodeEditor on a user profile", change: func(in *sagemaker.CreateAppInput) { in.AppType = types.AppTypeCodeEditor },
			want: []problem{{"UserProfileName", FieldForbidden}}},
		{name: "JupyterLab with both owners", change: func(in *sagemaker.CreateAppInput) {
			in.AppType, in.SpaceName = types.AppTypeJupyterLab, aws.String("team")
		}, want: []problem{{"SpaceName", FieldForbidden}, {"UserProfileName", FieldForbidden}}},
		{name: "JupyterLab in a space", change: func(in *sagemaker.CreateAppInput) { inSpace(in); in.AppType = types.AppTypeJupyterLab }},
		{name: "KernelGateway on a user profile is Studio Classic", change: func(in *sagemaker.CreateAppInput) {}},

		// The image rule, given the defaults.
		{name: "JupyterLab without image, defaults unknown", change: func(in *sagemaker.CreateAppInput) {
			inSpace(in)
			in.AppType, in.ResourceSpec = types.AppTypeJupyterLab, nil
		}},
		{name: "JupyterLab without image at any level", opts: []ValidateOption{WithDefaults(nil, &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium})},
			change: func(in *sagemaker.CreateAppInput) {
				inSpace(in)
				in.AppType, in.ResourceSpec.SageMakerImageArn = types.AppTypeJupyterLab, nil
			}, want: []problem{{"ResourceSpec.SageMakerImageArn", FieldRequired}}},
		{name: "CodeEditor whose image is None at every level", opts: []ValidateOption{WithDefaults(&types.ResourceSpec{SageMakerImageVersionArn: aws.String("None")})},
			change: func(in *sagemaker.CreateAppInput) {
				inSpace(in)
				in.AppType, in.ResourceSpec.SageMakerImageArn, in.ResourceSpec.SageMakerImageVersionArn = types.AppTypeCodeEditor, nil, aws.String("None")
			}, want: []problem{{"ResourceSpec.SageMakerImageArn", FieldRequired}}},
		{name: "JupyterLab image version ARN on the app", opts: []ValidateOption{WithDefaults()},
			change: func(in *sagemaker.CreateAppInput) {
				inSpace(in)
				in.AppType, in.ResourceSpec.SageMakerImageArn, in.ResourceSpec.SageMakerImageVersionArn = types.AppTypeJupyterLab, nil, aws.String(testImageVersionARN)
			}},
		{name: "JupyterLab image from the space", opts: []ValidateOption{WithDefaults(&types.ResourceSpec{SageMakerImageArn: aws.String(testImageARN)}, nil)},
			change: func(in *sagemaker.CreateAppInput) {
				inSpace(in)
				in.AppType, in.ResourceSpec = types.AppTypeJupyterLab, nil
			}},
		{name: "CodeEditor image version from the last level", opts: []ValidateOption{WithDefaults(nil, &types.ResourceSpec{}, &types.ResourceSpec{SageMakerImageVersionArn: aws.String(testImageVersionARN)})},
			change: func(in *sagemaker.CreateAppInput) {
				inSpace(in)
				in.AppType, in.ResourceSpec = types.AppTypeCodeEditor, nil
			}},
		{name: "KernelGateway needs no image", opts: []ValidateOption{WithDefaults(nil, nil)},
			change: func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageArn = nil }},

		// Many problems at once, in request order.
		{name: "every problem is reported", change: func(in *sagemaker.CreateAppInput) {
			in.DomainId, in.AppName, in.AppType = aws.String("D"), nil, "Nope"
			in.Tags[1].Key = aws.String("aws:x")
			in.ResourceSpec.InstanceType = "huge"
		}, want: []problem{{"DomainId", FieldInvalid}, {"AppName", FieldRequired}, {"AppType", FieldNotSupported}, {"Tags[1].Key", FieldForbidden}, {"ResourceSpec.InstanceType", FieldNotSupported}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := typicalInput()
			tt.change(in)
			err := Validate(in, tt.opts...)
			assert.Equal(t, tt.want, problemsOf(t, err))
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrInvalidInput)
			}
		})
	}
}

func TestValidateNilInput(t *testing.T) {
	err := Validate(nil)
	assert.Equal(t, []problem{{"CreateAppInput", FieldRequired}}, problemsOf(t, err))
}

func TestValidateEveryKnownAppTypeAndInstanceType(t *testing.T) {
	for _, at := range types.AppType("").Values() {
		in := typicalInput()
		in.AppType, in.ResourceSpec = at, nil
		if appTypeRules[at].spaceOnly {
			inSpace(in)
		}
		assert.NoError(t, Validate(in), "app type %s", at)
	}
	for _, it := range types.AppInstanceType("").Values() {
		in := typicalInput()
		in.ResourceSpec.InstanceType = it
		assert.NoError(t, Validate(in), "instance type %s", it)
	}
	assert.Len(t, InstanceTypes(), 176, "the SDK pinned in go.mod lists 176 instance types")
}

func TestValidationErrorReachesFieldErrors(t *testing.T) {
	in := typicalInput()
	in.AppName = aws.String("bad_name")
	in.Tags[3].Key = aws.String("aws:owner")
	err := Validate(in)
	require.Error(t, err)

	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "AppName", fe.Field, "errors.As finds the first problem")
	assert.Equal(t, "bad_name", fe.Value)
	assert.ErrorIs(t, fe, ErrInvalidInput)

	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Unwrap(), 2)
	msg := err.Error()
	for _, want := range []string{"AppName", `"bad_name"`, "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", "Tags[3].Key", "aws: prefix"} {
		assert.Contains(t, msg, want)
	}
}

func TestFieldErrorShortensLongValues(t *testing.T) {
	fe := &FieldError{Field: "Tags[0].Value", Type: FieldTooLong, Value: strings.Repeat("v", 300), Detail: "too long"}
	msg := fe.Error()
	assert.Less(t, len(msg), 120)
	assert.Contains(t, msg, "…")
}

func TestWithDefaultsNamesTheLevels(t *testing.T) {
	in := typicalInput()
	in.ResourceSpec = nil
	err := Validate(in, WithDefaults(nil, nil))
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ResourceSpec.InstanceType", fe.Field)
	assert.Contains(t, fe.Detail, "user profile's or space's default")
	assert.Contains(t, fe.Detail, "domain's default")
}

func TestValidateAllocatesNothingWhenValid(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	for _, n := range []int{10, 50} {
		in := typicalInput()
		in.Tags = makeTags(n)
		require.NoError(t, Validate(in))
		allocs := testing.AllocsPerRun(100, func() { _ = Validate(in) })
		assert.Zero(t, allocs, "%d tags", n)
	}
	// A space app with its image, checked against the levels as well.
	in := typicalInput()
	inSpace(in)
	in.AppType = types.AppTypeJupyterLab
	opts := []ValidateOption{WithDefaults(nil, nil)}
	require.NoError(t, Validate(in, opts...))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = Validate(in, opts...) }), "JupyterLab in a space")
}

// inSpace moves the app from its user profile to a space, where JupyterLab and CodeEditor run.
func inSpace(in *sagemaker.CreateAppInput) {
	in.UserProfileName, in.SpaceName = nil, aws.String("alice-space")
}

func TestSpaceOnlyDetailSaysWhatToDo(t *testing.T) {
	in := typicalInput()
	in.AppType = types.AppTypeCodeEditor
	var fe *FieldError
	require.ErrorAs(t, Validate(in), &fe)
	assert.Equal(t, "UserProfileName", fe.Field)
	assert.Equal(t, "alice-smith", fe.Value)
	for _, want := range []string{"CodeEditor", "spaces", "SpaceName", "PrivateSpace", "EnsureSpace"} {
		assert.Contains(t, fe.Detail, want)
	}
}

func TestWithDefaultsNamesTheLevelsForAnImage(t *testing.T) {
	in := typicalInput()
	inSpace(in)
	in.AppType, in.ResourceSpec = types.AppTypeJupyterLab, &types.ResourceSpec{SageMakerImageArn: aws.String("None")}
	err := Validate(in, WithDefaults(nil, &types.ResourceSpec{SageMakerImageVersionArn: aws.String("None")}))
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ResourceSpec.SageMakerImageArn", fe.Field)
	assert.Equal(t, FieldRequired, fe.Type)
	for _, want := range []string{"JupyterLab", "SageMakerImageVersionArn", "user profile's or space's default", "domain's default"} {
		assert.Contains(t, fe.Detail, want)
	}
}

func TestInstanceFamily(t *testing.T) {
	tests := map[InstanceType]string{
		"system": "system", "ml.g5.xlarge": "g5", "ml.p6-b200.48xlarge": "p6-b200",
		"ml.geospatial.interactive": "geospatial", "ml.t3": "", "t3.medium": "", "ml..x": "", "ml.a.b.c": "",
	}
	for in, want := range tests {
		assert.Equal(t, want, InstanceFamily(in), "%s", in)
	}
	g7e := InstanceTypesInFamily("g7e")
	assert.Len(t, g7e, 6)
	assert.True(t, slices.Contains(g7e, types.AppInstanceTypeMlG7e48xlarge))
	for _, it := range InstanceTypes() {
		assert.NotEmpty(t, InstanceFamily(it), "every known instance type has a family: %s", it)
	}
}

func TestSupportsTrainingPlan(t *testing.T) {
	var got []AppType
	for _, at := range AppTypes() {
		if SupportsTrainingPlan(at) {
			got = append(got, at)
		}
	}
	assert.ElementsMatch(t, []AppType{types.AppTypeJupyterLab, types.AppTypeCodeEditor}, got)
}

func TestErrorsIsOnProblemsDoesNotMatchOtherKinds(t *testing.T) {
	err := Validate(&sagemaker.CreateAppInput{})
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.False(t, errors.Is(err, ErrServiceValidation))
}
