package sagemakerfake_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// fetch GETs url with a client of its own and returns the status and the body.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	status, body, _ := fetchWithLocation(t, url)
	return status, body
}

// fetchWithLocation GETs url without following a redirect (one that Studio answers leads to no
// host of this machine) and returns the status, the body and the Location header.
func fetchWithLocation(t *testing.T, url string) (int, string, string) {
	t.Helper()
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

// TestCreatePresignedDomainURLRules pins the limits of facts §7.5.
func TestCreatePresignedDomainURLRules(t *testing.T) {
	f := newFixture(t)
	seedSpace(t, f.srv, "alice-lab", testUser, types.AppTypeJupyterLab)
	if err := f.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.SeedDomain("d-sso000000001", &sagemaker.CreateDomainInput{DomainName: aws.String("sso"), AuthMode: types.AuthModeSso, DefaultUserSettings: &types.UserSettings{}}); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-sso000000001"), UserProfileName: aws.String(testUser)}); err != nil {
		t.Fatal(err)
	}
	base := func(mutate func(*sagemaker.CreatePresignedDomainUrlInput)) *sagemaker.CreatePresignedDomainUrlInput {
		in := &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)}
		mutate(in)
		return in
	}
	for _, tc := range []struct {
		name     string
		in       *sagemaker.CreatePresignedDomainUrlInput
		code     string // "" when accepted
		contains string
	}{
		{"the user alone", base(func(*sagemaker.CreatePresignedDomainUrlInput) {}), "", ""},
		{"the landing URI seen accepted live", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.LandingUri = aws.String("studio::/jupyterlab/alice-lab")
		}), "", ""},
		{"the Code Editor equivalent", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.LandingUri = aws.String("studio::/codeeditor/alice-lab")
		}), "", ""},
		{"app:JupyterLab for personal apps", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.LandingUri = aws.String("app:JupyterLab:alice-lab")
		}),
			"ValidationException", "Provided app type JupyterLab is invalid for provided url type app for personal apps"},
		{"app:CodeEditor for personal apps", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.LandingUri = aws.String("app:CodeEditor:lab") }),
			"ValidationException", "Provided app type CodeEditor is invalid for provided url type app for personal apps"},
		{"app:JupyterLab with the space named", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.SpaceName, in.LandingUri = aws.String("alice-lab"), aws.String("app:JupyterLab:lab/tree")
		}), "", ""},
		{"app:JupyterServer", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.LandingUri = aws.String("app:JupyterServer:") }), "", ""},
		{"an app type the URI cannot name", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.LandingUri = aws.String("app:KernelGateway:x") }), "ValidationException", "KernelGateway is invalid"},
		{"another form", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.LandingUri = aws.String("https://example.com/") }), "ValidationException", "studio::<relative/path>"},
		{"a landing URI of 1023", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.LandingUri = aws.String("studio::/" + strings.Repeat("x", 1014))
		}), "", ""},
		{"a landing URI of 1024", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.LandingUri = aws.String("studio::/" + strings.Repeat("x", 1015))
		}),
			"ValidationException", "at 'landingUri' failed to satisfy constraint: Member must have length less than or equal to 1023"},
		{"expires in 5 s", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.ExpiresInSeconds = aws.Int32(5) }), "", ""},
		{"expires in 4 s", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.ExpiresInSeconds = aws.Int32(4) }),
			"ValidationException", "at 'expiresInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 5"},
		{"expires in 301 s", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.ExpiresInSeconds = aws.Int32(301) }),
			"ValidationException", "Member must have value less than or equal to 300"},
		{"a session of 1799 s", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.SessionExpirationDurationInSeconds = aws.Int32(1799)
		}),
			"ValidationException", "at 'sessionExpirationDurationInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 1800"},
		{"a session of 43201 s", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.SessionExpirationDurationInSeconds = aws.Int32(43201)
		}),
			"ValidationException", "Member must have value less than or equal to 43200"},
		{"a session of 43200 s", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.SessionExpirationDurationInSeconds = aws.Int32(43200)
		}), "", ""},
		{"no such domain", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.DomainId = aws.String("d-missing00001") }), "ResourceNotFound", "domain/d-missing00001"},
		{"no such user", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.UserProfileName = aws.String("carol") }), "ResourceNotFound", "user-profile/" + testDomain + "/carol"},
		{"no such space", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.SpaceName = aws.String("nope") }), "ResourceNotFound", "space/" + testDomain + "/nope"},
		{"someone else's private space", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.UserProfileName, in.SpaceName = aws.String("bob"), aws.String("alice-lab")
		}), "ValidationException", "private to user profile 'alice'"},
		{"a shared space for anyone", base(func(in *sagemaker.CreatePresignedDomainUrlInput) {
			in.UserProfileName, in.SpaceName = aws.String("bob"), aws.String(testSpace)
		}), "", ""},
		{"a domain in SSO mode", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.DomainId = aws.String("d-sso000000001") }), "ValidationException", "AuthMode IAM"},
		{"no user", base(func(in *sagemaker.CreatePresignedDomainUrlInput) { in.UserProfileName = nil }), "", ""}, // the SDK refuses it: see below
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.client.CreatePresignedDomainUrl(ctx(t), tc.in)
			if tc.in.UserProfileName == nil {
				if err == nil || !strings.Contains(err.Error(), "missing required field, CreatePresignedDomainUrlInput.UserProfileName") {
					t.Errorf("no user: %v, want the SDK's own refusal", err)
				}
				return
			}
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if url := aws.ToString(out.AuthorizedUrl); !strings.HasPrefix(url, f.srv.URL()+sagemakerfake.StudioPath+"?token=") {
					t.Errorf("AuthorizedUrl %q, want one on the fake's own server", url)
				}
				return
			}
			wantCode(t, err, tc.code)
			if !strings.Contains(errorMessage(err), tc.contains) {
				t.Errorf("message %q, want it to contain %q", errorMessage(err), tc.contains)
			}
		})
	}
	// Without a DomainId on the wire, the model's required member answers.
	status, _, body := post(t, f.srv.URL(), "POST", "SageMaker.CreatePresignedDomainUrl", []byte(`{"UserProfileName":"alice"}`))
	if status != 400 || body["message"] != "1 validation error detected: Value null at 'domainId' failed to satisfy constraint: Member must not be null" {
		t.Errorf("no DomainId: %d %v", status, body)
	}
}

