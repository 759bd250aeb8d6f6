package sagemakerfake_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The tests of this file pin ListApps over the fake's indexed store: every query reads one
// listing kept in creation order, and these are what such an index could get wrong.

const otherDomain = "d-test00000002"

// ownerFixture is a fake with two domains that use the same names: user profiles u0…u2 (for
// Studio Classic KernelGateway apps) and shared spaces s0…s2 (for JupyterLab apps with an image)
// in each.
func ownerFixture(t *testing.T) *fixture {
	t.Helper()
	srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(0))
	for _, d := range []string{testDomain, otherDomain} {
		if _, err := srv.SeedDomain(d, &sagemaker.CreateDomainInput{DomainName: aws.String(d), AuthMode: types.AuthModeIam, DefaultUserSettings: classic(nil)}); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(d), UserProfileName: aws.String(fmt.Sprintf("u%d", i))}); err != nil {
				t.Fatal(err)
			}
			if err := srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String(d), SpaceName: aws.String(fmt.Sprintf("s%d", i)),
				SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &fixture{srv: srv, client: srv.Client()}
}

// ownedApp is one app of ownerFixture: a KernelGateway app of user profile u<owner>, or a
// JupyterLab app of space s<owner> when space is set.
type ownedApp struct {
	domain string
	owner  int
	space  bool
	name   string
}

func (a ownedApp) create() *sagemaker.CreateAppInput {
	in := &sagemaker.CreateAppInput{DomainId: aws.String(a.domain), AppName: aws.String(a.name)}
	if a.space {
		in.SpaceName, in.AppType = aws.String(fmt.Sprintf("s%d", a.owner)), types.AppTypeJupyterLab
		in.ResourceSpec = &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium, SageMakerImageArn: aws.String(imageARN)}
	} else {
		in.UserProfileName, in.AppType = aws.String(fmt.Sprintf("u%d", a.owner)), types.AppTypeKernelGateway
		in.ResourceSpec = &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}
	}
	return in
}

// label names an app in a listing as this file's tests compare them.
func label(domain, user, space, name string) string {
	return domain + "/" + user + space + "/" + name
}

// listed is one entry of a ListApps page, reduced to what the tests compare.
type listed struct {
	label   string
	status  types.AppStatus
	created time.Time
}

// listPages pages through ListApps with page size n and returns every entry in order.
func listPages(t *testing.T, c *sagemaker.Client, in sagemaker.ListAppsInput, n int32) []listed {
	t.Helper()
	in.MaxResults = aws.Int32(n)
	var out []listed
	for page := 0; ; page++ {
		res, err := c.ListApps(ctx(t), &in)
		if err != nil {
			t.Fatalf("ListApps %+v page %d: %v", in, page+1, err)
		}
		if len(res.Apps) > int(n) {
			t.Fatalf("page of %d apps, MaxResults %d", len(res.Apps), n)
		}
		for _, a := range res.Apps {
			out = append(out, listed{label(aws.ToString(a.DomainId), aws.ToString(a.UserProfileName), aws.ToString(a.SpaceName), aws.ToString(a.AppName)), a.Status, aws.ToTime(a.CreationTime)})
		}
		if res.NextToken == nil {
			return out
		}
		if page > 1000 {
			t.Fatalf("ListApps %+v: more than 1000 pages; the tokens go round in circles", in)
		}
		in.NextToken = res.NextToken
	}
}

// described returns what DescribeApp says of every app in universe that the fake still holds,
// oldest first: the reference for ListApps, read through a path that never touches a listing.
func described(t *testing.T, c *sagemaker.Client, universe []ownedApp) []listed {
	t.Helper()
	var out []listed
	for _, a := range universe {
		in := a.create()
		d, err := c.DescribeApp(ctx(t), &sagemaker.DescribeAppInput{DomainId: in.DomainId, UserProfileName: in.UserProfileName, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName})
		if errorCode(err) == "ResourceNotFound" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, listed{label(a.domain, aws.ToString(in.UserProfileName), aws.ToString(in.SpaceName), a.name), d.Status, aws.ToTime(d.CreationTime)})
	}
	slices.SortFunc(out, func(x, y listed) int { return x.created.Compare(y.created) })
	return out
}

