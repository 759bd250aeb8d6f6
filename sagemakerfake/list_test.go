package sagemakerfake_test

import (
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

// listFixture holds 25 user apps (u00…u24) and 5 space apps (s0…s4, KernelGateway apps of a
// shared Studio Classic space, which may run several), created one second apart, and one app in a
// second domain.
func listFixture(t *testing.T) *fixture {
	f := newFixture(t)
	for i := range 25 {
		if _, err := f.client.CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, fmt.Sprintf("u%02d", i), "")); err != nil {
			t.Fatal(err)
		}
		f.srv.Advance(time.Second)
	}
	for i := range 5 {
		in := userApp(types.AppTypeKernelGateway, fmt.Sprintf("s%d", i), types.AppInstanceTypeMlT3Medium)
		in.UserProfileName, in.SpaceName = nil, aws.String(testSpace)
		if _, err := f.client.CreateApp(ctx(t), in); err != nil {
			t.Fatal(err)
		}
		f.srv.Advance(time.Second)
	}
	other := "d-other0000001"
	if _, err := f.srv.SeedDomain(other, &sagemaker.CreateDomainInput{DomainName: aws.String("o"), AuthMode: types.AuthModeIam, DefaultUserSettings: classic(nil)}); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(other), UserProfileName: aws.String(testUser)}); err != nil {
		t.Fatal(err)
	}
	in := userApp(types.AppTypeJupyterServer, "elsewhere", "")
	in.DomainId = aws.String(other)
	if _, err := f.client.CreateApp(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	return f
}

// listAll pages through ListApps and returns the app names in order and the number of pages.
func listAll(t *testing.T, c *sagemaker.Client, in *sagemaker.ListAppsInput) ([]string, int) {
	t.Helper()
	var names []string
	pages := 0
	p := sagemaker.NewListAppsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		for _, a := range page.Apps {
			names = append(names, aws.ToString(a.AppName))
		}
	}
	return names, pages
}

func TestListAppsPagingFiltersAndSort(t *testing.T) {
	f := listFixture(t)
	users := make([]string, 25)
	for i := range users {
		users[i] = fmt.Sprintf("u%02d", i)
	}
	spaces := []string{"s0", "s1", "s2", "s3", "s4"}
	for _, tc := range []struct {
		name      string
		in        sagemaker.ListAppsInput
		want      []string
		wantPages int
	}{
		{"default page size of 10", sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain)}, append(slices.Clone(users), spaces...), 3},
		{"pages of 7", sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), MaxResults: aws.Int32(7)}, append(slices.Clone(users), spaces...), 5},
		{"exact pages", sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), MaxResults: aws.Int32(5)}, append(slices.Clone(users), spaces...), 6},
		{"one page of 100", sagemaker.ListAppsInput{MaxResults: aws.Int32(100)}, append(append(slices.Clone(users), spaces...), "elsewhere"), 1},
		{"user filter", sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), UserProfileNameEquals: aws.String(testUser), MaxResults: aws.Int32(10)}, users, 3},
		{"user filter across domains", sagemaker.ListAppsInput{UserProfileNameEquals: aws.String(testUser), MaxResults: aws.Int32(100)}, append(slices.Clone(users), "elsewhere"), 1},
		{"space filter", sagemaker.ListAppsInput{SpaceNameEquals: aws.String(testSpace), MaxResults: aws.Int32(2)}, spaces, 3},
		{"descending", sagemaker.ListAppsInput{SpaceNameEquals: aws.String(testSpace), SortOrder: types.SortOrderDescending, SortBy: types.AppSortKeyCreationTime, MaxResults: aws.Int32(2)},
			[]string{"s4", "s3", "s2", "s1", "s0"}, 3},
		{"nothing", sagemaker.ListAppsInput{DomainIdEquals: aws.String("d-none00000000")}, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := listAll(t, f.client, &tc.in)
			if !slices.Equal(got, tc.want) {
				t.Errorf("listed %v\nwant %v", got, tc.want)
			}
			if pages != tc.wantPages {
				t.Errorf("%d pages, want %d", pages, tc.wantPages)
			}
		})
	}
}

