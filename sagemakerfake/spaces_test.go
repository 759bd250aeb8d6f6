package sagemakerfake_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// privateSpaceInput is a CreateSpace input for a private JupyterLab space of testUser.
func privateSpaceInput(name string) *sagemaker.CreateSpaceInput {
	return &sagemaker.CreateSpaceInput{
		DomainId:             aws.String(testDomain),
		SpaceName:            aws.String(name),
		OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String(testUser)},
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypePrivate},
		SpaceSettings: &types.SpaceSettings{
			AppType:              types.AppTypeJupyterLab,
			SpaceStorageSettings: &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(20)}},
		},
	}
}

// TestSpaceLifecycle: a space is Pending for the startup delay and then InService; DescribeSpace
// answers its settings as given; DeleteSpace makes it Deleting for the delete delay, and then it
// is gone and its name is free. A seeded space stands for one that exists: InService at once.
func TestSpaceLifecycle(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute), sagemakerfake.WithDeleteDelay(10*time.Second))
	created := f.srv.Now()
	out, err := f.client.CreateSpace(ctx(t), privateSpaceInput("alice-lab"))
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:sagemaker:us-east-1:123456789012:space/" + testDomain + "/alice-lab"
	if aws.ToString(out.SpaceArn) != wantARN {
		t.Errorf("SpaceArn %q, want %q", aws.ToString(out.SpaceArn), wantARN)
	}
	describe := func(want types.SpaceStatus) *sagemaker.DescribeSpaceOutput {
		t.Helper()
		d, err := f.client.DescribeSpace(ctx(t), &sagemaker.DescribeSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")})
		if err != nil {
			t.Fatalf("DescribeSpace: %v", err)
		}
		if d.Status != want {
			t.Fatalf("space status %s, want %s", d.Status, want)
		}
		return d
	}
	d := describe(types.SpaceStatusPending)
	if aws.ToString(d.SpaceArn) != wantARN || d.CreationTime == nil || !d.CreationTime.Equal(created) ||
		d.OwnershipSettings == nil || aws.ToString(d.OwnershipSettings.OwnerUserProfileName) != testUser ||
		d.SpaceSharingSettings == nil || d.SpaceSharingSettings.SharingType != types.SharingTypePrivate ||
		d.SpaceSettings == nil || d.SpaceSettings.AppType != types.AppTypeJupyterLab ||
		aws.ToInt32(d.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb) != 20 {
		t.Errorf("DescribeSpace = %+v", d)
	}
	f.srv.Advance(time.Minute - time.Millisecond)
	describe(types.SpaceStatusPending)
	f.srv.Advance(time.Millisecond)
	describe(types.SpaceStatusInService)

	if _, err := f.client.DeleteSpace(ctx(t), &sagemaker.DeleteSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")}); err != nil {
		t.Fatal(err)
	}
	describe(types.SpaceStatusDeleting)
	_, err = f.client.DeleteSpace(ctx(t), &sagemaker.DeleteSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")})
	wantCode(t, err, "ResourceInUse")
	_, err = f.client.CreateApp(ctx(t), spaceApp(types.AppTypeJupyterLab, "alice-lab", "default", ""))
	wantCode(t, err, "ResourceInUse")
	f.srv.Advance(10 * time.Second)
	_, err = f.client.DescribeSpace(ctx(t), &sagemaker.DescribeSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")})
	wantCode(t, err, "ResourceNotFound")
	_, err = f.client.DeleteSpace(ctx(t), &sagemaker.DeleteSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")})
	wantCode(t, err, "ResourceNotFound")
	_, err = f.client.ListTags(ctx(t), &sagemaker.ListTagsInput{ResourceArn: aws.String(wantARN)})
	wantCode(t, err, "ResourceNotFound")
	// The name is free again, for a space or for a user profile.
	if _, err := f.client.CreateUserProfile(ctx(t), &sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("alice-lab")}); err != nil {
		t.Errorf("CreateUserProfile with a deleted space's name: %v", err)
	}

	// The fixture's seeded space is InService from the start.
	d, err = f.client.DescribeSpace(ctx(t), &sagemaker.DescribeSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String(testSpace)})
	if err != nil || d.Status != types.SpaceStatusInService {
		t.Errorf("seeded space: %+v, %v", d, err)
	}
}

// TestCreateSpaceRules: the owner must exist, a private space needs one, and user profiles and
// spaces share one namespace per domain, with the text seen live (facts §7.2).
func TestCreateSpaceRules(t *testing.T) {
	const namespace = "User Profile and Space name must be unique in a domain"
	for _, tc := range []struct {
		name     string
		call     func(c *sagemaker.Client) error
		code     string
		contains string
	}{
		{"a private space of alice", func(c *sagemaker.Client) error {
			_, err := c.CreateSpace(ctx(t), privateSpaceInput("lab"))
			return err
		}, "", ""},
		{"a shared space with an owner", func(c *sagemaker.Client) error {
			in := privateSpaceInput("lab")
			in.SpaceSharingSettings.SharingType = types.SharingTypeShared
			_, err := c.CreateSpace(ctx(t), in)
			return err
		}, "", ""},
		{"an owner that does not exist", func(c *sagemaker.Client) error {
			in := privateSpaceInput("lab")
			in.OwnershipSettings.OwnerUserProfileName = aws.String("bob")
			_, err := c.CreateSpace(ctx(t), in)
			return err
		}, "ResourceNotFound", "user-profile/" + testDomain + "/bob"},
		{"a private space without an owner", func(c *sagemaker.Client) error {
			in := privateSpaceInput("lab")
			in.OwnershipSettings = nil
			_, err := c.CreateSpace(ctx(t), in)
			return err
		}, "ValidationException", "OwnershipSettings.OwnerUserProfileName"},
		{"a domain that does not exist", func(c *sagemaker.Client) error {
			in := privateSpaceInput("lab")
			in.DomainId = aws.String("d-missing00001")
			_, err := c.CreateSpace(ctx(t), in)
			return err
		}, "ResourceNotFound", "domain/d-missing00001"},
		{"a space that exists", func(c *sagemaker.Client) error {
			_, err := c.CreateSpace(ctx(t), privateSpaceInput(testSpace))
			return err
		}, "ResourceInUse", "space/" + testDomain + "/" + testSpace + "' already exists"},
		{"a space named like a user profile", func(c *sagemaker.Client) error {
			_, err := c.CreateSpace(ctx(t), privateSpaceInput(testUser))
			return err
		}, "ResourceInUse", namespace},
		{"a user profile named like a space", func(c *sagemaker.Client) error {
			_, err := c.CreateUserProfile(ctx(t), &sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testSpace)})
			return err
		}, "ResourceInUse", namespace},
		{"the same name in another domain", func(c *sagemaker.Client) error {
			out, err := c.CreateDomain(ctx(t), &sagemaker.CreateDomainInput{DomainName: aws.String("other"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{},
				SubnetIds: []string{"subnet-1"}, VpcId: aws.String("vpc-1")})
			if err != nil {
				return err
			}
			_, err = c.CreateUserProfile(ctx(t), &sagemaker.CreateUserProfileInput{DomainId: out.DomainId, UserProfileName: aws.String(testSpace)})
			return err
		}, "", ""},
		{"an owner name that breaks the pattern", func(c *sagemaker.Client) error {
			in := privateSpaceInput("lab")
			in.OwnershipSettings.OwnerUserProfileName = aws.String("al_ice")
			_, err := c.CreateSpace(ctx(t), in)
			return err
		}, "ValidationException", "at 'ownershipSettings.ownerUserProfileName' failed to satisfy constraint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			err := tc.call(f.client)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantCode(t, err, tc.code)
			if !strings.Contains(errorMessage(err), tc.contains) {
				t.Errorf("message %q, want it to contain %q", errorMessage(err), tc.contains)
			}
		})
	}
}

