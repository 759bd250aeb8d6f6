package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/studioapp/sagemakerapp"
)

// This file turns errors into messages for people: what happened, in the program's words (its
// flags, the endpoint, the AWS CLI), and what to do about it. The library's texts are written
// for Go programmers (they name its options, and the service model's patterns); they are never
// printed as they are.

// asAPIError classifies the SDK's error of one attempt as the library classifies a call's: the
// library derives an *APIError's kind from its fields, so one built here matches the same
// sentinels.
func asAPIError(op string, err error) *sagemakerapp.APIError {
	var e *sagemakerapp.APIError
	if errors.As(err, &e) {
		return e
	}
	e = &sagemakerapp.APIError{Operation: op, Err: err}
	var api smithy.APIError
	if errors.As(err, &api) {
		e.Code, e.Message, e.Fault = api.ErrorCode(), api.ErrorMessage(), api.ErrorFault()
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.Response != nil {
		e.StatusCode = resp.HTTPStatusCode()
	}
	return e
}

// retried reports whether the library retries what the attempt met: throttling, a service
// fault, no answer.
func retried(a *attemptError) bool {
	e := asAPIError(a.op, a.err)
	return errors.Is(e, sagemakerapp.ErrThrottled) || errors.Is(e, sagemakerapp.ErrServiceUnavailable)
}

// describeAttempt says in a few words what went wrong with an attempt.
func describeAttempt(a *attemptError) string {
	return a.op + ": " + describeCause(a.err, a.endpoint)
}

// describeCause says what err is: no credentials, no connection to the endpoint (and why),
// throttling, a fault of the service, or the service's own code and message.
func describeCause(err error, endpoint string) string {
	if why, ok := credentialsCause(err); ok {
		return "no AWS credentials could be loaded (" + why + ")"
	}
	e := asAPIError("", err)
	switch {
	case errors.Is(e, sagemakerapp.ErrThrottled):
		return "throttled by SageMaker (" + codeAndMessage(e) + ")"
	case e.Code != "" && errors.Is(e, sagemakerapp.ErrServiceUnavailable):
		return "SageMaker failed (" + codeAndMessage(e) + ")"
	case e.Code != "":
		return codeAndMessage(e)
	case e.StatusCode != 0:
		return fmt.Sprintf("HTTP %d from %s", e.StatusCode, endpointOf(err, endpoint))
	}
	if why, ok := transportCause(err); ok {
		return "cannot reach " + endpointOf(err, endpoint) + ": " + why
	}
	return innermost(err)
}

func codeAndMessage(e *sagemakerapp.APIError) string {
	s := e.Code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.StatusCode != 0 {
		s += ", HTTP " + strconv.Itoa(e.StatusCode)
	}
	return s
}

// credentialsCause says why the credentials could not be had, when err is such a failure.
func credentialsCause(err error) (string, bool) {
	var (
		creds   *credentialsError
		signing *v4.SigningError
	)
	switch {
	case errors.As(err, &creds):
		return innermost(creds.err), true
	case errors.As(err, &signing):
		return innermost(signing.Err), true
	}
	return "", false
}

func isCredentialsError(err error) bool {
	_, ok := credentialsCause(err)
	return ok
}

// transportCause says why a request got no answer, when err is such a failure.
func transportCause(err error) (string, bool) {
	var (
		dns      *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		netErr   net.Error
		send     *smithyhttp.RequestSendError
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (nothing listens there)", true
	case errors.As(err, &dns):
		return "the host name " + dns.Name + " does not resolve", true
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "no route to the host", true
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset", true
	case errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid):
		return "its TLS certificate is not trusted (" + innermost(err) + ")", true
	case errors.As(err, &netErr) && netErr.Timeout():
		return "no answer in time", true
	case errors.As(err, &netErr), errors.As(err, &send):
		return innermost(err), true
	}
	return "", false
}

// endpointOf returns the endpoint a failed request went to: the URL in the error, else the one
// the tracker saw.
func endpointOf(err error, endpoint string) string {
	var u *url.Error
	if errors.As(err, &u) {
		if parsed, perr := url.Parse(u.URL); perr == nil && parsed.Host != "" {
			return (&url.URL{Scheme: parsed.Scheme, Host: parsed.Host}).String()
		}
	}
	if endpoint == "" {
		return "the SageMaker endpoint"
	}
	return endpoint
}

