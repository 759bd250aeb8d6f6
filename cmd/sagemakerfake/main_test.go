package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// seed has a domain that still runs Studio Classic (StudioWebPortal DISABLED), where Classic apps
// can be created, and one that runs today's Studio, where they cannot (facts §7.1).
const seed = `{
  "Domains": [{"DomainId": "d-cli000000001", "DomainName": "cli", "AuthMode": "IAM",
               "DefaultUserSettings": {"StudioWebPortal": "DISABLED", "KernelGatewayAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.large"}}}},
              {"DomainId": "d-cli000000002", "DomainName": "today", "AuthMode": "IAM", "DefaultUserSettings": {}}],
  "UserProfiles": [{"DomainId": "d-cli000000001", "UserProfileName": "alice"}, {"DomainId": "d-cli000000002", "UserProfileName": "alice"}],
  "Spaces": [{"DomainId": "d-cli000000001", "SpaceName": "alice-code", "OwnershipSettings": {"OwnerUserProfileName": "alice"},
              "SpaceSharingSettings": {"SharingType": "Private"}, "SpaceSettings": {"AppType": "CodeEditor"}}]
}`

// distributionImage is the SageMaker Distribution image of us-east-1 (facts §7.3).
const distributionImage = "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"

func TestRunRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	badSeed := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badSeed, []byte(`{"Domains": [{"DomainName": "x"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"all interfaces", []string{"-addr", ":0"}, "not a loopback address"},
		{"a LAN address", []string{"-addr", "192.0.2.10:0"}, "not a loopback address"},
		{"a host name", []string{"-addr", "example.com:0"}, "not a loopback address"},
		{"bad account", []string{"-addr", "127.0.0.1:0", "-account", "12"}, "12-digit"},
		{"empty region", []string{"-addr", "127.0.0.1:0", "-region", ""}, "region is empty"},
		{"negative delay", []string{"-addr", "127.0.0.1:0", "-startup-delay", "-1s"}, "negative"},
		{"bad rand seed", []string{"-addr", "127.0.0.1:0", "-rand-seed", "x"}, "invalid value"},
		{"missing seed", []string{"-addr", "127.0.0.1:0", "-seed", filepath.Join(dir, "none.json")}, "no such file"},
		{"invalid seed", []string{"-addr", "127.0.0.1:0", "-seed", badSeed}, "Domains[0]: ValidationException"},
		{"extra argument", []string{"-addr", "127.0.0.1:0", "serve"}, "unexpected arguments"},
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := run(ctx, tc.args, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run %v: %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8770": true, "127.1.2.3:1": true, "[::1]:8770": true, "localhost:8770": true,
		":8770": false, "0.0.0.0:8770": false, "[::]:1": false, "10.0.0.1:1": false, "8770": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// serve runs the command in-process with args until the test ends, and returns its URL once it
// listens.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	stderr := newSyncBuffer()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not return after its context was cancelled")
		}
		if out := stderr.String(); !strings.Contains(out, `msg="shutting down"`) {
			t.Errorf("log:\n%s", out)
		}
	})
	m := stderr.waitFor(t, regexp.MustCompile(`msg=listening addr=(\S+)`), done)
	return "http://" + m[1]
}

func TestRunServesUntilCancelled(t *testing.T) {
	url := serve(t)
	c := sdkClient(url)
	if _, err := c.ListApps(context.Background(), &sagemaker.ListAppsInput{}); err != nil {
		t.Errorf("ListApps: %v", err)
	}
	c.Options().HTTPClient.(*http.Client).CloseIdleConnections()
}

// TestRandSeed: every start hands out its own domain IDs, unless -rand-seed fixes them.
func TestRandSeed(t *testing.T) {
	firstDomain := func(args ...string) string {
		t.Helper()
		c := sdkClient(serve(t, args...))
		defer c.Options().HTTPClient.(*http.Client).CloseIdleConnections()
		out, err := c.CreateDomain(context.Background(), &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam,
			DefaultUserSettings: &types.UserSettings{}, SubnetIds: []string{"subnet-1"}, VpcId: aws.String("vpc-1")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.DomainId)
	}
	if a, b := firstDomain(), firstDomain(); a == b {
		t.Errorf("two starts both made domain %s first", a)
	}
	if a, b := firstDomain("-rand-seed", "0"), firstDomain("-rand-seed", "0"); a != b {
		t.Errorf("two starts with -rand-seed 0 made domains %s and %s", a, b)
	}
}

// sdkClient is a Go SDK client configured for url as for any endpoint, with its own connections.
func sdkClient(url string) *sagemaker.Client {
	return sagemaker.New(sagemaker.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		HTTPClient:   &http.Client{Transport: &http.Transport{}},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDSAGEMAKERFAKE", SecretAccessKey: "secret"}, nil
		}),
	})
}

// syncBuffer is a log destination that tests can wait on.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // has a value after a write that nobody has waited for yet
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{written: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.written <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the buffer matches re and returns the match; it gives up when exited
// delivers (the writer is gone) or after 15 seconds.
func (b *syncBuffer) waitFor(t *testing.T, re *regexp.Regexp, exited <-chan error) []string {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		if m := re.FindStringSubmatch(b.String()); m != nil {
			return m
		}
		select {
		case <-b.written:
		case err := <-exited:
			t.Fatalf("exited (%v) before logging %s:\n%s", err, re, b.String())
		case <-timeout:
			t.Fatalf("nothing logged %s within 15s:\n%s", re, b.String())
		}
	}
}

// requireClients reports whether a missing client (the AWS CLI, python3 with boto3, the go tool)
// fails the test instead of skipping it; CI sets SAGEMAKERFAKE_REQUIRE_CLIENTS=1 so that these
// tests can never pass by not running.
func requireClients() bool { return os.Getenv("SAGEMAKERFAKE_REQUIRE_CLIENTS") == "1" }

// missing skips the test, or fails it when clients are required.
func missing(t *testing.T, what string) {
	t.Helper()
	if requireClients() {
		t.Fatalf("%s, and SAGEMAKERFAKE_REQUIRE_CLIENTS=1 requires it", what)
	}
	t.Skipf("%s; install it to run this test (SAGEMAKERFAKE_REQUIRE_CLIENTS=1 makes this a failure)", what)
}

// standalone is the built binary, started on a free port with the test seed.
type standalone struct {
	url    string
	stderr *syncBuffer
}

// startBinary builds the command with the go tool and starts it with no startup delay and the test
// seed, and then args. It stops the process with SIGTERM at the end of the test and checks that it
// shut down cleanly.
func startBinary(t *testing.T, args ...string) *standalone {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		missing(t, "the go tool is not on PATH, so the binary cannot be built")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sagemakerfake")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	seedFile := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(seedFile, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-startup-delay", "0s", "-seed", seedFile}, args...)...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &standalone{stderr: newSyncBuffer()}
	found := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		listening := regexp.MustCompile(`msg=listening addr=(\S+)`)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			s.stderr.Write([]byte(line + "\n"))
			if m := listening.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		exited := make(chan error, 1)
		go func() { <-copied; exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("the server did not exit cleanly on SIGTERM: %v\n%s", err, s.stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("the server did not stop within 10s of SIGTERM")
		}
	})
	select {
	case addr := <-found:
		s.url = "http://" + addr
	case <-time.After(15 * time.Second):
		t.Fatalf("the server did not report its address:\n%s", s.stderr.String())
	}
	return s
}

// clientEnv is the environment for a Python AWS client: dummy credentials, no configuration
// files, no instance metadata and no pager, so nothing but the fake is ever contacted.
func clientEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	missing := filepath.Join(t.TempDir(), "absent")
	return append(env,
		"AWS_ACCESS_KEY_ID=AKIDSAGEMAKERFAKE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+missing, "AWS_SHARED_CREDENTIALS_FILE="+missing,
		"AWS_PAGER=", "AWS_RETRY_MODE=standard", "AWS_MAX_ATTEMPTS=1")
}

// TestAWSCLI drives the built binary with the AWS CLI.
func TestAWSCLI(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		missing(t, "the AWS CLI (aws) is not on PATH")
	}
	srv := startBinary(t)
	env := clientEnv(t)
	cli := func(args ...string) (map[string]any, string, error) {
		full := append([]string{"--endpoint-url", srv.url, "--region", "us-east-1", "--output", "json", "sagemaker"}, args...)
		cmd := exec.Command(awsCLI, full...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var out map[string]any
		if err == nil && stdout.Len() > 0 {
			if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
				t.Fatalf("aws %v: output is not JSON: %v\n%s", args, jerr, stdout.String())
			}
		}
		return out, stderr.String(), err
	}
	mustCLI := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := cli(args...)
		if err != nil {
			t.Fatalf("aws %v: %v\n%s\nserver log:\n%s", args, err, stderr, srv.stderr.String())
		}
		return out
	}

	dom := mustCLI("create-domain", "--domain-name", "cli2", "--auth-mode", "IAM", "--default-user-settings", "StudioWebPortal=DISABLED",
		"--subnet-ids", "subnet-0123", "--vpc-id", "vpc-0123")
	domainID, _ := dom["DomainId"].(string)
	if !strings.HasPrefix(domainID, "d-") || !strings.HasSuffix(dom["DomainArn"].(string), "domain/"+domainID) {
		t.Fatalf("create-domain: %v", dom)
	}
	mustCLI("create-user-profile", "--domain-id", domainID, "--user-profile-name", "bob")

	// The seeded domain's default instance type applies to a KernelGateway app without one.
	created := mustCLI("create-app", "--domain-id", "d-cli000000001", "--user-profile-name", "alice",
		"--app-type", "KernelGateway", "--app-name", "kg")
	if arn, _ := created["AppArn"].(string); arn != "arn:aws:sagemaker:us-east-1:123456789012:app/d-cli000000001/alice/kernelgateway/kg" {
		t.Errorf("create-app: %v", created)
	}
	described := mustCLI("describe-app", "--domain-id", "d-cli000000001", "--user-profile-name", "alice",
		"--app-type", "KernelGateway", "--app-name", "kg")
	spec, _ := described["ResourceSpec"].(map[string]any)
	if described["Status"] != "InService" || spec["InstanceType"] != "ml.t3.large" {
		t.Errorf("describe-app: %v", described)
	}
	// CLI v1 prints timestamps as they arrive (epoch seconds), v2 as ISO 8601 text.
	switch ts := described["CreationTime"].(type) {
	case float64:
		if ts < 1.6e9 {
			t.Errorf("CreationTime %v", ts)
		}
	case string:
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Errorf("CreationTime %q: %v", ts, err)
		}
	default:
		t.Errorf("CreationTime %v (%T)", ts, ts)
	}
	mustCLI("create-app", "--domain-id", domainID, "--user-profile-name", "bob",
		"--app-type", "JupyterServer", "--app-name", "default", "--resource-spec", "InstanceType=system")
	list := mustCLI("list-apps", "--domain-id-equals", "d-cli000000001")
	if apps, _ := list["Apps"].([]any); len(apps) != 1 {
		t.Errorf("list-apps of the seeded domain: %v", list)
	}
	all := mustCLI("list-apps", "--page-size", "1")
	if apps, _ := all["Apps"].([]any); len(apps) != 2 {
		t.Errorf("list-apps, paged one by one by the CLI: %v", all)
	}

	// Tags of an app: added, listed and removed, as tag reconciliation does.
	appARN, _ := created["AppArn"].(string)
	tagsOf := func() map[string]any {
		t.Helper()
		out := map[string]any{}
		list, _ := mustCLI("list-tags", "--resource-arn", appARN)["Tags"].([]any)
		for _, e := range list {
			tag, _ := e.(map[string]any)
			out[tag["Key"].(string)] = tag["Value"]
		}
		return out
	}
	added := mustCLI("add-tags", "--resource-arn", appARN, "--tags", "Key=team,Value=ml", "Key=cost-center,Value=42")
	if list, _ := added["Tags"].([]any); len(list) != 2 {
		t.Errorf("add-tags: %v", added)
	}
	if got := tagsOf(); len(got) != 2 || got["team"] != "ml" || got["cost-center"] != "42" {
		t.Errorf("list-tags after add-tags: %v", got)
	}
	mustCLI("delete-tags", "--resource-arn", appARN, "--tag-keys", "team")
	if got := tagsOf(); len(got) != 1 || got["cost-center"] != "42" {
		t.Errorf("list-tags after delete-tags: %v", got)
	}

	// A JupyterServer app created without a ResourceSpec runs on system, and describe-app says so.
	mustCLI("create-app", "--domain-id", "d-cli000000001", "--user-profile-name", "alice",
		"--app-type", "JupyterServer", "--app-name", "default")
	server := mustCLI("describe-app", "--domain-id", "d-cli000000001", "--user-profile-name", "alice",
		"--app-type", "JupyterServer", "--app-name", "default")
	if spec, _ := server["ResourceSpec"].(map[string]any); spec["InstanceType"] != "system" || server["EffectiveTrustedIdentityPropagationStatus"] != "DISABLED" {
		t.Errorf("describe-app of a JupyterServer app created without a spec: %v", server)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create-app", "--domain-id", "d-cli000000001", "--user-profile-name", "alice", "--app-type", "KernelGateway", "--app-name", "kg"},
			"An error occurred (ResourceInUse) when calling the CreateApp operation"},
		{[]string{"create-app", "--domain-id", "d-cli000000001", "--user-profile-name", "alice", "--app-type", "KernelGateway", "--app-name", "bad_name"},
			"1 validation error detected: Value 'bad_name' at 'appName' failed to satisfy constraint"},
		{[]string{"describe-app", "--domain-id", "d-cli000000001", "--user-profile-name", "alice", "--app-type", "KernelGateway", "--app-name", "nope"},
			"An error occurred (ResourceNotFound) when calling the DescribeApp operation"},
	} {
		_, stderr, err := cli(tc.args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("aws %v: %v\n%s\nwant a failure reporting %q", tc.args, err, stderr, tc.want)
		}
	}
	if log := srv.stderr.String(); !strings.Contains(log, "op=CreateApp status=200") || !strings.Contains(log, "code=ResourceInUse") {
		t.Errorf("the server did not log the requests:\n%s", log)
	}

	// Studio as it runs today (facts §7): bob's private space, a JupyterLab app in it with an
	// image, one app per space, a restart that keeps the ARN, and a URL that opens the app.
	mustFail := func(want string, args ...string) {
		t.Helper()
		_, stderr, err := cli(args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 || !strings.Contains(stderr, want) {
			t.Errorf("aws %v: %v\n%s\nwant a failure reporting %q", args, err, stderr, want)
		}
	}
	space := mustCLI("create-space", "--domain-id", domainID, "--space-name", "bob-lab",
		"--ownership-settings", "OwnerUserProfileName=bob", "--space-sharing-settings", "SharingType=Private",
		"--space-settings", "AppType=JupyterLab,SpaceStorageSettings={EbsStorageSettings={EbsVolumeSizeInGb=10}}")
	if arn, _ := space["SpaceArn"].(string); arn != "arn:aws:sagemaker:us-east-1:123456789012:space/"+domainID+"/bob-lab" {
		t.Errorf("create-space: %v", space)
	}
	ds := mustCLI("describe-space", "--domain-id", domainID, "--space-name", "bob-lab")
	owner, _ := ds["OwnershipSettings"].(map[string]any)
	sharing, _ := ds["SpaceSharingSettings"].(map[string]any)
	settings, _ := ds["SpaceSettings"].(map[string]any)
	if ds["Status"] != "InService" || owner["OwnerUserProfileName"] != "bob" || sharing["SharingType"] != "Private" || settings["AppType"] != "JupyterLab" {
		t.Errorf("describe-space: %v", ds)
	}
	mustFail("User Profile and Space name must be unique in a domain",
		"create-space", "--domain-id", domainID, "--space-name", "bob", "--space-sharing-settings", "SharingType=Shared")
	spaces, _ := mustCLI("list-spaces", "--domain-id-equals", domainID)["Spaces"].([]any)
	if len(spaces) != 1 {
		t.Fatalf("list-spaces: %v", spaces)
	}
	if s, _ := spaces[0].(map[string]any); s["SpaceName"] != "bob-lab" || s["OwnershipSettingsSummary"].(map[string]any)["OwnerUserProfileName"] != "bob" {
		t.Errorf("list-spaces: %v", s)
	}
	if all, _ := mustCLI("list-spaces", "--page-size", "1")["Spaces"].([]any); len(all) != 2 {
		t.Errorf("list-spaces of every domain, paged one by one by the CLI: %v", all)
	}

	labArgs := []string{"--domain-id", domainID, "--space-name", "bob-lab", "--app-type", "JupyterLab", "--app-name", "default"}
	mustFail("SageMaker Image ARN is required for App with type [JupyterLab]", append([]string{"create-app"}, labArgs...)...)
	mustFail("JupyterLab apps run in a space", "create-app", "--domain-id", domainID, "--user-profile-name", "bob",
		"--app-type", "JupyterLab", "--app-name", "default", "--resource-spec", "SageMakerImageArn="+distributionImage)
	labSpec := "InstanceType=ml.t3.medium,SageMakerImageArn=" + distributionImage
	lab := mustCLI(append([]string{"create-app", "--resource-spec", labSpec}, labArgs...)...)
	labARN, _ := lab["AppArn"].(string)
	if labARN != "arn:aws:sagemaker:us-east-1:123456789012:app/"+domainID+"/bob-lab/jupyterlab/default" {
		t.Errorf("create-app in the space: %v", lab)
	}
	first := mustCLI(append([]string{"describe-app"}, labArgs...)...)
	if rs, _ := first["ResourceSpec"].(map[string]any); first["Status"] != "InService" || rs["SageMakerImageArn"] != distributionImage {
		t.Errorf("describe-app in the space: %v", first)
	}
	mustFail("JupyterLab app 'default'", "create-app", "--domain-id", domainID, "--space-name", "bob-lab",
		"--app-type", "JupyterLab", "--app-name", "second", "--resource-spec", labSpec)

	// A restart: delete-app, wait until Deleted (at once: the server runs with no delays), create-app.
	mustCLI(append([]string{"delete-app"}, labArgs...)...)
	if d := mustCLI(append([]string{"describe-app"}, labArgs...)...); d["Status"] != "Deleted" {
		t.Fatalf("describe-app after delete-app: %v", d)
	}
	again := mustCLI(append([]string{"create-app", "--resource-spec", labSpec}, labArgs...)...)
	restarted := mustCLI(append([]string{"describe-app"}, labArgs...)...)
	if again["AppArn"] != labARN || restarted["AppArn"] != labARN || restarted["CreationTime"] != first["CreationTime"] || restarted["Status"] != "InService" {
		t.Errorf("restart: create-app %v, describe-app %v; want ARN %s and CreationTime %v", again, restarted, labARN, first["CreationTime"])
	}

	mustFail("Provided app type JupyterLab is invalid for provided url type app for personal apps",
		"create-presigned-domain-url", "--domain-id", domainID, "--user-profile-name", "bob", "--landing-uri", "app:JupyterLab:bob-lab")
	mustFail("Member must have value less than or equal to 300",
		"create-presigned-domain-url", "--domain-id", domainID, "--user-profile-name", "bob", "--expires-in-seconds", "301")
	// The space's name and no landing URI open the app (facts §7.5); studio::/jupyterlab/<space>
	// is accepted but redirects to //jupyterlab/<space>, a host that does not exist.
	presigned := mustCLI("create-presigned-domain-url", "--domain-id", domainID, "--user-profile-name", "bob",
		"--space-name", "bob-lab", "--expires-in-seconds", "300", "--session-expiration-duration-in-seconds", "43200")
	slashed := mustCLI("create-presigned-domain-url", "--domain-id", domainID, "--user-profile-name", "bob",
		"--landing-uri", "studio::/jupyterlab/bob-lab")
	url, _ := presigned["AuthorizedUrl"].(string)
	if !strings.HasPrefix(url, srv.url+"/studio/open?token=") {
		t.Fatalf("create-presigned-domain-url: %v", presigned)
	}
	status, page, _ := get(t, url)
	for _, want := range []string{`<dd id="user">bob</dd>`, `<dd id="space">bob-lab</dd>`, `<dd id="app-type">JupyterLab</dd>`,
		`<dd id="app-name">default</dd>`, `<dd id="app-status">InService</dd>`} {
		if status != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("the presigned URL's page (%d) lacks %q:\n%s", status, want, page)
		}
	}
	if status, _, location := get(t, slashed["AuthorizedUrl"].(string)); status != http.StatusFound || location != "//jupyterlab/bob-lab" {
		t.Errorf("studio::/jupyterlab/bob-lab: %d, Location %q; want 302 to //jupyterlab/bob-lab", status, location)
	}
}

// get GETs url without following redirects (Studio's lead off this machine) and returns the
// status, the body and the Location header.
func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

// TestGoSDK drives the built binary with the Go SDK, configured as for any endpoint.
func TestGoSDK(t *testing.T) {
	srv := startBinary(t)
	c := sdkClient(srv.url)
	defer c.Options().HTTPClient.(*http.Client).CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// alice's private CodeEditor space comes from the seed.
	in := &sagemaker.CreateAppInput{DomainId: aws.String("d-cli000000001"), SpaceName: aws.String("alice-code"),
		AppType: types.AppTypeCodeEditor, AppName: aws.String("code"),
		ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium, SageMakerImageArn: aws.String(distributionImage)}}
	if _, err := c.CreateApp(ctx, in); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeApp(ctx, &sagemaker.DescribeAppInput{DomainId: in.DomainId, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName})
	if err != nil || d.Status != types.AppStatusInService || d.CreationTime == nil || time.Since(*d.CreationTime) > time.Minute {
		t.Errorf("DescribeApp = %+v, %v", d, err)
	}
	_, err = c.CreateApp(ctx, in)
	var inUse *types.ResourceInUse
	if !errors.As(err, &inUse) {
		t.Errorf("second CreateApp: %v, want *types.ResourceInUse", err)
	}
}

// TestBoto3 drives the built binary with boto3 (skipped where Python has no boto3).
func TestBoto3(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		missing(t, "python3 is not on PATH")
	}
	env := clientEnv(t)
	probe := exec.Command(python, "-c", "import boto3")
	probe.Env = env
	if err := probe.Run(); err != nil {
		missing(t, "boto3 is not installed for python3")
	}
	srv := startBinary(t)
	script := `
import json, sys, boto3, botocore.exceptions
c = boto3.client("sagemaker", endpoint_url=sys.argv[1], region_name="us-east-1")
c.create_space(DomainId="d-cli000000001", SpaceName="alice-lab", OwnershipSettings={"OwnerUserProfileName": "alice"},
               SpaceSharingSettings={"SharingType": "Private"}, SpaceSettings={"AppType": "JupyterLab"})
c.create_app(DomainId="d-cli000000001", SpaceName="alice-lab", AppType="JupyterLab", AppName="lab",
             ResourceSpec={"InstanceType": "ml.t3.medium", "SageMakerImageArn": sys.argv[2]}, Tags=[{"Key": "team", "Value": "ml"}])
d = c.describe_app(DomainId="d-cli000000001", SpaceName="alice-lab", AppType="JupyterLab", AppName="lab")
apps = [a for page in c.get_paginator("list_apps").paginate(PaginationConfig={"PageSize": 1}) for a in page["Apps"]]
spaces = [s["SpaceName"] for page in c.get_paginator("list_spaces").paginate(PaginationConfig={"PageSize": 1}) for s in page["Spaces"]]
tags = c.list_tags(ResourceArn=d["AppArn"])["Tags"]
url = c.create_presigned_domain_url(DomainId="d-cli000000001", UserProfileName="alice", SpaceName="alice-lab")["AuthorizedUrl"]
try:
    c.delete_app(DomainId="d-cli000000001", SpaceName="alice-lab", AppType="JupyterLab", AppName="nope")
    code = None
except botocore.exceptions.ClientError as e:
    code = e.response["Error"]["Code"]
def refusal(call, **kwargs):
    try:
        call(**kwargs)
        return None
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
# The idle timeout of a space lies within the levels' bounds (facts §7.6): the domain's 60-240.
bounds = {"AppLifecycleManagement": {"IdleSettings": {"LifecycleManagement": "ENABLED", "MinIdleTimeoutInMinutes": 60, "MaxIdleTimeoutInMinutes": 240}}}
idle_domain = c.create_domain(DomainName="idle", AuthMode="IAM", SubnetIds=["subnet-1"], VpcId="vpc-1",
                              DefaultUserSettings={"JupyterLabAppSettings": bounds})["DomainId"]
c.create_user_profile(DomainId=idle_domain, UserProfileName="Carol")
def idle_space(name, minutes):
    return {"DomainId": idle_domain, "SpaceName": name, "OwnershipSettings": {"OwnerUserProfileName": "carol"},
            "SpaceSharingSettings": {"SharingType": "Private"},
            "SpaceSettings": {"AppType": "JupyterLab", "JupyterLabAppSettings": {"AppLifecycleManagement": {"IdleSettings": {"IdleTimeoutInMinutes": minutes}}}}}
too_long = refusal(c.create_space, **idle_space("carol-long", 600))
c.create_space(**idle_space("carol-lab", 120))
update_too_long = refusal(c.update_space, DomainId=idle_domain, SpaceName="carol-lab",
                          SpaceSettings={"JupyterLabAppSettings": {"AppLifecycleManagement": {"IdleSettings": {"IdleTimeoutInMinutes": 241}}}})
owner = c.describe_space(DomainId=idle_domain, SpaceName="carol-lab")["OwnershipSettings"]["OwnerUserProfileName"]
print(json.dumps({"status": d["Status"], "year": d["CreationTime"].year, "apps": len(apps), "spaces": spaces, "tags": tags, "url": url, "code": code,
                  "tooLong": too_long, "updateTooLong": update_too_long, "owner": owner}))
`
	cmd := exec.Command(python, "-c", script, srv.url, distributionImage)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, stderr.String(), srv.stderr.String())
	}
	var got struct {
		Status string
		Year   int
		Apps   int
		Spaces []string
		Tags   []map[string]string
		URL    string
		Code   string

		TooLong, UpdateTooLong, Owner string
	}
	if err := json.NewDecoder(io.LimitReader(&stdout, 1<<20)).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "InService" || got.Year < 2024 || got.Apps != 1 || len(got.Tags) != 1 || got.Tags[0]["Value"] != "ml" || got.Code != "ResourceNotFound" ||
		strings.Join(got.Spaces, ",") != "alice-code,alice-lab" || !strings.HasPrefix(got.URL, srv.url+"/studio/open?token=") {
		t.Errorf("boto3 saw %+v", got)
	}
	const field = "ValidationException: SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes"
	if got.TooLong != field+" 600 is above the maximum of 240 minutes that the domain's DefaultUserSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.MaxIdleTimeoutInMinutes sets." ||
		!strings.HasPrefix(got.UpdateTooLong, field+" 241 is above the maximum of 240 minutes") {
		t.Errorf("boto3: an idle timeout over the domain's maximum: create_space %q, update_space %q", got.TooLong, got.UpdateTooLong)
	}
	if got.Owner != "Carol" {
		t.Errorf("boto3: the owner given as carol is %q, want the profile's own spelling, Carol", got.Owner)
	}
}

// cliRunner runs the AWS CLI against a standalone server.
type cliRunner struct {
	t   *testing.T
	bin string
	srv *standalone
	env []string
}

func newCLIRunner(t *testing.T, srv *standalone) *cliRunner {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		missing(t, "the AWS CLI (aws) is not on PATH")
	}
	return &cliRunner{t: t, bin: bin, srv: srv, env: clientEnv(t)}
}

// run runs "aws sagemaker args..." and returns its JSON output, its standard error and its error.
func (c *cliRunner) run(args ...string) (map[string]any, string, error) {
	full := append([]string{"--endpoint-url", c.srv.url, "--region", "us-east-1", "--output", "json", "sagemaker"}, args...)
	cmd := exec.Command(c.bin, full...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var out map[string]any
	if err == nil && stdout.Len() > 0 {
		if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
			c.t.Fatalf("aws %v: output is not JSON: %v\n%s", args, jerr, stdout.String())
		}
	}
	return out, stderr.String(), err
}

// must runs the CLI and fails the test if it fails.
func (c *cliRunner) must(args ...string) map[string]any {
	c.t.Helper()
	out, stderr, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("aws %v: %v\n%s\nserver log:\n%s", args, err, stderr, c.srv.stderr.String())
	}
	return out
}

// mustFail runs the CLI and fails the test unless it exits non-zero reporting the error code and
// want on standard error.
func (c *cliRunner) mustFail(code, want string, args ...string) {
	c.t.Helper()
	_, stderr, err := c.run(args...)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 || !strings.Contains(stderr, "An error occurred ("+code+") when calling the ") || !strings.Contains(stderr, want) {
		c.t.Errorf("aws %v: %v\n%s\nwant a failure reporting %s and %q", args, err, stderr, code, want)
	}
}

// waitSpace runs describe-space until the space is in status want, for at most two minutes: the
// server runs on the wall clock.
func (c *cliRunner) waitSpace(domainID, space, want string) {
	c.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		d := c.must("describe-space", "--domain-id", domainID, "--space-name", space)
		if d["Status"] == want {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("space %s is still %v, not %s, after two minutes", space, d["Status"], want)
		}
		time.Sleep(time.Second)
	}
}

// TestAWSCLIStudioToday drives the rules of Studio as it runs today (facts §7, round two) with the
// AWS CLI, against the built binary with a startup delay of 20 s, so that a new or updated space
// stays Pending or Updating while the next commands run: a Classic app refused in a domain that
// runs today's Studio and created in a StudioWebPortal=DISABLED one; a user profile found by
// another case; DeleteUserProfile refused while the user owns a space; CreateSpace refused while
// its owner is Pending; CreateApp refused in a Pending space and in an Updating one; update-space
// Updating, then InService; storage only grows; list-user-profiles.
func TestAWSCLIStudioToday(t *testing.T) {
	srv := startBinary(t, "-startup-delay", "20s")
	cli := newCLIRunner(t, srv)
	const classic, today = "d-cli000000001", "d-cli000000002"

	cli.mustFail("ValidationException", "Invalid request provided: Invalid AppType [KernelGateway]. This AppType has been deprecated.",
		"create-app", "--domain-id", today, "--user-profile-name", "alice", "--app-type", "KernelGateway", "--app-name", "kg",
		"--resource-spec", "InstanceType=ml.t3.medium")
	cli.mustFail("ValidationException", "Invalid request provided: Invalid AppType [JupyterServer]. This AppType has been deprecated.",
		"create-app", "--domain-id", today, "--user-profile-name", "alice", "--app-type", "JupyterServer", "--app-name", "default")

	profile := cli.must("describe-user-profile", "--domain-id", classic, "--user-profile-name", "Alice")
	if profile["UserProfileName"] != "alice" || profile["Status"] != "InService" ||
		profile["UserProfileArn"] != "arn:aws:sagemaker:us-east-1:123456789012:user-profile/"+classic+"/alice" {
		t.Errorf("describe-user-profile Alice: %v", profile)
	}
	cli.must("create-space", "--domain-id", classic, "--space-name", "alice-lab",
		"--ownership-settings", "OwnerUserProfileName=Alice", "--space-sharing-settings", "SharingType=Private",
		"--space-settings", "AppType=JupyterLab,SpaceStorageSettings={EbsStorageSettings={EbsVolumeSizeInGb=10}}")
	labArgs := []string{"create-app", "--domain-id", classic, "--space-name", "alice-lab", "--app-type", "JupyterLab", "--app-name", "default",
		"--resource-spec", "InstanceType=ml.t3.medium,SageMakerImageArn=" + distributionImage}
	cli.mustFail("ResourceInUse", "Unable to create app [arn:aws:sagemaker:us-east-1:123456789012:app/"+classic+"/alice-lab/jupyterlab/default] because storage is not in Available status.",
		labArgs...)
	cli.mustFail("ResourceInUse", "Unable to delete UserProfile [arn:aws:sagemaker:us-east-1:123456789012:user-profile/"+classic+"/alice] because Space(s) are associated with it.",
		"delete-user-profile", "--domain-id", classic, "--user-profile-name", "alice")
	if space := cli.must("describe-space", "--domain-id", classic, "--space-name", "alice-lab"); space["OwnershipSettings"].(map[string]any)["OwnerUserProfileName"] != "alice" {
		t.Errorf("describe-space: the owner given as Alice is %v", space["OwnershipSettings"])
	}
	bob := cli.must("create-user-profile", "--domain-id", classic, "--user-profile-name", "bob")
	cli.mustFail("ResourceInUse", "Unable to create Space [arn:aws:sagemaker:us-east-1:123456789012:space/"+classic+"/bob-lab] because UserProfile ["+bob["UserProfileArn"].(string)+"] is not in InService",
		"create-space", "--domain-id", classic, "--space-name", "bob-lab",
		"--ownership-settings", "OwnerUserProfileName=bob", "--space-sharing-settings", "SharingType=Private")
	kg := cli.must("create-app", "--domain-id", classic, "--user-profile-name", "ALICE", "--app-type", "KernelGateway", "--app-name", "kg")
	if kg["AppArn"] != "arn:aws:sagemaker:us-east-1:123456789012:app/"+classic+"/alice/kernelgateway/kg" {
		t.Errorf("create-app KernelGateway in the Studio Classic domain: %v", kg)
	}

	cli.waitSpace(classic, "alice-lab", "InService")
	cli.must("update-space", "--domain-id", classic, "--space-name", "alice-lab",
		"--space-settings", "SpaceStorageSettings={EbsStorageSettings={EbsVolumeSizeInGb=20}}")
	updating := cli.must("describe-space", "--domain-id", classic, "--space-name", "alice-lab")
	storage, _ := updating["SpaceSettings"].(map[string]any)["SpaceStorageSettings"].(map[string]any)
	if updating["Status"] != "Updating" || storage["EbsStorageSettings"].(map[string]any)["EbsVolumeSizeInGb"] != float64(20) {
		t.Errorf("describe-space after update-space: %v", updating)
	}
	cli.mustFail("ResourceInUse", "Unable to create app [arn:aws:sagemaker:us-east-1:123456789012:app/"+classic+"/alice-lab/jupyterlab/default] because storage is not in Available status.", labArgs...)
	cli.waitSpace(classic, "alice-lab", "InService")
	cli.mustFail("ValidationException", "EbsVolumeSizeInGb 15 is smaller than the current size of space 'alice-lab', 20 GB",
		"update-space", "--domain-id", classic, "--space-name", "alice-lab",
		"--space-settings", "SpaceStorageSettings={EbsStorageSettings={EbsVolumeSizeInGb=15}}")
	if lab := cli.must(labArgs...); lab["AppArn"] != "arn:aws:sagemaker:us-east-1:123456789012:app/"+classic+"/alice-lab/jupyterlab/default" {
		t.Errorf("create-app once the space is InService again: %v", lab)
	}
	users, _ := cli.must("list-user-profiles", "--domain-id-equals", classic)["UserProfiles"].([]any)
	if len(users) != 2 || users[0].(map[string]any)["UserProfileName"] != "alice" || users[1].(map[string]any)["UserProfileName"] != "bob" ||
		users[1].(map[string]any)["Status"] != "InService" {
		t.Errorf("list-user-profiles: %v", users)
	}
}