// TestDeleteSpaceRefusedWhileItsAppLives: a space whose app is Pending, InService or Deleting
// cannot be deleted (ResourceInUse naming the app); once the app is Deleted, it can.
func TestDeleteSpaceRefusedWhileItsAppLives(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute), sagemakerfake.WithDeleteDelay(time.Minute))
	in := spaceApp(types.AppTypeJupyterLab, testSpace, "default", "")
	out, err := f.client.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	del := &sagemaker.DeleteSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String(testSpace)}
	for _, step := range []struct {
		status types.AppStatus
		then   func()
	}{
		{types.AppStatusPending, func() { f.srv.Advance(time.Minute) }},
		{types.AppStatusInService, func() {
			if _, err := f.client.DeleteApp(ctx(t), deleteInput(in)); err != nil {
				t.Fatal(err)
			}
		}},
		{types.AppStatusDeleting, func() { f.srv.Advance(time.Minute) }},
	} {
		_, err := f.client.DeleteSpace(ctx(t), del)
		wantCode(t, err, "ResourceInUse")
		if msg := errorMessage(err); !strings.Contains(msg, aws.ToString(out.AppArn)) || !strings.Contains(msg, "JupyterLab app 'default'") || !strings.Contains(msg, string(step.status)) {
			t.Errorf("DeleteSpace while the app is %s: %q, want the app's type, name, ARN and status", step.status, msg)
		}
		step.then()
	}
	mustStatus(t, f.client, in, types.AppStatusDeleted)
	if _, err := f.client.DeleteSpace(ctx(t), del); err != nil {
		t.Errorf("DeleteSpace once its app is Deleted: %v", err)
	}
}

