//go:build go1.25

// This file uses spacesDouble from space_test.go, which asks for Go 1.25.

package sagemakerapp

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLaunchURLWhereItLands(t *testing.T) {
	tests := []struct {
		name      string
		id        AppID
		opts      LaunchOptions
		wantUser  string
		wantSpace string
		wantURI   string
		describes int
	}{
		{name: "JupyterLab in a private space opens as its owner",
			id:       AppID{DomainID: "d-abc123", SpaceName: "alice-space", AppType: types.AppTypeJupyterLab, AppName: "default"},
			wantUser: "alice", wantSpace: "alice-space", describes: 1},
		{name: "CodeEditor in a shared space, user given",
			id:       AppID{DomainID: "d-abc123", SpaceName: "team", AppType: types.AppTypeCodeEditor, AppName: "default"},
			opts:     LaunchOptions{UserProfileName: "bob"},
			wantUser: "bob", wantSpace: "team"},
		{name: "KernelGateway on a user profile opens Studio Classic",
			id:       AppID{DomainID: "d-abc123", UserProfileName: "carol", AppType: types.AppTypeKernelGateway, AppName: "k"},
			wantUser: "carol", wantURI: "app:JupyterServer:"},
		{name: "JupyterServer",
			id:       AppID{DomainID: "d-abc123", UserProfileName: "carol", AppType: types.AppTypeJupyterServer, AppName: "default"},
			wantUser: "carol", wantURI: "app:JupyterServer:"},
		{name: "Canvas",
			id:       AppID{DomainID: "d-abc123", UserProfileName: "carol", AppType: types.AppTypeCanvas, AppName: "default"},
			wantUser: "carol", wantURI: "app:Canvas:"},
		{name: "RStudioServerPro, user given",
			id:       AppID{DomainID: "d-abc123", UserProfileName: "domain-shared", AppType: types.AppTypeRStudioServerPro, AppName: "default"},
			opts:     LaunchOptions{UserProfileName: "dave"},
			wantUser: "dave", wantURI: "app:RStudioServerPro:"},
		{name: "TensorBoard has no landing URI of its own",
			id:       AppID{DomainID: "d-abc123", UserProfileName: "carol", AppType: types.AppTypeTensorBoard, AppName: "default"},
			wantUser: "carol"},
		{name: "another user opens a private space's app",
			id:       AppID{DomainID: "d-abc123", SpaceName: "alice-space", AppType: types.AppTypeJupyterLab, AppName: "default"},
			opts:     LaunchOptions{UserProfileName: "admin"},
			wantUser: "admin", wantSpace: "alice-space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newSpacesDouble()
			d.seed("alice-space", "alice", types.SharingTypePrivate, types.AppTypeJupyterLab, types.SpaceStatusInService)
			url, err := New(d).LaunchURL(context.Background(), tt.id, func(o *LaunchOptions) { *o = tt.opts })
			require.NoError(t, err)
			assert.Equal(t, "https://d-abc123.studio.us-east-1.sagemaker.aws/auth?token=t", url)
			require.Len(t, d.presigned, 1)
			in := d.presigned[0]
			assert.Equal(t, "d-abc123", aws.ToString(in.DomainId))
			assert.Equal(t, tt.wantUser, aws.ToString(in.UserProfileName))
			assert.Equal(t, tt.wantSpace, aws.ToString(in.SpaceName))
			assert.Equal(t, tt.wantURI, aws.ToString(in.LandingUri))
			if tt.wantURI == "" {
				assert.Nil(t, in.LandingUri)
			}
			assert.Nil(t, in.ExpiresInSeconds, "the service's default")
			assert.Nil(t, in.SessionExpirationDurationInSeconds)
			assert.Equal(t, tt.describes, d.count("DescribeSpace"))
		})
	}
}

// The landing URI facts §7.5 records as accepted redirects a browser to //jupyterlab/<space>;
// LaunchURL never sends a studio:: URI with a leading slash, nor app:JupyterLab:, which the
// service refuses for personal apps.
func TestLaunchURLNeverSendsTheBrokenLandingURIs(t *testing.T) {
	for _, at := range AppTypes() {
		for _, id := range []AppID{
			{DomainID: "d-abc123", SpaceName: "s", AppType: at, AppName: "a"},
			{DomainID: "d-abc123", UserProfileName: "u", AppType: at, AppName: "a"},
		} {
			uri := landingURI(id)
			assert.NotContains(t, uri, "studio::/", id.String())
			assert.NotContains(t, uri, "app:JupyterLab", id.String())
			assert.NotContains(t, uri, "app:CodeEditor", id.String())
		}
	}
}

func TestLaunchURLNeedsAUserForASharedSpace(t *testing.T) {
	for _, sharing := range []types.SharingType{types.SharingTypeShared, ""} {
		d := newSpacesDouble()
		d.seed("team", "", sharing, types.AppTypeJupyterLab, types.SpaceStatusInService)
		_, err := New(d).LaunchURL(context.Background(), AppID{DomainID: "d-abc123", SpaceName: "team", AppType: types.AppTypeJupyterLab, AppName: "default"})
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "UserProfileName", fe.Field)
		assert.Equal(t, FieldRequired, fe.Type)
		assert.Contains(t, fe.Detail, "LaunchOptions.UserProfileName")
		assert.Contains(t, fe.Detail, "team")
		assert.Zero(t, d.count("CreatePresignedDomainUrl"))
	}
	d := newSpacesDouble()
	_, err := New(d).LaunchURL(context.Background(), AppID{DomainID: "d-abc123", UserProfileName: "domain-shared", AppType: types.AppTypeRStudioServerPro, AppName: "default"})
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "UserProfileName", fe.Field)
	assert.Contains(t, fe.Detail, "domain-shared")
	assert.Zero(t, d.count("CreatePresignedDomainUrl")+d.count("DescribeSpace"))
}

