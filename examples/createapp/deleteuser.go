package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	smithy "github.com/aws/smithy-go"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/examples/internal/studio"
)

// The space flags (--storage-gib, --idle-timeout) and --delete-user, which removes a person
// instead of making an app.

// minutesFlag is --idle-timeout: whole minutes, as a number (120) or a duration (2h, 90m).
type minutesFlag struct {
	minutes int32
	set     bool
}

func (m *minutesFlag) String() string {
	if m == nil || !m.set {
		return ""
	}
	return strconv.Itoa(int(m.minutes))
}

func (m *minutesFlag) Set(s string) error {
	bad := errors.New("want whole minutes: a number such as 120, or a duration such as 2h or 90m")
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		if n <= 0 {
			return bad
		}
		m.minutes, m.set = int32(n), true
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d%time.Minute != 0 || d/time.Minute > math.MaxInt32 {
		return bad
	}
	m.minutes, m.set = int32(d/time.Minute), true
	return nil
}

// spaceSettings puts --storage-gib and --idle-timeout into in, the private space --owner ensures.
// The library checks their ranges (ValidateSpace) and the idle timeout's bounds at the levels
// above the space (EnsureSpace, before any write).
func (f *flags) spaceSettings(in *sagemaker.CreateSpaceInput) error {
	if f.set["storage-gib"] {
		in.SpaceSettings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(int32(f.storageGiB))}}
	}
	if f.idleTimeout.set {
		idle := &types.SpaceAppLifecycleManagement{IdleSettings: &types.SpaceIdleSettings{IdleTimeoutInMinutes: aws.Int32(f.idleTimeout.minutes)}}
		switch sagemakerapp.AppType(f.appType) {
		case types.AppTypeJupyterLab:
			in.SpaceSettings.JupyterLabAppSettings = &types.SpaceJupyterLabAppSettings{AppLifecycleManagement: idle}
		case types.AppTypeCodeEditor:
			in.SpaceSettings.CodeEditorAppSettings = &types.SpaceCodeEditorAppSettings{AppLifecycleManagement: idle}
		default:
			return fmt.Errorf("--idle-timeout is the idle shutdown of a JupyterLab or CodeEditor space, not of a space for %s apps", f.appType)
		}
	}
	return nil
}

// removalFlags are the flags that --delete-user takes: who, where, and how.
var removalFlags = []string{"delete-user", "yes", "delete-shared-spaces", "domain-id", "wait-timeout", "endpoint-url", "region", "aws", "profile"}

// checkRemovalFlags returns a problem for each flag given that --delete-user does not take, or,
// without --delete-user, for each flag that only it takes.
func (f *flags) checkRemovalFlags() []string {
	var bad []string
	if !f.set["delete-user"] {
		for _, name := range []string{"yes", "delete-shared-spaces"} {
			if f.set[name] {
				bad = append(bad, "--"+name+" is for --delete-user")
			}
		}
		return bad
	}
	if f.deleteUser == "" {
		bad = append(bad, "--delete-user needs the name of the user profile to remove")
	}
	var others []string
	for name := range f.set {
		if !slices.Contains(removalFlags, name) {
			others = append(others, "--"+name)
		}
	}
	if others != nil {
		slices.Sort(others)
		bad = append(bad, fmt.Sprintf("--delete-user removes a person and makes no app: %s is not for it (it takes --domain-id, --yes, --delete-shared-spaces, --wait-timeout, and --endpoint-url, --aws, --region, --profile)",
			strings.Join(others, ", ")))
	}
	return bad
}

// checkRemoval checks a --delete-user run before anything is sent: the domain and the user, as
// DeleteUser validates them, and, unless --yes, that there is a terminal to ask on. It returns
// exitOK, or the exit code of a refusal it has printed.
func (p *program) checkRemoval() int {
	f := p.f
	if p.embedded && f.domainID == "" {
		f.domainID = demoDomainID
	}
	// A Client without an API validates the call and sends nothing: it cannot.
	err := sagemakerapp.New(nil).DeleteUser(context.Background(), f.domainID, f.deleteUser)
	var invalid *sagemakerapp.ValidationError
	if errors.As(err, &invalid) {
		fmt.Fprintln(p.stderr, "createapp: invalid input, nothing was sent:")
		for _, problem := range invalid.Problems {
			fmt.Fprintln(p.stderr, "  "+p.problemText(problem))
		}
		return exitInvalid
	}
	if !f.yes && !p.stdinTerminal() {
		fmt.Fprintf(p.stderr, "createapp: --delete-user %s deletes the user's apps, spaces (with their files) and user profile, and asks first; "+
			"there is no terminal to ask on, so nothing was sent: give --yes to remove the user without asking\n", f.deleteUser)
		return exitInvalid
	}
	return exitOK
}

