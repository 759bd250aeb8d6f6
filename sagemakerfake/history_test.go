package sagemakerfake_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// step is an event as these tests compare it: its kind, its time after t0, the life of its app,
// the status it entered and the operation behind it.
type step struct {
	Kind   sagemakerfake.EventKind
	At     time.Duration
	Life   int
	Status string
	Op     string
}

// stepsOf returns the events of h that keep, as steps from t0.
func stepsOf(h []sagemakerfake.Event, t0 time.Time, keep func(sagemakerfake.Event) bool) []step {
	var out []step
	for _, e := range h {
		if keep(e) {
			out = append(out, step{e.Kind, e.Time.Sub(t0), e.Incarnation, e.Status, e.Operation})
		}
	}
	return out
}

func ofApp(name string) func(sagemakerfake.Event) bool {
	return func(e sagemakerfake.Event) bool { return e.App.AppName == name }
}

// checkSeqs asserts that the events are numbered one by one and in time order.
func checkSeqs(t *testing.T, h []sagemakerfake.Event) {
	t.Helper()
	for i := 1; i < len(h); i++ {
		require.Equal(t, h[i-1].Seq+1, h[i].Seq, "Seq of %v after %v", h[i], h[i-1])
		require.False(t, h[i].Time.Before(h[i-1].Time), "%v after %v", h[i], h[i-1])
	}
}

// requestID returns the ID of the nth (from 0) logged request of op that got status 200.
func requestID(t *testing.T, srv *sagemakerfake.Server, op string, n int) string {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Operation == op && r.Status == 200 {
			if n == 0 {
				return r.RequestID
			}
			n--
		}
	}
	t.Fatalf("no request %d of %s", n, op)
	return ""
}

