package sagemakerfake_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// BenchmarkCreatePresignedDomainURL measures CreatePresignedDomainUrl with no URL handed out yet
// and with 40,000 that have not expired: the time of one must not grow with the others.
//
//	go test -run '^$' -bench BenchmarkCreatePresignedDomainURL -benchtime 20000x ./sagemakerfake/
func BenchmarkCreatePresignedDomainURL(b *testing.B) {
	for _, outstanding := range []int{0, 40000} {
		b.Run(fmt.Sprintf("outstanding=%d", outstanding), func(b *testing.B) {
			srv, err := sagemakerfake.NewHandler(sagemakerfake.WithClock(sagemakerfake.NewManualClock(time.Now())), sagemakerfake.WithRequestLog(0))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(srv.Close)
			if _, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{DomainName: aws.String("bench"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{}}); err != nil {
				b.Fatal(err)
			}
			if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)}); err != nil {
				b.Fatal(err)
			}
			client := srv.Client()
			in := &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)}
			for range outstanding {
				if _, err := client.CreatePresignedDomainUrl(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := client.CreatePresignedDomainUrl(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
