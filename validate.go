package sagemakerapp

import (
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// FieldErrorType is the kind of rule a field broke. Callers match on it, never on error text.
type FieldErrorType string

// The kinds of FieldError.
const (
	// FieldRequired: a value is missing or empty.
	FieldRequired FieldErrorType = "Required"
	// FieldInvalid: a value does not match the service model's pattern, or is not valid UTF-8.
	FieldInvalid FieldErrorType = "Invalid"
	// FieldNotSupported: a value is not in the enum the SDK knows (AppType, InstanceType), or not
	// supported for this app type.
	FieldNotSupported FieldErrorType = "NotSupported"
	// FieldDuplicate: a tag key repeats an earlier one.
	FieldDuplicate FieldErrorType = "Duplicate"
	// FieldTooLong: a string has more Unicode code points than the model allows.
	FieldTooLong FieldErrorType = "TooLong"
	// FieldTooMany: a list has more elements than the model allows.
	FieldTooMany FieldErrorType = "TooMany"
	// FieldForbidden: a value is valid on its own but not allowed here (a reserved tag prefix,
	// SpaceName beside UserProfileName, UserProfileName on an app type that runs in spaces, a
	// training plan on an app type without them).
	FieldForbidden FieldErrorType = "Forbidden"
)

// FieldError is one problem with one field of a request. Field is the SDK member path
// ("AppName", "Tags[3].Key", "ResourceSpec.InstanceType"), Type the kind of rule, Value the
// offending value ("" for a missing one) and Detail the rule in words.
//
// Match on Field and Type; the text of Error and Detail is for people and may change.
type FieldError struct {
	Field  string
	Type   FieldErrorType
	Value  string
	Detail string
}

var _ error = (*FieldError)(nil)

// Error returns the field, the kind, the value (quoted, shortened) and the rule.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.Field)
	b.WriteString(": ")
	b.WriteString(string(e.Type))
	if e.Value != "" || e.Type == FieldInvalid {
		b.WriteByte(' ')
		b.WriteString(quoteShort(e.Value, 64))
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Is reports whether target is ErrInvalidInput.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidInput }

// quoteShort quotes s, keeping at most max code points so that a 2 KiB ARN does not flood a log.
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

// ValidationError holds every problem Validate found in one request. It is returned only when
// there is at least one problem; errors.Is(err, ErrInvalidInput) is true, and errors.As reaches each
// *FieldError through Unwrap.
type ValidationError struct {
	Problems []*FieldError
}

var _ error = (*ValidationError)(nil)

// Error lists the problems on one line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("sagemakerapp: invalid request: ")
	if len(e.Problems) > 1 {
		fmt.Fprintf(&b, "%d problems: ", len(e.Problems))
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Is reports whether target is ErrInvalidInput.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidInput }

// Unwrap returns the problems, so that errors.As finds a *FieldError.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// ValidateOption changes what Validate checks. Build one with WithDefaults or
// AllowUnknownInstanceTypes; the zero ValidateOption changes nothing. Options are plain values,
// not functions, so that validation stays on the stack.
type ValidateOption struct {
	c validateConfig
}

type validateConfig struct {
	allowUnknownInstanceTypes bool
	allowUnknownAppTypes      bool
	// defaults holds the levels below the app that may set an instance type; it is checked only
	// when checkDefaults is set, since an empty list then means that no level sets one.
	checkDefaults bool
	defaults      []defaultLevel
}

func (c *validateConfig) apply(o ValidateOption) {
	c.allowUnknownInstanceTypes = c.allowUnknownInstanceTypes || o.c.allowUnknownInstanceTypes
	c.allowUnknownAppTypes = c.allowUnknownAppTypes || o.c.allowUnknownAppTypes
	if o.c.checkDefaults {
		c.checkDefaults, c.defaults = true, o.c.defaults
	}
}

// defaultLevel is one place a default ResourceSpec comes from, named for the error text.
type defaultLevel struct {
	name string
	spec *types.ResourceSpec
}

// WithDefaults gives Validate the default ResourceSpecs that apply below the app, most specific
// first: for a user-profile app the profile's and then the domain's; for a space app the levels of
// facts §2.4. Each is the app type's own DefaultResourceSpec at that level
// (KernelGatewayAppSettings, JupyterLabAppSettings, CodeEditorAppSettings). With it, a
// KernelGateway app whose instance type is set at no level is a FieldRequired problem on
// ResourceSpec.InstanceType, and a JupyterLab or CodeEditor app whose image (SageMakerImageArn or
// SageMakerImageVersionArn; "None" is no image) is set at no level is one on
// ResourceSpec.SageMakerImageArn, as the service would refuse them. Nil specs are levels that set
// nothing. Without this option these rules are not checked, since Validate cannot know the
// defaults; Client.CreateApp reads them itself.
func WithDefaults(specs ...*types.ResourceSpec) ValidateOption {
	levels := make([]defaultLevel, len(specs))
	for i, s := range specs {
		name := fmt.Sprintf("default #%d", i+1)
		switch i {
		case 0:
			name = "the user profile's or space's default"
		case 1:
			name = "the domain's default"
		}
		levels[i] = defaultLevel{name: name, spec: s}
	}
	return ValidateOption{validateConfig{checkDefaults: true, defaults: levels}}
}

// AllowUnknownInstanceTypes lets instance types that the SDK does not know yet pass, for a service
// that accepts them before the SDK lists them. The other instance-type rules still apply.
func AllowUnknownInstanceTypes() ValidateOption {
	return ValidateOption{validateConfig{allowUnknownInstanceTypes: true}}
}

// AllowUnknownAppTypes lets app types that the SDK does not know yet pass, for a service that
// accepts them before the SDK lists them. Such an app type must still have the shape of one
// (ASCII letters and digits, starting with a letter); the rules of particular app types
// (JupyterServer only on "system", training plans) apply only to the types the SDK knows.
func AllowUnknownAppTypes() ValidateOption {
	return ValidateOption{validateConfig{allowUnknownAppTypes: true}}
}

// Validate checks in against every rule of the service model and the service that can be checked
// without a call: required members, enums, lengths (in Unicode code points), the model's patterns
// anchored at both ends, the tag rules, exactly one of UserProfileName or SpaceName, JupyterLab
// and CodeEditor apps in a space (SpaceName, never UserProfileName), JupyterServer apps on
// "system" only, and TrainingPlanArn only on JupyterLab and CodeEditor apps. It returns nil
// or a *ValidationError that lists every problem. A valid request is checked without allocating.
func Validate(in *sagemaker.CreateAppInput, opts ...ValidateOption) error {
	var cfg validateConfig
	for _, o := range opts {
		cfg.apply(o)
	}
	if ps := validateCreateApp(in, &cfg); ps != nil {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// fieldPath is a member path built only when a problem is reported, so that a valid request
// costs no string work: {name: "AppName"}, {parent: "Tags", index: 3, name: "Key"}.
type fieldPath struct {
	parent string
	index  int // -1: parent is not a list
	name   string
}

func field(name string) fieldPath { return fieldPath{index: -1, name: name} }

func (p fieldPath) String() string {
	switch {
	case p.parent == "":
		return p.name
	case p.index < 0:
		return p.parent + "." + p.name
	case p.name == "":
		return p.parent + "[" + strconv.Itoa(p.index) + "]"
	}
	return p.parent + "[" + strconv.Itoa(p.index) + "]." + p.name
}

// problems collects FieldErrors; it stays nil, and allocates nothing, while there are none.
type problems []*FieldError

func (ps *problems) add(p fieldPath, t FieldErrorType, value, detail string) {
	*ps = append(*ps, &FieldError{Field: p.String(), Type: t, Value: value, Detail: detail})
}

// stringRule is a string member's constraints in the service model.
type stringRule struct {
	min, max int
	pattern  string // as the model writes it, for the message
	match    func(string) bool
	// asciiOnly is set when a match implies valid UTF-8: the pattern admits only ASCII, or, for
	// tags, the scanner decodes every rune and refuses the replacement character.
	asciiOnly bool
}

var (
	domainIDRule        = stringRule{min: 1, max: 63, pattern: patternDomainID, match: matchDomainID, asciiOnly: true}
	nameRule            = stringRule{min: 1, max: 63, pattern: patternName, match: matchName, asciiOnly: true}
	tagKeyRule          = stringRule{min: 1, max: 128, pattern: patternTag, match: matchTag, asciiOnly: true}
	tagValueRule        = stringRule{min: 0, max: 256, pattern: patternTag, match: matchTag, asciiOnly: true}
	imageARNRule        = stringRule{min: 0, max: 256, pattern: patternImageARN, match: matchImageARN}
	imageVersionARNRule = stringRule{min: 0, max: 256, pattern: patternImageVersionARN, match: matchImageVersionARN}
	imageAliasRule      = stringRule{min: 1, max: 128, pattern: patternImageAlias, match: matchImageAlias}
	lifecycleARNRule    = stringRule{min: 0, max: 256, pattern: patternLifecycleARN, match: matchLifecycleConfigARN}
	trainingPlanARNRule = stringRule{min: 0, max: 2048, pattern: patternTrainingPlanARN, match: matchTrainingPlanARN}
)

// maxTags is the model's cap on TagList.
const maxTags = 50

// check reports the problems of s under r. Lengths are code points, as the service counts them.
// A value that matches, fits in max bytes and is valid UTF-8 is settled in one pass of the
// scanner; only a value with a problem pays for the full diagnosis.
func (r *stringRule) check(ps *problems, p fieldPath, s string) {
	if s != "" && len(s) <= r.max && r.match(s) && (r.asciiOnly || utf8.ValidString(s)) {
		return
	}
	if !utf8.ValidString(s) {
		ps.add(p, FieldInvalid, s, "must be valid UTF-8")
		return
	}
	n := utf8.RuneCountInString(s)
	if n < r.min {
		// Every min here is 0 or 1, so this is the empty string.
		ps.add(p, FieldRequired, s, "must not be empty")
		return
	}
	if n > r.max {
		ps.add(p, FieldTooLong, s, fmt.Sprintf("must have at most %d characters, has %d", r.max, n))
	}
	if !r.match(s) {
		ps.add(p, FieldInvalid, s, "must match the pattern ^"+r.pattern+"$")
	}
}

// required checks a required member: nil and "" are both missing.
func (r *stringRule) required(ps *problems, p fieldPath, v *string) {
	if v == nil || *v == "" {
		ps.add(p, FieldRequired, "", "must be set")
		return
	}
	r.check(ps, p, *v)
}

// optional checks a member that may be nil.
func (r *stringRule) optional(ps *problems, p fieldPath, v *string) {
	if v != nil {
		r.check(ps, p, *v)
	}
}

func validateCreateApp(in *sagemaker.CreateAppInput, cfg *validateConfig) []*FieldError {
	var ps problems
	if in == nil {
		ps.add(field("CreateAppInput"), FieldRequired, "", "the input must not be nil")
		return ps
	}
	domainIDRule.required(&ps, field("DomainId"), in.DomainId)
	nameRule.required(&ps, field("AppName"), in.AppName)
	validateAppType(&ps, in.AppType, cfg.allowUnknownAppTypes)
	validateOwner(&ps, in.UserProfileName, in.SpaceName)
	if in.UserProfileName != nil && appTypeRules[in.AppType].spaceOnly {
		ps.add(field("UserProfileName"), FieldForbidden, *in.UserProfileName, fmt.Sprintf(
			"%s apps run in spaces, not on a user profile: set SpaceName instead (for one user's app, a private space: PrivateSpace and EnsureSpace)", in.AppType))
	}
	validateTags(&ps, in.Tags)
	validateResourceSpec(&ps, in.AppType, in.ResourceSpec, cfg)
	return ps
}

// validateAppType checks an app type against the SDK's enum or, when allowUnknown is set, only
// for the shape every app type has.
func validateAppType(ps *problems, t AppType, allowUnknown bool) {
	switch {
	case t == "":
		ps.add(field("AppType"), FieldRequired, "", "must be set")
	case IsKnownAppType(t):
	case !allowUnknown:
		ps.add(field("AppType"), FieldNotSupported, string(t), fmt.Sprintf("must be one of %v; allow newer ones with AllowUnknownAppTypes", AppTypes()))
	case !isAppTypeShaped(string(t)):
		ps.add(field("AppType"), FieldInvalid, string(t), "must be ASCII letters and digits, starting with a letter, at most 63")
	}
}

// isAppTypeShaped reports whether s looks like an app type: every one the service has is a
// CamelCase word (JupyterLab, RStudioServerPro), which is also what its ARN segment holds.
func isAppTypeShaped(s string) bool {
	if s == "" || len(s) > 63 || !('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// validateOwner applies "exactly one of UserProfileName or SpaceName": the model documents each as
// required when the other is absent.
func validateOwner(ps *problems, user, space *string) {
	switch {
	case user == nil && space == nil:
		ps.add(field("UserProfileName"), FieldRequired, "", "exactly one of UserProfileName or SpaceName must be set")
	case user != nil && space != nil:
		ps.add(field("SpaceName"), FieldForbidden, *space, "must not be set together with UserProfileName: set exactly one")
	}
	nameRule.optional(ps, field("UserProfileName"), user)
	nameRule.optional(ps, field("SpaceName"), space)
}

func validateTags(ps *problems, tags []types.Tag) {
	if len(tags) > maxTags {
		ps.add(field("Tags"), FieldTooMany, "", fmt.Sprintf("must have at most %d tags, has %d", maxTags, len(tags)))
	}
	var seen keySet
	for i := range tags {
		key, value := tags[i].Key, tags[i].Value
		kp := fieldPath{parent: "Tags", index: i, name: "Key"}
		if key == nil {
			ps.add(kp, FieldRequired, "", "must be set")
		} else {
			k := *key
			tagKeyRule.check(ps, kp, k)
			if hasReservedPrefix(k) {
				ps.add(kp, FieldForbidden, k, "the aws: prefix is reserved for AWS's own tags")
			}
			if j := seen.add(tags, i); j >= 0 {
				ps.add(kp, FieldDuplicate, k, fmt.Sprintf("repeats the key of Tags[%d]; tag keys must be unique", j))
			}
		}
		vp := fieldPath{parent: "Tags", index: i, name: "Value"}
		if value == nil {
			ps.add(vp, FieldRequired, "", "must be set (it may be empty)")
		} else {
			tagValueRule.check(ps, vp, *value)
		}
	}
}

// keySet finds repeated tag keys in one pass without allocating: an open-addressing table of key
// hashes (hash/maphash), twice as large as a valid list can fill, that compares keys only when
// their hashes are equal. A list too long to be valid spills into a map.
type keySet struct {
	hashes [128]uint64 // 0: empty slot
	index  [128]uint8
	spill  map[string]int
}

// tagKeySeed seeds the hashes of tag keys; one per process, as maphash asks.
var tagKeySeed = maphash.MakeSeed()

// add records tags[i].Key (not nil) and returns the index of an earlier equal key, or -1.
func (s *keySet) add(tags []types.Tag, i int) int {
	k := *tags[i].Key
	if len(tags) > maxTags {
		if s.spill == nil {
			s.spill = make(map[string]int, len(tags))
		}
		if j, ok := s.spill[k]; ok {
			return j
		}
		s.spill[k] = i
		return -1
	}
	h := maphash.String(tagKeySeed, k) | 1 // never 0, the mark of an empty slot
	for slot := h >> 57; ; slot = (slot + 1) % 128 {
		switch s.hashes[slot] {
		case 0:
			s.hashes[slot], s.index[slot] = h, uint8(i)
			return -1
		case h:
			if j := int(s.index[slot]); *tags[j].Key == k {
				return j
			}
		}
	}
}

// hasReservedPrefix reports whether a tag key starts with "aws:" in any case.
func hasReservedPrefix(k string) bool {
	return len(k) >= 4 && k[3] == ':' && k[0]|0x20 == 'a' && k[1]|0x20 == 'w' && k[2]|0x20 == 's'
}

func validateResourceSpec(ps *problems, appType AppType, spec *types.ResourceSpec, cfg *validateConfig) {
	rule := appTypeRules[appType]
	var instanceType InstanceType
	if spec != nil {
		instanceType = spec.InstanceType
	}
	p := func(name string) fieldPath { return fieldPath{parent: "ResourceSpec", index: -1, name: name} }
	if cfg.checkDefaults {
		validateDefaults(ps, appType, spec, cfg.defaults)
	}
	switch {
	case instanceType == "":
	case rule.onlyInstanceType != "" && instanceType != rule.onlyInstanceType:
		ps.add(p("InstanceType"), FieldNotSupported, string(instanceType),
			fmt.Sprintf("a %s app supports only the instance type %q", appType, rule.onlyInstanceType))
	case !cfg.allowUnknownInstanceTypes && !IsKnownInstanceType(instanceType):
		ps.add(p("InstanceType"), FieldNotSupported, string(instanceType),
			fmt.Sprintf("is not one of the %d instance types the SDK knows (see InstanceTypes); allow newer ones with AllowUnknownInstanceTypes", len(knownInstanceTypes)))
	}
	if spec == nil {
		return
	}
	imageARNRule.optional(ps, p("SageMakerImageArn"), spec.SageMakerImageArn)
	imageVersionARNRule.optional(ps, p("SageMakerImageVersionArn"), spec.SageMakerImageVersionArn)
	imageAliasRule.optional(ps, p("SageMakerImageVersionAlias"), spec.SageMakerImageVersionAlias)
	lifecycleARNRule.optional(ps, p("LifecycleConfigArn"), spec.LifecycleConfigArn)
	trainingPlanARNRule.optional(ps, p("TrainingPlanArn"), spec.TrainingPlanArn)
	// "None" is the model's value that clears a training plan, which any app type may send.
	if tp := spec.TrainingPlanArn; tp != nil && *tp != "None" && IsKnownAppType(appType) && !rule.trainingPlan {
		ps.add(p("TrainingPlanArn"), FieldForbidden, *spec.TrainingPlanArn,
			fmt.Sprintf("only JupyterLab and CodeEditor apps support a training plan, not %s", appType))
	}
}

// validateDefaults applies the precedence rule (see resolve.go) to an app that lacks what its
// type needs: a KernelGateway app needs an instance type, a JupyterLab or CodeEditor app an image,
// at some level below it, or the service refuses it.
func validateDefaults(ps *problems, appType AppType, spec *types.ResourceSpec, levels []defaultLevel) {
	need := appTypeRules[appType].needs
	if need.givenBy(spec) {
		return
	}
	for _, l := range levels {
		if need.givenBy(l.spec) {
			return
		}
	}
	name, what := "InstanceType", "an instance type"
	if need == needImage {
		name, what = "SageMakerImageArn", "an image (SageMakerImageArn or SageMakerImageVersionArn)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "a %s app needs %s, and none is set on the app", appType, what)
	for i, l := range levels {
		if i == len(levels)-1 {
			b.WriteString(" or ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(l.name)
	}
	ps.add(fieldPath{parent: "ResourceSpec", index: -1, name: name}, FieldRequired, "", b.String())
}