// TestHistoryRecordsAnAppsTwoLives follows an app through create, InService, delete, Deleted and
// a restart: each change at the instant it happened (not when someone looked), the restart as a
// second life with the same ARN, and nothing of the first life's expiry, which the restart made
// impossible.
func TestHistoryRecordsAnAppsTwoLives(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(2*time.Second), sagemakerfake.WithDeleteDelay(3*time.Second))
	c := f.srv.Client(func(o *sagemaker.Options) { o.AppID = "tester" })
	in := spaceApp(types.AppTypeJupyterLab, testSpace, "lab", types.AppInstanceTypeMlT3Medium)
	in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}
	t0 := f.srv.Now()
	created, err := c.CreateApp(ctx(t), in)
	require.NoError(t, err)

	first := f.srv.History()
	require.Len(t, first, 4, "%v", first)
	assert.Equal(t, []step{
		{sagemakerfake.EventDomainCreated, 0, 0, "InService", "SeedDomain"},
		{sagemakerfake.EventUserProfileCreated, 0, 0, "InService", "SeedUserProfile"},
		{sagemakerfake.EventSpaceCreated, 0, 0, "InService", "SeedSpace"},
		{sagemakerfake.EventAppCreated, 0, 1, "Pending", "CreateApp"},
	}, stepsOf(first, t0, func(sagemakerfake.Event) bool { return true }))
	e := first[3]
	assert.Equal(t, sagemakerfake.AppKey{DomainID: testDomain, SpaceName: testSpace, AppType: types.AppTypeJupyterLab, AppName: "lab"}, e.App)
	assert.Equal(t, aws.ToString(created.AppArn), e.ARN)
	assert.Equal(t, testDomain, e.DomainID)
	assert.Equal(t, testSpace, e.SpaceName)
	require.NotNil(t, e.ResourceSpec)
	assert.Equal(t, types.AppInstanceTypeMlT3Medium, e.ResourceSpec.InstanceType)
	assert.Equal(t, imageARN, aws.ToString(e.ResourceSpec.SageMakerImageArn))
	assert.Equal(t, in.Tags, e.Tags)
	assert.Equal(t, requestID(t, f.srv, "CreateApp", 0), e.RequestID)
	assert.Contains(t, e.UserAgent, "app/tester")
	assert.Equal(t, "", first[0].RequestID, "a seed has no request")
	checkSeqs(t, first)
	assert.Equal(t, 1, first[0].Seq)

	f.srv.Advance(10 * time.Second) // the app became InService at t0+2s; nobody looked until now
	_, err = c.DeleteApp(ctx(t), deleteInput(in))
	require.NoError(t, err)
	f.srv.Advance(time.Second) // Deleted is due at t0+13s
	assert.Equal(t, []step{
		{sagemakerfake.EventAppCreated, 0, 1, "Pending", "CreateApp"},
		{sagemakerfake.EventAppInService, 2 * time.Second, 1, "InService", ""},
		{sagemakerfake.EventAppDeleting, 10 * time.Second, 1, "Deleting", "DeleteApp"},
	}, stepsOf(f.srv.History(), t0, ofApp("lab")), "a transition not yet due is not listed")

	f.srv.Advance(5 * time.Second)
	again, err := c.CreateApp(ctx(t), in) // a restart at t0+16s
	require.NoError(t, err)
	assert.Equal(t, created.AppArn, again.AppArn)
	f.srv.Advance(2 * time.Second)
	f.srv.Advance(25 * time.Hour) // the first life's record would have expired at t0+13s+24h

	final := f.srv.History()
	assert.Equal(t, []step{
		{sagemakerfake.EventAppCreated, 0, 1, "Pending", "CreateApp"},
		{sagemakerfake.EventAppInService, 2 * time.Second, 1, "InService", ""},
		{sagemakerfake.EventAppDeleting, 10 * time.Second, 1, "Deleting", "DeleteApp"},
		{sagemakerfake.EventAppDeleted, 13 * time.Second, 1, "Deleted", ""},
		{sagemakerfake.EventAppCreated, 16 * time.Second, 2, "Pending", "CreateApp"},
		{sagemakerfake.EventAppInService, 18 * time.Second, 2, "InService", ""},
	}, stepsOf(final, t0, ofApp("lab")))
	checkSeqs(t, final)
	require.GreaterOrEqual(t, len(final), len(first))
	assert.Equal(t, first, final[:len(first)], "events keep their place and their Seq")
	for _, e := range final {
		if e.App.AppName == "lab" {
			assert.Equal(t, aws.ToString(created.AppArn), e.ARN)
		}
	}
	deleting := final[len(first)+1]
	require.Equal(t, sagemakerfake.EventAppDeleting, deleting.Kind)
	assert.Equal(t, requestID(t, f.srv, "DeleteApp", 0), deleting.RequestID)
	assert.Nil(t, deleting.Tags, "only creates and tag changes carry the tags")
}

// TestHistoryFailedAndExpired lists a failed app's Failed with its reason, a second life after
// it, and the expiry of the second life only, once, however the fake came to forget it.
func TestHistoryFailedAndExpired(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithFailureRule(func(a sagemakerfake.App) string {
		if a.AppName == "bad" {
			return "no capacity"
		}
		return ""
	}))
	in := spaceApp(types.AppTypeJupyterLab, testSpace, "bad", "")
	t0 := f.srv.Now()
	_, err := f.client.CreateApp(ctx(t), in)
	require.NoError(t, err)
	f.srv.Advance(time.Hour)
	_, err = f.client.CreateApp(ctx(t), in) // a Failed app can be created again: a new app
	require.NoError(t, err)
	f.srv.Advance(25 * time.Hour)
	_, err = f.client.DescribeApp(ctx(t), describeInput(in)) // forgets the record as it reads
	wantCode(t, err, "ResourceNotFound")
	h := f.srv.History()
	assert.Equal(t, []step{
		{sagemakerfake.EventAppCreated, 0, 1, "Pending", "CreateApp"},
		{sagemakerfake.EventAppFailed, 2 * time.Second, 1, "Failed", ""},
		{sagemakerfake.EventAppCreated, time.Hour, 2, "Pending", "CreateApp"},
		{sagemakerfake.EventAppFailed, time.Hour + 2*time.Second, 2, "Failed", ""},
		{sagemakerfake.EventAppExpired, time.Hour + 2*time.Second + 24*time.Hour, 2, "", ""},
	}, stepsOf(h, t0, ofApp("bad")))
	for _, e := range h {
		if e.Kind == sagemakerfake.EventAppFailed {
			assert.Equal(t, "no capacity", e.FailureReason)
		}
	}
	checkSeqs(t, h)
	assert.Equal(t, h, f.srv.History(), "a second look adds nothing")
}