// TestListSpaces pages, filters and sorts as the model's defaults say: ascending CreationTime
// unless told otherwise, MaxResults 10.
func TestListSpaces(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(0))
	// The fixture's shared space "team" is first; then 14 private spaces of alice, a second apart.
	names := []string{testSpace}
	for i := range 14 {
		name := fmt.Sprintf("lab-%02d", i)
		if i%2 == 1 {
			name = fmt.Sprintf("Code-%02d", i)
		}
		if _, err := f.client.CreateSpace(ctx(t), privateSpaceInput(name)); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
		f.srv.Advance(time.Second)
	}
	reversed := slices.Clone(names)
	slices.Reverse(reversed)
	list := func(in *sagemaker.ListSpacesInput) ([]string, int) {
		t.Helper()
		var got []string
		pages := 0
		for p := sagemaker.NewListSpacesPaginator(f.client, in); p.HasMorePages(); {
			page, err := p.NextPage(ctx(t))
			if err != nil {
				t.Fatalf("ListSpaces: %v", err)
			}
			pages++
			for _, s := range page.Spaces {
				got = append(got, aws.ToString(s.SpaceName))
			}
		}
		return got, pages
	}
	var code []string
	for _, n := range names {
		if strings.Contains(strings.ToLower(n), "code") {
			code = append(code, n)
		}
	}
	for _, tc := range []struct {
		name      string
		in        sagemaker.ListSpacesInput
		want      []string
		wantPages int
	}{
		{"default page size of 10", sagemaker.ListSpacesInput{}, names, 2},
		{"pages of 4", sagemaker.ListSpacesInput{DomainIdEquals: aws.String(testDomain), MaxResults: aws.Int32(4)}, names, 4},
		{"descending", sagemaker.ListSpacesInput{SortOrder: types.SortOrderDescending, MaxResults: aws.Int32(6)}, reversed, 3},
		{"by last modification", sagemaker.ListSpacesInput{SortBy: types.SpaceSortKeyLastModifiedTime, SortOrder: types.SortOrderDescending}, reversed, 2},
		{"name contains, in any case", sagemaker.ListSpacesInput{SpaceNameContains: aws.String("cODe"), MaxResults: aws.Int32(3)}, code, 3},
		{"another domain", sagemaker.ListSpacesInput{DomainIdEquals: aws.String("d-none00000000")}, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := list(&tc.in)
			if !slices.Equal(got, tc.want) || pages != tc.wantPages {
				t.Errorf("listed %v in %d pages\nwant %v in %d", got, pages, tc.want, tc.wantPages)
			}
		})
	}

	out, err := f.client.ListSpaces(ctx(t), &sagemaker.ListSpacesInput{SpaceNameContains: aws.String("lab-00")})
	if err != nil || len(out.Spaces) != 1 {
		t.Fatalf("ListSpaces lab-00: %+v, %v", out, err)
	}
	s := out.Spaces[0]
	if aws.ToString(s.DomainId) != testDomain || s.Status != types.SpaceStatusInService || s.CreationTime == nil || s.LastModifiedTime == nil ||
		s.OwnershipSettingsSummary == nil || aws.ToString(s.OwnershipSettingsSummary.OwnerUserProfileName) != testUser ||
		s.SpaceSharingSettingsSummary == nil || s.SpaceSharingSettingsSummary.SharingType != types.SharingTypePrivate ||
		s.SpaceSettingsSummary == nil || s.SpaceSettingsSummary.AppType != types.AppTypeJupyterLab ||
		aws.ToInt32(s.SpaceSettingsSummary.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb) != 20 {
		t.Errorf("SpaceDetails = %+v", s)
	}

	first, err := f.client.ListSpaces(ctx(t), &sagemaker.ListSpacesInput{MaxResults: aws.Int32(2)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	for _, tc := range []struct {
		name string
		in   sagemaker.ListSpacesInput
		want string
	}{
		{"token of another listing", sagemaker.ListSpacesInput{SortOrder: types.SortOrderDescending, NextToken: first.NextToken}, "Invalid NextToken"},
		{"sort key", sagemaker.ListSpacesInput{SortBy: "Name"}, "at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CreationTime, LastModifiedTime]"},
		{"MaxResults 101", sagemaker.ListSpacesInput{MaxResults: aws.Int32(101)}, "Member must have value less than or equal to 100"},
	} {
		_, err := f.client.ListSpaces(ctx(t), &tc.in)
		wantCode(t, err, "ValidationException")
		if !strings.Contains(errorMessage(err), tc.want) {
			t.Errorf("%s: message %q, want it to contain %q", tc.name, errorMessage(err), tc.want)
		}
	}
	// A space deleted after the first page does not shift the rest.
	if _, err := f.client.DeleteSpace(ctx(t), &sagemaker.DeleteSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String(names[1])}); err != nil {
		t.Fatal(err)
	}
	rest, _ := list(&sagemaker.ListSpacesInput{MaxResults: aws.Int32(2), NextToken: first.NextToken})
	if !slices.Equal(rest, names[2:]) {
		t.Errorf("after the first page and a delete: %v, want %v", rest, names[2:])
	}
}

