package sagemakerfake

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// The fake is driven by the service model itself: the apps extract (botocore 1.43.11), the
// operations it lacks (CreateDomain, CreateUserProfile, DeleteUserProfile, ListUserProfiles,
// CreateSpace, UpdateSpace, ListSpaces, DeleteSpace, CreatePresignedDomainUrl, ListTags, AddTags
// and DeleteTags), taken from the same botocore release, and the overlay of what the SDK the
// project builds with models beyond that release. See model/README.md.
//
//go:embed model/sagemaker-apps-model.json model/sagemaker-fake-extra.json model/sagemaker-sdk-overlay.json
var modelFiles embed.FS

// shape is one compiled shape of the service model.
type shape struct {
	name     string
	typ      string // structure, string, list, integer, long, boolean, timestamp
	union    bool
	members  []*member // sorted by name, which is the order of the model files
	byName   map[string]*member
	listElem *shape
	min, max *int64
	pattern  string
	re       *regexp.Regexp
	enum     []string
	enumSet  map[string]struct{}
}

type member struct {
	name     string
	path     string // the name as Coral prints it in a validation message: first letter lower case
	shape    *shape
	required bool
}

type operation struct {
	name   string
	input  *shape
	output *shape
}

type serviceModel struct {
	targetPrefix string
	shapes       map[string]*shape
	operations   map[string]*operation
}