// stdinTerminal reports whether the program can ask a question on its standard input.
func (p *program) stdinTerminal() bool {
	if p.terminalIn != nil {
		return p.terminalIn()
	}
	return isTerminal(p.stdin)
}

// removalPlan is what a person has in a domain, as listed before a removal and after one that
// failed.
type removalPlan struct {
	profile bool // the user profile exists
	apps    []*sagemakerapp.App
	spaces  []*sagemakerapp.Space
	shared  []string // the shared spaces among spaces
}

func (r *removalPlan) empty() bool { return !r.profile && len(r.apps) == 0 && len(r.spaces) == 0 }

// lines are one line per thing, apps first, then spaces, then the user profile: the order of
// the removal.
func (r *removalPlan) lines(user string) []string {
	var out []string
	for _, a := range r.apps {
		where := "on the user profile"
		if a.ID.SpaceName != "" {
			where = "in space " + a.ID.SpaceName
		}
		out = append(out, fmt.Sprintf("app %s %q %s (%s)", a.ID.AppType, a.ID.AppName, where, a.Status))
	}
	for _, sp := range r.spaces {
		kind := "private"
		if slices.Contains(r.shared, sp.Name) {
			kind = "shared: other people's work"
		}
		out = append(out, fmt.Sprintf("space %s (%s), with the files on its storage", sp.Name, kind))
	}
	if r.profile {
		out = append(out, "user profile "+user)
	}
	return out
}

// planRemoval lists what user has in the domain: the user profile, the spaces they own, and the
// apps of both that are not gone.
func (p *program) planRemoval(ctx context.Context, api sagemakerapp.API, client *sagemakerapp.Client) (*removalPlan, error) {
	f := p.f
	plan := &removalPlan{profile: true}
	_, err := api.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(f.domainID), UserProfileName: aws.String(f.deleteUser)})
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "ResourceNotFound":
		plan.profile = false
	case err != nil:
		return nil, err
	}
	for sp, err := range client.Spaces(ctx, sagemakerapp.SpaceFilter{DomainID: f.domainID, Owner: f.deleteUser}) {
		if err != nil {
			return nil, err
		}
		plan.spaces = append(plan.spaces, sp)
		// As DeleteUser tells them: any space that is not private, unless it is on its way out.
		if sp.SharingType != types.SharingTypePrivate && sp.Status != types.SpaceStatusDeleting {
			plan.shared = append(plan.shared, sp.Name)
		}
	}
	filters := []sagemakerapp.AppFilter{{DomainID: f.domainID, UserProfileName: f.deleteUser}}
	for _, sp := range plan.spaces {
		filters = append(filters, sagemakerapp.AppFilter{DomainID: f.domainID, SpaceName: sp.Name})
	}
	for _, filter := range filters {
		for app, err := range client.Apps(ctx, filter) {
			if err != nil {
				return nil, err
			}
			if app.Status != types.AppStatusFailed { // a Failed app is gone: the service deleted it
				plan.apps = append(plan.apps, app)
			}
		}
	}
	return plan, nil
}

