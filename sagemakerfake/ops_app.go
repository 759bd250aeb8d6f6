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

func (r *resourceSpec) appendJSON(buf []byte) []byte {
	o := openObject(buf)
	o.optStr("InstanceType", r.InstanceType)
	o.optStr("LifecycleConfigArn", r.LifecycleConfigArn)
	o.optStr("SageMakerImageArn", r.SageMakerImageArn)
	o.optStr("SageMakerImageVersionAlias", r.SageMakerImageVersionAlias)
	o.optStr("SageMakerImageVersionArn", r.SageMakerImageVersionArn)
	o.optStr("TrainingPlanArn", r.TrainingPlanArn)
	return o.close()
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
	seq           uint64
	spec          resourceSpec
	recoveryMode  *bool
	tags          []types.Tag
	created       time.Time
	failureReason string
	deleteAt      time.Time // when DeleteApp was accepted; zero until then
}

// status derives an app's status from the clock, and the time it entered that status.
func (s *Server) status(a *app, now time.Time) (types.AppStatus, time.Time) {
	if !a.deleteAt.IsZero() {
		done := a.deleteAt.Add(s.cfg.deleteDelay)
		if !now.Before(done) {
			return types.AppStatusDeleted, done
		}
		return types.AppStatusDeleting, a.deleteAt
	}
	ready := a.created.Add(s.cfg.startupDelay)
	if now.Before(ready) {
		return types.AppStatusPending, a.created
	}
	if a.failureReason != "" {
		return types.AppStatusFailed, ready
	}
	return types.AppStatusInService, ready
}

// expired reports an app whose metadata the service has dropped: 24 hours after it stopped.
func (s *Server) expired(a *app, now time.Time) bool {
	st, since := s.status(a, now)
	return (st == types.AppStatusDeleted || st == types.AppStatusFailed) && !now.Before(since.Add(retention))
}

