package sagemakerfake_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The conformance scenarios are written once, against the SDK's own client, and run against the
// fake always and against real SageMaker when SAGEMAKERAPP_AWS_DOMAIN_ID is set. A scenario
// asserts only what the service is known or documented to do, so a failure against AWS means the
// fake (or our reading of the service) is wrong.
//
// Against AWS, set:
//
//	SAGEMAKERAPP_AWS_DOMAIN_ID      an existing Studio domain, such as d-abcdef123456
//	SAGEMAKERAPP_AWS_USER_PROFILE   an existing user profile in it
//	SAGEMAKERAPP_AWS_APP_TYPE       optional: the app type the scenarios create (default JupyterServer)
//	SAGEMAKERAPP_AWS_INSTANCE_TYPE  optional: its instance type (default system)
//
// with credentials and a region as the SDK finds them (environment, shared config, SSO). The
// scenarios create apps named sgmfk-…, wait for them (minutes each) and delete them when done;
// the defaults, a JupyterServer app on system, cost nothing to run. Run for example:
//
//	SAGEMAKERAPP_AWS_DOMAIN_ID=d-… SAGEMAKERAPP_AWS_USER_PROFILE=… go test -run TestConformance/aws -timeout 60m ./sagemakerfake/
//
// The same target also runs against the standalone server (cmd/sagemakerfake) when
// AWS_ENDPOINT_URL_SAGEMAKER points at it, which is how the AWS path itself is tested.

// conformanceAPI is what the scenarios call; *sagemaker.Client satisfies it.
type conformanceAPI interface {
	CreateApp(context.Context, *sagemaker.CreateAppInput, ...func(*sagemaker.Options)) (*sagemaker.CreateAppOutput, error)
	DescribeApp(context.Context, *sagemaker.DescribeAppInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error)
	DeleteApp(context.Context, *sagemaker.DeleteAppInput, ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error)
	ListApps(context.Context, *sagemaker.ListAppsInput, ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error)
	ListTags(context.Context, *sagemaker.ListTagsInput, ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
	DescribeDomain(context.Context, *sagemaker.DescribeDomainInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeDomainOutput, error)
	DescribeUserProfile(context.Context, *sagemaker.DescribeUserProfileInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeUserProfileOutput, error)
}

var _ conformanceAPI = (*sagemaker.Client)(nil)

// target is a SageMaker to run the scenarios against.
type target struct {
	api          conformanceAPI
	domainID     string
	user         string
	appType      types.AppType // of the apps that scenarios really create
	instanceType types.AppInstanceType
	wantSpec     types.AppInstanceType // the instance type DescribeApp then shows
	// poll is how often waitFor asks; step moves time on between two asks.
	poll    time.Duration
	step    func(time.Duration)
	timeout time.Duration
}

var appCounter atomic.Int64

// newApp returns a CreateApp input for a uniquely named app of the target's user.
func (tg *target) newApp() *sagemaker.CreateAppInput {
	name := fmt.Sprintf("sgmfk-%d-%d", time.Now().Unix()%1000000, appCounter.Add(1))
	in := &sagemaker.CreateAppInput{
		DomainId:        aws.String(tg.domainID),
		UserProfileName: aws.String(tg.user),
		AppType:         tg.appType,
		AppName:         aws.String(name),
		ResourceSpec:    &types.ResourceSpec{InstanceType: tg.instanceType},
		Tags:            []types.Tag{{Key: aws.String("sagemakerfake-conformance"), Value: aws.String(name)}},
	}
	return in
}

// create creates the app and makes sure it is gone after the test, waiting out Pending first
// because the service refuses to delete an app that is starting.
func (tg *target) create(t *testing.T, in *sagemaker.CreateAppInput) *sagemaker.CreateAppOutput {
	t.Helper()
	out, err := tg.api.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatalf("CreateApp: %v", err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), tg.timeout)
		defer cancel()
		for {
			d, err := tg.api.DescribeApp(c, describeInput(in))
			if err != nil {
				return // gone already
			}
			switch d.Status {
			case types.AppStatusDeleting, types.AppStatusDeleted, types.AppStatusFailed:
				return
			case types.AppStatusPending:
				if tg.sleep(c) {
					continue
				}
			}
			break
		}
		if _, err := tg.api.DeleteApp(c, deleteInput(in)); err != nil && errorCode(err) != "ResourceNotFound" {
			t.Logf("cleanup: DeleteApp %s: %v", aws.ToString(in.AppName), err)
		}
	})
	return out
}

