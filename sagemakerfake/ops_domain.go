package sagemakerfake

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// domain, profile and space keep their Create request exactly as it arrived (decoded JSON), so a
// Describe answers every setting as given, including members the fake does not interpret.
type domain struct {
	id      string
	arn     string
	url     string
	created time.Time
	req     map[string]any
	tags    []types.Tag
}

type childKey struct {
	domainID string
	name     string
}

// profile is a user profile. Its name is not case-sensitive (facts §7.2, the model's words): it is
// stored under its name in lower case (key), and keeps the spelling of its CreateUserProfile
// (name), which is what every answer names it by.
type profile struct {
	key      childKey // the name in lower case
	name     string   // as created
	arn      string
	seq      uint64 // creation order, for ListUserProfiles
	created  time.Time
	req      map[string]any
	tags     []types.Tag
	uid      int64
	seeded   bool // made by a Seed function: it already exists, so it is InService at once
	modified time.Time
	hist     recHist
}

// profileKey is the key a user profile name is stored under: names are not case-sensitive.
func profileKey(domainID, name string) childKey {
	return childKey{domainID, strings.ToLower(name)}
}

// profile returns the user profile that name names in the domain, in any case, or nil. The caller
// holds s.mu, for reading at least.
func (s *Server) profile(domainID, name string) *profile {
	if name == "" {
		return nil
	}
	return s.profiles[profileKey(domainID, name)]
}

// profileName is the stored spelling of the profile that name names, or name itself when there
// is no such profile. The caller holds s.mu, for reading at least.
func (s *Server) profileName(domainID, name string) string {
	if p := s.profile(domainID, name); p != nil {
		return p.name
	}
	return name
}

// profileStatus derives a profile's status from the clock: Pending for the startup delay after
// CreateUserProfile (a seeded profile is InService at once), then InService.
func (s *Server) profileStatus(p *profile, now time.Time) types.UserProfileStatus {
	if !p.seeded && now.Before(p.created.Add(s.cfg.startupDelay)) {
		return types.UserProfileStatusPending
	}
	return types.UserProfileStatusInService
}

func (s *Server) arn(resource string) string {
	return "arn:" + s.partition + ":sagemaker:" + s.cfg.region + ":" + s.cfg.account + ":" + resource
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newDomainID returns an unused ID shaped like the service's: d- and 12 lower-case alphanumerics.
func (s *Server) newDomainID() string {
	for {
		b := []byte("d-000000000000")
		for i := 2; i < len(b); i++ {
			b[i] = idAlphabet[s.rng.IntN(len(idAlphabet))]
		}
		if _, taken := s.domains[string(b)]; !taken {
			return string(b)
		}
	}
}

func (s *Server) opCreateDomain(in map[string]any, now time.Time) (any, *Error) {
	d, err := s.createDomain(in, now, "")
	if err != nil {
		return nil, err
	}
	return map[string]any{"DomainArn": d.arn, "DomainId": d.id, "Url": d.url}, nil
}

// createDomain stores a domain; id is the ID a seed asks for, or "" for a new one.
func (s *Server) createDomain(in map[string]any, now time.Time, id string) (*domain, *Error) {
	if err := checkJupyterServerDefaults(in, "DefaultUserSettings", "DefaultSpaceSettings"); err != nil {
		return nil, err
	}
	tags, err := checkTags(in)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = s.newDomainID()
	} else if _, taken := s.domains[id]; taken {
		return nil, inUseError("Domain '%s' already exists.", id)
	}
	d := &domain{
		id:      id,
		arn:     s.arn("domain/" + id),
		url:     "https://" + id + ".studio." + s.cfg.region + ".sagemaker.aws",
		created: now,
		req:     in,
		tags:    tags,
	}
	s.domains[id] = d
	s.histDomainCreated(d, now)
	return d, nil
}