// liveApp returns the app stored under k, forgetting it if it has expired. The caller holds s.mu.
func (s *Server) liveApp(k appKey, now time.Time) *app {
	a := s.apps[k]
	if a != nil && s.expired(a, now) {
		delete(s.apps, k)
		return nil
	}
	return a
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
func checkOwner(in map[string]any) *apiError {
	if (str(in, "UserProfileName") == "") == (str(in, "SpaceName") == "") {
		return validationError("Exactly one of UserProfileName or SpaceName must be specified.")
	}
	return nil
}

// checkTags applies the rules on Tags that the model cannot express: keys unique per resource
// (compared as given) and the reserved aws: prefix (ASCII letters in any case).
func checkTags(in map[string]any) ([]types.Tag, *apiError) {
	list, _ := in["Tags"].([]any)
	if list == nil {
		return nil, nil
	}
	tags := make([]types.Tag, 0, len(list))
	for _, e := range list {
		t, _ := e.(map[string]any)
		k, v := str(t, "Key"), str(t, "Value")
		if hasAWSPrefix(k) {
			return nil, validationError("Tag keys starting with 'aws:' are reserved for internal use. Invalid tag key: '%s'.", k)
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

func hasAWSPrefix(k string) bool {
	return len(k) >= 4 && k[0]|0x20 == 'a' && k[1]|0x20 == 'w' && k[2]|0x20 == 's' && k[3] == ':'
}

// createAppRules are the static rules of CreateApp beyond the model's constraints, in the order
// the fake applies them; the first broken rule is the answer. It returns the tags on success.
func createAppRules(in map[string]any) ([]types.Tag, *apiError) {
	if err := checkOwner(in); err != nil {
		return nil, err
	}
	tags, err := checkTags(in)
	if err != nil {
		return nil, err
	}
	appType := types.AppType(str(in, "AppType"))
	spec := object(in, "ResourceSpec")
	if spec["TrainingPlanArn"] != nil && appType != types.AppTypeJupyterLab && appType != types.AppTypeCodeEditor {
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

// level is one place where defaults for an app can live.
type level struct {
	name     string // for messages, such as "the user profile's UserSettings"
	settings map[string]any
}

// defaultLevels returns the settings that apply to an app, highest precedence first: the user
// profile's UserSettings over the domain's DefaultUserSettings, or the space's SpaceSettings over
// the domain's DefaultSpaceSettings.
func defaultLevels(d *domain, p *profile, sp *space) []level {
	if sp != nil {
		return []level{
			{"the space's SpaceSettings", object(sp.req, "SpaceSettings")},
			{"the domain's DefaultSpaceSettings", object(d.req, "DefaultSpaceSettings")},
		}
	}
	var ps map[string]any
	if p != nil {
		ps = object(p.req, "UserSettings")
	}
	return []level{
		{"the user profile's UserSettings", ps},
		{"the domain's DefaultUserSettings", object(d.req, "DefaultUserSettings")},
	}
}

// resolveInstanceType applies the precedence app > profile or space > domain to the instance
// type. Only a KernelGateway app must end with one; system on KernelGateway means ml.t3.medium.
func resolveInstanceType(k appKey, given string, d *domain, p *profile, sp *space) (string, *apiError) {
	it := given
	var looked []string
	if it == "" {
		if member := settingsMember[k.appType]; member != "" {
			for _, l := range defaultLevels(d, p, sp) {
				looked = append(looked, l.name+"."+member+".DefaultResourceSpec")
				if it = str(object(l.settings, member, "DefaultResourceSpec"), "InstanceType"); it != "" {
					break
				}
			}
		}
	}
	if it == "" && k.appType == types.AppTypeRStudioServerPro {
		it = str(object(d.req, "DomainSettings", "RStudioServerProDomainSettings", "DefaultResourceSpec"), "InstanceType")
	}
	if it == "" && k.appType == types.AppTypeKernelGateway {
		return "", validationError("No InstanceType was found for KernelGateway app '%s': it is not set in the request's ResourceSpec, nor in %s. Specify ResourceSpec.InstanceType.",
			k.appName, strings.Join(looked, ", nor in "))
	}
	if it == string(types.AppInstanceTypeSystem) && k.appType == types.AppTypeKernelGateway {
		it = string(types.AppInstanceTypeMlT3Medium)
	}
	return it, nil
}

// imageFailure is the built-in failure rule: an image of the caller's own account must be attached
// to the app type's settings as a custom image (facts §5 item 6). Images of other accounts are
// SageMaker's own images and always start.
func (s *Server) imageFailure(k appKey, appARN string, spec resourceSpec, d *domain, p *profile, sp *space) string {
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
	member := settingsMember[k.appType]
	if member == "" || k.appType == types.AppTypeJupyterServer || k.appType == types.AppTypeTensorBoard {
		return ""
	}
	levels := defaultLevels(d, p, sp)
	if sp != nil {
		// A private space also sees its owner's images.
		owner := s.profiles[childKey{k.domainID, str(object(sp.req, "OwnershipSettings"), "OwnerUserProfileName")}]
		levels = append(levels, defaultLevels(d, owner, nil)...)
	}
	for _, l := range levels {
		images, _ := object(l.settings, member)["CustomImages"].([]any)
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
func (s *Server) parents(k appKey) (*domain, *profile, *space, *apiError) {
	d := s.domains[k.domainID]
	if d == nil {
		return nil, nil, nil, notFoundError("Domain '%s' does not exist.", s.arn("domain/"+k.domainID))
	}
	if k.space != "" {
		sp := s.spaces[childKey{k.domainID, k.space}]
		if sp == nil {
			return nil, nil, nil, notFoundError("Space '%s' does not exist.", s.arn("space/"+k.domainID+"/"+k.space))
		}
		return d, nil, sp, nil
	}
	p := s.profiles[childKey{k.domainID, k.user}]
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

func (c createAppOutput) appendJSON(buf []byte) []byte {
	o := openObject(buf)
	o.str("AppArn", c.AppArn)
	return o.close()
}

func (s *Server) opCreateApp(in map[string]any, now time.Time) (any, *apiError) {
	tags, err := createAppRules(in)
	if err != nil {
		return nil, err
	}
	k := parseAppKey(in)
	d, p, sp, err := s.parents(k)
	if err != nil {
		return nil, err
	}
	spec := parseResourceSpec(object(in, "ResourceSpec"))
	spec.InstanceType, err = resolveInstanceType(k, spec.InstanceType, d, p, sp)
	if err != nil {
		return nil, err
	}
	arn := s.appARN(k)
	if old := s.liveApp(k, now); old != nil {
		if st, _ := s.status(old, now); st != types.AppStatusDeleted && st != types.AppStatusFailed {
			return nil, inUseError("App '%s' already exists with status %s.", arn, st)
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
	s.seq++
	a := &app{key: k, arn: arn, seq: s.seq, spec: spec, tags: tags, created: now}
	if rm, ok := in["RecoveryMode"].(bool); ok {
		a.recoveryMode = &rm
	}
	reason := s.imageFailure(k, arn, spec, d, p, sp)
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
	s.apps[k] = a
	return createAppOutput{AppArn: arn}, nil
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
	AppArn                    string
	AppName                   string
	AppType                   types.AppType
	CreationTime              epochTime
	DomainID                  string        `json:"DomainId"`
	FailureReason             string        `json:",omitempty"`
	LastHealthCheckTimestamp  *epochTime    `json:",omitempty"`
	LastUserActivityTimestamp *epochTime    `json:",omitempty"`
	RecoveryMode              *bool         `json:",omitempty"`
	ResourceSpec              *resourceSpec `json:",omitempty"`
	SpaceName                 string        `json:",omitempty"`
	Status                    types.AppStatus
	UserProfileName           string `json:",omitempty"`
}

func (d describeAppOutput) appendJSON(buf []byte) []byte {
	o := openObject(buf)
	o.str("AppArn", d.AppArn)
	o.str("AppName", d.AppName)
	o.str("AppType", string(d.AppType))
	o.time("CreationTime", time.Time(d.CreationTime))
	o.str("DomainId", d.DomainID)
	o.optStr("FailureReason", d.FailureReason)
	if d.LastHealthCheckTimestamp != nil {
		o.time("LastHealthCheckTimestamp", time.Time(*d.LastHealthCheckTimestamp))
	}
	if d.LastUserActivityTimestamp != nil {
		o.time("LastUserActivityTimestamp", time.Time(*d.LastUserActivityTimestamp))
	}
	if d.RecoveryMode != nil {
		o.key("RecoveryMode")
		o.buf = strconv.AppendBool(o.buf, *d.RecoveryMode)
	}
	if d.ResourceSpec != nil {
		o.key("ResourceSpec")
		o.buf = d.ResourceSpec.appendJSON(o.buf)
	}
	o.optStr("SpaceName", d.SpaceName)
	o.str("Status", string(d.Status))
	o.optStr("UserProfileName", d.UserProfileName)
	return o.close()
}

func (s *Server) opDescribeApp(in map[string]any, now time.Time) (any, *apiError) {
	if err := checkOwner(in); err != nil {
		return nil, err
	}
	k := parseAppKey(in)
	a := s.liveApp(k, now)
	if a == nil {
		return nil, notFoundError("App '%s' does not exist.", s.appARN(k))
	}
	st, since := s.status(a, now)
	out := describeAppOutput{
		AppArn:          a.arn,
		AppName:         k.appName,
		AppType:         k.appType,
		CreationTime:    epochTime(a.created),
		DomainID:        k.domainID,
		RecoveryMode:    a.recoveryMode,
		SpaceName:       k.space,
		Status:          st,
		UserProfileName: k.user,
	}
	if a.spec != (resourceSpec{}) {
		spec := a.spec
		out.ResourceSpec = &spec
	}
	switch st {
	case types.AppStatusFailed:
		out.FailureReason = a.failureReason
	case types.AppStatusInService:
		t := epochTime(since)
		out.LastHealthCheckTimestamp, out.LastUserActivityTimestamp = &t, &t
	}
	return out, nil
}

func (s *Server) opDeleteApp(in map[string]any, now time.Time) (any, *apiError) {
	if err := checkOwner(in); err != nil {
		return nil, err
	}
	k := parseAppKey(in)
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
		return nil, validationError("App '%s' previously failed and was automatically deleted.", a.arn)
	}
	a.deleteAt = now
	return struct{}{}, nil
}

type appDetails struct {
	AppName         string
	AppType         types.AppType
	CreationTime    epochTime
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

func (l listAppsOutput) appendJSON(buf []byte) []byte {
	o := openObject(buf)
	o.key("Apps")
	o.buf = append(o.buf, '[')
	for i, a := range l.Apps {
		if i > 0 {
			o.buf = append(o.buf, ',')
		}
		e := openObject(o.buf)
		e.str("AppName", a.AppName)
		e.str("AppType", string(a.AppType))
		e.time("CreationTime", time.Time(a.CreationTime))
		e.str("DomainId", a.DomainID)
		if a.ResourceSpec != nil {
			e.key("ResourceSpec")
			e.buf = a.ResourceSpec.appendJSON(e.buf)
		}
		e.optStr("SpaceName", a.SpaceName)
		e.str("Status", string(a.Status))
		e.optStr("UserProfileName", a.UserProfileName)
		o.buf = e.close()
	}
	o.buf = append(o.buf, ']')
	o.optStr("NextToken", l.NextToken)
	return o.close()
}

func (s *Server) opListApps(in map[string]any, now time.Time) (any, *apiError) {
	domainID, user, spaceName := str(in, "DomainIdEquals"), str(in, "UserProfileNameEquals"), str(in, "SpaceNameEquals")
	if user != "" && spaceName != "" {
		return nil, validationError("UserProfileNameEquals and SpaceNameEquals cannot both be set.")
	}
	descending := str(in, "SortOrder") == string(types.SortOrderDescending)
	limit := 10
	if n, ok := in["MaxResults"].(json.Number); ok {
		v, _ := strconv.Atoi(string(n)) // the model check has already bounded it to 1..100
		limit = v
	}
	fp := fingerprint("ListApps", domainID, user, spaceName, strconv.FormatBool(descending))

	var after *app
	list := s.liveApps(now) // in creation order, which is CreationTime order on a clock that never runs back
	if descending {
		slices.Reverse(list)
	}
	if tok := str(in, "NextToken"); tok != "" {
		seq, ok := parseToken(tok, fp)
		if !ok {
			return nil, validationError("Invalid NextToken: '%s'.", tok)
		}
		// Keyset paging: continue after the last app of the previous page, even if it was dropped
		// since, so that apps created or expiring between pages never shift the others.
		after = &app{seq: seq}
	}
	out := listAppsOutput{Apps: []appDetails{}}
	var lastSeq uint64
	for _, a := range list {
		if after != nil && ((!descending && a.seq <= after.seq) || (descending && a.seq >= after.seq)) {
			continue
		}
		if (domainID != "" && a.key.domainID != domainID) || (user != "" && a.key.user != user) || (spaceName != "" && a.key.space != spaceName) {
			continue
		}
		if len(out.Apps) == limit {
			out.NextToken = makeToken(lastSeq, fp)
			break
		}
		st, _ := s.status(a, now)
		d := appDetails{
			AppName:         a.key.appName,
			AppType:         a.key.appType,
			CreationTime:    epochTime(a.created),
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
		lastSeq = a.seq
	}
	return out, nil
}

type listTagsOutput struct {
	Tags []tagOutput
}

type tagOutput struct {
	Key   string
	Value string
}

// opListTags answers the tags of any resource the fake holds: apps (until they expire), domains,
// user profiles and spaces. A resource has at most 50 tags and MaxResults is at least 50, so the
// answer is always one page.
func (s *Server) opListTags(in map[string]any, now time.Time) (any, *apiError) {
	arn := str(in, "ResourceArn")
	if tok := str(in, "NextToken"); tok != "" {
		return nil, validationError("Invalid NextToken: '%s'.", tok)
	}
	tags, found := s.tagsOf(arn, now)
	if !found {
		return nil, notFoundError("Resource '%s' does not exist.", arn)
	}
	out := listTagsOutput{Tags: make([]tagOutput, 0, len(tags))}
	for _, t := range tags {
		out.Tags = append(out.Tags, tagOutput{Key: *t.Key, Value: *t.Value})
	}
	return out, nil
}

func (s *Server) tagsOf(arn string, now time.Time) ([]types.Tag, bool) {
	for _, a := range s.liveApps(now) {
		if a.arn == arn {
			return a.tags, true
		}
	}
	for _, d := range s.domains {
		if d.arn == arn {
			return d.tags, true
		}
	}
	for _, p := range s.profiles {
		if p.arn == arn {
			return p.tags, true
		}
	}
	for _, sp := range s.spaces {
		if sp.arn == arn {
			return sp.tags, true
		}
	}
	return nil, false
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

func makeToken(pos uint64, fp uint32) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1." + strconv.FormatUint(pos, 10) + "." + strconv.FormatUint(uint64(fp), 10)))
}

func parseToken(tok string, fp uint32) (uint64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != "v1" || parts[2] != strconv.FormatUint(uint64(fp), 10) {
		return 0, false
	}
	pos, err := strconv.ParseUint(parts[1], 10, 64)
	return pos, err == nil
}
