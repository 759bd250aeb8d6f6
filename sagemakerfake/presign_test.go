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
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
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

// TestPresignedURLOpensThePageOfItsApp fetches the URL: the page names the domain, the user, the
// space and the app it opens, with the app's status now; it refuses an expired or unknown token
// on the server's clock.
func TestPresignedURLOpensThePageOfItsApp(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute))
	seedSpace(t, f.srv, "alice-lab", testUser, types.AppTypeJupyterLab)
	in := spaceApp(types.AppTypeJupyterLab, "alice-lab", "default", types.AppInstanceTypeMlT3Medium)
	created, err := f.client.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.client.CreatePresignedDomainUrl(ctx(t), &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(testDomain),
		UserProfileName: aws.String(testUser), LandingUri: aws.String("studio::/jupyterlab/alice-lab"), ExpiresInSeconds: aws.Int32(120)})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(out.AuthorizedUrl)
	page := func(wantStatus int, want ...string) {
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
	}
	page(http.StatusOK, `<dd id="domain">`+testDomain+`</dd>`, `<dd id="user">alice</dd>`, `<dd id="space">alice-lab</dd>`,
		`<dd id="app-type">JupyterLab</dd>`, `<dd id="app-name">default</dd>`, `<dd id="app-status">Pending</dd>`,
		`<dd id="app-arn">`+aws.ToString(created.AppArn)+`</dd>`)
	f.srv.Advance(time.Minute)
	page(http.StatusOK, `<dd id="app-status">InService</dd>`)
	f.srv.Advance(time.Minute) // 120 s after the URL was made
	page(http.StatusForbidden, "expired")

	status, body := fetch(t, f.srv.URL()+sagemakerfake.StudioPath+"?token=not-one-of-ours")
	if status != http.StatusForbidden || !strings.Contains(body, "not one the fake handed out") {
		t.Errorf("an unknown token: %d\n%s", status, body)
	}

	// The app a URL opens can also come from its SpaceName; a private space opens only for its
	// owner, whatever path the URL names.
	bySpace, err := f.client.CreatePresignedDomainUrl(ctx(t), &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(testDomain),
		UserProfileName: aws.String(testUser), SpaceName: aws.String("alice-lab")})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := fetch(t, aws.ToString(bySpace.AuthorizedUrl)); status != http.StatusOK || !strings.Contains(body, `<dd id="app-name">default</dd>`) {
		t.Errorf("the URL of the space: %d\n%s", status, body)
	}
	if err := f.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	bob, err := f.client.CreatePresignedDomainUrl(ctx(t), &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(testDomain),
		UserProfileName: aws.String("bob"), LandingUri: aws.String("studio::/jupyterlab/alice-lab")})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := fetch(t, aws.ToString(bob.AuthorizedUrl)); status != http.StatusForbidden || !strings.Contains(body, "private to user profile alice") {
		t.Errorf("bob's URL to alice's private space: %d\n%s", status, body)
	}

	// A URL for the user alone opens Studio's home page, not an app.
	home, err := f.client.CreatePresignedDomainUrl(ctx(t), &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := fetch(t, aws.ToString(home.AuthorizedUrl)); status != http.StatusOK || !strings.Contains(body, "the Studio home page") || strings.Contains(body, "app-name\">default") {
		t.Errorf("the home URL: %d\n%s", status, body)
	}
}