type rawModel struct {
	Metadata struct {
		TargetPrefix string `json:"targetPrefix"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input  *struct{ Shape string } `json:"input"`
		Output *struct{ Shape string } `json:"output"`
	} `json:"operations"`
	Shapes map[string]rawShape `json:"shapes"`
	// Members adds members to structures that another file defines: the overlay's way to give a
	// shape the members that a newer model has.
	Members map[string]map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
}

type rawShape struct {
	Type     string   `json:"type"`
	Union    bool     `json:"union"`
	Required []string `json:"required"`
	Members  map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Member  *struct{ Shape string } `json:"member"`
	Min     *int64                  `json:"min"`
	Max     *int64                  `json:"max"`
	Pattern string                  `json:"pattern"`
	Enum    []string                `json:"enum"`
}

// unsupportedPatterns maps model patterns that RE2 cannot compile to an equivalent RE2 pattern.
// NonEmptyString64 uses a negative look-ahead to say "not only white space". QProfileArn and
// RepositoryUrl repeat more than the 1000 times RE2 allows in one counted repetition: the first is
// split in two, and the second's bound cannot be reached within the shape's 1024 characters
// (each repetition takes at least one character after the 8 of https://), so it is dropped.
var unsupportedPatterns = map[string]string{
	`(?!\s*$).+`:                           `.*\S.*`,
	`https://([.\-_a-zA-Z0-9]+/?){3,1016}`: `https://([.\-_a-zA-Z0-9]+/?){3,}`,
	`arn:[-.a-z0-9]{1,63}:codewhisperer:([-.a-z0-9]{0,63}:){2}([a-zA-Z0-9-_:/]){1,1023}`: `arn:[-.a-z0-9]{1,63}:codewhisperer:([-.a-z0-9]{0,63}:){2}([a-zA-Z0-9-_:/]){1,1000}([a-zA-Z0-9-_:/]){0,23}`,
}

// sdkEnumValues holds the SDK's values for every enum shape that the fake checks. The service is
// newer than the model extract (the SDK knows 176 instance types, the extract 164), and a fake that
// refused what the SDK offers would be wrong, so each enum is the union of both lists.
var sdkEnumValues = map[string][]string{
	"AppInstanceType":              enumStrings(types.AppInstanceType("").Values()),
	"AppNetworkAccessType":         enumStrings(types.AppNetworkAccessType("").Values()),
	"AppSecurityGroupManagement":   enumStrings(types.AppSecurityGroupManagement("").Values()),
	"AppSortKey":                   enumStrings(types.AppSortKey("").Values()),
	"AppStatus":                    enumStrings(types.AppStatus("").Values()),
	"AppType":                      enumStrings(types.AppType("").Values()),
	"AuthMode":                     enumStrings(types.AuthMode("").Values()),
	"AutoMountHomeEFS":             enumStrings(types.AutoMountHomeEFS("").Values()),
	"DataSourceName":               enumStrings(types.DataSourceName("").Values()),
	"DomainStatus":                 enumStrings(types.DomainStatus("").Values()),
	"ExecutionRoleIdentityConfig":  enumStrings(types.ExecutionRoleIdentityConfig("").Values()),
	"ExecutionRoleSessionNameMode": enumStrings(types.ExecutionRoleSessionNameMode("").Values()),
	"FeatureStatus":                enumStrings(types.FeatureStatus("").Values()),
	"HomeEfsFileSystemCreation":    enumStrings(types.HomeEfsFileSystemCreation("").Values()),
	"IPAddressType":                enumStrings(types.IPAddressType("").Values()),
	"LifecycleManagement":          enumStrings(types.LifecycleManagement("").Values()),
	"MlTools":                      enumStrings(types.MlTools("").Values()),
	"NotebookOutputOption":         enumStrings(types.NotebookOutputOption("").Values()),
	"RStudioServerProAccessStatus": enumStrings(types.RStudioServerProAccessStatus("").Values()),
	"RStudioServerProUserGroup":    enumStrings(types.RStudioServerProUserGroup("").Values()),
	"SageMakerImageName":           enumStrings(types.SageMakerImageName("").Values()),
	"SharingType":                  enumStrings(types.SharingType("").Values()),
	"SortOrder":                    enumStrings(types.SortOrder("").Values()),
	"SpaceSortKey":                 enumStrings(types.SpaceSortKey("").Values()),
	"SpaceStatus":                  enumStrings(types.SpaceStatus("").Values()),
	"StudioWebPortal":              enumStrings(types.StudioWebPortal("").Values()),
	"TagPropagation":               enumStrings(types.TagPropagation("").Values()),
	"UserProfileSortKey":           enumStrings(types.UserProfileSortKey("").Values()),
	"UserProfileStatus":            enumStrings(types.UserProfileStatus("").Values()),
}

func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// model is compiled once; a broken embedded model is a build defect, so it panics.
var model = mustLoadModel()

func mustLoadModel() *serviceModel {
	m, err := loadModel("model/sagemaker-apps-model.json", "model/sagemaker-fake-extra.json", "model/sagemaker-sdk-overlay.json")
	if err != nil {
		panic("sagemakerfake: embedded service model: " + err.Error())
	}
	return m
}

func loadModel(files ...string) (*serviceModel, error) {
	var raw rawModel
	raw.Shapes = map[string]rawShape{}
	for i, name := range files {
		data, err := modelFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var part rawModel
		if err := json.Unmarshal(data, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if i == 0 {
			raw.Metadata = part.Metadata
			raw.Operations = part.Operations
		} else {
			for k, v := range part.Operations {
				raw.Operations[k] = v
			}
		}
		for k, v := range part.Shapes {
			if _, dup := raw.Shapes[k]; dup {
				return nil, fmt.Errorf("%s: shape %s defined twice", name, k)
			}
			raw.Shapes[k] = v
		}
		for shapeName, members := range part.Members {
			rs, ok := raw.Shapes[shapeName]
			if !ok || rs.Type != "structure" {
				return nil, fmt.Errorf("%s: members for %s, which is not a structure of the files before it", name, shapeName)
			}
			for mname, mv := range members {
				if _, dup := rs.Members[mname]; dup {
					return nil, fmt.Errorf("%s: %s already has member %s", name, shapeName, mname)
				}
				rs.Members[mname] = mv
			}
		}
	}

	m := &serviceModel{
		targetPrefix: raw.Metadata.TargetPrefix,
		shapes:       make(map[string]*shape, len(raw.Shapes)),
		operations:   make(map[string]*operation, len(raw.Operations)),
	}
	for name, rs := range raw.Shapes {
		m.shapes[name] = &shape{name: name, typ: rs.Type, union: rs.Union, min: rs.Min, max: rs.Max, pattern: rs.Pattern}
	}
	lookup := func(name string) (*shape, error) {
		s, ok := m.shapes[name]
		if !ok {
			return nil, fmt.Errorf("shape %s is referenced but not defined", name)
		}
		return s, nil
	}
	for name, rs := range raw.Shapes {
		s := m.shapes[name]
		if rs.Pattern != "" {
			p := rs.Pattern
			if alt, ok := unsupportedPatterns[p]; ok {
				p = alt
			}
			re, err := regexp.Compile(`^(?:` + p + `)$`)
			if err != nil {
				return nil, fmt.Errorf("shape %s: pattern: %w", name, err)
			}
			s.re = re
		}
		if rs.Enum != nil {
			s.enum = slices.Clone(rs.Enum)
			for _, v := range sdkEnumValues[name] {
				if !slices.Contains(s.enum, v) {
					s.enum = append(s.enum, v)
				}
			}
			s.enumSet = make(map[string]struct{}, len(s.enum))
			for _, v := range s.enum {
				s.enumSet[v] = struct{}{}
			}
		}
		if rs.Member != nil {
			elem, err := lookup(rs.Member.Shape)
			if err != nil {
				return nil, err
			}
			s.listElem = elem
		}
		if rs.Members != nil {
			s.byName = make(map[string]*member, len(rs.Members))
			for mname, rm := range rs.Members {
				target, err := lookup(rm.Shape)
				if err != nil {
					return nil, err
				}
				mb := &member{name: mname, path: lowerFirst(mname), shape: target, required: slices.Contains(rs.Required, mname)}
				s.members = append(s.members, mb)
				s.byName[mname] = mb
			}
			sort.Slice(s.members, func(i, j int) bool { return s.members[i].name < s.members[j].name })
		}
	}
	for name, ro := range raw.Operations {
		op := &operation{name: name}
		if ro.Input != nil {
			in, err := lookup(ro.Input.Shape)
			if err != nil {
				return nil, err
			}
			op.input = in
		}
		if ro.Output != nil {
			out, err := lookup(ro.Output.Shape)
			if err != nil {
				return nil, err
			}
			op.output = out
		}
		m.operations[name] = op
	}
	return m, nil
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+('a'-'A')) + s[1:]
}
