package sagemakerfake

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

type space struct {
	key      childKey
	arn      string
	seq      uint64 // creation order, for ListSpaces
	created  time.Time
	req      map[string]any
	tags     []types.Tag
	uid      int64
	seeded   bool      // made by a Seed function: it already exists, so it is InService at once
	deleteAt time.Time // when DeleteSpace was accepted; zero until then
	// updateAt is when the last UpdateSpace was accepted (zero if none): the space is Updating
	// for the startup delay from then.
	updateAt time.Time
	// sizeAt is when an UpdateSpace last changed the EBS volume's size (zero if none), for the
	// 6-hour rule of EBS.
	sizeAt time.Time
	hist   recHist
}

// private reports a space that SpaceSharingSettings makes private; any other space is shared.
func (sp *space) private() bool {
	return str(object(sp.req, "SpaceSharingSettings"), "SharingType") == string(types.SharingTypePrivate)
}

// owner is the user profile that OwnershipSettings names, or "".
func (sp *space) owner() string {
	return str(object(sp.req, "OwnershipSettings"), "OwnerUserProfileName")
}

// appType is the space's SpaceSettings.AppType, or "" when the space does not set one.
func (sp *space) appType() types.AppType {
	return types.AppType(str(object(sp.req, "SpaceSettings"), "AppType"))
}

// spaceStatus derives a space's status from the clock, as for apps: Pending for the startup
// delay (a seeded space is InService at once), then InService; after UpdateSpace, Updating for
// the startup delay, then InService again; after DeleteSpace, Deleting for the delete delay, then
// gone (false).
func (s *Server) spaceStatus(sp *space, now time.Time) (types.SpaceStatus, bool) {
	if !sp.deleteAt.IsZero() {
		if !now.Before(sp.deleteAt.Add(s.cfg.deleteDelay)) {
			return "", false
		}
		return types.SpaceStatusDeleting, true
	}
	if !sp.seeded && now.Before(sp.created.Add(s.cfg.startupDelay)) {
		return types.SpaceStatusPending, true
	}
	if !sp.updateAt.IsZero() && now.Before(sp.updateAt.Add(s.cfg.startupDelay)) {
		return types.SpaceStatusUpdating, true
	}
	return types.SpaceStatusInService, true
}

// spaceNamed returns the live space of the domain whose name is name in any case, or nil: the
// names of spaces and user profiles share one namespace, and profile names are not
// case-sensitive. The caller holds s.mu for writing.
func (s *Server) spaceNamed(domainID, name string, now time.Time) *space {
	if sp := s.liveSpace(childKey{domainID, name}, now); sp != nil {
		return sp
	}
	for k := range s.spaces {
		if k.domainID == domainID && strings.EqualFold(k.name, name) {
			if sp := s.liveSpace(k, now); sp != nil {
				return sp
			}
		}
	}
	return nil
}

// liveSpace returns the space stored under key, forgetting it once its deletion has finished.
// The caller holds s.mu.
func (s *Server) liveSpace(key childKey, now time.Time) *space {
	sp := s.spaces[key]
	if sp == nil {
		return nil
	}
	if _, ok := s.spaceStatus(sp, now); !ok {
		s.histSpaceForgotten(sp)
		delete(s.spaces, key)
		return nil
	}
	return sp
}

// namespaceRule ends the service's answer to a user profile or space named like the other kind in
// the same domain (facts §7.2): "User Profile already exists with the same name 'aryan-verma'.
// User Profile and Space name must be unique in a domain." [L]; the answer to a profile named like
// a space is assumed to be its mirror image [I].
const namespaceRule = "User Profile and Space name must be unique in a domain."

func (s *Server) spaceARN(key childKey) string {
	return s.arn("space/" + key.domainID + "/" + key.name)
}