// removeUser is --delete-user: it lists what the user has, refuses a shared space they own
// unless --delete-shared-spaces, asks for a confirmation unless --yes, removes the user with
// DeleteUser, and prints what it removed, or what remains.
func (p *program) removeUser(ctx context.Context, api sagemakerapp.API, sdkOpts []func(*sagemaker.Options), terminal bool) int {
	f := p.f
	wait := sagemakerapp.WaitOptions{Timeout: f.waitTimeout}
	if p.embedded {
		srv, err := p.startFake()
		if err == nil { // alice's private space, so that the demo has something to remove
			err = srv.SeedSpace(sagemakerapp.PrivateSpace(demoDomainID, studio.PrivateSpaceName(demoUser, types.AppTypeJupyterLab), demoUser, types.AppTypeJupyterLab))
		}
		if err != nil {
			return p.fail(ctx, err)
		}
		defer srv.Close()
		if p.beforeClose != nil {
			defer p.beforeClose()
		}
		api = srv.Client(sdkOpts...)
		fmt.Fprintf(p.stderr, "Using an embedded fake SageMaker at %s (demo domain %s, user %s with the private space %s); no AWS account is used.\n",
			srv.URL(), demoDomainID, demoUser, studio.PrivateSpaceName(demoUser, types.AppTypeJupyterLab))
		wait.MinDelay, wait.MaxDelay = 250*time.Millisecond, time.Second
	}
	client := sagemakerapp.New(api, p.clientOptions...)
	p.prog = p.startProgress(p.tracker, terminal)
	defer p.prog.stop()

	plan, err := p.planRemoval(ctx, api, client)
	if err != nil {
		return p.fail(ctx, err)
	}
	who := fmt.Sprintf("user %s of %s", f.deleteUser, f.domainID)
	if plan.empty() {
		fmt.Fprintf(p.stdout, "Nothing to remove: %s has no user profile, space or app.\n", who)
		return exitOK
	}
	fmt.Fprintf(p.stderr, "Removing %s deletes:\n", who)
	for _, l := range plan.lines(f.deleteUser) {
		fmt.Fprintln(p.stderr, "  "+l)
	}
	if len(plan.shared) > 0 && !f.deleteSharedSpaces {
		fmt.Fprintf(p.stderr, "createapp: %s owns the shared space(s) %s, which hold other people's work: nothing was deleted; give --delete-shared-spaces to delete them too\n",
			f.deleteUser, strings.Join(plan.shared, ", "))
		return exitFailure
	}
	if !f.yes {
		p.stage = stageConfirm
		fmt.Fprintf(p.stderr, "There is no undo. Type %s to remove them: ", f.deleteUser)
		answer, err := p.readLine(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return p.interrupted(ctx)
			}
			answer = ""
		}
		if answer != f.deleteUser {
			fmt.Fprintln(p.stderr, "Not confirmed: nothing was deleted.")
			return exitFailure
		}
	}

	p.stage = stageRemove
	fmt.Fprintf(p.stderr, "Removing %s\n", who)
	p.prog.beginStep(false)
	err = client.DeleteUser(ctx, f.domainID, f.deleteUser, func(o *sagemakerapp.DeleteUserOptions) {
		o.DeleteSharedSpaces = f.deleteSharedSpaces
		o.Batch.Wait = wait
	})
	p.prog.endStep()
	if err == nil {
		fmt.Fprintf(p.stdout, "Removed %s:\n", who)
		for _, l := range plan.lines(f.deleteUser) {
			fmt.Fprintln(p.stdout, "  "+l)
		}
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return p.interrupted(ctx)
	}
	fmt.Fprintln(p.stderr, "createapp:", err)
	// What remains, listed again: the library's error names it too, but a fresh look is what
	// the next run starts from.
	lookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if left, lerr := p.planRemoval(lookCtx, api, client); lerr == nil {
		fmt.Fprintf(p.stderr, "What remains of %s:\n", who)
		for _, l := range left.lines(f.deleteUser) {
			fmt.Fprintln(p.stderr, "  "+l)
		}
	}
	fmt.Fprintln(p.stderr, "Run the same command again to finish: the removal is safe to repeat.")
	return exitFailure
}

// readLine reads one line of the standard input, without its line end; the end of ctx (Ctrl-C)
// stops waiting for it.
func (p *program) readLine(ctx context.Context) (string, error) {
	if p.stdin == nil {
		return "", errors.New("no standard input")
	}
	type line struct {
		s   string
		err error
	}
	got := make(chan line, 1)
	go func() {
		s, err := bufio.NewReader(p.stdin).ReadString('\n')
		if err != nil && s != "" {
			err = nil // the last line, without a line end
		}
		got <- line{strings.TrimRight(s, "\r\n"), err}
	}()
	select {
	case l := <-got:
		return l.s, l.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