// TestHistoryOrderAtOneInstant holds History to its order for events at the same instant: a
// create before the InService it schedules with no startup delay, and a change the clock made
// before a request handled at that instant, whoever committed first.
func TestHistoryOrderAtOneInstant(t *testing.T) {
	t.Run("no startup delay", func(t *testing.T) {
		f := newFixture(t, sagemakerfake.WithStartupDelay(0))
		t0 := f.srv.Now()
		_, err := f.client.CreateApp(ctx(t), spaceApp(types.AppTypeJupyterLab, testSpace, "now", ""))
		require.NoError(t, err)
		assert.Equal(t, []step{
			{sagemakerfake.EventAppCreated, 0, 1, "Pending", "CreateApp"},
			{sagemakerfake.EventAppInService, 0, 1, "InService", ""},
		}, stepsOf(f.srv.History(), t0, ofApp("now")))
	})
	t.Run("the clock before a request", func(t *testing.T) {
		f := newFixture(t)
		seedSpace(t, f.srv, "other", "", "")
		t0 := f.srv.Now()
		_, err := f.client.CreateApp(ctx(t), spaceApp(types.AppTypeJupyterLab, testSpace, "a", ""))
		require.NoError(t, err)
		f.srv.Advance(2 * time.Second) // a is InService from this instant
		_, err = f.client.CreateApp(ctx(t), spaceApp(types.AppTypeJupyterLab, "other", "b", ""))
		require.NoError(t, err)
		h := f.srv.History()
		assert.Equal(t, []step{
			{sagemakerfake.EventAppCreated, 0, 1, "Pending", "CreateApp"},
			{sagemakerfake.EventAppInService, 2 * time.Second, 1, "InService", ""},
			{sagemakerfake.EventAppCreated, 2 * time.Second, 1, "Pending", "CreateApp"},
		}, stepsOf(h, t0, func(e sagemakerfake.Event) bool { return e.App.AppName != "" }))
		checkSeqs(t, h)
	})
}

// TestHistoryTags lists each change of tags with the tags after it, and no event for a call
// that changes nothing.
func TestHistoryTags(t *testing.T) {
	f := newFixture(t)
	in := spaceApp(types.AppTypeJupyterLab, testSpace, "lab", "")
	in.Tags = []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}
	out, err := f.client.CreateApp(ctx(t), in)
	require.NoError(t, err)
	arn := out.AppArn
	add := func(k, v string) {
		_, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String(k), Value: aws.String(v)}}})
		require.NoError(t, err)
	}
	add("b", "2")
	add("a", "9")
	add("a", "9") // the same value: no change
	_, err = f.client.DeleteTags(ctx(t), &sagemaker.DeleteTagsInput{ResourceArn: arn, TagKeys: []string{"missing"}})
	require.NoError(t, err)
	_, err = f.client.DeleteTags(ctx(t), &sagemaker.DeleteTagsInput{ResourceArn: arn, TagKeys: []string{"b"}})
	require.NoError(t, err)
	domainARN := "arn:aws:sagemaker:us-east-1:123456789012:domain/" + testDomain
	_, err = f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: aws.String(domainARN), Tags: []types.Tag{{Key: aws.String("d"), Value: aws.String("x")}}})
	require.NoError(t, err)

	type tagEvent struct {
		Kind sagemakerfake.EventKind
		Op   string
		Tags map[string]string
	}
	var got []tagEvent
	for _, e := range f.srv.History() {
		if e.Kind == sagemakerfake.EventAppCreated || strings.HasSuffix(string(e.Kind), "TagsChanged") {
			m := map[string]string{}
			for _, tag := range e.Tags {
				m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			got = append(got, tagEvent{e.Kind, e.Operation, m})
		}
	}
	assert.Equal(t, []tagEvent{
		{sagemakerfake.EventAppCreated, "CreateApp", map[string]string{"a": "1"}},
		{sagemakerfake.EventAppTagsChanged, "AddTags", map[string]string{"a": "1", "b": "2"}},
		{sagemakerfake.EventAppTagsChanged, "AddTags", map[string]string{"a": "9", "b": "2"}},
		{sagemakerfake.EventAppTagsChanged, "DeleteTags", map[string]string{"a": "9"}},
		{sagemakerfake.EventDomainTagsChanged, "AddTags", map[string]string{"d": "x"}},
	}, got)
}

