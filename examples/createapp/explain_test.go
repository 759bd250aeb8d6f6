package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What the library's texts hold that a person at a command line cannot use: its Go options and
// functions, and the service model's regular expressions.
var goWords = []string{"Allow", "ValidateOption", "PrivateSpace", "EnsureSpace", "InstanceTypes", "AppTypes()", "pattern",
	`\p{`, `\d`, `\w`, "(?", "[a-z", "[A-Z", "[0-9", "{0,", "{1,", "^", "$"}

// Every kind of invalid input, as createapp prints it: each problem names its member, says the
// rule in words and the flag that sets it, and no problem names a Go option or shows a pattern.
func TestInvalidInputIsExplainedInWords(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"names and ARNs", []string{"--domain-id", "D_1", "--space-name", "bad_space", "--app-type", "JupyterLab", "--app-name", "bad_name",
			"--image-arn", "arn:nope", "--image-version-alias", "v2", "--lifecycle-config-arn", "nope", "--tag", "bad!key=v!",
			"--resource-spec", "InstanceType=ml.nope.large,SageMakerImageVersionArn=nope,TrainingPlanArn=nope"}, []string{
			`  DomainId: Invalid "D_1": must be "d-" and then lowercase letters, digits and hyphens, ending with a letter or digit, such as d-xxxxxxxxxxxx (--domain-id)`,
			`  AppName: Invalid "bad_name": must be up to 63 letters, digits and hyphens, and start and end with a letter or digit (--app-name)`,
			`  SpaceName: Invalid "bad_space": must be up to 63 letters`,
			`  Tags[0].Key: Invalid "bad!key": may hold only letters, digits, spaces and the characters _ . : / = + - @ (--tag or --tags)`,
			`  Tags[0].Value: Invalid "v!": may hold only letters`,
			`  ResourceSpec.InstanceType: NotSupported "ml.nope.large": is not an instance type that createapp knows, such as ml.t3.medium or ml.g5.xlarge; check its spelling`,
			`  ResourceSpec.SageMakerImageArn: Invalid "arn:nope": must be a SageMaker image ARN, such as arn:aws:sagemaker:us-east-1:123456789012:image/my-image (--image-arn or --resource-spec)`,
			`  ResourceSpec.SageMakerImageVersionArn: Invalid "nope": must be a SageMaker image version ARN`,
			`  ResourceSpec.SageMakerImageVersionAlias: Invalid "v2": must be a version such as 2, 2.3 or 2.3.1`,
			`  ResourceSpec.LifecycleConfigArn: Invalid "nope": must be a Studio lifecycle configuration ARN`,
			`  ResourceSpec.TrainingPlanArn: Invalid "nope": must be a training plan ARN`,
		}},
		{"app type", []string{"--space-name", "s", "--app-type", "Jupyter", "--app-name", "a", "--domain-id", "d-1"}, []string{
			`  AppType: NotSupported "Jupyter": must be one of JupyterServer, KernelGateway,`,
		}},
		{"a space app on a user profile", []string{"--user-profile-name", "bob", "--app-type", "CodeEditor", "--app-name", "a", "--domain-id", "d-1"}, []string{
			`  UserProfileName: Forbidden "bob": CodeEditor apps run in a space, not on a user profile: give --space-name, or --owner USER for the user's private space (--user-profile-name)`,
		}},
		{"both a space and a user", []string{"--user-profile-name", "bob", "--space-name", "s", "--app-type", "KernelGateway", "--app-name", "a", "--domain-id", "d-1"}, []string{
			`  SpaceName: Forbidden "s": give --space-name or --user-profile-name, not both (--space-name)`,
		}},
		{"neither", []string{"--app-type", "KernelGateway", "--app-name", "a", "--domain-id", "d-1", "--endpoint-url", "http://127.0.0.1:1"}, []string{
			`  UserProfileName: Required: give --space-name or --owner for a JupyterLab or CodeEditor app, or --user-profile-name for a Studio Classic app`,
		}},
		{"reserved tag and a training plan on Studio Classic", []string{"--user-profile-name", "bob", "--app-type", "KernelGateway", "--app-name", "a",
			"--domain-id", "d-1", "--tag", "aws:x=1", "--resource-spec", "TrainingPlanArn=arn:aws:sagemaker:us-east-1:123456789012:training-plan/p"}, []string{
			`  Tags[0].Key: Forbidden "aws:x": the aws: prefix is reserved for AWS's own tags (--tag or --tags)`,
			`  ResourceSpec.TrainingPlanArn: Forbidden "arn:aws:sagemaker:us-east-1:123456789012:training-plan/p": only JupyterLab and CodeEditor apps support a training plan, not KernelGateway (--resource-spec)`,
		}},
		{"a bad owner", []string{"--owner", "bad_owner", "--app-type", "JupyterLab", "--app-name", "a", "--domain-id", "d-1"}, []string{
			`  SpaceName: Invalid "bad_owner-jupyterlab": must be up to 63 letters`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"--dry-run"}, tt.args...), &stdout, &stderr)
			require.Equal(t, exitInvalid, code, stderr.String())
			out := stderr.String()
			for _, want := range tt.want {
				assert.Contains(t, out, want)
			}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
				for _, word := range goWords {
					assert.NotContains(t, line, word, "a problem for people")
				}
			}
		})
	}
}

// Every invalid form the library's rules describe with a pattern has words of its own here.
func TestEveryPatternHasWords(t *testing.T) {
	for _, name := range []string{"DomainId", "AppName", "SpaceName", "UserProfileName", "OwnerUserProfileName", "TagKey", "TagValue",
		"SageMakerImageArn", "SageMakerImageVersionArn", "SageMakerImageVersionAlias", "LifecycleConfigArn", "TrainingPlanArn", "SpaceDisplayName"} {
		assert.NotEqual(t, invalidRule("Other"), invalidRule(name), name)
	}
}

func TestForPeople(t *testing.T) {
	for _, s := range []string{
		"must match the pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$",
		"must be one of [JupyterLab]; allow newer ones with AllowUnknownAppTypes",
		"is not one of the 300 instance types the SDK knows (see InstanceTypes); allow newer ones with AllowUnknownInstanceTypes",
		"set SpaceName instead (for one user's app, a private space: PrivateSpace and EnsureSpace)",
		"must be 1 to 64 characters on one line, not all blank (the model's pattern (?!\\s*$).+)",
		"",
	} {
		assert.False(t, forPeople(s), s)
	}
	for _, s := range []string{"must be set", "the aws: prefix is reserved for AWS's own tags", "must have at most 128 characters, has 129"} {
		assert.True(t, forPeople(s), s)
	}
}
