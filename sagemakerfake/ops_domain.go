package sagemakerfake

import (
	"strconv"
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

type profile struct {
	key     childKey
	arn     string
	created time.Time
	req     map[string]any
	tags    []types.Tag
	uid     int64
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
	if err := checkJupyterServerDefaults(in, "UserSettings"); err != nil {
		return nil, err
	}
	tags, err := checkTags(in)
	if err != nil {
		return nil, err
	}
	key := childKey{str(in, "DomainId"), str(in, "UserProfileName")}
	if s.domains[key.domainID] == nil {
		return nil, notFoundError("Domain '%s' does not exist.", s.arn("domain/"+key.domainID))
	}
	arn := s.arn("user-profile/" + key.domainID + "/" + key.name)
	if s.profiles[key] != nil {
		return nil, inUseError("User profile '%s' already exists.", arn)
	}
	if s.liveSpace(key, now) != nil {
		return nil, namespaceError()
	}
	p := &profile{key: key, arn: arn, created: now, req: in, tags: tags, uid: s.nextUID()}
	s.profiles[key] = p
	s.histProfile(p, true, now)
	return map[string]any{"UserProfileArn": arn}, nil
}

func (s *Server) nextUID() int64 {
	s.seq++
	return 200000 + int64(s.seq)
}

func (s *Server) opDescribeUserProfile(in map[string]any, _ time.Time) (any, *Error) {
	key := childKey{str(in, "DomainId"), str(in, "UserProfileName")}
	p := s.profiles[key]
	if p == nil {
		return nil, notFoundError("User profile '%s' does not exist.", s.arn("user-profile/"+key.domainID+"/"+key.name))
	}
	out := echo(p.req, "DescribeUserProfile")
	out["UserProfileArn"] = p.arn
	out["Status"] = string(types.UserProfileStatusInService)
	out["CreationTime"] = epochSeconds(p.created)
	out["LastModifiedTime"] = epochSeconds(p.created)
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
// profiles [I]. It answers ResourceInUse while the profile has an app that is not Deleted or
// Failed (the model lists ResourceInUse; the message is the fake's own [I]). Spaces the profile
// owns do not block it: no public source says they do, and the fake refuses nothing the service
// might accept [I].
func (s *Server) opDeleteUserProfile(in map[string]any, now time.Time) (any, *Error) {
	key := childKey{str(in, "DomainId"), str(in, "UserProfileName")}
	p := s.profiles[key]
	if p == nil {
		return nil, notFoundError("User profile '%s' does not exist.", s.arn("user-profile/"+key.domainID+"/"+key.name))
	}
	for _, a := range s.apps {
		if a.key.domainID != key.domainID || a.key.user != key.name {
			continue
		}
		if st, _ := s.status(a, now); st != types.AppStatusDeleted && st != types.AppStatusFailed {
			return nil, inUseError("User profile '%s' cannot be deleted while its %s app '%s' is %s. Delete its apps first.", p.arn, a.key.appType, a.key.appName, st)
		}
	}
	delete(s.profiles, key)
	s.histProfile(p, false, now)
	return struct{}{}, nil
}