// innermost returns the text of the deepest error of a single chain: the cause, without the
// layers of SDK operation and middleware names around it.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// unreachableHint says what to check when the endpoint gave no answer.
func (p *program) unreachableHint(endpoint string) string {
	if p.f != nil && p.f.endpointURL != "" {
		return fmt.Sprintf("Check that --endpoint-url %s is right and that a server listens there (for the standalone fake: go run ./cmd/sagemakerfake).", p.f.endpointURL)
	}
	return fmt.Sprintf("Check the region (--region, or the AWS configuration's), your network, and any proxy (HTTPS_PROXY, NO_PROXY): %s must be reachable over HTTPS.", endpoint)
}

// credentialsHint says how to give the SDK credentials.
const credentialsHint = "Give createapp AWS credentials: run 'aws configure' or 'aws sso login --profile NAME' and pass --profile NAME, " +
	"or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; check them with 'aws sts get-caller-identity'. " +
	"To try createapp without AWS, leave out --aws: it starts an embedded fake."

// explainSDK prints err when it is one of the failures of reaching AWS that people can fix (an
// unknown profile, no credentials, credentials refused, no connection), and reports whether it
// did.
func (p *program) explainSDK(err error) bool {
	var (
		profile config.SharedConfigProfileNotExistError
		apiErr  *sagemakerapp.APIError
	)
	endpoint := p.tracker.state().endpoint
	switch {
	case errors.As(err, &profile):
		fmt.Fprintf(p.stderr, "createapp: the AWS profile %q is not in your AWS configuration (%s).\n"+
			"  List the profiles with 'aws configure list-profiles', and give one with --profile or AWS_PROFILE; 'aws configure --profile %s' makes it.\n",
			profile.Profile, configFiles(), profile.Profile)
	case isCredentialsError(err):
		why, _ := credentialsCause(err)
		fmt.Fprintf(p.stderr, "createapp: no AWS credentials could be loaded, so nothing was sent: %s\n  %s\n", why, credentialsHint)
	case errors.As(err, &apiErr) && errors.Is(err, sagemakerapp.ErrAccessDenied):
		fmt.Fprintf(p.stderr, "createapp: AWS refused the credentials or their permissions: %s\n  operation %s, HTTP %d, request ID %s\n",
			codeAndMessage(apiErr), apiErr.Operation, apiErr.StatusCode, apiErr.RequestID)
		fmt.Fprintln(p.stderr, "  Check who you are with 'aws sts get-caller-identity'; an expired session is renewed with 'aws sso login'; the role needs sagemaker:"+apiErr.Operation+".")
	case errors.As(err, &apiErr) && apiErr.Code == "" && apiErr.StatusCode == 0:
		why, ok := transportCause(err)
		if !ok {
			return false
		}
		endpoint = endpointOf(err, endpoint)
		fmt.Fprintf(p.stderr, "createapp: cannot reach SageMaker at %s (%s): %s\n  %s\n", endpoint, apiErr.Operation, why, p.unreachableHint(endpoint))
		if apiErr.Operation == "CreateApp" {
			fmt.Fprintf(p.stderr, "  If the request reached the service, the app may exist: %s\n", p.awsCommand("describe-app"))
		}
	default:
		return false
	}
	return true
}

func configFiles() string {
	cfg, creds := os.Getenv("AWS_CONFIG_FILE"), os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if cfg == "" {
		cfg = "~/.aws/config"
	}
	if creds == "" {
		creds = "~/.aws/credentials"
	}
	return cfg + ", " + creds
}

