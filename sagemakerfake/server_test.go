package sagemakerfake_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func TestRequestsAreRecordedAndCopied(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithRequestLog(3))
	for _, name := range []string{"a1", "a2", "bad_name", "a3"} {
		_, _ = f.client.CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, name, ""), noRetry)
	}
	reqs := f.srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests kept, want the last 3", len(reqs))
	}
	if !bytes.Contains(reqs[0].Body, []byte(`"AppName":"a2"`)) || reqs[1].ErrorCode != "ValidationException" || reqs[1].Status != 400 ||
		reqs[2].Status != 200 || reqs[2].Operation != "CreateApp" || len(reqs[2].RequestID) != 36 || reqs[2].Time.IsZero() {
		t.Errorf("requests: %+v", reqs)
	}
	reqs[0].Body[0] = 'X'
	if again := f.srv.Requests(); again[0].Body[0] != '{' {
		t.Error("Requests shares body memory with the server")
	}
}

func TestLoggerLogsEachRequest(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil))
	f := newFixture(t, sagemakerfake.WithLogger(logger))
	_, _ = f.client.DescribeApp(ctx(t), describeInput(userApp(types.AppTypeJupyterServer, "missing", "")))
	f.srv.Close()
	mu.Lock()
	defer mu.Unlock()
	var rec map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &rec); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if rec["msg"] != "request" || rec["op"] != "DescribeApp" || rec["status"] != 400.0 || rec["code"] != "ResourceNotFound" || len(rec["request_id"].(string)) != 36 {
		t.Errorf("log record %v", rec)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestPanickingRuleIsAnInternalFailure(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { panic("rule bug") }))
	_, err := f.client.CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, "x", ""), noRetry)
	wantCode(t, err, "InternalFailure")
	if httpStatus(err) != 500 {
		t.Errorf("status %d, want 500", httpStatus(err))
	}
	// The server is not wedged.
	if _, err := f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)}); err != nil {
		t.Errorf("after the panic: %v", err)
	}
}

// TestSettingsRoundTrip stores settings through each way in and reads them back through the SDK:
// members the fake does not interpret, unions and numbers come back as given.
func TestSettingsRoundTrip(t *testing.T) {
	settings := &types.UserSettings{
		ExecutionRole:  aws.String("arn:aws:iam::123456789012:role/studio"),
		SecurityGroups: []string{"sg-1", "sg-2"},
		KernelGatewayAppSettings: &types.KernelGatewayAppSettings{
			DefaultResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large},
			CustomImages:        []types.CustomImage{{ImageName: aws.String("img"), AppImageConfigName: aws.String("cfg"), ImageVersionNumber: aws.Int32(3)}},
		},
		CustomFileSystemConfigs: []types.CustomFileSystemConfig{
			&types.CustomFileSystemConfigMemberEFSFileSystemConfig{Value: types.EFSFileSystemConfig{FileSystemId: aws.String("fs-0123abcd"), FileSystemPath: aws.String("/home")}},
		},
		CustomPosixUserConfig: &types.CustomPosixUserConfig{Uid: aws.Int64(10001), Gid: aws.Int64(1001)},
		StudioWebPortal:       types.StudioWebPortalEnabled,
	}
	srv := sagemakerfake.Start(t)
	c := srv.Client()
	seeded, err := srv.SeedDomain("d-seeded000001", &sagemaker.CreateDomainInput{DomainName: aws.String("seeded"), AuthMode: types.AuthModeIam, DefaultUserSettings: settings})
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateDomain(ctx(t), &sagemaker.CreateDomainInput{DomainName: aws.String("wire"), AuthMode: types.AuthModeIam, DefaultUserSettings: settings,
		SubnetIds: []string{"subnet-1"}, VpcId: aws.String("vpc-1"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{seeded, aws.ToString(created.DomainId)} {
		d, err := c.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d.DefaultUserSettings, settings) {
			t.Errorf("domain %s: settings came back as %+v", id, d.DefaultUserSettings)
		}
		if aws.ToString(d.DomainId) != id || d.AuthMode != types.AuthModeIam || d.CreationTime == nil || aws.ToString(d.Url) == "" {
			t.Errorf("DescribeDomain %s = %+v", id, d)
		}
	}
	if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(seeded), UserProfileName: aws.String("bob"), UserSettings: settings}); err != nil {
		t.Fatal(err)
	}
	p, err := c.DescribeUserProfile(ctx(t), &sagemaker.DescribeUserProfileInput{DomainId: aws.String(seeded), UserProfileName: aws.String("bob")})
	if err != nil || !reflect.DeepEqual(p.UserSettings, settings) || aws.ToString(p.HomeEfsFileSystemUid) == "" {
		t.Errorf("DescribeUserProfile = %+v, %v", p, err)
	}
	if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(seeded), UserProfileName: aws.String("bob")}); err == nil || !strings.HasPrefix(err.Error(), "ResourceInUse: ") {
		t.Errorf("a second bob: %v", err)
	}
	if _, err := srv.SeedDomain("D-BAD", &sagemaker.CreateDomainInput{DomainName: aws.String("x"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{}}); err == nil ||
		!strings.Contains(err.Error(), "at 'domainId' failed to satisfy constraint") {
		t.Errorf("a bad domain ID: %v", err)
	}
}

