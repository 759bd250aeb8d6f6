package sagemakerfake

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// A CreatePresignedDomainUrl costs the same with 40,000 URLs out as with none: it forgets at most
// presignSweep expired ones, where it used to look at every URL out, under the store's lock.
func TestPresignedURLsExpireInConstantWorkPerRequest(t *testing.T) {
	srv := Start(t)
	if _, err := srv.SeedDomain("d-presign", &sagemaker.CreateDomainInput{DomainName: aws.String("p"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-presign"), UserProfileName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	in := &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String("d-presign"), UserProfileName: aws.String("alice")}
	first, err := srv.Client().CreatePresignedDomainUrl(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	now := srv.Now()
	const out = 40000
	for i := range out { // as 40,000 calls would, without their round trips
		srv.presign.add(fmt.Sprintf("tok-%d", i), &presignedURL{domainID: "d-presign", user: "alice", expires: now.Add(300 * time.Second)}, now)
	}

	srv.Advance(301 * time.Second) // every URL so far has expired
	before := srv.presign.swept
	fresh, err := srv.Client().CreatePresignedDomainUrl(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	swept := srv.presign.swept - before
	t.Logf("URLs looked at by a CreatePresignedDomainUrl with %d out: %d", out+1, swept)
	if swept > presignSweep {
		t.Errorf("one request looked at %d URLs, want at most %d", swept, presignSweep)
	}
	if status, _ := fetchPage(t, aws.ToString(first.AuthorizedUrl)); status != http.StatusForbidden {
		t.Errorf("an expired URL that is still held opens with %d, want 403", status)
	}
	if status, _ := fetchPage(t, aws.ToString(fresh.AuthorizedUrl)); status != http.StatusOK {
		t.Errorf("the new URL opens with %d, want 200", status)
	}

	// The expired ones drain as requests come: each forgets up to presignSweep and adds one.
	for i := range out/(presignSweep-1) + 1 {
		srv.presign.add(fmt.Sprintf("new-%d", i), &presignedURL{expires: srv.Now().Add(300 * time.Second)}, srv.Now())
	}
	srv.presign.mu.Lock()
	held := len(srv.presign.byTok)
	srv.presign.mu.Unlock()
	if want := out/(presignSweep-1) + 2; held != want {
		t.Errorf("%d URLs held once the expired ones drained, want the %d that have not expired", held, want)
	}
}

// fetchPage GETs a URL of the fake's own server and returns the status and the page.
func fetchPage(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b [4096]byte
	n, _ := resp.Body.Read(b[:])
	return resp.StatusCode, string(b[:n])
}