// explainTimeout prints a wait that ran out of --wait-timeout: what it waited for, the last
// status seen, what failed meanwhile and what to check.
func (p *program) explainTimeout() {
	st := p.tracker.state()
	what, status, cmd := p.waitedFor(st)
	fmt.Fprintf(p.stderr, "createapp: gave up after %s (--wait-timeout) waiting for %s", p.f.waitTimeout, what)
	if status != "" {
		fmt.Fprintf(p.stderr, "; its last status was %s", status)
	} else {
		fmt.Fprint(p.stderr, "; no status of it was seen")
	}
	fmt.Fprintln(p.stderr, ".")
	if a := st.lastErr; a != nil {
		fmt.Fprintf(p.stderr, "  The last call failed: %s.\n", describeAttempt(a))
		switch _, unreachable := transportCause(a.err); {
		case isCredentialsError(a.err):
			fmt.Fprintln(p.stderr, "  "+credentialsHint)
		case unreachable:
			fmt.Fprintln(p.stderr, "  "+p.unreachableHint(endpointOf(a.err, a.endpoint)))
		case retried(a):
			fmt.Fprintln(p.stderr, "  Try again later, or with a longer --wait-timeout.")
		}
	}
	switch {
	case p.embedded:
	case status != "":
		fmt.Fprintf(p.stderr, "  SageMaker goes on with it as it is. To see it:\n    %s\n", cmd)
	case p.stage == stageSpace:
		fmt.Fprintf(p.stderr, "  To see whether it exists:\n    %s\n", cmd)
	case st.createSent:
		fmt.Fprintf(p.stderr, "  CreateApp was sent, so the app may exist. To see it:\n    %s\n", cmd)
	default:
		fmt.Fprintln(p.stderr, "  This run did not send CreateApp.")
	}
}

// waitedFor names what the run was waiting for (the space, or the app), its last status and the
// AWS CLI command that shows it.
func (p *program) waitedFor(st trackerState) (what, status, cmd string) {
	f := p.f
	if p.stage == stageSpace {
		return fmt.Sprintf("space %s of %s", f.spaceName, f.domainID), string(st.spaceStatus), p.awsCommand("describe-space")
	}
	var status0 string
	if p.prog != nil {
		status0 = string(p.prog.lastStatus())
	}
	return p.appName(), status0, p.awsCommand("describe-app")
}

// appName names the app for a message: `JupyterLab app "default" in space s of d-…`.
func (p *program) appName() string {
	f := p.f
	owner := "user " + f.userProfileName
	if f.spaceName != "" {
		owner = "space " + f.spaceName
	}
	return fmt.Sprintf("%s app %q in %s of %s", f.appType, f.appName, owner, f.domainID)
}

