package sagemakerfake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// A seed file is read strictly: one object, its members spelled exactly, each once, each a list,
// and nothing after it. Each refusal creates nothing.
func TestLoadSeedIsStrict(t *testing.T) {
	const domain = `{"DomainId": "d-strict0001", "DomainName": "x", "AuthMode": "IAM", "DefaultUserSettings": {}}`
	for _, tc := range []struct{ name, seed, want string }{
		{"a second object", `{"Domains": []} {"Domains": [` + domain + `]}`, "data after the seed's JSON object"},
		{"trailing garbage", `{"Domains": [` + domain + `]} x`, "data after the seed's JSON object"},
		{"a stray bracket", `{"Domains": [` + domain + `]}]`, "data after the seed's JSON object"},
		{"a case-folded member", `{"domains": [` + domain + `]}`, `unknown field "domains"`},
		{"an unknown member", `{"Apps": []}`, `unknown field "Apps"`},
		{"a member twice", `{"Domains": [], "Domains": [` + domain + `]}`, "the member Domains appears twice"},
		{"null", `null`, "a seed is a JSON object"},
		{"an array", `[]`, "a seed is a JSON object"},
		{"a list that is null", `{"Domains": null}`, "Domains must be a JSON array of request bodies, not null"},
		{"a list that is an object", `{"Spaces": {}}`, "Spaces must be a JSON array of request bodies, not an object"},
		{"cut short", `{"Domains": [` + domain, "ends before its JSON object does"},
		{"empty", ``, "ends before its JSON object does"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := sagemakerfake.Start(t)
			err := srv.LoadSeed([]byte(tc.seed))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadSeed: %v, want an error containing %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "seed: ") {
				t.Errorf("the error does not say it is the seed's: %v", err)
			}
			_, err = srv.Client().DescribeDomain(context.Background(), &sagemaker.DescribeDomainInput{DomainId: aws.String("d-strict0001")})
			if err == nil || !strings.Contains(err.Error(), "ResourceNotFound") {
				t.Errorf("a refused seed created its domain: DescribeDomain: %v", err)
			}
		})
	}
	// White space around the object is no data after it.
	if err := sagemakerfake.Start(t).LoadSeed([]byte("\n {\"Domains\": [" + domain + "]}\n\n")); err != nil {
		t.Errorf("LoadSeed with white space around the object: %v", err)
	}
}