func (tg *target) sleep(c context.Context) bool {
	tg.step(tg.poll)
	return c.Err() == nil
}

// waitFor describes the app until it has status want.
func (tg *target) waitFor(t *testing.T, in *sagemaker.CreateAppInput, want types.AppStatus) *sagemaker.DescribeAppOutput {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), tg.timeout)
	defer cancel()
	for {
		out, err := tg.api.DescribeApp(c, describeInput(in))
		if err != nil {
			t.Fatalf("DescribeApp while waiting for %s: %v", want, err)
		}
		if out.Status == want {
			return out
		}
		if out.Status == types.AppStatusFailed {
			t.Fatalf("app failed while waiting for %s: %s", want, aws.ToString(out.FailureReason))
		}
		tg.step(tg.poll)
		if c.Err() != nil {
			t.Fatalf("app still %s after %v, want %s", out.Status, tg.timeout, want)
		}
	}
}

func fakeTarget(t *testing.T) *target {
	f := newFixture(t, sagemakerfake.WithStartupDelay(90*time.Second), sagemakerfake.WithDeleteDelay(30*time.Second))
	return &target{
		api: f.client, domainID: testDomain, user: testUser,
		appType: types.AppTypeJupyterServer, instanceType: types.AppInstanceTypeSystem, wantSpec: types.AppInstanceTypeSystem,
		poll: 10 * time.Second, step: f.srv.Advance, timeout: 10 * time.Second,
	}
}

// awsSkipReason says why the scenarios cannot run against AWS, or "" when they can.
func awsSkipReason() string {
	switch {
	case os.Getenv("SAGEMAKERAPP_AWS_DOMAIN_ID") == "":
		return "set SAGEMAKERAPP_AWS_DOMAIN_ID (and SAGEMAKERAPP_AWS_USER_PROFILE, and AWS credentials) to run the scenarios against real SageMaker"
	case os.Getenv("SAGEMAKERAPP_AWS_USER_PROFILE") == "":
		return "SAGEMAKERAPP_AWS_DOMAIN_ID is set but SAGEMAKERAPP_AWS_USER_PROFILE is not: name an existing user profile of the domain"
	}
	return ""
}

func awsTarget(t *testing.T) *target {
	domainID, user := os.Getenv("SAGEMAKERAPP_AWS_DOMAIN_ID"), os.Getenv("SAGEMAKERAPP_AWS_USER_PROFILE")
	cfg, err := config.LoadDefaultConfig(ctx(t))
	if err != nil {
		t.Fatalf("loading the AWS configuration: %v", err)
	}
	tg := &target{
		api: sagemaker.NewFromConfig(cfg), domainID: domainID, user: user,
		appType: types.AppTypeJupyterServer, instanceType: types.AppInstanceTypeSystem,
		poll: 15 * time.Second, step: time.Sleep, timeout: 20 * time.Minute,
	}
	if v := os.Getenv("SAGEMAKERAPP_AWS_APP_TYPE"); v != "" {
		tg.appType = types.AppType(v)
	}
	if v := os.Getenv("SAGEMAKERAPP_AWS_INSTANCE_TYPE"); v != "" {
		tg.instanceType = types.AppInstanceType(v)
	}
	tg.wantSpec = tg.instanceType
	if tg.appType == types.AppTypeKernelGateway && tg.instanceType == types.AppInstanceTypeSystem {
		tg.wantSpec = types.AppInstanceTypeMlT3Medium
	}
	return tg
}