// TestHistoryDomainsProfilesAndSpaces lists what CreateDomain, CreateUserProfile, CreateSpace,
// DeleteSpace and DeleteUserProfile did, and the profile's and the space's clock-driven changes
// at their own times.
func TestHistoryDomainsProfilesAndSpaces(t *testing.T) {
	srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(5*time.Second), sagemakerfake.WithDeleteDelay(7*time.Second))
	c := srv.Client()
	t0 := srv.Now()
	d, err := c.CreateDomain(ctx(t), &sagemaker.CreateDomainInput{DomainName: aws.String("h"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{}})
	require.NoError(t, err)
	_, err = c.CreateUserProfile(ctx(t), &sagemaker.CreateUserProfileInput{DomainId: d.DomainId, UserProfileName: aws.String("bob")})
	require.NoError(t, err)
	_, err = c.CreateSpace(ctx(t), &sagemaker.CreateSpaceInput{DomainId: d.DomainId, SpaceName: aws.String("s"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	require.NoError(t, err)
	srv.Advance(10 * time.Second)
	_, err = c.DeleteSpace(ctx(t), &sagemaker.DeleteSpaceInput{DomainId: d.DomainId, SpaceName: aws.String("s")})
	require.NoError(t, err)
	_, err = c.DeleteUserProfile(ctx(t), &sagemaker.DeleteUserProfileInput{DomainId: d.DomainId, UserProfileName: aws.String("bob")})
	require.NoError(t, err)
	srv.Advance(3 * time.Second)
	h := srv.History()
	assert.Equal(t, []step{
		{sagemakerfake.EventDomainCreated, 0, 0, "InService", "CreateDomain"},
		{sagemakerfake.EventUserProfileCreated, 0, 0, "Pending", "CreateUserProfile"},
		{sagemakerfake.EventSpaceCreated, 0, 0, "Pending", "CreateSpace"},
		{sagemakerfake.EventUserProfileInService, 5 * time.Second, 0, "InService", ""},
		{sagemakerfake.EventSpaceInService, 5 * time.Second, 0, "InService", ""},
		{sagemakerfake.EventSpaceDeleting, 10 * time.Second, 0, "Deleting", "DeleteSpace"},
		{sagemakerfake.EventUserProfileDeleted, 10 * time.Second, 0, "", "DeleteUserProfile"},
	}, stepsOf(h, t0, func(sagemakerfake.Event) bool { return true }), "the space is gone at t0+17s, not yet")
	for _, e := range h {
		assert.Equal(t, aws.ToString(d.DomainId), e.DomainID, "%v", e)
	}
	assert.Equal(t, "s", h[2].SpaceName)
	assert.Equal(t, "bob", h[1].UserProfileName)
	assert.Equal(t, aws.ToString(d.DomainArn), h[0].ARN)
	assert.Len(t, h[2].Tags, 1)

	srv.Advance(5 * time.Second)
	h = srv.History()
	require.Len(t, h, 8)
	assert.Equal(t, step{sagemakerfake.EventSpaceDeleted, 17 * time.Second, 0, "", ""}, stepsOf(h[7:], t0, func(sagemakerfake.Event) bool { return true })[0])
	_, err = c.DescribeSpace(ctx(t), &sagemaker.DescribeSpaceInput{DomainId: d.DomainId, SpaceName: aws.String("s")})
	wantCode(t, err, "ResourceNotFound")
	assert.Equal(t, h, srv.History(), "forgetting the space adds nothing")
}

// TestHistoryLimit keeps the most recent events, numbered from the server's start, and nothing
// with a limit of 0.
func TestHistoryLimit(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithHistoryLimit(5), sagemakerfake.WithStartupDelay(0))
	for i := range 8 {
		seedSpace(t, f.srv, "s"+string(rune('a'+i)), "", "")
	}
	h := f.srv.History()
	require.Len(t, h, 5)
	assert.Equal(t, 7, h[0].Seq, "3 seeds of the fixture and 8 spaces: events 7 to 11")
	assert.Equal(t, "sh", h[4].SpaceName)
	checkSeqs(t, h)

	off := newFixture(t, sagemakerfake.WithHistoryLimit(0))
	_, err := off.client.CreateApp(ctx(t), spaceApp(types.AppTypeJupyterLab, testSpace, "x", ""))
	require.NoError(t, err)
	assert.Nil(t, off.srv.History())

	_, err = sagemakerfake.NewHandler(sagemakerfake.WithHistoryLimit(-1))
	assert.ErrorContains(t, err, "history limit -1 is negative")
}

// TestRequestsUserAgent logs each request's User-Agent, with the SDK's AppID in it.
func TestRequestsUserAgent(t *testing.T) {
	f := newFixture(t)
	c := f.srv.Client(func(o *sagemaker.Options) { o.AppID = "replica-7" })
	_, err := c.ListApps(ctx(t), &sagemaker.ListAppsInput{})
	require.NoError(t, err)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 1)
	assert.Contains(t, reqs[0].UserAgent, "app/replica-7")
}

// TestHistoryAndDelayFuncsInSynctest runs the fake in memory in a bubble: each app starts and
// stops after the delays its own functions gave it, and the history lists each change at the
// instant the bubble's clock passed it.
func TestHistoryAndDelayFuncsInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		byName := map[string]time.Duration{"fast": 2 * time.Second, "slow": 6 * time.Minute}
		srv, err := sagemakerfake.NewHandler(
			sagemakerfake.WithStartupDelay(0), // the functions' apps are not InService at once all the same
			sagemakerfake.WithStartupDelayFunc(func(a sagemakerfake.App) time.Duration {
				if a.Status != types.AppStatusPending || !a.LastHealthCheck.IsZero() {
					return -1 // not what the option promises: the test below sees 0
				}
				return byName[a.AppName]
			}),
			sagemakerfake.WithDeleteDelayFunc(func(a sagemakerfake.App) time.Duration {
				if a.Status != types.AppStatusDeleting {
					return -1
				}
				return byName[a.AppName] / 2
			}))
		require.NoError(t, err)
		defer srv.Close()
		seedFixture(t, srv)
		seedSpace(t, srv, "other", "", "")
		c := srv.Client()
		bg := context.Background()
		t0 := time.Now()
		fast, slow := spaceApp(types.AppTypeJupyterLab, testSpace, "fast", ""), spaceApp(types.AppTypeJupyterLab, "other", "slow", "")
		for _, in := range []*sagemaker.CreateAppInput{fast, slow} {
			_, err := c.CreateApp(bg, in)
			require.NoError(t, err)
		}
		time.Sleep(time.Minute)
		mustStatus(t, c, fast, types.AppStatusInService)
		mustStatus(t, c, slow, types.AppStatusPending)
		_, err = c.DeleteApp(bg, deleteInput(fast))
		require.NoError(t, err)
		time.Sleep(10 * time.Minute)
		_, err = c.DeleteApp(bg, deleteInput(slow))
		require.NoError(t, err)
		time.Sleep(time.Hour)
		h := srv.History()
		isApp := func(e sagemakerfake.Event) bool { return e.App.AppName != "" }
		assert.Equal(t, []step{
			{sagemakerfake.EventAppCreated, 0, 1, "Pending", "CreateApp"},
			{sagemakerfake.EventAppCreated, 0, 1, "Pending", "CreateApp"},
			{sagemakerfake.EventAppInService, 2 * time.Second, 1, "InService", ""},
			{sagemakerfake.EventAppDeleting, time.Minute, 1, "Deleting", "DeleteApp"},
			{sagemakerfake.EventAppDeleted, time.Minute + time.Second, 1, "Deleted", ""},
			{sagemakerfake.EventAppInService, 6 * time.Minute, 1, "InService", ""},
			{sagemakerfake.EventAppDeleting, 11 * time.Minute, 1, "Deleting", "DeleteApp"},
			{sagemakerfake.EventAppDeleted, 14 * time.Minute, 1, "Deleted", ""},
		}, stepsOf(h, t0, isApp))
		var names []string
		for _, e := range h {
			if isApp(e) {
				names = append(names, e.App.AppName)
			}
		}
		assert.Equal(t, []string{"fast", "slow", "fast", "fast", "fast", "slow", "slow", "slow"}, names)
	})
}