// TestSpaceAppRules: the rules CreateApp applies to an app in a space (facts §7.1, §7.2).
func TestSpaceAppRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		space    types.AppType              // the space's SpaceSettings.AppType
		first    *sagemaker.CreateAppInput  // created first, then first moves to firstEnd
		firstEnd types.AppStatus            // InService, Deleted or Failed
		in       *sagemaker.CreateAppInput  // the app under test
		code     string                     // "" when accepted
		contains []string                   // in the message
		also     func(*testing.T, *fixture) // more checks after an accepted create
	}{
		{name: "JupyterLab in a JupyterLab space", space: types.AppTypeJupyterLab,
			in: spaceApp(types.AppTypeJupyterLab, "s", "default", "")},
		{name: "CodeEditor in a JupyterLab space", space: types.AppTypeJupyterLab,
			in: spaceApp(types.AppTypeCodeEditor, "s", "default", ""), code: "ValidationException",
			contains: []string{"App type CodeEditor does not match the app type JupyterLab of space 's'."}},
		{name: "KernelGateway in a JupyterLab space", space: types.AppTypeJupyterLab,
			in: userAppIn("s", types.AppTypeKernelGateway, "kg"), code: "ValidationException", contains: []string{"does not match the app type JupyterLab"}},
		{name: "any type in a space without an AppType", in: spaceApp(types.AppTypeCodeEditor, "s", "default", "")},
		{name: "a second app in the space", space: types.AppTypeJupyterLab,
			first: spaceApp(types.AppTypeJupyterLab, "s", "default", ""), firstEnd: types.AppStatusInService,
			in: spaceApp(types.AppTypeJupyterLab, "s", "other", ""), code: "ResourceInUse",
			contains: []string{"JupyterLab app 'default'", "arn:aws:sagemaker:us-east-1:123456789012:app/" + testDomain + "/s/jupyterlab/default", "InService"}},
		{name: "a second app of another type in a space without an AppType",
			first: spaceApp(types.AppTypeCodeEditor, "s", "code", ""), firstEnd: types.AppStatusInService,
			in: spaceApp(types.AppTypeJupyterLab, "s", "lab", ""), code: "ResourceInUse", contains: []string{"CodeEditor app 'code'", "/s/codeeditor/code)"}},
		{name: "a KernelGateway app beside a JupyterLab app",
			first: spaceApp(types.AppTypeJupyterLab, "s", "lab", ""), firstEnd: types.AppStatusInService,
			in: userAppIn("s", types.AppTypeKernelGateway, "kg"), code: "ResourceInUse", contains: []string{"JupyterLab app 'lab'"}},
		{name: "a second app once the first is Deleted", space: types.AppTypeJupyterLab,
			first: spaceApp(types.AppTypeJupyterLab, "s", "default", ""), firstEnd: types.AppStatusDeleted,
			in: spaceApp(types.AppTypeJupyterLab, "s", "other", "")},
		{name: "a second app once the first Failed", space: types.AppTypeJupyterLab,
			first: spaceApp(types.AppTypeJupyterLab, "s", "broken", ""), firstEnd: types.AppStatusFailed,
			in: spaceApp(types.AppTypeJupyterLab, "s", "other", "")},
		{name: "Studio Classic apps share a space, as they always did",
			first: userAppIn("s", types.AppTypeJupyterServer, "default"), firstEnd: types.AppStatusInService,
			in: userAppIn("s", types.AppTypeKernelGateway, "kg")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, sagemakerfake.WithFailureRule(func(a sagemakerfake.App) string {
				if a.AppName == "broken" {
					return "InternalFailure"
				}
				return ""
			}))
			seedSpace(t, f.srv, "s", "", tc.space)
			if tc.first != nil {
				if _, err := f.client.CreateApp(ctx(t), tc.first); err != nil {
					t.Fatal(err)
				}
				f.srv.Advance(2 * time.Second)
				if tc.firstEnd == types.AppStatusDeleted {
					if _, err := f.client.DeleteApp(ctx(t), deleteInput(tc.first)); err != nil {
						t.Fatal(err)
					}
					f.srv.Advance(2 * time.Second)
				}
				mustStatus(t, f.client, tc.first, tc.firstEnd)
			}
			_, err := f.client.CreateApp(ctx(t), tc.in)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantCode(t, err, tc.code)
			for _, want := range tc.contains {
				if !strings.Contains(errorMessage(err), want) {
					t.Errorf("message %q, want it to contain %q", errorMessage(err), want)
				}
			}
		})
	}
}

