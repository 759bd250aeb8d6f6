package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStruct(t *testing.T) {
	spec := resourceSpecMembers
	for _, tt := range []struct {
		in      string
		want    map[string]string
		problem string
	}{
		{"InstanceType=ml.t3.medium", map[string]string{"InstanceType": "ml.t3.medium"}, ""},
		{"InstanceType=ml.t3.medium,SageMakerImageArn=arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu",
			map[string]string{"InstanceType": "ml.t3.medium", "SageMakerImageArn": "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"}, ""},
		{`SageMakerImageVersionAlias="2.3,1",InstanceType=ml.t3.large`, map[string]string{"SageMakerImageVersionAlias": "2.3,1", "InstanceType": "ml.t3.large"}, ""},
		{`LifecycleConfigArn='a,b'`, map[string]string{"LifecycleConfigArn": "a,b"}, ""},
		{"SageMakerImageArn=", map[string]string{"SageMakerImageArn": ""}, ""},
		{`{"InstanceType": "ml.t3.medium", "TrainingPlanArn": "None"}`, map[string]string{"InstanceType": "ml.t3.medium", "TrainingPlanArn": "None"}, ""},
		{` {}`, map[string]string{}, ""},

		{"instanceType=ml.t3.medium", nil, `unknown member "instanceType": the members are InstanceType, SageMakerImageArn`},
		{"Foo=1", nil, `unknown member "Foo"`},
		{"InstanceType=a,InstanceType=b", nil, "member InstanceType is given twice"},
		{"InstanceType", nil, `"InstanceType" is not Name=value`},
		{"InstanceType=a,", nil, `expected another Name=value after ","`},
		{"=a", nil, `a member has no name before "="`},
		{`InstanceType="a`, nil, "the quote \" is not closed"},
		{`InstanceType="a"b`, nil, `expected "," after the closing quote`},
		{`{"instancetype": "x"}`, nil, `unknown member "instancetype"`},
		{`{"InstanceType": "a", "InstanceType": "b"}`, nil, "member InstanceType is given twice"},
		{`{"InstanceType": 3}`, nil, "member InstanceType must be a string, not a number"},
		{`{"InstanceType": null}`, nil, "must be a string, not null"},
		{`{"InstanceType": "a"}{"InstanceType": "b"}`, nil, "unexpected text after the value"},
		{`{"InstanceType": "a"`, nil, "not valid JSON: it ends too soon"},
		{`{"InstanceType" "a"}`, nil, "not valid JSON at character"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseStruct(tt.in, spec)
			if tt.problem != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.problem)
				assert.NotContains(t, err.Error(), "json:", "no encoding/json wording")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// The AWS CLI's list form, --tags followed by its tags, is split into one flag per tag; the
// flags after it are still flags, and a flag's own value is never taken for a tag.
func TestExpandTags(t *testing.T) {
	_, fs, err := parseFlags(nil)
	require.NoError(t, err)
	for _, tt := range []struct{ in, want []string }{
		{[]string{"--tags", "Key=a,Value=1", "Key=b,Value=2", "--ensure"}, []string{"--tags=Key=a,Value=1", "--tags=Key=b,Value=2", "--ensure"}},
		{[]string{"-tags", "Key=a,Value=1"}, []string{"--tags=Key=a,Value=1"}},
		{[]string{"--tags=Key=a,Value=1", "Key=b,Value=2"}, []string{"--tags=Key=a,Value=1", "Key=b,Value=2"}},
		{[]string{"--app-name", "--tags", "Key=a,Value=1"}, []string{"--app-name", "--tags", "Key=a,Value=1"}},
		{[]string{"--ensure", "--tags", `[{"Key":"a","Value":"1"}]`, "--dry-run"}, []string{"--ensure", `--tags=[{"Key":"a","Value":"1"}]`, "--dry-run"}},
		{[]string{"--tags"}, []string{"--tags"}},
		{[]string{"--", "--tags", "x"}, []string{"--", "--tags", "x"}},
	} {
		assert.Equal(t, tt.want, expandTags(tt.in, fs), "%q", tt.in)
	}
}

// The request of --dry-run has what the AWS CLI's forms gave, in the order given, beside the
// program's own flags.
func TestResourceSpecAndTagsInTheAWSCLIForms(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		spec map[string]any
		tags []any
	}{
		{
			"shorthand",
			[]string{"--resource-spec", "InstanceType=ml.t3.large,SageMakerImageVersionAlias=2.3.1", "--tags", "Key=team,Value=ml", "Key=env,Value=dev", "--tag", "cost=42"},
			map[string]any{"InstanceType": "ml.t3.large", "SageMakerImageArn": distributionCPU, "SageMakerImageVersionAlias": "2.3.1"},
			[]any{tagJSON("team", "ml"), tagJSON("env", "dev"), tagJSON("cost", "42")},
		},
		{
			"JSON",
			[]string{"--resource-spec", `{"InstanceType":"ml.g5.xlarge","LifecycleConfigArn":"arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/setup"}`,
				"--tags", `[{"Key":"team","Value":"ml"},{"Key":"empty","Value":""}]`},
			map[string]any{"InstanceType": "ml.g5.xlarge", "LifecycleConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/setup",
				"SageMakerImageArn": "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-gpu"},
			[]any{tagJSON("team", "ml"), tagJSON("empty", "")},
		},
		{
			"an image version ARN names its image: no default image",
			[]string{"--resource-spec", "SageMakerImageVersionArn=arn:aws:sagemaker:us-east-1:123456789012:image-version/mine/3"},
			map[string]any{"SageMakerImageVersionArn": "arn:aws:sagemaker:us-east-1:123456789012:image-version/mine/3"},
			nil,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"--dry-run"}, tt.args...), &stdout, &stderr)
			require.Equal(t, exitOK, code, stderr.String())
			var req map[string]any
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &req), stdout.String())
			assert.Equal(t, tt.spec, req["ResourceSpec"])
			if tt.tags == nil {
				assert.NotContains(t, req, "Tags")
			} else {
				assert.Equal(t, tt.tags, req["Tags"])
			}
		})
	}
}

