package sagemakerapp_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The library's validator and the fake's checks are two independent readings of the service
// model (hand-written scanners against the model's own regular expressions). These tests hold
// them to the same verdict on the static rules: one accepts a CreateApp input exactly when the
// other does.

// pool holds values at and around the edges of one member's rules: ones the rules accept and
// ones they refuse. Most picks are accepted values, so that whole requests are often valid and a
// single bad member decides the verdict.
type pool struct{ good, bad []string }

func (p pool) pick(r *rand.Rand) string {
	if len(p.bad) > 0 && r.IntN(10) == 0 {
		return p.bad[r.IntN(len(p.bad))]
	}
	return p.good[r.IntN(len(p.good))]
}

// maybe returns a pointer to a pick, or nil one time in four.
func (p pool) maybe(r *rand.Rand) *string {
	if r.IntN(4) == 0 {
		return nil
	}
	s := p.pick(r)
	return &s
}

var (
	domainPool       = pool{[]string{"d-abc123", "d-a", "d--x", "d-" + strings.Repeat("a", 61), "d-" + strings.Repeat("-a", 30) + "a"}, []string{"d-", "d-ABC", "x-abc", "d-" + strings.Repeat("a", 62), "d-" + strings.Repeat("-a", 31), ""}}
	appTypePool      = pool{[]string{"KernelGateway", "JupyterServer", "JupyterLab", "CodeEditor", "Canvas", "TensorBoard", "RStudioServerPro"}, []string{"kernelgateway", "Bogus", ""}}
	namePool         = pool{[]string{"alice", "a", "a--b", strings.Repeat("n", 63), "a" + strings.Repeat("-", 61) + "b"}, []string{"-a", "a-", "a_b", "café", strings.Repeat("n", 64), "a" + strings.Repeat("-", 62) + "b", ""}}
	instanceTypePool = pool{[]string{"", "system", "ml.t3.medium", "ml.g7e.48xlarge", "ml.p6-b200.48xlarge"}, []string{"ml.fake.huge", "ML.T3.MEDIUM"}}
	imagePool        = pool{[]string{"arn:aws:sagemaker:us-east-1:123456789012:image/my-image", "arn:aws-cn:sagemaker:cn-north-1:123456789012:image/a.b", "arn:aws:sagemaker:us-east-1:123456789012:image/" + strings.Repeat("x", 208)}, []string{"arn:aws:sagemaker:us-east-1:12345678901:image/x", "arn:aws:sagemaker:r:123456789012:image/a..b", "arn:aws:sagemaker:r\n:123456789012:image/a", "arn:aws:sagemaker:us-east-1:123456789012:image/" + strings.Repeat("x", 210), ""}}
	versionPool      = pool{[]string{"None", "arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/3"}, []string{"none", "arn:aws:sagemaker:us-east-1:123456789012:image-version/My-image/3", "arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/", ""}}
	aliasPool        = pool{[]string{"1", "1.2", "1x2", "1é2", "1.2.3", "1.2.3-rc.1+build.5", strings.Repeat("1", 128)}, []string{"01.2.3", "1.2.3-01", "v1", strings.Repeat("1", 129), ""}}
	lifecyclePool    = pool{[]string{"None", "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/x"}, []string{"arn:aws:sagemaker:us-east-1:123:studio-lifecycle-config/x", "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/" + strings.Repeat("x", 200), ""}}
	planPool         = pool{[]string{"None", "arn:aws:sagemaker:us-east-1:123456789012:training-plan/p", "arn:aws:sagemaker:us-east-1:123456789012:training-plan/" + strings.Repeat("p", 1990)}, []string{"arn:aws:sagemaker:US:123456789012:training-plan/p", "arn:aws:sagemaker:us-east-1:123456789012:training-plan/" + strings.Repeat("p", 2000), ""}}
	tagKeyPool       = pool{[]string{"team", "Team", "aws", "k ü 日本 Ⅻ²_.:/=+-@", strings.Repeat("k", 128), strings.Repeat("é", 128)}, []string{"aws:x", "AWS:x", "a#b", "a\tb", "😀", strings.Repeat("k", 129), strings.Repeat("é", 129), ""}}
	tagValuePool     = pool{[]string{"", "ml", "a b", strings.Repeat("v", 256)}, []string{"😀", strings.Repeat("v", 257)}}
)