// seedFixture seeds srv as newFixture does: the domain, the user and the shared space.
func seedFixture(t *testing.T, srv *sagemakerfake.Server) {
	t.Helper()
	_, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{DomainName: aws.String("test"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{}})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)}))
	seedSpace(t, srv, testSpace, "", "")
}

// TestHistoryOfUpdateSpace: UpdateSpace makes a space Updating, and the clock makes it InService
// again a startup delay later; a profile created with another case of its name is named in its
// events as it was created, and a seeded one is InService at once.
func TestHistoryOfUpdateSpace(t *testing.T) {
	srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(5*time.Second))
	c := srv.Client()
	t0 := srv.Now()
	_, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{DomainName: aws.String("h"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{}})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("Alice")}))
	seedSpace(t, srv, "lab", "alice", types.AppTypeJupyterLab)
	srv.Advance(time.Second)
	_, err = c.UpdateSpace(ctx(t), &sagemaker.UpdateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("lab"), SpaceDisplayName: aws.String("Lab")})
	require.NoError(t, err)
	srv.Advance(10 * time.Second)
	h := srv.History()
	assert.Equal(t, []step{
		{sagemakerfake.EventDomainCreated, 0, 0, "InService", "SeedDomain"},
		{sagemakerfake.EventUserProfileCreated, 0, 0, "InService", "SeedUserProfile"},
		{sagemakerfake.EventSpaceCreated, 0, 0, "InService", "SeedSpace"},
		{sagemakerfake.EventSpaceUpdating, time.Second, 0, "Updating", "UpdateSpace"},
		{sagemakerfake.EventSpaceInService, 6 * time.Second, 0, "InService", ""},
	}, stepsOf(h, t0, func(sagemakerfake.Event) bool { return true }))
	assert.Equal(t, "Alice", h[1].UserProfileName)
	assert.Equal(t, "lab", h[4].SpaceName)
}