func TestLaunchURLLimits(t *testing.T) {
	id := AppID{DomainID: "d-abc123", UserProfileName: "carol", AppType: types.AppTypeKernelGateway, AppName: "k"}
	tests := []struct {
		name                     string
		expires, session         time.Duration
		want                     []problem
		wantExpires, wantSession int32
	}{
		{name: "the lowest", expires: 5 * time.Second, session: 1800 * time.Second, wantExpires: 5, wantSession: 1800},
		{name: "the highest", expires: 300 * time.Second, session: 12 * time.Hour, wantExpires: 300, wantSession: 43200},
		{name: "too short", expires: 4 * time.Second, session: 1799 * time.Second,
			want: []problem{{"ExpiresInSeconds", FieldInvalid}, {"SessionExpirationDurationInSeconds", FieldInvalid}}},
		{name: "too long", expires: 301 * time.Second, session: 43201 * time.Second,
			want: []problem{{"ExpiresInSeconds", FieldInvalid}, {"SessionExpirationDurationInSeconds", FieldInvalid}}},
		{name: "not whole seconds", expires: 5500 * time.Millisecond, want: []problem{{"ExpiresInSeconds", FieldInvalid}}},
		{name: "negative", session: -time.Hour, want: []problem{{"SessionExpirationDurationInSeconds", FieldInvalid}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newSpacesDouble()
			_, err := New(d).LaunchURL(context.Background(), id, func(o *LaunchOptions) { o.ExpiresIn, o.SessionExpiration = tt.expires, tt.session })
			assert.Equal(t, tt.want, problemsOf(t, err))
			if tt.want != nil {
				assert.Zero(t, d.count("CreatePresignedDomainUrl"), "checked before the call")
				return
			}
			require.Len(t, d.presigned, 1)
			assert.Equal(t, tt.wantExpires, aws.ToInt32(d.presigned[0].ExpiresInSeconds))
			assert.Equal(t, tt.wantSession, aws.ToInt32(d.presigned[0].SessionExpirationDurationInSeconds))
		})
	}
}

func TestLaunchURLErrors(t *testing.T) {
	t.Run("invalid AppID", func(t *testing.T) {
		d := newSpacesDouble()
		_, err := New(d).LaunchURL(context.Background(), AppID{DomainID: "nope", AppType: types.AppTypeJupyterLab, AppName: "default"})
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.Equal(t, []problem{{"DomainId", FieldInvalid}, {"UserProfileName", FieldRequired}}, problemsOf(t, err))
		_, err = New(d).LaunchURL(context.Background(), AppID{DomainID: "d-abc123", UserProfileName: "u", AppType: types.AppTypeKernelGateway, AppName: "k"},
			func(o *LaunchOptions) { o.UserProfileName = "not_a_name" })
		assert.Equal(t, []problem{{"UserProfileName", FieldInvalid}}, problemsOf(t, err))
		assert.Zero(t, d.count("CreatePresignedDomainUrl"))
	})
	t.Run("no such space", func(t *testing.T) {
		d := newSpacesDouble()
		_, err := New(d).LaunchURL(context.Background(), AppID{DomainID: "d-abc123", SpaceName: "missing", AppType: types.AppTypeJupyterLab, AppName: "default"})
		assert.ErrorIs(t, err, ErrResourceNotFound)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "DescribeSpace", apiErr.Operation)
	})
	t.Run("the service refuses", func(t *testing.T) {
		d := newSpacesDouble()
		d.presignErr = &types.ResourceNotFound{Message: aws.String("User profile does not exist")}
		_, err := New(d).LaunchURL(context.Background(), AppID{DomainID: "d-abc123", UserProfileName: "u", AppType: types.AppTypeKernelGateway, AppName: "k"},
			func(o *LaunchOptions) {
				o.ClientOptions = []func(*sagemaker.Options){func(o *sagemaker.Options) { o.Region = "eu-west-1" }}
			})
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "CreatePresignedDomainUrl", apiErr.Operation)
		assert.ErrorIs(t, err, ErrResourceNotFound)
		assert.Equal(t, "eu-west-1", d.lastOptions("CreatePresignedDomainUrl").Region, "the per-call options are passed")
	})
}

// TestLaunchURLOpensTheAppThroughStudiosPage redeems LaunchURL's URL on the fake, whose page lands
// where Studio lands (facts §7.5, measured live): the URL opens the space's app once it is
// InService (not Studio's broken redirect, nor the space's portal page), and is a 404 while no
// app runs.
func TestLaunchURLOpensTheAppThroughStudiosPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := e.input("alice-lab")
	id := e.id("alice-lab")
	open := func() (int, string) {
		t.Helper()
		url, err := e.c.LaunchURL(ctx, id)
		require.NoError(t, err)
		tr := &http.Transport{Proxy: nil}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Get(url)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	status, body := open()
	assert.Equal(t, http.StatusNotFound, status, "no app runs yet:\n%s", body)

	_, err := e.srv.Client().CreateApp(ctx, in)
	require.NoError(t, err)
	e.srv.Advance(time.Minute)
	status, body = open()
	require.Equal(t, http.StatusOK, status, body)
	for _, want := range []string{`<dd id="page">app</dd>`, `<dd id="user">alice</dd>`, `<dd id="space">alice-lab</dd>`,
		`<dd id="app-type">JupyterLab</dd>`, `<dd id="app-name">alice-lab</dd>`, `<dd id="app-status">InService</dd>`} {
		assert.Contains(t, body, want)
	}
}