func TestListAppsDetails(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute))
	in := userApp(types.AppTypeKernelGateway, "kg", types.AppInstanceTypeSystem)
	if _, err := f.client.CreateApp(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	created := f.srv.Now()
	f.srv.Advance(time.Minute)
	out, err := f.client.ListApps(ctx(t), &sagemaker.ListAppsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Apps) != 1 || out.NextToken != nil {
		t.Fatalf("ListApps = %+v", out)
	}
	a := out.Apps[0]
	if aws.ToString(a.DomainId) != testDomain || aws.ToString(a.UserProfileName) != testUser || a.SpaceName != nil ||
		a.AppType != types.AppTypeKernelGateway || a.Status != types.AppStatusInService || !a.CreationTime.Equal(created) ||
		a.ResourceSpec == nil || a.ResourceSpec.InstanceType != types.AppInstanceTypeMlT3Medium {
		t.Errorf("AppDetails = %+v", a)
	}
}

func TestListAppsTokensAndLimits(t *testing.T) {
	f := listFixture(t)
	first, err := f.client.ListApps(ctx(t), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), MaxResults: aws.Int32(3)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v %v", first, err)
	}
	for _, tc := range []struct {
		name string
		in   sagemaker.ListAppsInput
		want string
	}{
		{"garbage token", sagemaker.ListAppsInput{NextToken: aws.String("not-a-token")}, "Invalid NextToken"},
		{"token of another listing", sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), SortOrder: types.SortOrderDescending, NextToken: first.NextToken}, "Invalid NextToken"},
		{"MaxResults 0", sagemaker.ListAppsInput{MaxResults: aws.Int32(0)}, "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"MaxResults 101", sagemaker.ListAppsInput{MaxResults: aws.Int32(101)}, "Member must have value less than or equal to 100"},
		{"sort key", sagemaker.ListAppsInput{SortBy: "Name"}, "at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CreationTime]"},
		{"user and space", sagemaker.ListAppsInput{UserProfileNameEquals: aws.String("a"), SpaceNameEquals: aws.String("b")}, "cannot both be set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.client.ListApps(ctx(t), &tc.in)
			wantCode(t, err, "ValidationException")
			if !strings.Contains(errorMessage(err), tc.want) {
				t.Errorf("message %q, want it to contain %q", errorMessage(err), tc.want)
			}
		})
	}

	// A token stays valid when the app it points after is gone, and apps created meanwhile are
	// listed at the end without shifting the rest.
	apps := f.srv.Apps()
	for _, a := range apps[:3] {
		in := userApp(a.AppType, a.AppName, "")
		if _, err := f.client.DeleteApp(ctx(t), deleteInput(in)); err != nil {
			t.Fatal(err)
		}
	}
	f.srv.Advance(48 * time.Hour)
	if _, err := f.client.CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, "late", "")); err != nil {
		t.Fatal(err)
	}
	rest, _ := listAll(t, f.client, &sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), MaxResults: aws.Int32(3), NextToken: first.NextToken})
	if len(rest) != 28 || rest[0] != "u03" || rest[len(rest)-1] != "late" {
		t.Errorf("after the first page: %v", rest)
	}
}

func TestListTags(t *testing.T) {
	f := newFixture(t)
	in := userApp(types.AppTypeJupyterServer, "tagged", "")
	in.Tags = tags(50)
	out, err := f.client.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	first, err := f.client.ListTags(ctx(t), &sagemaker.ListTagsInput{ResourceArn: out.AppArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Tags) != 50 || first.NextToken != nil || aws.ToString(first.Tags[49].Key) != "k49" {
		t.Errorf("ListTags = %d tags, token %v", len(first.Tags), first.NextToken)
	}
	// Domains keep their tags too.
	domainARN := "arn:aws:sagemaker:us-east-1:123456789012:domain/" + testDomain
	d, err := f.client.ListTags(ctx(t), &sagemaker.ListTagsInput{ResourceArn: aws.String(domainARN)})
	if err != nil || len(d.Tags) != 0 {
		t.Errorf("ListTags of the domain: %v %v", d, err)
	}
	_, err = f.client.ListTags(ctx(t), &sagemaker.ListTagsInput{ResourceArn: aws.String(domainARN + "x")})
	wantCode(t, err, "ResourceNotFound")
	_, err = f.client.ListTags(ctx(t), &sagemaker.ListTagsInput{ResourceArn: out.AppArn, MaxResults: aws.Int32(10)})
	if !strings.Contains(errorMessage(err), "Member must have value greater than or equal to 50") {
		t.Errorf("MaxResults 10: %v", err)
	}
}
