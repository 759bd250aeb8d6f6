package sagemakerfake

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// SeedDomain creates a domain as CreateDomain would, but with the ID given (or a new one when id
// is ""), and returns the domain's ID. The input is checked exactly as on the wire, so the
// members the model requires (DomainName, AuthMode, DefaultUserSettings) must be set. An error
// is the service's answer, such as "ValidationException: 1 validation error detected: …".
func (s *Server) SeedDomain(id string, in *sagemaker.CreateDomainInput) (string, error) {
	m, err := s.seedInput("CreateDomain", wireJSON(in))
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
	d, aerr := s.createDomain(m, s.clock.Now(), id)
	if aerr != nil {
		return "", aerr
	}
	return d.id, nil
}

// SeedUserProfile creates a user profile as CreateUserProfile would.
func (s *Server) SeedUserProfile(in *sagemaker.CreateUserProfileInput) error {
	return s.seed("CreateUserProfile", wireJSON(in))
}

// SeedSpace creates a space as CreateSpace would.
func (s *Server) SeedSpace(in *sagemaker.CreateSpaceInput) error {
	return s.seed("CreateSpace", wireJSON(in))
}

// CheckCreateAppInput applies to in every check that CreateApp makes before it looks at the
// server's state: the model's constraints, then the rules of the service that the model does not
// express (exactly one of UserProfileName and SpaceName, unique tag keys without the reserved
// aws: prefix, TrainingPlanArn only for JupyterLab and CodeEditor apps, JupyterServer apps only on
// system). It returns nil, or the ValidationException (or SerializationException) that CreateApp
// would answer, as an error whose text is the service's message. The input goes through the same
// wire encoding as the SDK's, which replaces invalid UTF-8 with U+FFFD.
func CheckCreateAppInput(in *sagemaker.CreateAppInput) error {
	m, err := decodeInput(wireJSON(in))
	if err == nil {
		err = checkInput(model.operations["CreateApp"].input, m)
	}
	if err == nil {
		_, err = createAppRules(m)
	}
	if err != nil {
		return err
	}
	return nil
}

func (s *Server) seedInput(op string, body []byte) (map[string]any, error) {
	m, err := decodeInput(body)
	if err == nil {
		err = checkInput(model.operations[op].input, m)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Server) seed(op string, body []byte) error {
	m, err := s.seedInput(op, body)
	if err != nil {
		return err
	}
	if _, aerr := s.run(handlers[op], m); aerr != nil {
		return aerr
	}
	return nil
}

// Seed is the content of a seed file (the standalone server's -seed flag, or LoadSeed). Each entry
// is the JSON body of the Create request, as an AWS client would send it; a domain entry may also
// carry "DomainId" to fix its ID. For example:
//
//	{
//	  "Domains": [{"DomainId": "d-example12345", "DomainName": "example", "AuthMode": "IAM",
//	               "DefaultUserSettings": {"KernelGatewayAppSettings": {"DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}}}}],
//	  "UserProfiles": [{"DomainId": "d-example12345", "UserProfileName": "alice"}],
//	  "Spaces": [{"DomainId": "d-example12345", "SpaceName": "team", "SpaceSharingSettings": {"SharingType": "Shared"}}]
//	}
type Seed struct {
	Domains      []json.RawMessage
	UserProfiles []json.RawMessage
	Spaces       []json.RawMessage
}

// LoadSeed creates the domains, then the user profiles, then the spaces of a seed file; see Seed.
// It stops at the first entry that the service would refuse and names it in the error.
func (s *Server) LoadSeed(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var seed Seed
	if err := dec.Decode(&seed); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	for i, raw := range seed.Domains {
		m, err := s.seedInput("CreateDomain", raw)
		if err == nil {
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
		if err := s.seed("CreateUserProfile", raw); err != nil {
			return fmt.Errorf("seed: UserProfiles[%d]: %w", i, err)
		}
	}
	for i, raw := range seed.Spaces {
		if err := s.seed("CreateSpace", raw); err != nil {
			return fmt.Errorf("seed: Spaces[%d]: %w", i, err)
		}
	}
	return nil
}
