package sagemakerfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/schemas"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	smithy "github.com/aws/smithy-go"
)

// SeedDomain creates a domain as CreateDomain would, but with the ID given (or a new one when id
// is ""), and returns the domain's ID. The input is encoded by the SDK's own codec and checked
// exactly as on the wire, so the members the model requires (DomainName, AuthMode,
// DefaultUserSettings) must be set. An error is the service's answer as an *Error, such as one
// with Code CodeValidation and the message "1 validation error detected: …".
func (s *Server) SeedDomain(id string, in *sagemaker.CreateDomainInput) (string, error) {
	m, err := s.seedInput("CreateDomain", schemas.CreateDomain, schemas.CreateDomainRequest, in)
	if err != nil {
		return "", err
	}
	return s.seedDomain(id, m)
}

func (s *Server) seedDomain(id string, m map[string]any) (string, error) {
	if id != "" {
		c := checker{segs: []string{"domainId"}}
		c.str(model.shapes["DomainId"], id)
		if err := c.err(); err != nil {
			return "", err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.beginCause(cause{op: "SeedDomain"})
	defer s.endCause(now)
	d, err := s.createDomain(m, now, id)
	if err != nil {
		return "", err
	}
	return d.id, nil
}

// SeedUserProfile creates a user profile as CreateUserProfile would, except that it is InService
// at once: a seed stands for a profile that already exists. An error is an *Error.
func (s *Server) SeedUserProfile(in *sagemaker.CreateUserProfileInput) error {
	m, err := s.seedInput("CreateUserProfile", schemas.CreateUserProfile, schemas.CreateUserProfileRequest, in)
	if err != nil {
		return err
	}
	return s.seedUserProfile(m)
}

func (s *Server) seedUserProfile(m map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.beginCause(cause{op: "SeedUserProfile"})
	defer s.endCause(now)
	if _, err := s.createUserProfile(m, now, true); err != nil {
		return err
	}
	return nil
}

// SeedSpace creates a space as CreateSpace would, except that it is InService at once: a seed
// stands for a space that already exists. A space whose SpaceSharingSettings.SharingType is
// Private is owned by the user profile that OwnershipSettings names, which must exist; its apps
// take their defaults from that profile rather than from the domain's DefaultSpaceSettings (see
// the package documentation). An error is an *Error.
func (s *Server) SeedSpace(in *sagemaker.CreateSpaceInput) error {
	m, err := s.seedInput("CreateSpace", schemas.CreateSpace, schemas.CreateSpaceRequest, in)
	if err != nil {
		return err
	}
	return s.seedSpace(m)
}

func (s *Server) seedSpace(m map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.beginCause(cause{op: "SeedSpace"})
	defer s.endCause(now)
	if _, err := s.createSpace(m, now, true); err != nil {
		return err
	}
	return nil
}

// CheckCreateAppInput applies to in every check that CreateApp makes before it looks at the
// server's state: the model's constraints, then the rules of the service that the model does not
// express (exactly one of UserProfileName and SpaceName, unique tag keys without the reserved
// aws: prefix, TrainingPlanArn only for JupyterLab and CodeEditor apps, JupyterServer apps only on
// system). It returns nil, or the *Error that CreateApp would answer: Code CodeValidation (or
// CodeSerialization) and the service's message. The input goes through the SDK's own encoding,
// which replaces invalid UTF-8 with U+FFFD.
func CheckCreateAppInput(in *sagemaker.CreateAppInput) error {
	m, err := decodeSDKInput("CreateApp", schemas.CreateApp, schemas.CreateAppRequest, in)
	if err == nil {
		_, err = createAppRules(m)
	}
	if err != nil {
		return err
	}
	return nil
}

// CheckCreateAppWithDefaults applies CheckCreateAppInput's checks and then the rules of CreateApp
// that depend on the levels of defaults (facts §2.4 and §7.3), with defaults as the app type's
// DefaultResourceSpec at each level that has a member for it, most specific first (nil where a
// level sets none): a KernelGateway app needs an instance type, and a JupyterLab or CodeEditor
// app an image (SageMakerImageArn or SageMakerImageVersionArn other than "None"), from the
// request or from the first level that gives one. It is the fake's side of package
// sagemakerapp's Validate with WithDefaults, so that the two can be compared; it returns nil or
// the *Error that CreateApp would answer.
func CheckCreateAppWithDefaults(in *sagemaker.CreateAppInput, defaults ...*types.ResourceSpec) error {
	m, err := decodeSDKInput("CreateApp", schemas.CreateApp, schemas.CreateAppRequest, in)
	if err == nil {
		_, err = createAppRules(m)
	}
	if err != nil {
		return err
	}
	levels := make([]defaultSpec, len(defaults))
	for i, d := range defaults {
		levels[i].from = fmt.Sprintf("level %d", i+1)
		if d != nil {
			levels[i].spec = specMap(d)
		}
	}
	if _, err := resolveSpec(in.AppType, aws.ToString(in.AppName), parseResourceSpec(object(m, "ResourceSpec")), levels, nil); err != nil {
		return err
	}
	return nil
}

// specMap is an SDK ResourceSpec as the server stores a decoded one.
func specMap(r *types.ResourceSpec) map[string]any {
	m := map[string]any{}
	put := func(name, v string) {
		if v != "" {
			m[name] = v
		}
	}
	put("InstanceType", string(r.InstanceType))
	put("LifecycleConfigArn", aws.ToString(r.LifecycleConfigArn))
	put("SageMakerImageArn", aws.ToString(r.SageMakerImageArn))
	put("SageMakerImageVersionAlias", aws.ToString(r.SageMakerImageVersionAlias))
	put("SageMakerImageVersionArn", aws.ToString(r.SageMakerImageVersionArn))
	put("TrainingPlanArn", aws.ToString(r.TrainingPlanArn))
	return m
}

// decodeSDKInput encodes an SDK input as the SDK would send it, then decodes and checks it as the
// server does.
func decodeSDKInput(op string, opSchema, request *smithy.Schema, in smithy.Serializable) (map[string]any, *Error) {
	body, err := sdkBody(opSchema, request, in)
	if err != nil {
		return nil, serializationError("Could not encode the %s input: %v", op, err)
	}
	return decodeBody(op, body)
}

// decodeBody decodes a request body of op and checks it against the model.
func decodeBody(op string, body []byte) (map[string]any, *Error) {
	m, err := decodeInput(body)
	if err == nil {
		err = checkInput(model.operations[op].input, m)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Server) seedInput(op string, opSchema, request *smithy.Schema, in smithy.Serializable) (map[string]any, error) {
	m, err := decodeSDKInput(op, opSchema, request, in)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Seed is the content of a seed file (the standalone server's -seed flag, or LoadSeed). Each entry
// is the JSON body of the Create request, as an AWS client would send it; a domain entry may also
// carry "DomainId" to fix its ID. For example, a domain that still runs Studio Classic
// (StudioWebPortal DISABLED), so that KernelGateway apps can be created in it:
//
//	{
//	  "Domains": [{"DomainId": "d-example12345", "DomainName": "example", "AuthMode": "IAM",
//	               "DefaultUserSettings": {"StudioWebPortal": "DISABLED", "KernelGatewayAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}}}}],
//	  "UserProfiles": [{"DomainId": "d-example12345", "UserProfileName": "alice"}],
//	  "Spaces": [{"DomainId": "d-example12345", "SpaceName": "team", "SpaceSharingSettings": {"SharingType": "Shared"}}]
//	}
type Seed struct {
	Domains      []json.RawMessage
	UserProfiles []json.RawMessage
	Spaces       []json.RawMessage
}

// LoadSeed creates the domains, then the user profiles, then the spaces of a seed file; see Seed.
// The file is read strictly: it is one JSON object, with nothing after it but white space; its
// members are Domains, UserProfiles and Spaces, spelled exactly so (not "domains"), each at most
// once and each a JSON array. It stops at the first entry that the service would refuse and
// names it in the error.
func (s *Server) LoadSeed(data []byte) error {
	seed, err := decodeSeed(data)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	for i, raw := range seed.Domains {
		var err error
		m, derr := decodeBody("CreateDomain", raw)
		if derr != nil {
			err = derr
		} else {
			id, isString := m["DomainId"].(string)
			if m["DomainId"] != nil && !isString {
				err = serializationError("Expected string at 'domainId' but found %s", jsonKind(m["DomainId"]))
			} else {
				delete(m, "DomainId") // not a CreateDomain member: store the request as the wire would carry it
				_, err = s.seedDomain(id, m)
			}
		}
		if err != nil {
			return fmt.Errorf("seed: Domains[%d]: %w", i, err)
		}
	}
	for i, raw := range seed.UserProfiles {
		var err error
		if m, derr := decodeBody("CreateUserProfile", raw); derr != nil {
			err = derr
		} else {
			err = s.seedUserProfile(m)
		}
		if err != nil {
			return fmt.Errorf("seed: UserProfiles[%d]: %w", i, err)
		}
	}
	for i, raw := range seed.Spaces {
		var err error
		if m, derr := decodeBody("CreateSpace", raw); derr != nil {
			err = derr
		} else {
			err = s.seedSpace(m)
		}
		if err != nil {
			return fmt.Errorf("seed: Spaces[%d]: %w", i, err)
		}
	}
	return nil
}

// decodeSeed reads a seed file as LoadSeed documents it. encoding/json alone would take any
// case of a member name, the last of two, and stop after the first value without a word.
func decodeSeed(data []byte) (Seed, error) {
	var seed Seed
	lists := map[string]*[]json.RawMessage{"Domains": &seed.Domains, "UserProfiles": &seed.UserProfiles, "Spaces": &seed.Spaces}
	dec := json.NewDecoder(bytes.NewReader(data))
	notJSON := func(err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("the file ends before its JSON object does")
		}
		return fmt.Errorf("not valid JSON at byte %d: %w", dec.InputOffset(), err)
	}
	tok, err := dec.Token()
	if err != nil {
		return seed, notJSON(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return seed, errors.New("a seed is a JSON object with the members Domains, UserProfiles and Spaces")
	}
	seen := map[string]bool{}
	for dec.More() {
		if tok, err = dec.Token(); err != nil {
			return seed, notJSON(err)
		}
		name := tok.(string) // in an object, the decoder yields a name here
		dst, ok := lists[name]
		if !ok {
			return seed, fmt.Errorf("unknown field %q: a seed has the members Domains, UserProfiles and Spaces, spelled exactly so", name)
		}
		if seen[name] {
			return seed, fmt.Errorf("the member %s appears twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return seed, notJSON(err)
		}
		if raw[0] != '[' {
			return seed, fmt.Errorf("%s must be a JSON array of request bodies, not %s", name, jsonKindOf(raw))
		}
		if err := json.Unmarshal(raw, dst); err != nil { // an array, so of raw values: cannot fail
			return seed, notJSON(err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return seed, notJSON(err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return seed, fmt.Errorf("data after the seed's JSON object, which ends at byte %d: a seed is one object", end)
	}
	return seed, nil
}

// jsonKindOf names the JSON type of a raw value, for messages.
func jsonKindOf(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}
