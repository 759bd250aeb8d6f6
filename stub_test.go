package sagemakerapp

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// stubAPI is an API that answers at once from its fields and records what it was asked. A nil
// function answers with an empty output.
type stubAPI struct {
	mu     sync.Mutex
	calls  map[string]int
	last   map[string]any
	optFns map[string][]func(*sagemaker.Options) // the per-call options of each operation's last call

	createApp           func(*sagemaker.CreateAppInput) (*sagemaker.CreateAppOutput, error)
	describeApp         func(*sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error)
	deleteApp           func(*sagemaker.DeleteAppInput) (*sagemaker.DeleteAppOutput, error)
	describeDomain      func(*sagemaker.DescribeDomainInput) (*sagemaker.DescribeDomainOutput, error)
	describeUserProfile func(*sagemaker.DescribeUserProfileInput) (*sagemaker.DescribeUserProfileOutput, error)
	describeSpace       func(*sagemaker.DescribeSpaceInput) (*sagemaker.DescribeSpaceOutput, error)
	addTags             func(*sagemaker.AddTagsInput) (*sagemaker.AddTagsOutput, error)
	listTags            func(*sagemaker.ListTagsInput) (*sagemaker.ListTagsOutput, error)
}

var _ API = (*stubAPI)(nil)

func (s *stubAPI) record(op string, in any, optFns []func(*sagemaker.Options)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls, s.last, s.optFns = map[string]int{}, map[string]any{}, map[string][]func(*sagemaker.Options){}
	}
	s.calls[op]++
	s.last[op] = in
	s.optFns[op] = optFns
}

// lastOptions applies the per-call options of op's last call to empty sagemaker.Options.
func (s *stubAPI) lastOptions(op string) sagemaker.Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	var o sagemaker.Options
	for _, fn := range s.optFns[op] {
		fn(&o)
	}
	return o
}

func (s *stubAPI) count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

func answer[I, O any](s *stubAPI, op string, fn func(*I) (*O, error), in *I, optFns []func(*sagemaker.Options)) (*O, error) {
	s.record(op, in, optFns)
	if fn == nil {
		return new(O), nil
	}
	return fn(in)
}

func (s *stubAPI) CreateApp(_ context.Context, in *sagemaker.CreateAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreateAppOutput, error) {
	return answer(s, "CreateApp", s.createApp, in, optFns)
}

func (s *stubAPI) DescribeApp(_ context.Context, in *sagemaker.DescribeAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error) {
	return answer(s, "DescribeApp", s.describeApp, in, optFns)
}

func (s *stubAPI) DeleteApp(_ context.Context, in *sagemaker.DeleteAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error) {
	return answer(s, "DeleteApp", s.deleteApp, in, optFns)
}

func (s *stubAPI) ListApps(_ context.Context, in *sagemaker.ListAppsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error) {
	return answer[sagemaker.ListAppsInput, sagemaker.ListAppsOutput](s, "ListApps", nil, in, optFns)
}

func (s *stubAPI) DescribeDomain(_ context.Context, in *sagemaker.DescribeDomainInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeDomainOutput, error) {
	return answer(s, "DescribeDomain", s.describeDomain, in, optFns)
}

func (s *stubAPI) DescribeUserProfile(_ context.Context, in *sagemaker.DescribeUserProfileInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeUserProfileOutput, error) {
	return answer(s, "DescribeUserProfile", s.describeUserProfile, in, optFns)
}

func (s *stubAPI) DescribeSpace(_ context.Context, in *sagemaker.DescribeSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeSpaceOutput, error) {
	return answer(s, "DescribeSpace", s.describeSpace, in, optFns)
}

func (s *stubAPI) AddTags(_ context.Context, in *sagemaker.AddTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error) {
	return answer(s, "AddTags", s.addTags, in, optFns)
}

func (s *stubAPI) ListTags(_ context.Context, in *sagemaker.ListTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error) {
	return answer(s, "ListTags", s.listTags, in, optFns)
}

// createdARN answers CreateApp with the ARN the service would give.
func createdARN(in *sagemaker.CreateAppInput) (*sagemaker.CreateAppOutput, error) {
	return &sagemaker.CreateAppOutput{AppArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:app/" +
		aws.ToString(in.DomainId) + "/" + aws.ToString(in.UserProfileName) + aws.ToString(in.SpaceName) + "/kernelgateway/" + aws.ToString(in.AppName))}, nil
}
