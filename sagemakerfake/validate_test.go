package sagemakerfake_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

const (
	namePattern = `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`
	tagPattern  = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)`
	imageARN    = "arn:aws:sagemaker:us-east-1:081325390199:image/sagemaker-distribution-cpu"
)

func tags(n int) []types.Tag {
	out := make([]types.Tag, n)
	for i := range out {
		out[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	return out
}

// TestCreateAppStaticRules pins what CreateApp refuses before it looks at any state, with the
// service's messages. Each case runs twice: through CheckCreateAppInput and over the wire with the
// SDK, which must agree.
func TestCreateAppStaticRules(t *testing.T) {
	f := newFixture(t)
	for i, tc := range []struct {
		name   string
		mutate func(in *sagemaker.CreateAppInput)
		want   string // the exact message, "" when the input is valid
	}{
		{"valid", func(in *sagemaker.CreateAppInput) {}, ""},
		{"app name with hyphen runs", func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("a--b") }, ""},
		{"app name with underscore", func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("bad_name") },
			"1 validation error detected: Value 'bad_name' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + namePattern},
		{"app name starting with hyphen", func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("-a") },
			"1 validation error detected: Value '-a' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + namePattern},
		{"app name ending with hyphen", func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("a-") },
			"1 validation error detected: Value 'a-' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + namePattern},
		{"empty app name", func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("") },
			"1 validation error detected: Value '' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + namePattern},
		{"app name of 63", func(in *sagemaker.CreateAppInput) { in.AppName = aws.String(strings.Repeat("a", 63)) }, ""},
		{"app name of 64", func(in *sagemaker.CreateAppInput) { in.AppName = aws.String(strings.Repeat("a", 64)) },
			"2 validation errors detected: Value '" + strings.Repeat("a", 64) + "' at 'appName' failed to satisfy constraint: Member must have length less than or equal to 63; " +
				"Value '" + strings.Repeat("a", 64) + "' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + namePattern},
		{"upper-case domain", func(in *sagemaker.CreateAppInput) { in.DomainId = aws.String("d-ABC") },
			"1 validation error detected: Value 'd-ABC' at 'domainId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^d-(-*[a-z0-9]){1,61}"},
		{"user profile name pattern", func(in *sagemaker.CreateAppInput) { in.SpaceName, in.UserProfileName = nil, aws.String("al ice") },
			"1 validation error detected: Value 'al ice' at 'userProfileName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + namePattern},
		{"unknown app type", func(in *sagemaker.CreateAppInput) { in.AppType = "Bogus" },
			"1 validation error detected: Value 'Bogus' at 'appType' failed to satisfy constraint: Member must satisfy enum value set: [JupyterServer, KernelGateway, DetailedProfiler, TensorBoard, CodeEditor, JupyterLab, RStudioServerPro, RSessionGateway, Canvas]"},
		{"two errors", func(in *sagemaker.CreateAppInput) { in.AppName = aws.String("x_"); in.DomainId = aws.String("x") },
			"2 validation errors detected: Value 'x_' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + namePattern +
				"; Value 'x' at 'domainId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^d-(-*[a-z0-9]){1,61}"},
		{"50 tags", func(in *sagemaker.CreateAppInput) { in.Tags = tags(50) }, ""},
		{"51 tags", func(in *sagemaker.CreateAppInput) { in.Tags = tags(51) }, "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"empty tag key", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String(""), Value: aws.String("")}}
		},
			"1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"tag key pattern", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("ok"), Value: aws.String("")}, {Key: aws.String("bad#key"), Value: aws.String("v")}}
		}, "1 validation error detected: Value 'bad#key' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: " + tagPattern},
		{"tag key of 128 code points", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String(strings.Repeat("é", 128)), Value: aws.String("v")}}
		}, ""},
		{"tag key of 129 code points", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String(strings.Repeat("é", 129)), Value: aws.String("v")}}
		}, "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"tag value of 256", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 256))}}
		}, ""},
		{"tag value of 257", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}
		}, "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"tag value with letters, spaces and signs", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("Équipe 1"), Value: aws.String("a b_.:/=+-@ ü 名")}}
		}, ""},
		{"tag value with invalid UTF-8", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("v\xff")}}
		}, "at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: " + tagPattern},
		{"reserved tag key", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("v")}}
		},
			"Tag keys starting with 'aws:' are reserved for internal use. Invalid tag key: 'aws:owner'."},
		{"reserved tag key in upper case", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("AwS:owner"), Value: aws.String("v")}}
		},
			"Tag keys starting with 'aws:' are reserved for internal use. Invalid tag key: 'AwS:owner'."},
		{"aws without colon", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("aws-owner"), Value: aws.String("v")}}
		}, ""},
		{"duplicate tag keys", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}
		}, "Tag keys must be unique per resource. Duplicate tag key: 'k'."},
		{"tag keys differing in case", func(in *sagemaker.CreateAppInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}
		}, ""},
		{"user and space", func(in *sagemaker.CreateAppInput) { in.UserProfileName = aws.String(testUser) },
			"Exactly one of UserProfileName or SpaceName must be specified."},
		{"neither user nor space", func(in *sagemaker.CreateAppInput) { in.SpaceName = nil },
			"Exactly one of UserProfileName or SpaceName must be specified."},
		{"JupyterLab on a user profile", func(in *sagemaker.CreateAppInput) { in.SpaceName, in.UserProfileName = nil, aws.String(testUser) },
			"JupyterLab apps run in a space: specify SpaceName instead of UserProfileName."},
		{"CodeEditor on a user profile", func(in *sagemaker.CreateAppInput) {
			in.AppType, in.SpaceName, in.UserProfileName = types.AppTypeCodeEditor, nil, aws.String(testUser)
		}, "CodeEditor apps run in a space: specify SpaceName instead of UserProfileName."},
		{"KernelGateway on a user profile, as in Studio Classic", func(in *sagemaker.CreateAppInput) {
			in.AppType, in.SpaceName, in.UserProfileName = types.AppTypeKernelGateway, nil, aws.String(testUser)
		}, ""},
		{"unknown instance type", func(in *sagemaker.CreateAppInput) { in.ResourceSpec.InstanceType = "ml.fake.huge" },
			"1 validation error detected: Value 'ml.fake.huge' at 'resourceSpec.instanceType' failed to satisfy constraint: Member must satisfy enum value set: ["},
		{"instance type newer than the model extract", func(in *sagemaker.CreateAppInput) { in.ResourceSpec.InstanceType = types.AppInstanceTypeMlG7e2xlarge }, ""},
		{"JupyterServer on an instance", func(in *sagemaker.CreateAppInput) {
			in.AppType = types.AppTypeJupyterServer
			in.ResourceSpec.InstanceType = types.AppInstanceTypeMlT3Micro
		}, "Invalid instance type 'ml.t3.micro' for JupyterServer App. Only 'system' instance type is supported"},
		{"JupyterServer on system", func(in *sagemaker.CreateAppInput) {
			in.AppType = types.AppTypeJupyterServer
			in.ResourceSpec.InstanceType = types.AppInstanceTypeSystem
		}, ""},
		{"JupyterServer without instance type", func(in *sagemaker.CreateAppInput) { in.AppType = types.AppTypeJupyterServer; in.ResourceSpec = nil }, ""},
		{"training plan on JupyterLab", func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.TrainingPlanArn = aws.String("arn:aws:sagemaker:us-east-1:123456789012:training-plan/p1")
		}, ""},
		{"training plan None on CodeEditor", func(in *sagemaker.CreateAppInput) {
			in.AppType = types.AppTypeCodeEditor
			in.ResourceSpec.TrainingPlanArn = aws.String("None")
		}, ""},
		{"training plan on KernelGateway", func(in *sagemaker.CreateAppInput) {
			in.AppType = types.AppTypeKernelGateway
			in.ResourceSpec.TrainingPlanArn = aws.String("arn:aws:sagemaker:us-east-1:123456789012:training-plan/p1")
		}, "TrainingPlanArn is supported only for JupyterLab and CodeEditor apps, not for KernelGateway apps."},
		{"training plan None on KernelGateway clears nothing and is allowed", func(in *sagemaker.CreateAppInput) {
			in.AppType = types.AppTypeKernelGateway
			in.ResourceSpec.TrainingPlanArn = aws.String("None")
		}, ""},
		{"training plan ARN of 2049", func(in *sagemaker.CreateAppInput) {
			arn := "arn:aws:sagemaker:us-east-1:123456789012:training-plan/"
			in.ResourceSpec.TrainingPlanArn = aws.String(arn + strings.Repeat("p", 2049-len(arn)))
		}, "at 'resourceSpec.trainingPlanArn' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"image ARN", func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageArn = aws.String(imageARN) }, ""},
		{"image ARN of 257", func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageArn = aws.String("arn:aws:sagemaker:" + strings.Repeat("r", 257-len("arn:aws:sagemaker::081325390199:image/x")) + ":081325390199:image/x")
		}, "at 'resourceSpec.sageMakerImageArn' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"image ARN of another service", func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageArn = aws.String("arn:aws:ecr:us-east-1:081325390199:repository/x")
		}, "at 'resourceSpec.sageMakerImageArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws(-[\\w]+)*:sagemaker:.+:[0-9]{12}:image/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*"},
		{"image version ARN None", func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionArn = aws.String("None") }, ""},
		{"image version ARN", func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionArn = aws.String("arn:aws:sagemaker:us-east-1:081325390199:image-version/sagemaker-distribution-cpu/3")
		}, ""},
		{"image version ARN without version", func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionArn = aws.String("arn:aws:sagemaker:us-east-1:081325390199:image-version/x")
		}, "at 'resourceSpec.sageMakerImageVersionArn' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"version alias semver", func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.SageMakerImageVersionAlias = aws.String("1.2.3-beta.1+build.5")
		}, ""},
		{"version alias with unescaped dot", func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("1x2") }, ""},
		{"version alias with v", func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("v1") },
			"at 'resourceSpec.sageMakerImageVersionAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: (^\\d+$)|"},
		{"empty version alias", func(in *sagemaker.CreateAppInput) { in.ResourceSpec.SageMakerImageVersionAlias = aws.String("") },
			"2 validation errors detected: Value '' at 'resourceSpec.sageMakerImageVersionAlias' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'resourceSpec.sageMakerImageVersionAlias' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"lifecycle config None", func(in *sagemaker.CreateAppInput) { in.ResourceSpec.LifecycleConfigArn = aws.String("None") }, ""},
		{"lifecycle config ARN", func(in *sagemaker.CreateAppInput) {
			in.ResourceSpec.LifecycleConfigArn = aws.String("arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/setup")
		}, ""},
		{"recovery mode", func(in *sagemaker.CreateAppInput) { in.RecoveryMode = aws.Bool(true) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A space per case: a space runs one app at a time.
			spaceName := fmt.Sprintf("static%d", i)
			seedSpace(t, f.srv, spaceName, "", "")
			in := spaceApp(types.AppTypeJupyterLab, spaceName, "app", types.AppInstanceTypeMlT3Medium)
			tc.mutate(in)

			err := sagemakerfake.CheckCreateAppInput(in)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("CheckCreateAppInput refused a valid input: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("CheckCreateAppInput: %v\nwant ValidationException containing %q", err, tc.want)
			case tc.want != "" && !strings.HasPrefix(err.Error(), "ValidationException: "):
				t.Errorf("CheckCreateAppInput: %v, want a ValidationException", err)
			}

			_, werr := f.client.CreateApp(ctx(t), in)
			if tc.want == "" {
				if errorCode(werr) == "ValidationException" {
					t.Errorf("CreateApp refused a valid input: %v", werr)
				}
				return
			}
			wantCode(t, werr, "ValidationException")
			if !strings.Contains(errorMessage(werr), tc.want) {
				t.Errorf("CreateApp message %q\nwant it to contain %q", errorMessage(werr), tc.want)
			}
			if err != nil && errorMessage(werr) != strings.TrimPrefix(err.Error(), "ValidationException: ") {
				t.Errorf("the wire and CheckCreateAppInput disagree:\n%s\n%s", errorMessage(werr), err)
			}
		})
	}
}

// TestRequiredMembers sends what the SDK refuses to send: null required members.
func TestRequiredMembers(t *testing.T) {
	f := newFixture(t)
	status, _, body := post(t, f.srv.URL(), "POST", "SageMaker.CreateApp",
		[]byte(`{"DomainId":"`+testDomain+`","UserProfileName":"alice","AppName":"x","Tags":[{"Key":"k"}, null]}`))
	want := "3 validation errors detected: Value null at 'appType' failed to satisfy constraint: Member must not be null; " +
		"Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null; " +
		"Value null at 'tags.2.member' failed to satisfy constraint: Member must not be null"
	if status != 400 || body["__type"] != "ValidationException" || body["message"] != want {
		t.Errorf("got %d %v\nwant 400 ValidationException %q", status, body, want)
	}
}

// TestCreateDomainChecksModel shows that settings are checked against the model too, including
// the JupyterServer rule, which the service applies to the defaults of domains and profiles.
func TestCreateDomainChecksModel(t *testing.T) {
	srv := sagemakerfake.Start(t)
	c := srv.Client()
	for _, tc := range []struct {
		name string
		in   *sagemaker.CreateDomainInput
		want string
	}{
		{"valid", &sagemaker.CreateDomainInput{
			DomainName: aws.String("ok"), AuthMode: types.AuthModeIam,
			DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String("arn:aws:iam::123456789012:role/studio")},
			SubnetIds:           []string{"subnet-0123"}, VpcId: aws.String("vpc-0123"),
		}, ""},
		{"role ARN pattern", &sagemaker.CreateDomainInput{
			DomainName: aws.String("bad"), AuthMode: types.AuthModeIam,
			DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String("not-a-role")},
		}, "Value 'not-a-role' at 'defaultUserSettings.executionRole' failed to satisfy constraint"},
		{"JupyterServer default on an instance", &sagemaker.CreateDomainInput{
			DomainName: aws.String("bad"), AuthMode: types.AuthModeIam,
			DefaultUserSettings: &types.UserSettings{JupyterServerAppSettings: &types.JupyterServerAppSettings{
				DefaultResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Micro},
			}},
		}, "Invalid instance type 'ml.t3.micro' for JupyterServer App. Only 'system' instance type is supported"},
		{"auth mode enum", &sagemaker.CreateDomainInput{
			DomainName: aws.String("bad"), AuthMode: "Password", DefaultUserSettings: &types.UserSettings{},
		}, "at 'authMode' failed to satisfy constraint: Member must satisfy enum value set: [SSO, IAM]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.CreateDomain(ctx(t), tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CreateDomain: %v", err)
				}
				if !strings.HasPrefix(aws.ToString(out.DomainId), "d-") || !strings.HasSuffix(aws.ToString(out.DomainArn), ":domain/"+aws.ToString(out.DomainId)) {
					t.Errorf("CreateDomain answered %q %q", aws.ToString(out.DomainId), aws.ToString(out.DomainArn))
				}
				return
			}
			wantCode(t, err, "ValidationException")
			if !strings.Contains(errorMessage(err), tc.want) {
				t.Errorf("message %q, want it to contain %q", errorMessage(err), tc.want)
			}
		})
	}
}