// SetLastUserActivity is in the history, with the activity staged, so that a test of code that
// stops idle apps can tell what was idle when it was stopped.
func TestHistoryRecordsStagedActivity(t *testing.T) {
	f := newFixture(t)
	in := spaceApp(types.AppTypeJupyterLab, testSpace, "lab", "")
	_, err := f.client.CreateApp(ctx(t), in)
	require.NoError(t, err)
	f.srv.Advance(time.Hour)
	key := sagemakerfake.AppKey{DomainID: testDomain, SpaceName: testSpace, AppType: types.AppTypeJupyterLab, AppName: "lab"}
	staged := f.srv.Now().Add(-30 * time.Minute)
	require.NoError(t, f.srv.SetLastUserActivity(key, staged))
	var got []sagemakerfake.Event
	for _, e := range f.srv.History() {
		if e.Kind == sagemakerfake.EventAppActivity {
			got = append(got, e)
		}
	}
	require.Len(t, got, 1)
	assert.Equal(t, key, got[0].App)
	assert.True(t, staged.Equal(got[0].LastUserActivity))
	assert.Equal(t, "SetLastUserActivity", got[0].Operation)
	assert.True(t, f.srv.Now().Equal(got[0].Time))
	assert.Equal(t, 1, got[0].Incarnation)
}