// userAppIn is a Studio Classic app (KernelGateway on ml.t3.medium, or JupyterServer) in a space.
func userAppIn(spaceName string, appType types.AppType, name string) *sagemaker.CreateAppInput {
	in := userApp(appType, name, types.AppInstanceTypeMlT3Medium)
	if appType == types.AppTypeJupyterServer {
		in.ResourceSpec = nil
	}
	in.UserProfileName, in.SpaceName = nil, aws.String(spaceName)
	return in
}

// TestRestartAndListOrder: a restart keeps the ARN and the CreationTime, so ListApps, which sorts
// by CreationTime (ascending by default, as the model says), keeps the restarted app in its place.
func TestRestartAndListOrder(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Second))
	seedSpace(t, f.srv, "first", testUser, types.AppTypeJupyterLab)
	seedSpace(t, f.srv, "second", testUser, types.AppTypeJupyterLab)
	a := spaceApp(types.AppTypeJupyterLab, "first", "default", "")
	b := spaceApp(types.AppTypeJupyterLab, "second", "default", "")
	aOut, err := f.client.CreateApp(ctx(t), a)
	if err != nil {
		t.Fatal(err)
	}
	aCreated := f.srv.Now()
	f.srv.Advance(time.Minute)
	if _, err := f.client.CreateApp(ctx(t), b); err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(time.Minute)
	if _, err := f.client.DeleteApp(ctx(t), deleteInput(a)); err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(time.Minute)
	again, err := f.client.CreateApp(ctx(t), a) // a restart, after b was created
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.AppArn) != aws.ToString(aOut.AppArn) {
		t.Errorf("restart ARN %q, want %q", aws.ToString(again.AppArn), aws.ToString(aOut.AppArn))
	}
	for _, tc := range []struct {
		in   sagemaker.ListAppsInput
		want []string
	}{
		{sagemaker.ListAppsInput{}, []string{"first", "second"}},
		{sagemaker.ListAppsInput{SortBy: types.AppSortKeyCreationTime, SortOrder: types.SortOrderAscending, MaxResults: aws.Int32(1)}, []string{"first", "second"}},
		{sagemaker.ListAppsInput{SortBy: types.AppSortKeyCreationTime, SortOrder: types.SortOrderDescending, MaxResults: aws.Int32(1)}, []string{"second", "first"}},
	} {
		var got []string
		for p := sagemaker.NewListAppsPaginator(f.client, &tc.in); p.HasMorePages(); {
			page, err := p.NextPage(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, app := range page.Apps {
				got = append(got, aws.ToString(app.SpaceName))
				if aws.ToString(app.SpaceName) == "first" && (!app.CreationTime.Equal(aCreated) || app.Status != types.AppStatusPending) {
					t.Errorf("the restarted app is listed with CreationTime %v and status %s, want %v and Pending", app.CreationTime, app.Status, aCreated)
				}
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ListApps %s %s: %v, want %v", tc.in.SortBy, tc.in.SortOrder, got, tc.want)
		}
	}
}

// TestImageRule: a JupyterLab or CodeEditor app needs an image from the request or from the first
// level that gives one (facts §2.4, §7.3); DescribeApp and ListApps report the image of that
// level, and CheckCreateAppWithDefaults reaches the same verdict from the levels' specs.
func TestImageRule(t *testing.T) {
	const (
		spaceImage  = "arn:aws:sagemaker:us-east-1:885854791233:image/space-image"
		ownerImage  = "arn:aws:sagemaker:us-east-1:885854791233:image/owner-image"
		domainImage = "arn:aws:sagemaker:us-east-1:885854791233:image/domain-image"
		sharedImage = "arn:aws:sagemaker:us-east-1:885854791233:image/shared-image"
		version     = "arn:aws:sagemaker:us-east-1:885854791233:image-version/space-image/7"
	)
	spec := func(it types.AppInstanceType, image, versionARN, alias string) *types.ResourceSpec {
		r := &types.ResourceSpec{InstanceType: it}
		if image != "" {
			r.SageMakerImageArn = aws.String(image)
		}
		if versionARN != "" {
			r.SageMakerImageVersionArn = aws.String(versionARN)
		}
		if alias != "" {
			r.SageMakerImageVersionAlias = aws.String(alias)
		}
		return r
	}
	for _, tc := range []struct {
		name                 string
		appType              types.AppType
		private              bool
		request              *types.ResourceSpec
		space, owner, domain *types.ResourceSpec // the app type's DefaultResourceSpec at each level
		sharedDefault        *types.ResourceSpec // the domain's DefaultSpaceSettings (JupyterLab only)
		want                 *types.ResourceSpec // the described spec; nil when refused
	}{
		{name: "the request's image", appType: types.AppTypeJupyterLab, request: spec("ml.t3.medium", imageARN, "", ""), space: spec("", spaceImage, "", ""),
			want: spec("ml.t3.medium", imageARN, "", "")},
		{name: "the request's version ARN alone", appType: types.AppTypeJupyterLab, request: spec("", "", version, ""),
			want: spec("", "", version, "")},
		{name: "no image anywhere", appType: types.AppTypeJupyterLab, request: spec("ml.t3.medium", "", "", ""), space: spec("ml.t3.large", "", "", "")},
		{name: "no image anywhere, CodeEditor", appType: types.AppTypeCodeEditor, private: true},
		{name: "a version ARN of None is no image", appType: types.AppTypeJupyterLab, request: spec("", "", "None", ""), domain: spec("", "", "None", "")},
		{name: "an alias alone is no image", appType: types.AppTypeJupyterLab, request: spec("", "", "", "2.0")},
		{name: "the space's image", appType: types.AppTypeJupyterLab, request: spec("ml.t3.medium", "", "", ""), space: spec("ml.t3.large", spaceImage, version, "2.1"),
			domain: spec("", domainImage, "", ""), want: spec("ml.t3.medium", spaceImage, version, "2.1")},
		{name: "past a level that sets only the instance type", appType: types.AppTypeJupyterLab, space: spec("ml.t3.large", "", "", ""),
			domain: spec("ml.m5.large", domainImage, "", "1.0"), want: spec("ml.t3.large", domainImage, "", "1.0")},
		{name: "the request's alias stays", appType: types.AppTypeJupyterLab, request: spec("", "", "", "3.0"), domain: spec("", domainImage, "", "1.0"),
			want: spec("", domainImage, "", "3.0")},
		{name: "a private space: the owner's image", appType: types.AppTypeCodeEditor, private: true, owner: spec("", ownerImage, "", ""),
			domain: spec("", domainImage, "", ""), want: spec("", ownerImage, "", "")},
		{name: "a private space: not the shared spaces' default", appType: types.AppTypeJupyterLab, private: true, sharedDefault: spec("", sharedImage, "", "")},
		{name: "a shared space: the shared spaces' default", appType: types.AppTypeJupyterLab, sharedDefault: spec("", sharedImage, "", ""),
			domain: spec("", domainImage, "", ""), want: spec("", sharedImage, "", "")},
		{name: "a shared space: not the owner's image", appType: types.AppTypeJupyterLab, owner: spec("", ownerImage, "", ""),
			domain: spec("", domainImage, "", ""), want: spec("", domainImage, "", "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(0))
			c := srv.Client()
			userSettings := func(r *types.ResourceSpec) *types.UserSettings {
				if tc.appType == types.AppTypeCodeEditor {
					return &types.UserSettings{CodeEditorAppSettings: &types.CodeEditorAppSettings{DefaultResourceSpec: r}}
				}
				return &types.UserSettings{JupyterLabAppSettings: &types.JupyterLabAppSettings{DefaultResourceSpec: r}}
			}
			domain := &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam, DefaultUserSettings: userSettings(tc.domain)}
			if tc.sharedDefault != nil {
				domain.DefaultSpaceSettings = &types.DefaultSpaceSettings{JupyterLabAppSettings: &types.JupyterLabAppSettings{DefaultResourceSpec: tc.sharedDefault}}
			}
			if _, err := srv.SeedDomain(testDomain, domain); err != nil {
				t.Fatal(err)
			}
			if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser), UserSettings: userSettings(tc.owner)}); err != nil {
				t.Fatal(err)
			}
			space := &sagemaker.CreateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("s"),
				OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String(testUser)},
				SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
				SpaceSettings:        &types.SpaceSettings{AppType: tc.appType}}
			if tc.private {
				space.SpaceSharingSettings.SharingType = types.SharingTypePrivate
			}
			if tc.appType == types.AppTypeCodeEditor {
				space.SpaceSettings.CodeEditorAppSettings = &types.SpaceCodeEditorAppSettings{DefaultResourceSpec: tc.space}
			} else {
				space.SpaceSettings.JupyterLabAppSettings = &types.SpaceJupyterLabAppSettings{DefaultResourceSpec: tc.space}
			}
			if err := srv.SeedSpace(space); err != nil {
				t.Fatal(err)
			}
			in := &sagemaker.CreateAppInput{DomainId: aws.String(testDomain), SpaceName: aws.String("s"), AppType: tc.appType, AppName: aws.String("default"), ResourceSpec: tc.request}

			// The levels of this space, as package sagemakerapp reads them (facts §2.4).
			levels := []*types.ResourceSpec{tc.space, tc.sharedDefault, tc.domain}
			if tc.private {
				levels = []*types.ResourceSpec{tc.space, tc.owner, tc.domain}
			} else if tc.appType == types.AppTypeCodeEditor {
				levels = []*types.ResourceSpec{tc.space, tc.domain} // DefaultSpaceSettings has no CodeEditor member
			}
			checked := sagemakerfake.CheckCreateAppWithDefaults(in, levels...)

			_, err := c.CreateApp(ctx(t), in)
			if tc.want == nil {
				wantCode(t, err, "ValidationException")
				if want := "SageMaker Image ARN is required for App with type [" + string(tc.appType) + "]"; errorMessage(err) != want {
					t.Errorf("message %q, want exactly %q", errorMessage(err), want)
				}
				var fe *sagemakerfake.Error
				if !errors.As(checked, &fe) || fe.Message != errorMessage(err) {
					t.Errorf("CheckCreateAppWithDefaults = %v, want the wire's answer", checked)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if checked != nil {
				t.Errorf("CheckCreateAppWithDefaults refused what CreateApp accepted: %v", checked)
			}
			d, err := c.DescribeApp(ctx(t), describeInput(in))
			if err != nil {
				t.Fatal(err)
			}
			list, err := c.ListApps(ctx(t), &sagemaker.ListAppsInput{})
			if err != nil || len(list.Apps) != 1 {
				t.Fatalf("ListApps: %+v, %v", list, err)
			}
			for where, got := range map[string]*types.ResourceSpec{"DescribeApp": d.ResourceSpec, "ListApps": list.Apps[0].ResourceSpec} {
				if got == nil || got.InstanceType != tc.want.InstanceType || aws.ToString(got.SageMakerImageArn) != aws.ToString(tc.want.SageMakerImageArn) ||
					aws.ToString(got.SageMakerImageVersionArn) != aws.ToString(tc.want.SageMakerImageVersionArn) ||
					aws.ToString(got.SageMakerImageVersionAlias) != aws.ToString(tc.want.SageMakerImageVersionAlias) {
					t.Errorf("%s ResourceSpec %s, want %s", where, specString(got), specString(tc.want))
				}
			}
		})
	}
}