func (s *Server) opDescribeDomain(in map[string]any, _ time.Time) (any, *Error) {
	id := str(in, "DomainId")
	d := s.domains[id]
	if d == nil {
		return nil, notFoundError("Domain '%s' does not exist.", s.arn("domain/"+id))
	}
	out := echo(d.req, "DescribeDomain")
	out["DomainArn"] = d.arn
	out["DomainId"] = d.id
	out["Url"] = d.url
	out["Status"] = string(types.DomainStatusInService)
	out["CreationTime"] = epochSeconds(d.created)
	out["LastModifiedTime"] = epochSeconds(d.created)
	out["HomeEfsFileSystemId"] = "fs-" + d.id[2:]
	return out, nil
}

func (s *Server) opCreateUserProfile(in map[string]any, now time.Time) (any, *Error) {
	p, err := s.createUserProfile(in, now, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserProfileArn": p.arn}, nil
}

// createUserProfile stores a user profile; seeded marks one that a Seed function creates.
func (s *Server) createUserProfile(in map[string]any, now time.Time, seeded bool) (*profile, *Error) {
	if err := checkJupyterServerDefaults(in, "UserSettings"); err != nil {
		return nil, err
	}
	tags, err := checkTags(in)
	if err != nil {
		return nil, err
	}
	domainID, name := str(in, "DomainId"), str(in, "UserProfileName")
	if s.domains[domainID] == nil {
		return nil, notFoundError("Domain '%s' does not exist.", s.arn("domain/"+domainID))
	}
	if old := s.profile(domainID, name); old != nil {
		return nil, inUseError("User profile '%s' already exists.", old.arn)
	}
	if sp := s.spaceNamed(domainID, name, now); sp != nil {
		return nil, inUseError("Space already exists with the same name '%s'. %s", sp.key.name, namespaceRule)
	}
	uid := s.nextUID()
	p := &profile{key: profileKey(domainID, name), name: name, arn: s.arn("user-profile/" + domainID + "/" + name),
		seq: s.seq, created: now, modified: now, req: in, tags: tags, uid: uid, seeded: seeded}
	s.profiles[p.key] = p
	s.histProfileCreated(p, now)
	return p, nil
}

func (s *Server) nextUID() int64 {
	s.seq++
	return 200000 + int64(s.seq)
}

// opDescribeUserProfile answers the profile that the name names in any case, by the name it was
// created with.
func (s *Server) opDescribeUserProfile(in map[string]any, now time.Time) (any, *Error) {
	domainID, name := str(in, "DomainId"), str(in, "UserProfileName")
	p := s.profile(domainID, name)
	if p == nil {
		return nil, notFoundError("User profile '%s' does not exist.", s.arn("user-profile/"+domainID+"/"+name))
	}
	out := echo(p.req, "DescribeUserProfile")
	out["UserProfileArn"] = p.arn
	out["UserProfileName"] = p.name
	out["Status"] = string(s.profileStatus(p, now))
	out["CreationTime"] = epochSeconds(p.created)
	out["LastModifiedTime"] = epochSeconds(p.modified)
	out["HomeEfsFileSystemUid"] = strconv.FormatInt(p.uid, 10)
	return out, nil
}

// echo starts a Describe answer from the stored Create request: every member that the
// operation's output shape also has, as it was given.
func echo(stored map[string]any, op string) map[string]any {
	outShape := model.operations[op].output
	out := make(map[string]any, len(outShape.members)+8)
	for _, m := range outShape.members {
		if v, ok := stored[m.name]; ok && v != nil {
			out[m.name] = v
		}
	}
	return out
}

// checkJupyterServerDefaults applies the service's rule to JupyterServer defaults in settings
// members: only the system instance type (facts §5 item 1).
func checkJupyterServerDefaults(in map[string]any, settingsMembers ...string) *Error {
	for _, name := range settingsMembers {
		it := str(object(in, name, "JupyterServerAppSettings", "DefaultResourceSpec"), "InstanceType")
		if it != "" && it != string(types.AppInstanceTypeSystem) {
			return jupyterServerInstanceError(it)
		}
	}
	return nil
}

func jupyterServerInstanceError(instanceType string) *Error {
	return validationError("Invalid instance type '%s' for JupyterServer App. Only 'system' instance type is supported", instanceType)
}

// str returns the string member name of obj, or "" when it is absent or obj is nil.
func str(obj map[string]any, name string) string {
	v, _ := obj[name].(string)
	return v
}

// object follows a path of structure members from obj; it returns nil where the path ends early.
func object(obj map[string]any, path ...string) map[string]any {
	for _, name := range path {
		if obj == nil {
			return nil
		}
		obj, _ = obj[name].(map[string]any)
	}
	return obj
}

// opDeleteUserProfile deletes a user profile at once: the fake models no Deleting state for
// profiles [I]. It answers ResourceInUse, in the service's words, while the profile has an app
// that is not Deleted or Failed [L: amazon-sagemaker-feedback#113], or owns a space that is not
// gone [L: the av3 lab; the code is ResourceInUse there too].
func (s *Server) opDeleteUserProfile(in map[string]any, now time.Time) (any, *Error) {
	domainID, name := str(in, "DomainId"), str(in, "UserProfileName")
	p := s.profile(domainID, name)
	if p == nil {
		return nil, notFoundError("User profile '%s' does not exist.", s.arn("user-profile/"+domainID+"/"+name))
	}
	for _, a := range s.apps {
		if a.key.domainID != domainID || a.key.user != p.name {
			continue
		}
		if st, _ := s.status(a, now); st != types.AppStatusDeleted && st != types.AppStatusFailed {
			return nil, inUseError("Unable to delete UserProfile [%s] because App(s) are associated with it.", p.arn)
		}
	}
	for k := range s.spaces {
		if sp := s.liveSpace(k, now); sp != nil && k.domainID == domainID && strings.EqualFold(sp.owner(), p.name) {
			return nil, inUseError("Unable to delete UserProfile [%s] because Space(s) are associated with it.", p.arn)
		}
	}
	delete(s.profiles, p.key)
	s.histProfileDeleted(p, now)
	return struct{}{}, nil
}

type userProfileDetails struct {
	CreationTime     json.Number
	DomainID         string `json:"DomainId"`
	LastModifiedTime json.Number
	Status           types.UserProfileStatus
	UserProfileName  string
}

type listUserProfilesOutput struct {
	NextToken    string `json:",omitempty"`
	UserProfiles []userProfileDetails
}

// opListUserProfiles lists user profiles as ListSpaces lists spaces: DomainIdEquals,
// UserProfileNameContains (a part of the name in any case, as names are not case-sensitive [I]),
// by CreationTime or LastModifiedTime, ascending unless SortOrder says Descending (the model's
// default), MaxResults 1–100 (default 10) and an opaque NextToken.
func (s *Server) opListUserProfiles(in map[string]any, now time.Time) (any, *Error) {
	domainID, contains := str(in, "DomainIdEquals"), strings.ToLower(str(in, "UserProfileNameContains"))
	sortBy := str(in, "SortBy")
	if sortBy == "" {
		sortBy = string(types.UserProfileSortKeyCreationTime)
	}
	descending := str(in, "SortOrder") == string(types.SortOrderDescending)
	limit := maxResults(in)
	fp := fingerprint("ListUserProfiles", domainID, contains, sortBy, strconv.FormatBool(descending))
	keyOf := func(p *profile) time.Time {
		if sortBy == string(types.UserProfileSortKeyLastModifiedTime) {
			return p.modified
		}
		return p.created
	}
	list := make([]*profile, 0, len(s.profiles))
	for _, p := range s.profiles {
		if (domainID == "" || p.key.domainID == domainID) && (contains == "" || strings.Contains(p.key.name, contains)) {
			list = append(list, p)
		}
	}
	page, next, err := keysetPage(list, keyOf, func(p *profile) uint64 { return p.seq }, str(in, "NextToken"), fp, descending, limit)
	if err != nil {
		return nil, err
	}
	out := listUserProfilesOutput{UserProfiles: []userProfileDetails{}, NextToken: next}
	for _, p := range page {
		out.UserProfiles = append(out.UserProfiles, userProfileDetails{
			CreationTime:     epochSeconds(p.created),
			DomainID:         p.key.domainID,
			LastModifiedTime: epochSeconds(p.modified),
			Status:           s.profileStatus(p, now),
			UserProfileName:  p.name,
		})
	}
	return out, nil
}