// checkListings compares every listing that ownerFixture allows (all apps, each domain, each
// owner in a domain and each owner's name across domains; both orders) with the reference.
func checkListings(t *testing.T, c *sagemaker.Client, ref []listed, pageSize int32) {
	t.Helper()
	type query struct {
		domain, user, space string
	}
	var queries []query
	for _, d := range []string{"", testDomain, otherDomain} {
		queries = append(queries, query{domain: d})
		for i := range 3 {
			queries = append(queries, query{domain: d, user: fmt.Sprintf("u%d", i)}, query{domain: d, space: fmt.Sprintf("s%d", i)})
		}
	}
	for _, q := range queries {
		var want []listed
		for _, e := range ref {
			if e.label[:len(testDomain)] == q.domain || q.domain == "" {
				rest := e.label[len(testDomain)+1:]
				owner := rest[:2]
				if (q.user == "" && q.space == "") || owner == q.user || owner == q.space {
					want = append(want, e)
				}
			}
		}
		for _, order := range []types.SortOrder{types.SortOrderAscending, types.SortOrderDescending} {
			in := sagemaker.ListAppsInput{SortOrder: order, SortBy: types.AppSortKeyCreationTime}
			if q.domain != "" {
				in.DomainIdEquals = aws.String(q.domain)
			}
			if q.user != "" {
				in.UserProfileNameEquals = aws.String(q.user)
			}
			if q.space != "" {
				in.SpaceNameEquals = aws.String(q.space)
			}
			got := listPages(t, c, in, pageSize)
			w := slices.Clone(want)
			if order == types.SortOrderDescending {
				slices.Reverse(w)
			}
			if !slices.EqualFunc(got, w, func(x, y listed) bool {
				return x.label == y.label && x.status == y.status && x.created.Equal(y.created)
			}) {
				t.Errorf("ListApps %+v (%s):\n got %v\nwant %v", q, order, got, w)
			}
		}
	}
}

// TestListAppsPerOwnerAcrossOwners runs a seeded random walk of creates, deletes, restarts and
// clock moves (some past the 24 hours that a Deleted app stays listed) over six owners in two
// domains with the same names, and checks every listing, in both orders and in pages of 2, against
// DescribeApp's view of the store.
func TestListAppsPerOwnerAcrossOwners(t *testing.T) {
	f := ownerFixture(t)
	var universe []ownedApp
	for _, d := range []string{testDomain, otherDomain} {
		for owner := range 3 {
			for n := range 3 {
				universe = append(universe, ownedApp{d, owner, false, fmt.Sprintf("kg%d", n)}, ownedApp{d, owner, true, fmt.Sprintf("jl%d", n)})
			}
		}
	}
	rng := rand.New(rand.NewPCG(15, 15))
	restarts := 0
	for step := range 240 {
		a := universe[rng.IntN(len(universe))]
		in := a.create()
		switch r := rng.IntN(10); {
		case r < 6:
			before := f.srv.Apps()
			_, err := f.client.CreateApp(ctx(t), in)
			// A space runs one JupyterLab app at a time, and an app that is not Deleted cannot be
			// created again; neither is what this test is about.
			if err != nil && errorCode(err) != "ResourceInUse" {
				t.Fatalf("step %d: CreateApp: %v", step, err)
			}
			if err == nil && slices.ContainsFunc(before, func(o sagemakerfake.App) bool { return o.Key() == keyOf(in) && o.Status == types.AppStatusDeleted }) {
				restarts++
			}
		case r < 9:
			_, err := f.client.DeleteApp(ctx(t), &sagemaker.DeleteAppInput{DomainId: in.DomainId, UserProfileName: in.UserProfileName, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName})
			if err != nil && errorCode(err) != "ResourceNotFound" && errorCode(err) != "ValidationException" {
				t.Fatalf("step %d: DeleteApp: %v", step, err)
			}
		default:
			f.srv.Advance([]time.Duration{time.Hour, 6 * time.Hour, 25 * time.Hour}[rng.IntN(3)])
		}
		f.srv.Advance(time.Second) // CreationTimes are distinct, so the reference's order is the fake's
		if step%40 == 39 {
			checkListings(t, f.client, described(t, f.client, universe), 2)
		}
	}
	if restarts < 5 {
		t.Errorf("the walk restarted %d apps; it should exercise the restart rule more", restarts)
	}
}