func randomInput(r *rand.Rand) *sagemaker.CreateAppInput {
	in := &sagemaker.CreateAppInput{
		DomainId: domainPool.maybe(r),
		AppType:  types.AppType(appTypePool.pick(r)),
		AppName:  namePool.maybe(r),
	}
	// Exactly one owner most of the time; neither or both now and then.
	switch owner := namePool.maybe(r); r.IntN(10) {
	case 0:
	case 1:
		in.UserProfileName, in.SpaceName = owner, namePool.maybe(r)
	case 2, 3, 4:
		in.SpaceName = owner
	default:
		in.UserProfileName = owner
	}
	if r.IntN(4) > 0 {
		spec := &types.ResourceSpec{InstanceType: types.AppInstanceType(instanceTypePool.pick(r))}
		for _, m := range []struct {
			p     pool
			field **string
		}{
			{imagePool, &spec.SageMakerImageArn}, {versionPool, &spec.SageMakerImageVersionArn}, {aliasPool, &spec.SageMakerImageVersionAlias},
			{lifecyclePool, &spec.LifecycleConfigArn}, {planPool, &spec.TrainingPlanArn},
		} {
			if r.IntN(3) == 0 {
				v := m.p.pick(r)
				*m.field = &v
			}
		}
		in.ResourceSpec = spec
	}
	n := r.IntN(4)
	if r.IntN(20) == 0 {
		n = 49 + r.IntN(3)
	}
	for i := range n {
		key := tagKeyPool.pick(r)
		if i > 0 && r.IntN(10) > 0 {
			key = "k" + strings.Repeat("x", i) // unique, so longer lists can be valid
		}
		value := tagValuePool.pick(r)
		tag := types.Tag{Key: &key, Value: &value}
		if r.IntN(30) == 0 {
			tag.Key = nil
		}
		if r.IntN(30) == 0 {
			tag.Value = nil
		}
		in.Tags = append(in.Tags, tag)
	}
	return in
}

func compareVerdicts(t *testing.T, in *sagemaker.CreateAppInput) {
	t.Helper()
	libErr := sagemakerapp.Validate(in)
	fakeErr := sagemakerfake.CheckCreateAppInput(in)
	if (libErr == nil) != (fakeErr == nil) {
		t.Fatalf("verdicts differ on %s\nlibrary: %v\nfake:    %v", describe(in), libErr, fakeErr)
	}
}

func TestValidateAgreesWithTheFake(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 11))
	accepted := 0
	for range 20000 {
		in := randomInput(r)
		compareVerdicts(t, in)
		if sagemakerapp.Validate(in) == nil {
			accepted++
		}
	}
	// Both outcomes must be common, or the comparison says little.
	if accepted < 200 || accepted > 19800 {
		t.Fatalf("only %d of 20000 random inputs were accepted: the pools need rebalancing", accepted)
	}
	t.Logf("%d of 20000 random inputs accepted by both", accepted)
}

// FuzzValidateAgreesWithTheFake drives both checks with arbitrary member values. Inputs that are
// not valid UTF-8 are left out: the library refuses them, while the SDK would have sent U+FFFD in
// their place, which is what the fake then sees.
func FuzzValidateAgreesWithTheFake(f *testing.F) {
	f.Add("d-abc123", "KernelGateway", "default", "alice", "", "ml.t3.medium", "arn:aws:sagemaker:us-east-1:123456789012:image/x", "1.2.3", "team", "ml", uint8(0b0101))
	f.Add("d-", "JupyterServer", "-a", "", "s", "system", "None", "1x2", "aws:x", "", uint8(0b1111))
	f.Add("d-abc", "JupyterLab", "a", "u", "", "", "", "", "", "😀", uint8(0b0001))
	f.Fuzz(func(t *testing.T, domain, appType, appName, owner, space, instanceType, image, alias, key, value string, flags uint8) {
		for _, s := range []string{domain, appType, appName, owner, space, instanceType, image, alias, key, value} {
			if !utf8.ValidString(s) {
				t.Skip("not valid UTF-8")
			}
		}
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
			UserProfileName: opt(1, owner),
			SpaceName:       opt(2, space),
			ResourceSpec: &types.ResourceSpec{
				InstanceType:               types.AppInstanceType(instanceType),
				SageMakerImageArn:          opt(4, image),
				SageMakerImageVersionAlias: opt(8, alias),
				TrainingPlanArn:            opt(16, image),
				LifecycleConfigArn:         opt(32, image),
				SageMakerImageVersionArn:   opt(64, image),
			},
			Tags: []types.Tag{{Key: &key, Value: &value}},
		}
		if flags&128 != 0 {
			in.Tags = append(in.Tags, types.Tag{Key: &value, Value: &key})
		}
		compareVerdicts(t, in)
	})
}

func describe(in *sagemaker.CreateAppInput) string {
	s := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return "\"" + *p + "\""
	}
	var b strings.Builder
	b.WriteString("DomainId=" + s(in.DomainId) + " AppType=" + string(in.AppType) + " AppName=" + s(in.AppName) +
		" UserProfileName=" + s(in.UserProfileName) + " SpaceName=" + s(in.SpaceName))
	if rs := in.ResourceSpec; rs != nil {
		b.WriteString(" InstanceType=" + string(rs.InstanceType) + " Image=" + s(rs.SageMakerImageArn) + " Version=" + s(rs.SageMakerImageVersionArn) +
			" Alias=" + s(rs.SageMakerImageVersionAlias) + " Lifecycle=" + s(rs.LifecycleConfigArn) + " Plan=" + s(rs.TrainingPlanArn))
	}
	for i, tag := range in.Tags {
		b.WriteString(" Tags[" + string(rune('0'+i%10)) + "]=" + s(tag.Key) + ":" + s(tag.Value))
	}
	return b.String()
}