func tagJSON(k, v string) map[string]any { return map[string]any{"Key": k, "Value": v} }

// Bad forms, a repeated tag key (however given) and a member given both ways are usage errors:
// exit code 2, a message that names the problem, nothing sent.
func TestBadSpecsAndRepeatedTagKeysExitTwo(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--tag", "team=ml", "--tag", "team=data"}, `tag key "team" is given twice (--tag team=ml, then --tag team=data): tag keys must be unique`},
		{[]string{"--tags", "Key=team,Value=ml", "Key=team,Value=data"}, `tag key "team" is given twice (--tags Key=team,Value=ml, then --tags Key=team,Value=data)`},
		{[]string{"--tag", "team=ml", "--tags", `[{"Key":"team","Value":"x"}]`}, `tag key "team" is given twice (--tag team=ml, then --tags {"Key":"team","Value":"x"})`},
		{[]string{"--tags", "Key=team"}, `"Key=team": the member Value is missing (write Value= for an empty value)`},
		{[]string{"--tags", "Value=x"}, `the member Key is missing`},
		{[]string{"--tags", "Key=a,Value=b,Colour=red"}, `unknown member "Colour": the members are Key, Value`},
		{[]string{"--tags", `[{"Key":"a"}]`}, "tag 1: the member Value is missing"},
		{[]string{"--tags", `[{"Key":"a","Value":"b"}`}, "not valid JSON: it ends too soon"},
		{[]string{"--resource-spec", "InstanceType=ml.t3.large", "--instance-type", "ml.t3.large"}, "InstanceType is given in --resource-spec and as --instance-type: give it once"},
		{[]string{"--resource-spec", "SageMakerImageArn=x", "--image-arn="}, "SageMakerImageArn is given in --resource-spec and as --image-arn"},
		{[]string{"--resource-spec", "InstanceType=a", "--resource-spec", "InstanceType=b"}, "given twice: give every member in one --resource-spec"},
		{[]string{"--resource-spec", "Size=large"}, `unknown member "Size"`},
		{[]string{"--wait-timeout", "0s"}, "--wait-timeout 0s: want a positive duration"},
		{[]string{"--wait-timeout", "soon"}, `invalid value "soon" for flag -wait-timeout`},
		{[]string{"--profile", "dev"}, "--profile needs --aws"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"--dry-run"}, tt.args...), &stdout, &stderr)
			assert.Equal(t, exitInvalid, code)
			assert.Empty(t, stdout.String())
			assert.Contains(t, stderr.String(), tt.want)
			assert.Contains(t, stderr.String(), "Run 'createapp --help' for usage.")
		})
	}
}

// A repeated key is refused even when the program would send the request: nothing is sent.
func TestRepeatedTagKeySendsNothing(t *testing.T) {
	srv, run := startFake(t)
	r := run("--domain-id", "d-platform1", "--owner", "bob", "--app-type", "JupyterLab", "--app-name", "default",
		"--tags", "Key=team,Value=ml", "--tag", "team=ml", "--ensure")
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stderr, `tag key "team" is given twice`)
	assert.Empty(t, srv.Requests())
}