func keyOf(in *sagemaker.CreateAppInput) sagemakerfake.AppKey {
	return sagemakerfake.AppKey{DomainID: aws.ToString(in.DomainId), UserProfileName: aws.ToString(in.UserProfileName), SpaceName: aws.ToString(in.SpaceName), AppType: in.AppType, AppName: aws.ToString(in.AppName)}
}

// TestListAppsRestartKeepsPlace pins the restart rule in the listing: an app Deleted and created
// again within 24 hours keeps its ARN, its CreationTime and its place, in both orders and across
// page boundaries; a Failed app created again is a new app, listed once, at the end.
func TestListAppsRestartKeepsPlace(t *testing.T) {
	f := ownerFixture(t)
	apps := make([]ownedApp, 5)
	arns := make([]string, 5)
	for i := range apps {
		apps[i] = ownedApp{testDomain, i % 3, false, fmt.Sprintf("kg%d", i)}
		out, err := f.client.CreateApp(ctx(t), apps[i].create())
		if err != nil {
			t.Fatal(err)
		}
		arns[i] = aws.ToString(out.AppArn)
		f.srv.Advance(time.Minute)
	}
	first := listPages(t, f.client, sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain)}, 2)

	in := apps[1].create()
	if _, err := f.client.DeleteApp(ctx(t), &sagemaker.DeleteAppInput{DomainId: in.DomainId, UserProfileName: in.UserProfileName, AppType: in.AppType, AppName: in.AppName}); err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(23 * time.Hour)
	out, err := f.client.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.AppArn) != arns[1] {
		t.Errorf("restart ARN %s, want %s", aws.ToString(out.AppArn), arns[1])
	}
	for _, order := range []types.SortOrder{types.SortOrderAscending, types.SortOrderDescending} {
		for _, size := range []int32{1, 2, 3, 100} {
			for _, q := range []sagemaker.ListAppsInput{
				{DomainIdEquals: aws.String(testDomain)},
				{},
			} {
				q.SortOrder = order
				got := listPages(t, f.client, q, size)
				want := slices.Clone(first)
				if order == types.SortOrderDescending {
					slices.Reverse(want)
				}
				if !slices.EqualFunc(got, want, func(x, y listed) bool {
					return x.label == y.label && x.created.Equal(y.created) && x.status == types.AppStatusInService
				}) {
					t.Errorf("%s in pages of %d after the restart:\n got %v\nwant %v", order, size, got, want)
				}
			}
		}
	}
	owner := listPages(t, f.client, sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), UserProfileNameEquals: aws.String("u1")}, 1)
	if len(owner) != 2 || owner[0].label != first[1].label || owner[1].label != first[4].label {
		t.Errorf("u1's apps after the restart: %v", owner)
	}

	// A JupyterLab app whose image is the caller's own and not attached fails; created again with
	// SageMaker's image, it is a new app: new CreationTime, listed at the end, and only once.
	failing := ownedApp{testDomain, 0, true, "jl"}
	bad := failing.create()
	bad.ResourceSpec.SageMakerImageArn = aws.String("arn:aws:sagemaker:us-east-1:123456789012:image/unattached")
	if _, err := f.client.CreateApp(ctx(t), bad); err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(time.Minute)
	if _, err := f.client.CreateApp(ctx(t), failing.create()); err != nil {
		t.Fatal(err)
	}
	recreatedAt := f.srv.Now()
	got := listPages(t, f.client, sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain)}, 4)
	jl := label(testDomain, "", "s0", "jl")
	if len(got) != 6 || got[5].label != jl || !got[5].created.Equal(recreatedAt) || got[5].status != types.AppStatusInService {
		t.Errorf("after a Failed app was created again: %v", got)
	}
	space := listPages(t, f.client, sagemaker.ListAppsInput{SpaceNameEquals: aws.String("s0")}, 10)
	if len(space) != 1 || space[0].label != jl {
		t.Errorf("s0's apps: %v", space)
	}
}