// TestPresignedURLLandsWhereStudioDoes fetches the URLs of facts §7.5 (as corrected in round two,
// measured in a browser): SpaceName and no landing URI opens the space's app once it is InService
// and is a 404 before and after; studio::/jupyterlab/<space> redirects to //jupyterlab/<space>, a
// host that does not exist; studio::jupyterlab/<space> is the space's portal page, not the app.
// Tokens expire on the server's clock, and a private space opens only for its owner.
func TestPresignedURLLandsWhereStudioDoes(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute))
	seedSpace(t, f.srv, "alice-lab", testUser, types.AppTypeJupyterLab)
	presign := func(user, spaceName, landing string) string {
		t.Helper()
		in := &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(user), ExpiresInSeconds: aws.Int32(300)}
		if spaceName != "" {
			in.SpaceName = aws.String(spaceName)
		}
		if landing != "" {
			in.LandingUri = aws.String(landing)
		}
		out, err := f.client.CreatePresignedDomainUrl(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.AuthorizedUrl)
	}
	page := func(url string, wantStatus int, want ...string) string {
		t.Helper()
		status, body := fetch(t, url)
		if status != wantStatus {
			t.Fatalf("GET the URL: %d, want %d\n%s", status, wantStatus, body)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("the page lacks %q:\n%s", w, body)
			}
		}
		return body
	}
	bySpace := presign(testUser, "alice-lab", "")
	slashed := presign(testUser, "", "studio::/jupyterlab/alice-lab")
	portal := presign(testUser, "", "studio::jupyterlab/alice-lab")
	page(bySpace, http.StatusNotFound, "Space alice-lab runs no app.")

	in := spaceApp(types.AppTypeJupyterLab, "alice-lab", "default", types.AppInstanceTypeMlT3Medium)
	created, err := f.client.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	page(bySpace, http.StatusNotFound, "its JupyterLab app default is Pending")
	f.srv.Advance(time.Minute)
	page(bySpace, http.StatusOK, `<dd id="page">app</dd>`, `<dd id="domain">`+testDomain+`</dd>`, `<dd id="user">alice</dd>`,
		`<dd id="space">alice-lab</dd>`, `<dd id="app-type">JupyterLab</dd>`, `<dd id="app-name">default</dd>`,
		`<dd id="app-status">InService</dd>`, `<dd id="app-arn">`+aws.ToString(created.AppArn)+`</dd>`)

	// The leading slash: a redirect to a broken host, with the app running.
	if status, _, location := fetchWithLocation(t, slashed); status != http.StatusFound || location != "//jupyterlab/alice-lab" {
		t.Errorf("studio::/jupyterlab/alice-lab: %d, Location %q; want 302 to //jupyterlab/alice-lab", status, location)
	}
	// No slash: the space's portal page, with its status and a button, and not the app.
	body := page(portal, http.StatusOK, `<dd id="page">space</dd>`, `<dd id="space">alice-lab</dd>`, `<dd id="space-status">InService</dd>`,
		`<button id="open-app" type="button">Open JupyterLab</button>`)
	if strings.Contains(body, `<dd id="app-name">default</dd>`) {
		t.Errorf("studio::jupyterlab/alice-lab opened the app:\n%s", body)
	}

	// A private space opens only for its owner, whatever the URL names.
	if err := f.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	page(presign("bob", "", "studio::jupyterlab/alice-lab"), http.StatusForbidden, "private to user profile alice")

	// A URL for the user alone opens Studio's home page, not an app.
	if body := page(presign(testUser, "", ""), http.StatusOK, "the Studio home page"); strings.Contains(body, `app-name">default`) {
		t.Errorf("the home URL opened the app:\n%s", body)
	}

	// The app stopped: 404 again. And tokens expire on the server's clock.
	if _, err := f.client.DeleteApp(ctx(t), deleteInput(in)); err != nil {
		t.Fatal(err)
	}
	page(bySpace, http.StatusNotFound, "is Deleting")
	f.srv.Advance(4 * time.Minute) // 300 s after the URLs were made
	page(bySpace, http.StatusForbidden, "expired")
	status, body := fetch(t, f.srv.URL()+sagemakerfake.StudioPath+"?token=not-one-of-ours")
	if status != http.StatusForbidden || !strings.Contains(body, "not one the fake handed out") {
		t.Errorf("an unknown token: %d\n%s", status, body)
	}
}