func TestLoadSeed(t *testing.T) {
	seed := `{
	  "Domains": [{"DomainId": "d-example12345", "DomainName": "example", "AuthMode": "IAM",
	               "DefaultUserSettings": {"StudioWebPortal": "DISABLED", "KernelGatewayAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.large"}}}}],
	  "UserProfiles": [{"DomainId": "d-example12345", "UserProfileName": "alice"}],
	  "Spaces": [{"DomainId": "d-example12345", "SpaceName": "team", "SpaceSharingSettings": {"SharingType": "Shared"},
	              "OwnershipSettings": {"OwnerUserProfileName": "alice"}, "SpaceDisplayName": "Team space"}]
	}`
	srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(0))
	if err := srv.LoadSeed([]byte(seed)); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	in := &sagemaker.CreateAppInput{DomainId: aws.String("d-example12345"), UserProfileName: aws.String("alice"), AppType: types.AppTypeKernelGateway, AppName: aws.String("kg")}
	if _, err := c.CreateApp(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeApp(ctx(t), describeInput(in))
	if err != nil || d.ResourceSpec.InstanceType != types.AppInstanceTypeMlT3Large {
		t.Errorf("the seeded default was not used: %+v %v", d, err)
	}
	sp, err := c.DescribeSpace(ctx(t), &sagemaker.DescribeSpaceInput{DomainId: aws.String("d-example12345"), SpaceName: aws.String("team")})
	if err != nil || aws.ToString(sp.SpaceDisplayName) != "Team space" || sp.SpaceSharingSettings.SharingType != types.SharingTypeShared ||
		aws.ToString(sp.OwnershipSettings.OwnerUserProfileName) != "alice" || sp.Status != types.SpaceStatusInService {
		t.Errorf("DescribeSpace = %+v %v", sp, err)
	}

	for _, tc := range []struct{ name, seed, want string }{
		{"unknown key", `{"Domain": []}`, `unknown field "Domain"`},
		{"missing required member", `{"Domains": [{"DomainId": "d-x1", "DomainName": "x"}]}`, "Domains[0]: ValidationException: 2 validation errors detected: Value null at 'authMode'"},
		{"profile in a missing domain", `{"UserProfiles": [{"DomainId": "d-nope1", "UserProfileName": "x"}]}`, "UserProfiles[0]: ResourceNotFound: "},
		{"space with an unknown owner", `{"Domains": [{"DomainId": "d-x2", "DomainName": "x", "AuthMode": "IAM", "DefaultUserSettings": {}}],
		  "Spaces": [{"DomainId": "d-x2", "SpaceName": "s", "OwnershipSettings": {"OwnerUserProfileName": "ghost"}}]}`, "Spaces[0]: ResourceNotFound: "},
		{"domain ID of the wrong type", `{"Domains": [{"DomainId": 7, "DomainName": "x", "AuthMode": "IAM", "DefaultUserSettings": {}}]}`, "Domains[0]: SerializationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := sagemakerfake.Start(t).LoadSeed([]byte(tc.seed))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadSeed: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