func (s *Server) opCreateSpace(in map[string]any, now time.Time) (any, *Error) {
	sp, err := s.createSpace(in, now, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{"SpaceArn": sp.arn}, nil
}

// createSpace stores a space; seeded marks one that a Seed function creates.
func (s *Server) createSpace(in map[string]any, now time.Time, seeded bool) (*space, *Error) {
	if err := checkJupyterServerDefaults(in, "SpaceSettings"); err != nil {
		return nil, err
	}
	tags, err := checkTags(in)
	if err != nil {
		return nil, err
	}
	key := childKey{str(in, "DomainId"), str(in, "SpaceName")}
	d := s.domains[key.domainID]
	if d == nil {
		return nil, notFoundError("Domain '%s' does not exist.", s.arn("domain/"+key.domainID))
	}
	arn := s.spaceARN(key)
	probe := &space{req: in}
	owner := probe.owner()
	if probe.private() && owner == "" {
		// Assumed: a private space is one user's, so it needs the user (facts §7.2).
		return nil, validationError("A space with SpaceSharingSettings.SharingType Private must name its owner in OwnershipSettings.OwnerUserProfileName.")
	}
	var op *profile
	if owner != "" {
		if op = s.profile(key.domainID, owner); op == nil {
			return nil, notFoundError("User profile '%s' does not exist.", s.arn("user-profile/"+key.domainID+"/"+owner))
		}
		if st := s.profileStatus(op, now); st != types.UserProfileStatusInService {
			// The text is the service's [L]; the code is assumed, as that of the other "Unable to
			// … because … is not in … status" answers, which are ResourceInUse [I].
			return nil, inUseError("Unable to create Space [%s] because UserProfile [%s] is not in InService", arn, op.arn)
		}
		// The owner is named as the profile was created: names of profiles are not case-sensitive,
		// so a request may spell it otherwise, and the answers spell it one way [I].
		in["OwnershipSettings"].(map[string]any)["OwnerUserProfileName"] = op.name
	}
	if s.liveSpace(key, now) != nil {
		return nil, inUseError("Space '%s' already exists.", arn)
	}
	if p := s.profile(key.domainID, key.name); p != nil {
		return nil, inUseError("User Profile already exists with the same name '%s'. %s", p.name, namespaceRule)
	}
	if err := s.checkIdleTimeout(d, op, probe.private(), object(in, "SpaceSettings")); err != nil {
		return nil, err
	}
	sp := &space{key: key, arn: arn, created: now, req: in, tags: tags, uid: s.nextUID(), seq: s.seq, seeded: seeded}
	s.spaces[key] = sp
	s.histSpaceCreated(sp, now)
	return sp, nil
}

func (s *Server) opDescribeSpace(in map[string]any, now time.Time) (any, *Error) {
	key := childKey{str(in, "DomainId"), str(in, "SpaceName")}
	sp := s.liveSpace(key, now)
	if sp == nil {
		return nil, notFoundError("Space '%s' does not exist.", s.spaceARN(key))
	}
	st, _ := s.spaceStatus(sp, now)
	out := echo(sp.req, "DescribeSpace")
	out["SpaceArn"] = sp.arn
	out["Status"] = string(st)
	out["CreationTime"] = epochSeconds(sp.created)
	out["LastModifiedTime"] = epochSeconds(sp.lastModified())
	out["HomeEfsFileSystemUid"] = strconv.FormatInt(sp.uid, 10)
	out["Url"] = s.domains[key.domainID].url + "/spaces/" + key.name
	return out, nil
}

// lastModified is the time of the space's last change: its creation, an UpdateSpace, or the
// DeleteSpace.
func (sp *space) lastModified() time.Time {
	if !sp.deleteAt.IsZero() {
		return sp.deleteAt
	}
	if !sp.updateAt.IsZero() {
		return sp.updateAt
	}
	return sp.created
}

// liveAppIn returns an app of the space other than except that is not Deleted or Failed, the
// oldest first, or nil. The caller holds s.mu.
func (s *Server) liveAppIn(key childKey, except appKey, now time.Time) *app {
	var found *app
	for k := range s.bySpace[key] {
		a := s.liveApp(k, now)
		if a == nil || k == except {
			continue
		}
		if st, _ := s.status(a, now); st == types.AppStatusDeleted || st == types.AppStatusFailed {
			continue
		}
		if found == nil || a.seq < found.seq {
			found = a
		}
	}
	return found
}

// opDeleteSpace starts the deletion of a space. A space whose app is not Deleted or Failed is
// refused with ResourceInUse, and so is a space already being deleted (both assumed: DeleteSpace
// models ResourceInUse, and no public text says when).
func (s *Server) opDeleteSpace(in map[string]any, now time.Time) (any, *Error) {
	key := childKey{str(in, "DomainId"), str(in, "SpaceName")}
	sp := s.liveSpace(key, now)
	if sp == nil {
		return nil, notFoundError("Space '%s' does not exist.", s.spaceARN(key))
	}
	if !sp.deleteAt.IsZero() {
		return nil, inUseError("Space '%s' is already being deleted.", sp.arn)
	}
	if a := s.liveAppIn(key, appKey{}, now); a != nil {
		st, _ := s.status(a, now)
		return nil, inUseError("Space '%s' cannot be deleted while its %s app '%s' (%s) is %s. Delete the app first.",
			sp.arn, a.key.appType, a.key.appName, a.arn, st)
	}
	sp.deleteAt = now
	s.histSpaceDeleting(sp, now)
	return struct{}{}, nil
}

type spaceDetails struct {
	CreationTime                json.Number
	DomainID                    string `json:"DomainId"`
	LastModifiedTime            json.Number
	OwnershipSettingsSummary    map[string]any `json:",omitempty"`
	SpaceDisplayName            string         `json:",omitempty"`
	SpaceName                   string
	SpaceSettingsSummary        map[string]any `json:",omitempty"`
	SpaceSharingSettingsSummary map[string]any `json:",omitempty"`
	Status                      types.SpaceStatus
}

type listSpacesOutput struct {
	NextToken string `json:",omitempty"`
	Spaces    []spaceDetails
}

// opListSpaces lists spaces by creation (or last modification) time, ascending unless SortOrder
// says Descending, as the model's defaults say. SpaceNameContains matches a part of the name in
// any case (assumed; the model only calls it a filter).
func (s *Server) opListSpaces(in map[string]any, now time.Time) (any, *Error) {
	domainID, contains := str(in, "DomainIdEquals"), strings.ToLower(str(in, "SpaceNameContains"))
	sortBy := str(in, "SortBy")
	if sortBy == "" {
		sortBy = string(types.SpaceSortKeyCreationTime)
	}
	descending := str(in, "SortOrder") == string(types.SortOrderDescending)
	limit := maxResults(in)
	fp := fingerprint("ListSpaces", domainID, contains, sortBy, strconv.FormatBool(descending))

	list := make([]*space, 0, len(s.spaces))
	for k := range s.spaces {
		sp := s.liveSpace(k, now)
		if sp != nil && (domainID == "" || sp.key.domainID == domainID) && (contains == "" || strings.Contains(strings.ToLower(sp.key.name), contains)) {
			list = append(list, sp)
		}
	}
	keyOf := func(sp *space) time.Time {
		if sortBy == string(types.SpaceSortKeyLastModifiedTime) {
			return sp.lastModified()
		}
		return sp.created
	}
	page, next, err := keysetPage(list, keyOf, func(sp *space) uint64 { return sp.seq }, str(in, "NextToken"), fp, descending, limit)
	if err != nil {
		return nil, err
	}
	out := listSpacesOutput{Spaces: []spaceDetails{}, NextToken: next}
	for _, sp := range page {
		st, _ := s.spaceStatus(sp, now)
		d := spaceDetails{
			CreationTime:     epochSeconds(sp.created),
			DomainID:         sp.key.domainID,
			LastModifiedTime: epochSeconds(sp.lastModified()),
			SpaceDisplayName: str(sp.req, "SpaceDisplayName"),
			SpaceName:        sp.key.name,
			Status:           st,
		}
		if owner := sp.owner(); owner != "" {
			d.OwnershipSettingsSummary = map[string]any{"OwnerUserProfileName": owner}
		}
		if sharing := str(object(sp.req, "SpaceSharingSettings"), "SharingType"); sharing != "" {
			d.SpaceSharingSettingsSummary = map[string]any{"SharingType": sharing}
		}
		if settings := object(sp.req, "SpaceSettings"); settings != nil {
			summary := map[string]any{}
			for _, m := range []string{"AppType", "RemoteAccess", "SpaceStorageSettings"} {
				if v, ok := settings[m]; ok && v != nil {
					summary[m] = v
				}
			}
			if len(summary) > 0 {
				d.SpaceSettingsSummary = summary
			}
		}
		out.Spaces = append(out.Spaces, d)
	}
	return out, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// maxResults is a request's MaxResults, or the model's default of 10; the model check has
// already bounded it to 1..100.
func maxResults(in map[string]any) int {
	if n, ok := in["MaxResults"].(json.Number); ok {
		if v, err := strconv.Atoi(string(n)); err == nil {
			return v
		}
	}
	return 10
}

// ebsRateWindow is how long EBS refuses a second modification of a volume after one
// (VolumeModificationRateExceeded, facts §7.2a).
const ebsRateWindow = 6 * time.Hour

// opUpdateSpace changes a space's SpaceSettings and SpaceDisplayName (the model's only members:
// owner and sharing cannot be given [D]). Members of SpaceSettings are merged into the stored
// ones, structure by structure; a list or a value that the request gives replaces the stored one
// [I]. The space must be InService (otherwise ResourceInUse [I]); then it is Updating for the
// startup delay, and InService again [D: the statuses; L: Terraform waits Updating → InService].
// Refused, each as a ValidationException whose text is the fake's [I]: another AppType ("You
// can't edit the app type of a space" [D]); an EBS size smaller than the current one (storage only
// grows [L]); a second change of the EBS size within 6 hours of the last (EBS's own
// VolumeModificationRateExceeded rule [L]; the code SageMaker answers is not recorded, and
// ValidationException is assumed [I]); an idle timeout outside the levels' range (facts §7.6).
func (s *Server) opUpdateSpace(in map[string]any, now time.Time) (any, *Error) {
	if err := checkJupyterServerDefaults(in, "SpaceSettings"); err != nil {
		return nil, err
	}
	key := childKey{str(in, "DomainId"), str(in, "SpaceName")}
	sp := s.liveSpace(key, now)
	if sp == nil {
		return nil, notFoundError("Space '%s' does not exist.", s.spaceARN(key))
	}
	if st, _ := s.spaceStatus(sp, now); st != types.SpaceStatusInService {
		return nil, inUseError("Unable to update Space [%s] because it is in %s status.", sp.arn, st)
	}
	d := s.domains[key.domainID]
	owner := s.profile(key.domainID, sp.owner())
	old := object(sp.req, "SpaceSettings")
	change := object(in, "SpaceSettings")
	if t := str(change, "AppType"); t != "" && t != string(sp.appType()) {
		return nil, validationError("You can't edit the app type of a space: space '%s' is for %s apps, not %s.", key.name, appTypeOrNone(sp.appType()), t)
	}
	merged := mergeObjects(old, change)
	levels := spaceLevels(d, owner, sp.private())
	oldSize, newSize := ebsSize(old, levels), ebsSize(merged, levels)
	if newSize < oldSize {
		return nil, validationError("EbsVolumeSizeInGb %d is smaller than the current size of space '%s', %d GB: a space's storage can only grow.", newSize, key.name, oldSize)
	}
	resized := newSize != oldSize
	if resized && !sp.sizeAt.IsZero() && now.Before(sp.sizeAt.Add(ebsRateWindow)) {
		return nil, validationError("The storage of space '%s' was resized at %s; its EBS volume cannot be modified again until %s (VolumeModificationRateExceeded: one modification per volume in 6 hours).",
			key.name, sp.sizeAt.UTC().Format(time.RFC3339), sp.sizeAt.Add(ebsRateWindow).UTC().Format(time.RFC3339))
	}
	if err := s.checkIdleTimeout(d, owner, sp.private(), merged); err != nil {
		return nil, err
	}
	req := make(map[string]any, len(sp.req)+1)
	for k, v := range sp.req {
		req[k] = v
	}
	if merged != nil {
		req["SpaceSettings"] = merged
	}
	if name, ok := in["SpaceDisplayName"]; ok && name != nil {
		req["SpaceDisplayName"] = name
	}
	sp.req = req
	sp.updateAt = now
	if resized {
		sp.sizeAt = now
	}
	s.histSpaceUpdating(sp, now)
	return map[string]any{"SpaceArn": sp.arn}, nil
}

func appTypeOrNone(t types.AppType) string {
	if t == "" {
		return "no app type"
	}
	return string(t)
}

// mergeObjects returns base with change merged in, as UpdateSpace applies it: a member that both
// set as structures is merged the same way, and any other member that change sets replaces
// base's. Neither argument is changed; nil stays nil only when both are.
func mergeObjects(base, change map[string]any) map[string]any {
	if base == nil && change == nil {
		return nil
	}
	out := make(map[string]any, len(base)+len(change))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range change {
		if v == nil {
			continue // awsJson: null is absent
		}
		if cv, ok := v.(map[string]any); ok {
			if bv, ok := out[k].(map[string]any); ok {
				out[k] = mergeObjects(bv, cv)
				continue
			}
		}
		out[k] = v
	}
	return out
}