// awsCommand returns the AWS CLI command (describe-app, delete-app, describe-space) for the app
// or the space of the run, with the region, endpoint and profile it used.
func (p *program) awsCommand(op string) string {
	f := p.f
	args := []string{"aws", "sagemaker", op, "--domain-id", f.domainID}
	switch {
	case op == "describe-space":
		args = append(args, "--space-name", f.spaceName)
	case f.spaceName != "":
		args = append(args, "--space-name", f.spaceName, "--app-type", f.appType, "--app-name", f.appName)
	default:
		args = append(args, "--user-profile-name", f.userProfileName, "--app-type", f.appType, "--app-name", f.appName)
	}
	if p.region != "" {
		args = append(args, "--region", p.region)
	}
	if f.endpointURL != "" {
		args = append(args, "--endpoint-url", f.endpointURL)
	}
	if f.profile != "" {
		args = append(args, "--profile", f.profile)
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// interruption is the cause of the run's context when a signal ended it.
type interruption struct{ sig os.Signal }

func (i interruption) Error() string { return "interrupted by " + signalName(i.sig) }

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// exitCode is a shell's code for a process ended by sig: 128 and the signal's number (130 for
// SIGINT, 143 for SIGTERM).
func (i interruption) exitCode() int {
	if s, ok := i.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitInterrupted
}

// interrupted prints what an interruption left behind: the app or space it waited for, the last
// status seen, whether CreateApp was sent, and the commands that show and delete it. It returns
// the exit code.
func (p *program) interrupted(ctx context.Context) int {
	code := exitInterrupted
	var in interruption
	how := "interrupted"
	if errors.As(context.Cause(ctx), &in) {
		code, how = in.exitCode(), "interrupted ("+signalName(in.sig)+")"
	}
	st := p.tracker.state()
	switch p.stage {
	case stageNone:
		fmt.Fprintf(p.stderr, "createapp: %s before anything was sent.\n", how)
		return code
	case stageSpace:
		what, status, cmd := p.waitedFor(st)
		fmt.Fprintf(p.stderr, "createapp: %s while ensuring %s", how, what)
		if status != "" {
			fmt.Fprintf(p.stderr, "; its last status was %s.\n", status)
		} else {
			fmt.Fprint(p.stderr, "; no status of it was seen.\n")
		}
		if !p.embedded {
			fmt.Fprintf(p.stderr, "  createapp stopped waiting; SageMaker goes on with the space as it is. To see it:\n    %s\n", cmd)
		}
	case stageConfirm:
		fmt.Fprintf(p.stderr, "createapp: %s before anything was deleted.\n", how)
		return code
	case stageRemove:
		fmt.Fprintf(p.stderr, "createapp: %s while removing user %s of %s.\n", how, p.f.deleteUser, p.f.domainID)
		if !p.embedded {
			fmt.Fprintln(p.stderr, "  SageMaker goes on with the deletes already sent; run the same command again to finish the removal (it is safe to repeat).")
		}
	case stageApp, stageLaunch:
		what, status, _ := p.waitedFor(st)
		fmt.Fprintf(p.stderr, "createapp: %s while waiting for %s", how, what)
		switch {
		case status != "":
			fmt.Fprintf(p.stderr, "; its last status was %s.\n", status)
		case st.createSent:
			fmt.Fprint(p.stderr, "; no status of it was seen, and CreateApp was sent: the app may exist.\n")
		default:
			fmt.Fprint(p.stderr, "; no status of it was seen, and this run did not send CreateApp.\n")
		}
		if !p.embedded && (status != "" || st.createSent) {
			fmt.Fprintf(p.stderr, "  createapp stopped waiting; SageMaker goes on with the app as it is (a running app is billed). To see it:\n    %s\n  To delete it:\n    %s\n",
				p.awsCommand("describe-app"), p.awsCommand("delete-app"))
		}
	}
	if p.embedded {
		fmt.Fprintln(p.stderr, "  The embedded fake stops with createapp: nothing of this run remains.")
	}
	return code
}

// problemText is one problem of invalid input for people: the member, the kind, the value, the
// rule in words, and the flag that sets the member.
func (p *program) problemText(fe *sagemakerapp.FieldError) string {
	var b strings.Builder
	b.WriteString(fe.Field)
	b.WriteString(": ")
	b.WriteString(string(fe.Type))
	if fe.Value != "" || fe.Type == sagemakerapp.FieldInvalid {
		b.WriteByte(' ')
		b.WriteString(quoteShort(fe.Value, 64))
	}
	b.WriteString(": ")
	b.WriteString(p.ruleText(fe))
	fl := flagOf(fe.Field)
	if p.f != nil && p.f.deleteUser != "" && fe.Field == "UserProfileName" {
		fl = "--delete-user"
	}
	if fl != "" {
		b.WriteString(" (" + fl + ")")
	}
	return b.String()
}

// ruleText says the rule that fe broke. It rests on the field and the kind, never on the
// library's text, except to keep that text where it names no Go option and no pattern.
func (p *program) ruleText(fe *sagemakerapp.FieldError) string {
	name := fe.Field[strings.LastIndexByte(fe.Field, '.')+1:]
	if strings.HasPrefix(fe.Field, "Tags[") {
		name = "Tag" + name // TagKey, TagValue
	}
	switch fe.Type {
	case sagemakerapp.FieldInvalid:
		if !forPeople(fe.Detail) {
			return invalidRule(name)
		}
	case sagemakerapp.FieldNotSupported:
		switch name {
		case "AppType":
			return "must be one of " + joinValues(sagemakerapp.AppTypes())
		case "InstanceType":
			if !forPeople(fe.Detail) {
				return "is not an instance type that createapp knows, such as ml.t3.medium or ml.g5.xlarge; check its spelling (the list is the AWS SDK's, and a type newer than it is not known)"
			}
		}
	case sagemakerapp.FieldRequired:
		if fe.Field == "UserProfileName" {
			return "give --space-name or --owner for a JupyterLab or CodeEditor app, or --user-profile-name for a Studio Classic app (KernelGateway, JupyterServer)"
		}
	case sagemakerapp.FieldForbidden:
		switch fe.Field {
		case "UserProfileName":
			return p.f.appType + " apps run in a space, not on a user profile: give --space-name, or --owner USER for the user's private space"
		case "SpaceName":
			return "give --space-name or --user-profile-name, not both"
		}
	}
	if forPeople(fe.Detail) {
		return fe.Detail
	}
	return "is not accepted"
}

// goNames are words of the library's texts that mean something only to a Go programmer, and
// the marks of a regular expression.
var goNames = regexp.MustCompile(`Allow[A-Z]\w+|Ensure[A-Z]\w*|PrivateSpace|ValidateOption|InstanceTypes\b|AppTypes\b|[Pp]attern|\\[pdws]|\(\?|\[[a-zA-Z0-9]-|\{\d|\^|\$$`)

// forPeople reports whether a text of the library can be shown as it is.
func forPeople(s string) bool { return s != "" && !goNames.MatchString(s) }

// invalidRule describes the form of a member, for a value that is not in it.
func invalidRule(name string) string {
	switch name {
	case "DomainId":
		return `must be "d-" and then lowercase letters, digits and hyphens, ending with a letter or digit, such as d-xxxxxxxxxxxx`
	case "AppName", "SpaceName", "UserProfileName", "OwnerUserProfileName":
		return "must be up to 63 letters, digits and hyphens, and start and end with a letter or digit"
	case "TagKey", "TagValue":
		return "may hold only letters, digits, spaces and the characters _ . : / = + - @"
	case "SageMakerImageArn":
		return "must be a SageMaker image ARN, such as arn:aws:sagemaker:us-east-1:123456789012:image/my-image"
	case "SageMakerImageVersionArn":
		return "must be a SageMaker image version ARN, such as arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/1, or None"
	case "SageMakerImageVersionAlias":
		return "must be a version such as 2, 2.3 or 2.3.1"
	case "LifecycleConfigArn":
		return "must be a Studio lifecycle configuration ARN, such as arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/my-config, or None"
	case "TrainingPlanArn":
		return "must be a training plan ARN, such as arn:aws:sagemaker:us-east-1:123456789012:training-plan/my-plan, or None"
	case "SpaceDisplayName":
		return "must be 1 to 64 characters on one line, not all blank"
	}
	return "is not in a form the service accepts"
}

// flagOf names the flag that sets a member of the request.
func flagOf(field string) string {
	switch {
	case strings.HasPrefix(field, "Tags"):
		return "--tag or --tags"
	case field == "OwnershipSettings.OwnerUserProfileName":
		return "--owner"
	case field == "SpaceSettings.AppType":
		return "--app-type"
	}
	switch field {
	case "DomainId":
		return "--domain-id"
	case "AppName":
		return "--app-name"
	case "AppType":
		return "--app-type"
	case "UserProfileName":
		return "--user-profile-name"
	case "SpaceName":
		return "--space-name"
	case "ResourceSpec.InstanceType":
		return "--instance-type or --resource-spec"
	case "ResourceSpec.SageMakerImageArn":
		return "--image-arn or --resource-spec"
	case "ResourceSpec.SageMakerImageVersionAlias":
		return "--image-version-alias or --resource-spec"
	case "ResourceSpec.LifecycleConfigArn":
		return "--lifecycle-config-arn or --resource-spec"
	case "ResourceSpec.SageMakerImageVersionArn", "ResourceSpec.TrainingPlanArn":
		return "--resource-spec"
	case "region":
		return "--region"
	case "SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb":
		return "--storage-gib"
	case "SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes",
		"SpaceSettings.CodeEditorAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes":
		return "--idle-timeout"
	}
	return ""
}

// quoteShort quotes s, keeping at most max characters, so that a long ARN does not flood the
// terminal.
func quoteShort(s string, max int) string {
	n := 0
	for i := range s {
		if n == max {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}