// TestListAppsDescendingPages pages a domain newest first while it changes: apps created between
// pages are newer than the listing's start and so are not listed, an app deleted meanwhile stays
// listed (Deleted) and one expired meanwhile is left out, without shifting the others.
func TestListAppsDescendingPages(t *testing.T) {
	f := ownerFixture(t)
	const n = 57
	var names []string
	for i := range n {
		a := ownedApp{testDomain, i % 3, false, fmt.Sprintf("kg%02d", i)}
		if _, err := f.client.CreateApp(ctx(t), a.create()); err != nil {
			t.Fatal(err)
		}
		names = append(names, label(testDomain, fmt.Sprintf("u%d", i%3), "", a.name))
		f.srv.Advance(time.Second)
	}
	labels := func(l []listed) []string {
		out := make([]string, len(l))
		for i, e := range l {
			out[i] = e.label
		}
		return out
	}
	want := slices.Clone(names)
	slices.Reverse(want)
	down := sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), SortOrder: types.SortOrderDescending, MaxResults: aws.Int32(10)}
	if got := labels(listPages(t, f.client, down, 10)); !slices.Equal(got, want) {
		t.Fatalf("newest first:\n got %v\nwant %v", got, want)
	}
	up := labels(listPages(t, f.client, sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain)}, 10))
	if !slices.Equal(up, names) {
		t.Fatalf("oldest first:\n got %v\nwant %v", up, names)
	}

	// Page 1 of the newest-first listing: kg56…kg47.
	page, err := f.client.ListApps(ctx(t), &down)
	if err != nil || len(page.Apps) != 10 || page.NextToken == nil {
		t.Fatalf("first page: %v %v", page, err)
	}
	// Meanwhile: kg40 is deleted (and stays listed, Deleted), kg30 is deleted and expires, and two
	// apps are created.
	for _, i := range []int{30, 40} {
		in := ownedApp{testDomain, i % 3, false, fmt.Sprintf("kg%02d", i)}.create()
		if _, err := f.client.DeleteApp(ctx(t), &sagemaker.DeleteAppInput{DomainId: in.DomainId, UserProfileName: in.UserProfileName, AppType: in.AppType, AppName: in.AppName}); err != nil {
			t.Fatal(err)
		}
		if i == 30 {
			f.srv.Advance(24*time.Hour + time.Second)
		}
	}
	for i := range 2 {
		if _, err := f.client.CreateApp(ctx(t), ownedApp{testDomain, i, false, fmt.Sprintf("late%d", i)}.create()); err != nil {
			t.Fatal(err)
		}
	}
	down.NextToken = page.NextToken
	var rest []listed
	rest = append(rest, listPages(t, f.client, down, 10)...)
	var wantRest []string
	for i := 46; i >= 0; i-- {
		if i != 30 {
			wantRest = append(wantRest, names[i])
		}
	}
	if got := labels(rest); !slices.Equal(got, wantRest) {
		t.Errorf("the rest, newest first:\n got %v\nwant %v", got, wantRest)
	}
	for _, e := range rest {
		if wantSt := cmp.Or(map[string]types.AppStatus{names[40]: types.AppStatusDeleted}[e.label], types.AppStatusInService); e.status != wantSt {
			t.Errorf("%s is %s, want %s", e.label, e.status, wantSt)
		}
	}
}