func specString(r *types.ResourceSpec) string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{InstanceType:%s Image:%s Version:%s Alias:%s}", r.InstanceType, aws.ToString(r.SageMakerImageArn),
		aws.ToString(r.SageMakerImageVersionArn), aws.ToString(r.SageMakerImageVersionAlias))
}

// TestCheckCreateAppWithDefaults pins the level rules without a server: the KernelGateway instance
// type and the JupyterLab/CodeEditor image, each from the request or the first level.
func TestCheckCreateAppWithDefaults(t *testing.T) {
	lab := spaceApp(types.AppTypeJupyterLab, "s", "default", "")
	lab.ResourceSpec = nil
	kg := userApp(types.AppTypeKernelGateway, "kg", "")
	for _, tc := range []struct {
		name     string
		in       *sagemaker.CreateAppInput
		defaults []*types.ResourceSpec
		want     string // "" when accepted
	}{
		{"JupyterLab, no levels", lab, nil, "SageMaker Image ARN is required for App with type [JupyterLab]"},
		{"JupyterLab, image at level 2", lab, []*types.ResourceSpec{nil, {SageMakerImageArn: aws.String(imageARN)}}, ""},
		{"JupyterLab, version ARN None at a level", lab, []*types.ResourceSpec{{SageMakerImageVersionArn: aws.String("None")}}, "SageMaker Image ARN is required"},
		{"JupyterLab, the request's image", spaceApp(types.AppTypeJupyterLab, "s", "default", ""), nil, ""},
		{"KernelGateway, no levels", kg, nil, "No InstanceType was found for KernelGateway app 'kg'"},
		{"KernelGateway, instance type at level 3", kg, []*types.ResourceSpec{nil, {}, {InstanceType: types.AppInstanceTypeMlT3Large}}, ""},
		{"static rules first", userApp(types.AppTypeJupyterLab, "lab", ""), nil, "JupyterLab apps run in a space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := sagemakerfake.CheckCreateAppWithDefaults(tc.in, tc.defaults...)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var fe *sagemakerfake.Error
			if !errors.As(err, &fe) || fe.Code != sagemakerfake.CodeValidation || !strings.Contains(fe.Message, tc.want) {
				t.Errorf("CheckCreateAppWithDefaults = %v, want a ValidationException containing %q", err, tc.want)
			}
		})
	}
}