// scenarios run against every target. creates marks the ones that create real apps.
var scenarios = []struct {
	name    string
	creates bool
	run     func(t *testing.T, tg *target)
}{
	{"Lifecycle", true, scenarioLifecycle},
	{"CreateTwiceIsResourceInUse", true, scenarioCreateTwice},
	{"AppNamePattern", false, scenarioAppNamePattern},
	{"DomainIdPattern", false, scenarioDomainIDPattern},
	{"JupyterServerOnlySystem", false, scenarioJupyterServerOnlySystem},
	{"UnknownDomainIsResourceNotFound", false, scenarioUnknownDomain},
	{"DescribeMissingAppIsResourceNotFound", false, scenarioDescribeMissing},
	{"DeleteMissingAppIsResourceNotFound", false, scenarioDeleteMissing},
	{"ListAppsPaging", false, scenarioListAppsPaging},
	{"ListAppsMaxResultsRange", false, scenarioMaxResultsRange},
	{"DescribeDomainAndUserProfile", false, scenarioDescribeParents},
}

func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		new  func(*testing.T) *target
		skip func() string
	}{{"fake", fakeTarget, func() string { return "" }}, {"aws", awsTarget, awsSkipReason}} {
		t.Run(tc.name, func(t *testing.T) {
			if reason := tc.skip(); reason != "" {
				t.Skip(reason)
			}
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					sc.run(t, tc.new(t))
				})
			}
		})
	}
}

var appARN = regexp.MustCompile(`^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:app/([^/]+)/([^/]+)/([^/]+)/([^/]+)$`)

func scenarioLifecycle(t *testing.T, tg *target) {
	in := tg.newApp()
	created := tg.create(t, in)
	m := appARN.FindStringSubmatch(aws.ToString(created.AppArn))
	if m == nil {
		t.Fatalf("AppArn %q is not an app ARN", aws.ToString(created.AppArn))
	}
	if want := []string{tg.domainID, tg.user, strings.ToLower(string(tg.appType)), aws.ToString(in.AppName)}; strings.Join(m[1:], "/") != strings.Join(want, "/") {
		t.Errorf("AppArn segments %v, want %v", m[1:], want)
	}

	first, err := tg.api.DescribeApp(ctx(t), describeInput(in))
	if err != nil {
		t.Fatalf("DescribeApp: %v", err)
	}
	if first.Status != types.AppStatusPending && first.Status != types.AppStatusInService {
		t.Errorf("status right after CreateApp is %s, want Pending (or already InService)", first.Status)
	}
	if first.CreationTime == nil || aws.ToString(first.AppArn) != aws.ToString(created.AppArn) {
		t.Errorf("DescribeApp: CreationTime %v, AppArn %q; want a time and %q", first.CreationTime, aws.ToString(first.AppArn), aws.ToString(created.AppArn))
	}

	up := tg.waitFor(t, in, types.AppStatusInService)
	if up.ResourceSpec == nil || up.ResourceSpec.InstanceType != tg.wantSpec {
		t.Errorf("ResourceSpec %+v, want InstanceType %s", up.ResourceSpec, tg.wantSpec)
	}
	if !up.CreationTime.Equal(*first.CreationTime) {
		t.Errorf("CreationTime moved from %v to %v", first.CreationTime, up.CreationTime)
	}

	found := false
	p := sagemaker.NewListAppsPaginator(tg.api, &sagemaker.ListAppsInput{DomainIdEquals: in.DomainId, UserProfileNameEquals: in.UserProfileName, MaxResults: aws.Int32(100)})
	for p.HasMorePages() && !found {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatalf("ListApps: %v", err)
		}
		for _, a := range page.Apps {
			if aws.ToString(a.AppName) == aws.ToString(in.AppName) && a.AppType == in.AppType {
				found = a.Status == types.AppStatusInService
			}
		}
	}
	if !found {
		t.Errorf("ListApps does not list %s as InService", aws.ToString(in.AppName))
	}

	// The service may add tags of its own (tag propagation); the one given must be among them.
	tags, err := tg.api.ListTags(ctx(t), &sagemaker.ListTagsInput{ResourceArn: created.AppArn})
	if err != nil {
		t.Fatalf("ListTags: %v", err)
	}
	tagged := false
	for _, tag := range tags.Tags {
		tagged = tagged || (aws.ToString(tag.Key) == "sagemakerfake-conformance" && aws.ToString(tag.Value) == aws.ToString(in.AppName))
	}
	if !tagged {
		t.Errorf("ListTags = %+v, want the tag given at creation", tags.Tags)
	}

	if _, err := tg.api.DeleteApp(ctx(t), deleteInput(in)); err != nil {
		t.Fatalf("DeleteApp: %v", err)
	}
	gone := tg.waitFor(t, in, types.AppStatusDeleted)
	if !gone.CreationTime.Equal(*first.CreationTime) {
		t.Errorf("a Deleted app keeps its CreationTime: got %v, want %v", gone.CreationTime, first.CreationTime)
	}
	_, err = tg.api.DeleteApp(ctx(t), deleteInput(in))
	if errorCode(err) != "ValidationException" || !strings.Contains(errorMessage(err), "has already been deleted") {
		t.Errorf("DeleteApp of a Deleted app: %v, want a ValidationException saying it has already been deleted", err)
	}

	// The name of a Deleted app can be used again.
	tg.create(t, in)
	tg.waitFor(t, in, types.AppStatusInService)
}