// TestListAppsExpiry pins the 24 hours that a Deleted app stays listed: listed as Deleted until
// then, gone from every listing after, while a token that points after it keeps working; created
// again after that, it is a new app at the end with a new CreationTime.
func TestListAppsExpiry(t *testing.T) {
	f := ownerFixture(t)
	var apps []ownedApp
	for i := range 6 {
		a := ownedApp{testDomain, i % 2, i%2 == 1, fmt.Sprintf("a%d", i)}
		if i%2 == 1 {
			a.owner = i / 2 // one JupyterLab app per space
		}
		apps = append(apps, a)
		if _, err := f.client.CreateApp(ctx(t), a.create()); err != nil {
			t.Fatal(err)
		}
		f.srv.Advance(time.Second)
	}
	all := sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain)}
	page, err := f.client.ListApps(ctx(t), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), MaxResults: aws.Int32(2)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("first page: %v %v", page, err)
	}
	in := apps[1].create()
	if _, err := f.client.DeleteApp(ctx(t), &sagemaker.DeleteAppInput{DomainId: in.DomainId, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName}); err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(24*time.Hour - time.Second)
	got := listPages(t, f.client, all, 10)
	if len(got) != 6 || got[1].status != types.AppStatusDeleted {
		t.Fatalf("just before 24 hours: %v", got)
	}
	f.srv.Advance(time.Second)
	for _, q := range []sagemaker.ListAppsInput{all, {}, {SpaceNameEquals: in.SpaceName}, {DomainIdEquals: in.DomainId, SpaceNameEquals: in.SpaceName}} {
		for _, e := range listPages(t, f.client, q, 1) {
			if e.label == label(testDomain, "", "s0", "a1") {
				t.Errorf("ListApps %+v lists the expired app: %v", q, e)
			}
		}
	}
	if got := listPages(t, f.client, all, 10); len(got) != 5 {
		t.Errorf("after 24 hours: %v", got)
	}
	// The first page ended on a1, now gone: the token still continues after it.
	next, err := f.client.ListApps(ctx(t), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), MaxResults: aws.Int32(2), NextToken: page.NextToken})
	if err != nil || len(next.Apps) != 2 || aws.ToString(next.Apps[0].AppName) != "a2" {
		t.Errorf("the page after the expired app: %v %v", next, err)
	}
	if _, err := f.client.CreateApp(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	got = listPages(t, f.client, all, 4)
	if len(got) != 6 || got[5].label != label(testDomain, "", "s0", "a1") || !got[5].created.Equal(f.srv.Now()) {
		t.Errorf("created again after expiry: %v", got)
	}
}

// TestListAppsConcurrent runs writers (CreateApp, DeleteApp, the clock) beside readers
// (DescribeApp, ListApps), which share the lock, so that -race sees them together; then every
// listing must still agree with DescribeApp.
func TestListAppsConcurrent(t *testing.T) {
	f := ownerFixture(t)
	var universe []ownedApp
	for _, d := range []string{testDomain, otherDomain} {
		for owner := range 3 {
			for n := range 4 {
				universe = append(universe, ownedApp{d, owner, false, fmt.Sprintf("kg%d", n)}, ownedApp{d, owner, true, fmt.Sprintf("jl%d", n)})
			}
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for range 60 {
				in := universe[rng.IntN(len(universe))].create()
				var err error
				switch r := rng.IntN(10); {
				case r < 3:
					_, err = f.client.CreateApp(t.Context(), in)
				case r < 5:
					_, err = f.client.DeleteApp(t.Context(), &sagemaker.DeleteAppInput{DomainId: in.DomainId, UserProfileName: in.UserProfileName, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName})
				case r < 8:
					_, err = f.client.DescribeApp(t.Context(), &sagemaker.DescribeAppInput{DomainId: in.DomainId, UserProfileName: in.UserProfileName, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName})
				case r < 9:
					_, err = f.client.ListApps(t.Context(), &sagemaker.ListAppsInput{DomainIdEquals: in.DomainId, MaxResults: aws.Int32(3)})
				default:
					f.srv.Advance(5 * time.Hour)
				}
				switch errorCode(err) {
				case "", "ResourceInUse", "ResourceNotFound", "ValidationException":
				default:
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// CreationTimes may tie under concurrency, so compare as sets, and the order with Apps.
	ref := described(t, f.client, universe)
	got := listPages(t, f.client, sagemaker.ListAppsInput{}, 7)
	gotLabels, refLabels := make([]string, len(got)), make([]string, len(ref))
	for i := range got {
		gotLabels[i] = got[i].label
	}
	for i := range ref {
		refLabels[i] = ref[i].label
	}
	var fromApps []string
	for _, a := range f.srv.Apps() {
		fromApps = append(fromApps, label(a.DomainID, a.UserProfileName, a.SpaceName, a.AppName))
	}
	if !slices.Equal(gotLabels, fromApps) {
		t.Errorf("ListApps and Apps disagree:\n%v\n%v", gotLabels, fromApps)
	}
	slices.Sort(gotLabels)
	slices.Sort(refLabels)
	if !slices.Equal(gotLabels, refLabels) || len(got) == 0 {
		t.Errorf("ListApps and DescribeApp disagree:\n%v\n%v", gotLabels, refLabels)
	}
}