// TestSetLastUserActivity: by default the activity is the time the app became InService; a test
// can stage another, which DescribeApp and Apps report until the app is created again.
func TestSetLastUserActivity(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute), sagemakerfake.WithDeleteDelay(time.Second))
	in := spaceApp(types.AppTypeJupyterLab, testSpace, "default", "")
	if _, err := f.client.CreateApp(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	started := f.srv.Now().Add(time.Minute)
	f.srv.Advance(3 * time.Hour)
	d := mustStatus(t, f.client, in, types.AppStatusInService)
	if d.LastUserActivityTimestamp == nil || !d.LastUserActivityTimestamp.Equal(started) {
		t.Errorf("activity %v, want the InService time %v", d.LastUserActivityTimestamp, started)
	}
	apps := f.srv.Apps()
	if len(apps) != 1 || !apps[0].LastUserActivity.Equal(started) || !apps[0].LastHealthCheck.Equal(started) {
		t.Fatalf("Apps() = %+v", apps)
	}
	staged := f.srv.Now().Add(-30 * time.Minute)
	if err := f.srv.SetLastUserActivity(apps[0].Key(), staged); err != nil {
		t.Fatal(err)
	}
	d = mustStatus(t, f.client, in, types.AppStatusInService)
	if d.LastUserActivityTimestamp == nil || !d.LastUserActivityTimestamp.Equal(staged) || !d.LastHealthCheckTimestamp.Equal(started) {
		t.Errorf("staged: activity %v (want %v), health check %v (want %v)", d.LastUserActivityTimestamp, staged, d.LastHealthCheckTimestamp, started)
	}
	if got := f.srv.Apps()[0].LastUserActivity; !got.Equal(staged) {
		t.Errorf("Apps() activity %v, want %v", got, staged)
	}

	// A restart starts afresh.
	if _, err := f.client.DeleteApp(ctx(t), deleteInput(in)); err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(time.Second)
	if _, err := f.client.CreateApp(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	if d := mustStatus(t, f.client, in, types.AppStatusPending); d.LastUserActivityTimestamp != nil {
		t.Errorf("a restarted Pending app reports activity %v", d.LastUserActivityTimestamp)
	}

	err := f.srv.SetLastUserActivity(sagemakerfake.AppKey{DomainID: testDomain, SpaceName: testSpace, AppType: types.AppTypeJupyterLab, AppName: "nope"}, staged)
	var fe *sagemakerfake.Error
	if !errors.As(err, &fe) || fe.Code != sagemakerfake.CodeResourceNotFound {
		t.Errorf("SetLastUserActivity of an unknown app: %v, want ResourceNotFound", err)
	}
}