func scenarioCreateTwice(t *testing.T, tg *target) {
	in := tg.newApp()
	tg.create(t, in)
	_, err := tg.api.CreateApp(ctx(t), in)
	var inUse *types.ResourceInUse
	if !errors.As(err, &inUse) {
		t.Fatalf("second CreateApp: %v, want *types.ResourceInUse", err)
	}
}

func scenarioAppNamePattern(t *testing.T, tg *target) {
	in := tg.newApp()
	in.AppName = aws.String("bad_name")
	_, err := tg.api.CreateApp(ctx(t), in)
	wantCode(t, err, "ValidationException")
	if want := "Value 'bad_name' at 'appName' failed to satisfy constraint: Member must satisfy regular expression pattern"; !strings.Contains(errorMessage(err), want) {
		t.Errorf("message %q does not contain %q", errorMessage(err), want)
	}
	if !strings.HasPrefix(errorMessage(err), "1 validation error detected: ") {
		t.Errorf("message %q does not start as Coral's do", errorMessage(err))
	}
}

func scenarioDomainIDPattern(t *testing.T, tg *target) {
	in := tg.newApp()
	in.DomainId = aws.String("D-UPPERCASE")
	_, err := tg.api.CreateApp(ctx(t), in)
	wantCode(t, err, "ValidationException")
	if want := "at 'domainId' failed to satisfy constraint: Member must satisfy regular expression pattern"; !strings.Contains(errorMessage(err), want) {
		t.Errorf("message %q does not contain %q", errorMessage(err), want)
	}
}

func scenarioJupyterServerOnlySystem(t *testing.T, tg *target) {
	in := tg.newApp()
	in.AppType = types.AppTypeJupyterServer
	in.ResourceSpec = &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}
	_, err := tg.api.CreateApp(ctx(t), in)
	wantCode(t, err, "ValidationException")
	if want := "Invalid instance type 'ml.t3.medium' for JupyterServer App. Only 'system' instance type is supported"; !strings.Contains(errorMessage(err), want) {
		t.Errorf("message %q does not contain %q", errorMessage(err), want)
	}
}

