package sagemakerfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// retention is how long the service keeps a Deleted (or Failed) app's metadata visible.
const retention = 24 * time.Hour

type appKey struct {
	domainID string
	user     string
	space    string
	appType  types.AppType
	appName  string
}

func (k appKey) owner() string {
	if k.space != "" {
		return k.space
	}
	return k.user
}

// resourceSpec is a ResourceSpec on the wire. After model validation no present member can be
// empty, so "" means absent.
type resourceSpec struct {
	InstanceType               string `json:",omitempty"`
	LifecycleConfigArn         string `json:",omitempty"`
	SageMakerImageArn          string `json:",omitempty"`
	SageMakerImageVersionAlias string `json:",omitempty"`
	SageMakerImageVersionArn   string `json:",omitempty"`
	TrainingPlanArn            string `json:",omitempty"`
}

func parseResourceSpec(m map[string]any) resourceSpec {
	return resourceSpec{
		InstanceType:               str(m, "InstanceType"),
		LifecycleConfigArn:         str(m, "LifecycleConfigArn"),
		SageMakerImageArn:          str(m, "SageMakerImageArn"),
		SageMakerImageVersionAlias: str(m, "SageMakerImageVersionAlias"),
		SageMakerImageVersionArn:   str(m, "SageMakerImageVersionArn"),
		TrainingPlanArn:            str(m, "TrainingPlanArn"),
	}
}