func scenarioUnknownDomain(t *testing.T, tg *target) {
	in := tg.newApp()
	in.DomainId = aws.String("d-doesnotexist0")
	_, err := tg.api.CreateApp(ctx(t), in)
	var nf *types.ResourceNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("CreateApp in an unknown domain: %v, want *types.ResourceNotFound", err)
	}
}

func scenarioDescribeMissing(t *testing.T, tg *target) {
	_, err := tg.api.DescribeApp(ctx(t), describeInput(tg.newApp()))
	var nf *types.ResourceNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("DescribeApp of a missing app: %v, want *types.ResourceNotFound", err)
	}
}

func scenarioDeleteMissing(t *testing.T, tg *target) {
	_, err := tg.api.DeleteApp(ctx(t), deleteInput(tg.newApp()))
	var nf *types.ResourceNotFound
	if !errors.As(err, &nf) {
		t.Fatalf("DeleteApp of a missing app: %v, want *types.ResourceNotFound", err)
	}
}

// scenarioListAppsPaging pages through the domain's apps one at a time and checks the pages add up
// to one listing of them all. Against AWS it uses whatever apps the domain has.
func scenarioListAppsPaging(t *testing.T, tg *target) {
	all, err := tg.api.ListApps(ctx(t), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(tg.domainID), MaxResults: aws.Int32(100)})
	if err != nil {
		t.Fatalf("ListApps: %v", err)
	}
	want := map[string]bool{}
	for _, a := range all.Apps {
		want[appID(a)] = true
	}
	seen := map[string]bool{}
	p := sagemaker.NewListAppsPaginator(tg.api, &sagemaker.ListAppsInput{DomainIdEquals: aws.String(tg.domainID), MaxResults: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() && pages <= len(want)+1 {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if len(page.Apps) > 1 {
			t.Fatalf("page %d has %d apps, MaxResults was 1", pages, len(page.Apps))
		}
		for _, a := range page.Apps {
			if seen[appID(a)] {
				t.Errorf("%s listed twice", appID(a))
			}
			seen[appID(a)] = true
		}
	}
	if all.NextToken == nil && len(seen) != len(want) {
		t.Errorf("paging listed %d apps, one call listed %d", len(seen), len(want))
	}
}

func appID(a types.AppDetails) string {
	return strings.Join([]string{aws.ToString(a.UserProfileName), aws.ToString(a.SpaceName), string(a.AppType), aws.ToString(a.AppName)}, "/")
}

func scenarioMaxResultsRange(t *testing.T, tg *target) {
	_, err := tg.api.ListApps(ctx(t), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(tg.domainID), MaxResults: aws.Int32(101)})
	wantCode(t, err, "ValidationException")
	if want := "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"; !strings.Contains(errorMessage(err), want) {
		t.Errorf("message %q does not contain %q", errorMessage(err), want)
	}
}

func scenarioDescribeParents(t *testing.T, tg *target) {
	d, err := tg.api.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(tg.domainID)})
	if err != nil {
		t.Fatalf("DescribeDomain: %v", err)
	}
	if aws.ToString(d.DomainId) != tg.domainID || d.Status != types.DomainStatusInService || d.DefaultUserSettings == nil {
		t.Errorf("DescribeDomain: id %q status %s settings %v", aws.ToString(d.DomainId), d.Status, d.DefaultUserSettings)
	}
	u, err := tg.api.DescribeUserProfile(ctx(t), &sagemaker.DescribeUserProfileInput{DomainId: aws.String(tg.domainID), UserProfileName: aws.String(tg.user)})
	if err != nil {
		t.Fatalf("DescribeUserProfile: %v", err)
	}
	if aws.ToString(u.UserProfileName) != tg.user || u.Status != types.UserProfileStatusInService || u.CreationTime == nil {
		t.Errorf("DescribeUserProfile: name %q status %s created %v", aws.ToString(u.UserProfileName), u.Status, u.CreationTime)
	}
}