func (r resourceSpec) sdk() types.ResourceSpec {
	return types.ResourceSpec{
		InstanceType:               types.AppInstanceType(r.InstanceType),
		LifecycleConfigArn:         optional(r.LifecycleConfigArn),
		SageMakerImageArn:          optional(r.SageMakerImageArn),
		SageMakerImageVersionAlias: optional(r.SageMakerImageVersionAlias),
		SageMakerImageVersionArn:   optional(r.SageMakerImageVersionArn),
		TrainingPlanArn:            optional(r.TrainingPlanArn),
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type app struct {
	key           appKey
	arn           string
	seq           uint64 // creation order; a restart keeps it, as it keeps created
	spec          resourceSpec
	recoveryMode  *bool
	tags          []types.Tag
	created       time.Time // CreationTime, kept by a restart within 24 hours (facts §7.4)
	launched      time.Time // the CreateApp that started this run of the app
	failureReason string
	deleteAt      time.Time // when DeleteApp was accepted; zero until then
	builtInLCC    string    // BuiltInLifecycleConfigArn from the defaults at creation
	tip           types.FeatureStatus
	activity      time.Time     // LastUserActivityTimestamp staged by SetLastUserActivity; zero if none
	startDelay    time.Duration // how long this run stays Pending (WithStartupDelay, WithStartupDelayFunc)
	delDelay      time.Duration // how long it stays Deleting once deleted (WithDeleteDelay, WithDeleteDelayFunc)
	hist          recHist
}

// status derives an app's status from the clock, and the time it entered that status.
func (s *Server) status(a *app, now time.Time) (types.AppStatus, time.Time) {
	if !a.deleteAt.IsZero() {
		done := a.deleteAt.Add(a.delDelay)
		if !now.Before(done) {
			return types.AppStatusDeleted, done
		}
		return types.AppStatusDeleting, a.deleteAt
	}
	ready := a.launched.Add(a.startDelay)
	if now.Before(ready) {
		return types.AppStatusPending, a.launched
	}
	if a.failureReason != "" {
		return types.AppStatusFailed, ready
	}
	return types.AppStatusInService, ready
}

// startedAt returns when the app became InService, or false if it never did (it is Pending, or it
// failed). An app keeps this time after it is deleted.
func (s *Server) startedAt(a *app, now time.Time) (time.Time, bool) {
	ready := a.launched.Add(a.startDelay)
	return ready, a.failureReason == "" && !now.Before(ready)
}

// timestamps returns an app's LastHealthCheckTimestamp and LastUserActivityTimestamp, zero where
// DescribeApp leaves them out. The fake's health checks stop when the app is InService: the last
// one, and the user activity it also counts as, stay at that time, through Deleting and Deleted
// too, unless SetLastUserActivity staged the activity.
func (s *Server) timestamps(a *app, now time.Time) (health, activity time.Time) {
	if started, ok := s.startedAt(a, now); ok {
		health, activity = started, started
	}
	if !a.activity.IsZero() {
		activity = a.activity
	}
	return health, activity
}

// expired reports an app whose metadata the service has dropped: 24 hours after it stopped.
func (s *Server) expired(a *app, now time.Time) bool {
	st, since := s.status(a, now)
	return (st == types.AppStatusDeleted || st == types.AppStatusFailed) && !now.Before(since.Add(retention))
}

// liveApp returns the app stored under k, forgetting it if it has expired. The caller holds s.mu
// for writing.
func (s *Server) liveApp(k appKey, now time.Time) *app {
	a := s.apps[k]
	if a != nil && s.expired(a, now) {
		s.forgetApp(k)
		return nil
	}
	return a
}

// findApp returns the app stored under k unless it has expired, as liveApp does, but changes
// nothing, so a reader may call it: it adds an expired app's key to stale, for forgetStale. The
// caller holds s.mu, for reading at least.
func (s *Server) findApp(k appKey, now time.Time, stale *[]appKey) *app {
	a := s.apps[k]
	if a != nil && s.expired(a, now) {
		*stale = append(*stale, k)
		return nil
	}
	return a
}

// forgetStale forgets the apps under keys that a reader found expired, if they still are: one of
// them may have been created again since. The caller holds s.mu for writing.
func (s *Server) forgetStale(keys []appKey, now time.Time) {
	for _, k := range keys {
		s.liveApp(k, now)
	}
}

// storeApp keeps a, replacing any record under its key, and indexes it under its space and in
// its listings: a restart, which keeps its seq, keeps its place there. The caller holds s.mu for
// writing.
func (s *Server) storeApp(a *app) {
	if old := s.apps[a.key]; old != nil && old.seq != a.seq {
		s.unindexApp(old)
	}
	s.apps[a.key] = a
	s.indexApp(a)
	if a.key.space != "" {
		sk := childKey{a.key.domainID, a.key.space}
		if s.bySpace[sk] == nil {
			s.bySpace[sk] = map[appKey]struct{}{}
		}
		s.bySpace[sk][a.key] = struct{}{}
	}
}

// forgetApp drops the app stored under k. The caller holds s.mu for writing.
func (s *Server) forgetApp(k appKey) {
	a := s.apps[k]
	if a == nil {
		return
	}
	s.histAppForgotten(a)
	s.unindexApp(a)
	delete(s.apps, k)
	if k.space != "" {
		sk := childKey{k.domainID, k.space}
		delete(s.bySpace[sk], k)
		if len(s.bySpace[sk]) == 0 {
			delete(s.bySpace, sk)
		}
	}
}

func (s *Server) appARN(k appKey) string {
	return s.arn("app/" + k.domainID + "/" + k.owner() + "/" + strings.ToLower(string(k.appType)) + "/" + k.appName)
}

func parseAppKey(in map[string]any) appKey {
	return appKey{
		domainID: str(in, "DomainId"),
		user:     str(in, "UserProfileName"),
		space:    str(in, "SpaceName"),
		appType:  types.AppType(str(in, "AppType")),
		appName:  str(in, "AppName"),
	}
}

// checkOwner enforces that an app belongs to exactly one user profile or space. The model makes
// both members optional; the documentation of each says the other must be set when it is not.
func checkOwner(in map[string]any) *Error {
	if (str(in, "UserProfileName") == "") == (str(in, "SpaceName") == "") {
		return validationError("Exactly one of UserProfileName or SpaceName must be specified.")
	}
	return nil
}

// checkTags applies the rules on Tags that the model cannot express: keys unique per request
// (compared as given) and the reserved aws: prefix (ASCII letters in any case).
func checkTags(in map[string]any) ([]types.Tag, *Error) {
	list, _ := in["Tags"].([]any)
	if list == nil {
		return nil, nil
	}
	tags := make([]types.Tag, 0, len(list))
	for _, e := range list {
		t, _ := e.(map[string]any)
		k, v := str(t, "Key"), str(t, "Value")
		if err := checkTagKey(k); err != nil {
			return nil, err
		}
		// At most 50 tags: a scan is cheaper than a set.
		for _, prev := range tags {
			if *prev.Key == k {
				return nil, validationError("Tag keys must be unique per resource. Duplicate tag key: '%s'.", k)
			}
		}
		tags = append(tags, types.Tag{Key: &k, Value: &v})
	}
	return tags, nil
}

// checkTagKey refuses a key with the prefix that AWS reserves for its own tags (facts §1.0).
func checkTagKey(k string) *Error {
	if hasAWSPrefix(k) {
		return validationError("Tag keys starting with 'aws:' are reserved for internal use. Invalid tag key: '%s'.", k)
	}
	return nil
}

func hasAWSPrefix(k string) bool {
	return len(k) >= 4 && k[0]|0x20 == 'a' && k[1]|0x20 == 'w' && k[2]|0x20 == 's' && k[3] == ':'
}

// classic reports the app types of Studio Classic (facts §7.1).
func classic(t types.AppType) bool {
	return t == types.AppTypeJupyterServer || t == types.AppTypeKernelGateway
}

// runsStudioClassic reports a domain that still runs Studio Classic, where Classic apps can be
// created: its DefaultUserSettings.StudioWebPortal is DISABLED, the setting that makes Studio
// Classic the domain's experience [I: which domains still create them is not documented; AWS
// says Studio Classic "is no longer available for onboarding", and refuses Classic apps with
// "This AppType has been deprecated" [D, L], facts §7.1].
func runsStudioClassic(d *domain) bool {
	return str(object(d.req, "DefaultUserSettings"), "StudioWebPortal") == string(types.StudioWebPortalDisabled)
}

// spaceOnly reports the app types that run only in a space, one app per space (facts §7.1).
func spaceOnly(t types.AppType) bool {
	return t == types.AppTypeJupyterLab || t == types.AppTypeCodeEditor
}

// createAppRules are the static rules of CreateApp beyond the model's constraints, in the order
// the fake applies them; the first broken rule is the answer. It returns the tags on success.
func createAppRules(in map[string]any) ([]types.Tag, *Error) {
	if err := checkOwner(in); err != nil {
		return nil, err
	}
	appType := types.AppType(str(in, "AppType"))
	if spaceOnly(appType) && str(in, "SpaceName") == "" {
		// Assumed text: no public record of the service's words exists (facts §7.1).
		return nil, validationError("%s apps run in a space: specify SpaceName instead of UserProfileName.", appType)
	}
	tags, err := checkTags(in)
	if err != nil {
		return nil, err
	}
	spec := object(in, "ResourceSpec")
	// "None", the model's value that clears a training plan, is no plan, so any app type may send it.
	if tp, set := spec["TrainingPlanArn"].(string); set && tp != "None" && appType != types.AppTypeJupyterLab && appType != types.AppTypeCodeEditor {
		return nil, validationError("TrainingPlanArn is supported only for JupyterLab and CodeEditor apps, not for %s apps.", appType)
	}
	if it := str(spec, "InstanceType"); appType == types.AppTypeJupyterServer && it != "" && it != string(types.AppInstanceTypeSystem) {
		return nil, jupyterServerInstanceError(it)
	}
	return tags, nil
}

// settingsMember names, per app type, the member of UserSettings, SpaceSettings and
// DefaultSpaceSettings that holds the app type's DefaultResourceSpec and CustomImages
// (facts §2.3). RSessionGateway's member is named RSessionAppSettings.
var settingsMember = map[types.AppType]string{
	types.AppTypeJupyterServer:   "JupyterServerAppSettings",
	types.AppTypeKernelGateway:   "KernelGatewayAppSettings",
	types.AppTypeJupyterLab:      "JupyterLabAppSettings",
	types.AppTypeCodeEditor:      "CodeEditorAppSettings",
	types.AppTypeTensorBoard:     "TensorBoardAppSettings",
	types.AppTypeRSessionGateway: "RSessionAppSettings",
}

// level is one place where defaults for an app can live (facts §2.3).
type level struct {
	name     string         // for messages, such as "the user profile's UserSettings"
	shape    *shape         // the settings' shape: UserSettings, SpaceSettings or DefaultSpaceSettings
	settings map[string]any // as stored; nil when the level sets nothing
}

// appSettings returns the app type's member of the level's settings, such as
// KernelGatewayAppSettings, and the member's name. The name is "" when the level's shape has no
// member for the app type (DefaultSpaceSettings has none for CodeEditor, and only UserSettings has
// one for TensorBoard and RSessionGateway); the settings are nil when the level does not set it.
func (l level) appSettings(appType types.AppType) (map[string]any, string) {
	member := settingsMember[appType]
	if member == "" || l.shape.byName[member] == nil {
		return nil, ""
	}
	return object(l.settings, member), member
}

var (
	userSettingsShape         = model.shapes["UserSettings"]
	spaceSettingsShape        = model.shapes["SpaceSettings"]
	defaultSpaceSettingsShape = model.shapes["DefaultSpaceSettings"]
)

// defaultLevels returns the levels whose settings apply to an app after the request's own
// ResourceSpec, most specific first. This is the rule of facts §2.4, which the library applies
// too:
//
//	user profile app    the profile's UserSettings, the domain's DefaultUserSettings
//	shared space app    the space's SpaceSettings, the domain's DefaultSpaceSettings, the domain's DefaultUserSettings
//	private space app   the space's SpaceSettings, the owner's UserSettings, the domain's DefaultUserSettings
//
// DefaultSpaceSettings never applies to a private space, and a profile's settings never to a
// shared one. The caller holds s.mu.
func (s *Server) defaultLevels(d *domain, p *profile, sp *space) []level {
	domainUser := level{"the domain's DefaultUserSettings", userSettingsShape, object(d.req, "DefaultUserSettings")}
	if sp == nil {
		return []level{{"the user profile's UserSettings", userSettingsShape, object(p.req, "UserSettings")}, domainUser}
	}
	spaceLevel := level{"the space's SpaceSettings", spaceSettingsShape, object(sp.req, "SpaceSettings")}
	if !sp.private() {
		return []level{spaceLevel, {"the domain's DefaultSpaceSettings", defaultSpaceSettingsShape, object(d.req, "DefaultSpaceSettings")}, domainUser}
	}
	owner := level{name: "the owner's UserSettings", shape: userSettingsShape}
	if op := s.profile(d.id, sp.owner()); op != nil {
		owner.settings = object(op.req, "UserSettings")
	}
	return []level{spaceLevel, owner, domainUser}
}

// defaultSpec is the app type's DefaultResourceSpec at one level (nil when the level sets none),
// and where it lives, for messages.
type defaultSpec struct {
	from string // such as "the domain's DefaultUserSettings.KernelGatewayAppSettings.DefaultResourceSpec"
	spec map[string]any
}

// defaultSpecs returns the app type's DefaultResourceSpec at each of the levels, most specific
// first, leaving out the levels whose shape has no member for the app type.
func defaultSpecs(appType types.AppType, levels []level) []defaultSpec {
	out := make([]defaultSpec, 0, len(levels))
	for _, l := range levels {
		settings, member := l.appSettings(appType)
		if member == "" {
			continue
		}
		out = append(out, defaultSpec{from: l.name + "." + member + ".DefaultResourceSpec", spec: object(settings, "DefaultResourceSpec")})
	}
	return out
}

// setImage reports an image member that names an image: the model's "None" clears a member, so
// it names none.
func setImage(v string) bool { return v != "" && v != "None" }

// hasImage reports a spec that gives an image: SageMakerImageArn or SageMakerImageVersionArn.
func (r resourceSpec) hasImage() bool {
	return setImage(r.SageMakerImageArn) || setImage(r.SageMakerImageVersionArn)
}

// imageRequiredError is the service's answer to a JupyterLab or CodeEditor app without an image
// (facts §7.3).
func imageRequiredError(appType types.AppType) *Error {
	return validationError("SageMaker Image ARN is required for App with type [%s]", appType)
}

// resolveSpec completes the request's ResourceSpec from the levels' default specs, most specific
// first. The instance type is the first that a level sets, or for RStudioServerPro the domain's
// RStudioServerProDomainSettings (rstudio). The image is the request's when it sets
// SageMakerImageArn or SageMakerImageVersionArn, and otherwise the image members of the first
// level that sets either (its image ARN, version ARN and alias, where the request has none). A
// KernelGateway app must end with an instance type, and system on KernelGateway means
// ml.t3.medium; a JupyterLab or CodeEditor app must end with an image. A JupyterServer app runs on
// system (createAppRules and the settings' own check refuse any other), and DescribeApp reports it
// even when nothing names it. This is the rule of facts §2.4 and §7.3, which package sagemakerapp
// applies too.
func resolveSpec(appType types.AppType, appName string, spec resourceSpec, defaults []defaultSpec, rstudio map[string]any) (resourceSpec, *Error) {
	for _, d := range defaults {
		if spec.InstanceType != "" {
			break
		}
		spec.InstanceType = str(d.spec, "InstanceType")
	}
	if !spec.hasImage() {
		for _, d := range defaults {
			level := parseResourceSpec(d.spec)
			if !level.hasImage() {
				continue
			}
			// A "None" in the request counts as unset, as it does for the rule (and the library).
			if !setImage(spec.SageMakerImageArn) && setImage(level.SageMakerImageArn) {
				spec.SageMakerImageArn = level.SageMakerImageArn
			}
			if !setImage(spec.SageMakerImageVersionArn) && setImage(level.SageMakerImageVersionArn) {
				spec.SageMakerImageVersionArn = level.SageMakerImageVersionArn
			}
			if spec.SageMakerImageVersionAlias == "" {
				spec.SageMakerImageVersionAlias = level.SageMakerImageVersionAlias
			}
			break
		}
	}
	if spec.InstanceType == "" && appType == types.AppTypeRStudioServerPro {
		spec.InstanceType = str(rstudio, "InstanceType")
	}
	switch appType {
	case types.AppTypeKernelGateway:
		if spec.InstanceType == "" {
			looked := make([]string, len(defaults))
			for i, d := range defaults {
				looked[i] = d.from
			}
			return spec, validationError("No InstanceType was found for KernelGateway app '%s': it is not set in the request's ResourceSpec, nor in %s. Specify ResourceSpec.InstanceType.",
				appName, strings.Join(looked, ", nor in "))
		}
		if spec.InstanceType == string(types.AppInstanceTypeSystem) {
			spec.InstanceType = string(types.AppInstanceTypeMlT3Medium)
		}
	case types.AppTypeJupyterServer:
		spec.InstanceType = string(types.AppInstanceTypeSystem)
	case types.AppTypeJupyterLab, types.AppTypeCodeEditor:
		if !spec.hasImage() {
			return spec, imageRequiredError(appType)
		}
	}
	return spec, nil
}

// builtInLifecycleConfig returns the BuiltInLifecycleConfigArn that the first level sets for the
// app type; only the JupyterLab and CodeEditor members of UserSettings and DefaultSpaceSettings
// have one.
func builtInLifecycleConfig(appType types.AppType, levels []level) string {
	for _, l := range levels {
		settings, _ := l.appSettings(appType)
		if arn := str(settings, "BuiltInLifecycleConfigArn"); arn != "" {
			return arn
		}
	}
	return ""
}

// imageFailure is the built-in failure rule: an image of the caller's own account must be attached
// to the app type's settings as a custom image (facts §5 item 6). Images of other accounts are
// SageMaker's own images and always start.
func (s *Server) imageFailure(k appKey, appARN string, spec resourceSpec, levels []level) string {
	arn := spec.SageMakerImageVersionArn
	if arn == "" || arn == "None" {
		arn = spec.SageMakerImageArn
	}
	if arn == "" {
		return ""
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[4] != s.cfg.account {
		return ""
	}
	resource := parts[5]
	var name string
	switch {
	case strings.HasPrefix(resource, "image/"):
		name = strings.TrimPrefix(resource, "image/")
	case strings.HasPrefix(resource, "image-version/"):
		name, _, _ = strings.Cut(strings.TrimPrefix(resource, "image-version/"), "/")
	default:
		return ""
	}
	if k.appType == types.AppTypeJupyterServer || k.appType == types.AppTypeTensorBoard {
		return ""
	}
	for _, l := range levels {
		settings, _ := l.appSettings(k.appType)
		images, _ := settings["CustomImages"].([]any)
		for _, img := range images {
			if m, _ := img.(map[string]any); str(m, "ImageName") == name {
				return ""
			}
		}
	}
	return fmt.Sprintf("Unable to launch App [%s] with Image [%s] because it is not present in list of custom images in AppSettings. Please update AppSettings to add Image [%s] in list of custom images.",
		appARN, name, name)
}

// parents finds the domain and the app's user profile or space.
func (s *Server) parents(k appKey, now time.Time) (*domain, *profile, *space, *Error) {
	d := s.domains[k.domainID]
	if d == nil {
		return nil, nil, nil, notFoundError("Domain '%s' does not exist.", s.arn("domain/"+k.domainID))
	}
	if k.space != "" {
		sp := s.liveSpace(childKey{k.domainID, k.space}, now)
		if sp == nil {
			return nil, nil, nil, notFoundError("Space '%s' does not exist.", s.arn("space/"+k.domainID+"/"+k.space))
		}
		return d, nil, sp, nil
	}
	p := s.profile(k.domainID, k.user)
	if p == nil {
		return nil, nil, nil, notFoundError("User profile '%s' does not exist.", s.arn("user-profile/"+k.domainID+"/"+k.user))
	}
	return d, p, nil, nil
}

func quotaMessage(appType types.AppType, instanceType string, limit, used int) string {
	return fmt.Sprintf("The account-level service limit 'Studio %s Apps running on %s instance' is %d Apps, with current utilization of %d Apps and a request delta of 1 Apps. "+
		"Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.",
		appType, instanceType, limit, used)
}

type createAppOutput struct {
	AppArn string
}

func (s *Server) opCreateApp(in map[string]any, now time.Time) (any, *Error) {
	tags, err := createAppRules(in)
	if err != nil {
		return nil, err
	}
	k := parseAppKey(in)
	if d := s.domains[k.domainID]; d != nil && classic(k.appType) && !runsStudioClassic(d) {
		return nil, validationError("Invalid request provided: Invalid AppType [%s]. This AppType has been deprecated.", k.appType)
	}
	d, p, sp, err := s.parents(k, now)
	if err != nil {
		return nil, err
	}
	if p != nil {
		k.user = p.name // profile names are not case-sensitive: the app is the profile's, by its name
	}
	if sp != nil {
		if err := s.checkSpaceApp(k, sp, now); err != nil {
			return nil, err
		}
	}
	levels := s.defaultLevels(d, p, sp)
	rstudio := object(d.req, "DomainSettings", "RStudioServerProDomainSettings", "DefaultResourceSpec")
	spec, err := resolveSpec(k.appType, k.appName, parseResourceSpec(object(in, "ResourceSpec")), defaultSpecs(k.appType, levels), rstudio)
	if err != nil {
		return nil, err
	}
	arn := s.appARN(k)
	old := s.liveApp(k, now)
	restart := false
	if old != nil {
		st, _ := s.status(old, now)
		if st != types.AppStatusDeleted && st != types.AppStatusFailed {
			return nil, inUseError("App '%s' already exists with status %s.", arn, st)
		}
		restart = st == types.AppStatusDeleted
	}
	if sp != nil {
		if other := s.liveAppIn(sp.key, k, now); other != nil && (spaceOnly(k.appType) || spaceOnly(other.key.appType)) {
			st, _ := s.status(other, now)
			return nil, inUseError("Space '%s' already runs %s app '%s' (%s), which is %s: a space runs one app at a time. Delete it before creating %s app '%s'.",
				sp.key.name, other.key.appType, other.key.appName, other.arn, st, k.appType, k.appName)
		}
	}
	if limit, ok := s.cfg.quotas[quotaKey{k.appType, types.AppInstanceType(spec.InstanceType)}]; ok {
		used := 0
		for _, a := range s.apps {
			if a.key.appType != k.appType || a.spec.InstanceType != spec.InstanceType {
				continue
			}
			if st, _ := s.status(a, now); st == types.AppStatusPending || st == types.AppStatusInService {
				used++
			}
		}
		if used >= limit {
			return nil, newAPIError(CodeResourceLimit, "%s", quotaMessage(k.appType, spec.InstanceType, limit, used))
		}
	}
	a := &app{key: k, arn: arn, spec: spec, tags: tags, created: now, launched: now, startDelay: s.cfg.startupDelay,
		builtInLCC: builtInLifecycleConfig(k.appType, levels), tip: types.FeatureStatusDisabled}
	if restart {
		// A restart within 24 hours is an update of the same app: it keeps its metadata, and the
		// fake takes that to include its CreationTime (facts §7.4, the cautious reading).
		a.seq, a.created = old.seq, old.created
	} else {
		s.seq++
		a.seq = s.seq
	}
	if str(object(d.req, "DomainSettings", "TrustedIdentityPropagationSettings"), "Status") == string(types.FeatureStatusEnabled) {
		a.tip = types.FeatureStatusEnabled
	}
	if rm, ok := in["RecoveryMode"].(bool); ok {
		a.recoveryMode = &rm
	}
	reason := s.imageFailure(k, arn, spec, levels)
	if reason == "" && len(s.cfg.rules) > 0 {
		snap := s.snapshot(a, now)
		snap.Status = types.AppStatusPending // even with no startup delay, the app has not started yet
		for _, rule := range s.cfg.rules {
			if reason = rule(snap); reason != "" {
				break
			}
		}
	}
	a.failureReason = truncateRunes(reason, 1024) // FailureReason's model maximum
	a.startDelay = s.startupDelayFor(a, now)
	s.storeApp(a)
	s.histAppCreated(a, old, now)
	return createAppOutput{AppArn: arn}, nil
}

// checkSpaceApp applies the rules of a space to an app created in it: the space is InService, and
// the app is of the space's SpaceSettings.AppType when the space sets one (assumed, facts §7.2:
// "You can't edit the app type of a space" is all AWS says). A space being deleted is
// ResourceInUse [I]; one that is Pending or Updating is ResourceInUse "Unable to create app [...]
// because storage is not in Available status" [L after an UpdateSpace; I while Pending].
func (s *Server) checkSpaceApp(k appKey, sp *space, now time.Time) *Error {
	switch st, _ := s.spaceStatus(sp, now); st {
	case types.SpaceStatusDeleting:
		return inUseError("Space '%s' is being deleted.", sp.arn)
	case types.SpaceStatusPending, types.SpaceStatusUpdating:
		return inUseError("Unable to create app [%s] because storage is not in Available status.", s.appARN(k))
	}
	if t := sp.appType(); t != "" && t != k.appType {
		return validationError("App type %s does not match the app type %s of space '%s'.", k.appType, t, sp.key.name)
	}
	return nil
}

func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

type describeAppOutput struct {
	AppArn                                    string
	AppName                                   string
	AppType                                   types.AppType
	BuiltInLifecycleConfigArn                 string `json:",omitempty"`
	CreationTime                              json.Number
	DomainID                                  string `json:"DomainId"`
	EffectiveTrustedIdentityPropagationStatus types.FeatureStatus
	FailureReason                             string        `json:",omitempty"`
	LastHealthCheckTimestamp                  json.Number   `json:",omitempty"`
	LastUserActivityTimestamp                 json.Number   `json:",omitempty"`
	RecoveryMode                              *bool         `json:",omitempty"`
	ResourceSpec                              *resourceSpec `json:",omitempty"`
	SpaceName                                 string        `json:",omitempty"`
	Status                                    types.AppStatus
	UserProfileName                           string `json:",omitempty"`
}

// opDescribeApp is a reader: it runs with s.mu held for reading only, so it changes nothing.
func (s *Server) opDescribeApp(in map[string]any, now time.Time, stale *[]appKey) (any, *Error) {
	if err := checkOwner(in); err != nil {
		return nil, err
	}
	k := parseAppKey(in)
	k.user = s.profileName(k.domainID, k.user)
	a := s.findApp(k, now, stale)
	if a == nil {
		return nil, notFoundError("App '%s' does not exist.", s.appARN(k))
	}
	st, _ := s.status(a, now)
	out := describeAppOutput{
		AppArn:                    a.arn,
		AppName:                   k.appName,
		AppType:                   k.appType,
		BuiltInLifecycleConfigArn: a.builtInLCC,
		CreationTime:              epochSeconds(a.created),
		DomainID:                  k.domainID,
		EffectiveTrustedIdentityPropagationStatus: a.tip,
		RecoveryMode:    a.recoveryMode,
		SpaceName:       k.space,
		Status:          st,
		UserProfileName: k.user,
	}
	if a.spec != (resourceSpec{}) {
		spec := a.spec
		out.ResourceSpec = &spec
	}
	if st == types.AppStatusFailed {
		out.FailureReason = a.failureReason
	}
	health, activity := s.timestamps(a, now)
	if !health.IsZero() {
		out.LastHealthCheckTimestamp = epochSeconds(health)
	}
	if !activity.IsZero() {
		out.LastUserActivityTimestamp = epochSeconds(activity)
	}
	return out, nil
}

func (s *Server) opDeleteApp(in map[string]any, now time.Time) (any, *Error) {
	if err := checkOwner(in); err != nil {
		return nil, err
	}
	k := parseAppKey(in)
	k.user = s.profileName(k.domainID, k.user)
	a := s.liveApp(k, now)
	if a == nil {
		return nil, notFoundError("App '%s' does not exist.", s.appARN(k))
	}
	switch st, _ := s.status(a, now); st {
	case types.AppStatusPending:
		return nil, inUseError("App '%s' is Pending and cannot be deleted until it is InService.", a.arn)
	case types.AppStatusDeleting:
		return nil, inUseError("App '%s' is already being deleted.", a.arn)
	case types.AppStatusDeleted:
		return nil, validationError("App '%s' has already been deleted.", a.arn)
	case types.AppStatusFailed:
		return nil, validationError("App [%s] previously failed and was automatically deleted. For tracking purposes, apps are available in the ListApps API results for only 24 hours after failure.", a.key.appName)
	}
	a.deleteAt = now
	a.delDelay = s.deleteDelayFor(a, now)
	s.histAppDeleting(a, now)
	return struct{}{}, nil
}

type appDetails struct {
	AppName         string
	AppType         types.AppType
	CreationTime    json.Number
	DomainID        string        `json:"DomainId"`
	ResourceSpec    *resourceSpec `json:",omitempty"`
	SpaceName       string        `json:",omitempty"`
	Status          types.AppStatus
	UserProfileName string `json:",omitempty"`
}

type listAppsOutput struct {
	Apps      []appDetails
	NextToken string `json:",omitempty"`
}

// opListApps is a reader: it runs with s.mu held for reading only, so it changes nothing. Its
// query names one listing (listKey), kept in creation order, so a page costs a binary search for
// where it starts and a read of its own entries, whatever the store holds.
func (s *Server) opListApps(in map[string]any, now time.Time, stale *[]appKey) (any, *Error) {
	domainID, user, spaceName := str(in, "DomainIdEquals"), str(in, "UserProfileNameEquals"), str(in, "SpaceNameEquals")
	if user != "" && spaceName != "" {
		return nil, validationError("UserProfileNameEquals and SpaceNameEquals cannot both be set.")
	}
	if user != "" && domainID != "" {
		// The filter names a user profile, whose name is not case-sensitive [D]: it lists that
		// profile's apps whatever the case [I]. Without a domain it names none in particular, and
		// matches as given.
		user = s.profileName(domainID, user)
	}
	descending := str(in, "SortOrder") == string(types.SortOrderDescending)
	limit := maxResults(in)
	fp := fingerprint("ListApps", domainID, user, spaceName, strconv.FormatBool(descending))

	var after tokenPos
	hasAfter := false
	if tok := str(in, "NextToken"); tok != "" {
		pos, ok := parseToken(tok, fp)
		if !ok {
			return nil, validationError("Invalid NextToken: '%s'.", tok)
		}
		// Keyset paging: continue after the last app of the previous page, even if it was dropped
		// since, so that apps created or expiring between pages never shift the others. Creation
		// order is CreationTime order, since a restart keeps both its place and its CreationTime.
		after, hasAfter = pos, true
	}
	out := listAppsOutput{Apps: []appDetails{}}
	var last *app
	if l := s.lists[listKey{domainID: domainID, user: user, space: spaceName}]; l != nil {
		l.scan(after.seq, hasAfter, descending, func(a *app) bool {
			if s.expired(a, now) {
				*stale = append(*stale, a.key)
				return true
			}
			if len(out.Apps) == limit {
				out.NextToken = makeToken(tokenPos{seq: last.seq, at: last.created}, fp)
				return false
			}
			st, _ := s.status(a, now)
			d := appDetails{
				AppName:         a.key.appName,
				AppType:         a.key.appType,
				CreationTime:    epochSeconds(a.created),
				DomainID:        a.key.domainID,
				SpaceName:       a.key.space,
				Status:          st,
				UserProfileName: a.key.user,
			}
			if a.spec != (resourceSpec{}) {
				spec := a.spec
				d.ResourceSpec = &spec
			}
			out.Apps = append(out.Apps, d)
			last = a
			return true
		})
	}
	return out, nil
}

type tagOutput struct {
	Key   string
	Value string
}

func tagOutputs(tags []types.Tag) []tagOutput {
	out := make([]tagOutput, 0, len(tags))
	for _, t := range tags {
		out = append(out, tagOutput{Key: *t.Key, Value: *t.Value})
	}
	return out
}

// maxTags is the most tags a resource can have, the limit of the model's TagList.
const maxTags = 50

// opListTags answers the tags of any resource the fake holds: apps (until they expire), domains,
// user profiles and spaces. A resource has at most 50 tags and MaxResults is at least 50, so the
// answer is always one page.
func (s *Server) opListTags(in map[string]any, now time.Time) (any, *Error) {
	arn := str(in, "ResourceArn")
	if tok := str(in, "NextToken"); tok != "" {
		return nil, validationError("Invalid NextToken: '%s'.", tok)
	}
	tags := s.tagsOf(arn, now)
	if tags == nil {
		return nil, notFoundError("Resource '%s' does not exist.", arn)
	}
	return struct{ Tags []tagOutput }{tagOutputs(*tags)}, nil
}

// opAddTags adds tags to a resource, or changes the value of a key it has, within the limit of 50
// tags per resource. It answers the tags it was given.
func (s *Server) opAddTags(in map[string]any, now time.Time) (any, *Error) {
	arn := str(in, "ResourceArn")
	add, err := checkTags(in)
	if err != nil {
		return nil, err
	}
	tags := s.tagsOf(arn, now)
	if tags == nil {
		return nil, notFoundError("Resource '%s' does not exist.", arn)
	}
	merged := cloneTags(*tags)
	for _, t := range add {
		i := slices.IndexFunc(merged, func(m types.Tag) bool { return *m.Key == *t.Key })
		if i < 0 {
			merged = append(merged, t)
		} else {
			merged[i].Value = t.Value
		}
	}
	if len(merged) > maxTags {
		return nil, validationError("Resource '%s' would have %d tags, more than the limit of %d.", arn, len(merged), maxTags)
	}
	s.histTags(arn, *tags, merged, now)
	*tags = merged
	return struct{ Tags []tagOutput }{tagOutputs(add)}, nil
}

// opDeleteTags removes the tags with the given keys from a resource; a key it does not have is
// ignored.
func (s *Server) opDeleteTags(in map[string]any, now time.Time) (any, *Error) {
	arn := str(in, "ResourceArn")
	keys, _ := in["TagKeys"].([]any)
	for _, k := range keys {
		if err := checkTagKey(k.(string)); err != nil { // the model check has made every key a string
			return nil, err
		}
	}
	tags := s.tagsOf(arn, now)
	if tags == nil {
		return nil, notFoundError("Resource '%s' does not exist.", arn)
	}
	after := slices.DeleteFunc(cloneTags(*tags), func(t types.Tag) bool { return slices.Contains(keys, any(*t.Key)) })
	s.histTags(arn, *tags, after, now)
	*tags = after
	return struct{}{}, nil
}

// tagsOf returns the tags of the resource arn names, or nil when the fake holds no such resource.
// The caller holds s.mu.
func (s *Server) tagsOf(arn string, now time.Time) *[]types.Tag {
	if k, ok := s.byARN[arn]; ok {
		if a := s.liveApp(k, now); a != nil {
			return &a.tags
		}
	}
	for _, d := range s.domains {
		if d.arn == arn {
			return &d.tags
		}
	}
	for _, p := range s.profiles {
		if p.arn == arn {
			return &p.tags
		}
	}
	for k, sp := range s.spaces {
		if sp.arn == arn && s.liveSpace(k, now) != nil {
			return &sp.tags
		}
	}
	return nil
}

// A NextToken is opaque to clients: a position and a fingerprint of the request it belongs to, so
// a token from another listing is refused instead of silently misread.
func fingerprint(parts ...string) uint32 {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum32()
}

// tokenPos is where a page ended: the sort key (a time) and the creation sequence of its last
// entry.
type tokenPos struct {
	seq uint64
	at  time.Time
}

func makeToken(pos tokenPos, fp uint32) string {
	raw := "v2." + strconv.FormatUint(pos.seq, 10) + "." + strconv.FormatInt(pos.at.UnixNano(), 10) + "." + strconv.FormatUint(uint64(fp), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// keysetPage is a page of list, a listing ordered by key and then by seq (which breaks the ties
// a ManualClock makes common): at most limit items after the position tok names, in the order
// asked, and the token of the next page ("" on the last). The paging is by keyset, as in
// ListApps: items created or gone between pages shift nothing. It sorts list.
func keysetPage[T any](list []T, key func(T) time.Time, seq func(T) uint64, tok string, fp uint32, descending bool, limit int) ([]T, string, *Error) {
	slices.SortFunc(list, func(a, b T) int {
		if c := key(a).Compare(key(b)); c != 0 {
			return c
		}
		return cmpUint(seq(a), seq(b))
	})
	if descending {
		slices.Reverse(list)
	}
	if tok != "" {
		after, ok := parseToken(tok, fp)
		if !ok {
			return nil, "", validationError("Invalid NextToken: '%s'.", tok)
		}
		// The first item past the token's position, whether or not the item there is still listed.
		i, _ := slices.BinarySearchFunc(list, after, func(x T, at tokenPos) int {
			c := key(x).Compare(at.at)
			if c == 0 {
				c = cmpUint(seq(x), at.seq)
			}
			if descending {
				c = -c
			}
			if c <= 0 {
				return -1
			}
			return 1
		})
		list = list[i:]
	}
	if len(list) <= limit {
		return list, "", nil
	}
	last := list[limit-1]
	return list[:limit], makeToken(tokenPos{seq: seq(last), at: key(last)}, fp), nil
}

func parseToken(tok string, fp uint32) (tokenPos, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return tokenPos{}, false
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 4 || parts[0] != "v2" || parts[3] != strconv.FormatUint(uint64(fp), 10) {
		return tokenPos{}, false
	}
	seq, err1 := strconv.ParseUint(parts[1], 10, 64)
	nanos, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return tokenPos{}, false
	}
	return tokenPos{seq: seq, at: time.Unix(0, nanos)}, true
}
