package sagemakerapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Changing a space (ConflictUpdate): which members of a CreateSpaceInput differ from the space as
// DescribeSpace reports it, which of them UpdateSpace can change (facts §7.2a), and the check of an
// idle timeout against the levels above the space (facts §7.6).

// Field paths of the space members EnsureSpace compares and updates.
const (
	fieldEbsSize     = "SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb"
	fieldDisplayName = "SpaceDisplayName"
	fieldRemote      = "SpaceSettings.RemoteAccess"
	fieldFileSystems = "SpaceSettings.CustomFileSystems"
)

// Bounds of an idle timeout in the model (IdleTimeoutInMinutes, MinIdleTimeoutInMinutes and
// MaxIdleTimeoutInMinutes alike).
const (
	minIdleTimeout = 60
	maxIdleTimeout = 525600
)

// spaceAppSettings says where one app type's members are in a space's settings.
type spaceAppSettings struct {
	name string // the member of SpaceSettings: "JupyterLabAppSettings", "CodeEditorAppSettings"
	spec func(*types.SpaceSettings) *types.ResourceSpec
	idle func(*types.SpaceSettings) *int32
	// set puts spec and idle (each if not nil) into s.
	set func(s *types.SpaceSettings, spec *types.ResourceSpec, idle *int32)
}

var spaceAppMembers = []spaceAppSettings{
	{
		name: "JupyterLabAppSettings",
		spec: func(s *types.SpaceSettings) *types.ResourceSpec {
			if s == nil || s.JupyterLabAppSettings == nil {
				return nil
			}
			return s.JupyterLabAppSettings.DefaultResourceSpec
		},
		idle: func(s *types.SpaceSettings) *int32 {
			if s == nil || s.JupyterLabAppSettings == nil || s.JupyterLabAppSettings.AppLifecycleManagement == nil ||
				s.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings == nil {
				return nil
			}
			return s.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes
		},
		set: func(s *types.SpaceSettings, spec *types.ResourceSpec, idle *int32) {
			if s.JupyterLabAppSettings == nil {
				s.JupyterLabAppSettings = &types.SpaceJupyterLabAppSettings{}
			}
			if spec != nil {
				s.JupyterLabAppSettings.DefaultResourceSpec = cloneResourceSpec(spec)
			}
			if idle != nil {
				s.JupyterLabAppSettings.AppLifecycleManagement = &types.SpaceAppLifecycleManagement{IdleSettings: &types.SpaceIdleSettings{IdleTimeoutInMinutes: aws.Int32(*idle)}}
			}
		},
	},
	{
		name: "CodeEditorAppSettings",
		spec: func(s *types.SpaceSettings) *types.ResourceSpec {
			if s == nil || s.CodeEditorAppSettings == nil {
				return nil
			}
			return s.CodeEditorAppSettings.DefaultResourceSpec
		},
		idle: func(s *types.SpaceSettings) *int32 {
			if s == nil || s.CodeEditorAppSettings == nil || s.CodeEditorAppSettings.AppLifecycleManagement == nil ||
				s.CodeEditorAppSettings.AppLifecycleManagement.IdleSettings == nil {
				return nil
			}
			return s.CodeEditorAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes
		},
		set: func(s *types.SpaceSettings, spec *types.ResourceSpec, idle *int32) {
			if s.CodeEditorAppSettings == nil {
				s.CodeEditorAppSettings = &types.SpaceCodeEditorAppSettings{}
			}
			if spec != nil {
				s.CodeEditorAppSettings.DefaultResourceSpec = cloneResourceSpec(spec)
			}
			if idle != nil {
				s.CodeEditorAppSettings.AppLifecycleManagement = &types.SpaceAppLifecycleManagement{IdleSettings: &types.SpaceIdleSettings{IdleTimeoutInMinutes: aws.Int32(*idle)}}
			}
		},
	},
}

func ebsSize(s *types.SpaceSettings) *int32 {
	if s == nil || s.SpaceStorageSettings == nil || s.SpaceStorageSettings.EbsStorageSettings == nil {
		return nil
	}
	return s.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb
}

// spaceUpdate returns the UpdateSpaceInput that makes sp have the members in sets that it lacks or
// holds with another value, with their paths; nil when none differs. A smaller EBS size than the
// space's is not among them: storage only grows (facts §7.2a), and shrink names it.
func spaceUpdate(in *sagemaker.CreateSpaceInput, sp *Space) (up *sagemaker.UpdateSpaceInput, fields []string, shrink bool) {
	want, got := in.SpaceSettings, sp.settings
	up = &sagemaker.UpdateSpaceInput{DomainId: in.DomainId, SpaceName: in.SpaceName}
	settings := func() *types.SpaceSettings {
		if up.SpaceSettings == nil {
			up.SpaceSettings = &types.SpaceSettings{}
		}
		return up.SpaceSettings
	}
	if d := in.SpaceDisplayName; d != nil && aws.ToString(sp.displayName) != *d {
		up.SpaceDisplayName = aws.String(*d)
		fields = append(fields, fieldDisplayName)
	}
	if want != nil {
		for _, m := range spaceAppMembers {
			if w := m.spec(want); w != nil {
				if specDiff(&sagemaker.CreateAppInput{ResourceSpec: w}, m.spec(got)) != nil {
					m.set(settings(), w, nil)
					fields = append(fields, "SpaceSettings."+m.name+".DefaultResourceSpec")
				}
			}
			if w := m.idle(want); w != nil {
				if g := m.idle(got); g == nil || *g != *w {
					m.set(settings(), nil, w)
					fields = append(fields, "SpaceSettings."+m.name+".AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes")
				}
			}
		}
		if w := ebsSize(want); w != nil {
			switch g := ebsSize(got); {
			case g != nil && *w < *g:
				shrink = true
			case g == nil || *w > *g:
				settings().SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(*w)}}
				fields = append(fields, fieldEbsSize)
			}
		}
		if w := want.RemoteAccess; w != "" && (got == nil || got.RemoteAccess != w) {
			settings().RemoteAccess = w
			fields = append(fields, fieldRemote)
		}
		if w := want.CustomFileSystems; w != nil && (got == nil || !reflect.DeepEqual(w, got.CustomFileSystems)) {
			settings().CustomFileSystems = w
			fields = append(fields, fieldFileSystems)
		}
	}
	if fields == nil {
		return nil, nil, shrink
	}
	return up, fields, shrink
}

// shrinkConflict is the SpaceConflictError of a request for a smaller EBS volume than the space's.
func shrinkConflict(in *sagemaker.CreateSpaceInput, sp *Space) *SpaceConflictError {
	return &SpaceConflictError{Existing: sp, Fields: []string{fieldEbsSize},
		asked: []string{strconv.Itoa(int(*ebsSize(in.SpaceSettings)))}, found: []string{strconv.Itoa(int(*ebsSize(sp.settings)))}}
}

// checkIdleTimeout refuses, before any write, a space whose requested idle timeout lies outside the
// MinIdleTimeoutInMinutes and MaxIdleTimeoutInMinutes of the levels above it (facts §7.6): for a
// private space its owner's UserSettings, then the domain's DefaultUserSettings; for a shared one,
// the domain's DefaultSpaceSettings (JupyterLab only), then its DefaultUserSettings; each of the
// minimum and maximum from the first level that sets it. It reads the levels as the instance-type
// check does, with the same cache, and never refuses on a failed read or a cached view: a read
// that fails lets the request go, for the service to decide, and a refusal follows a read made
// after the call began.
func (c *Client) checkIdleTimeout(ctx context.Context, in *sagemaker.CreateSpaceInput, private bool, owner string, optFns []func(*sagemaker.Options)) error {
	var m *spaceAppSettings
	var idle *int32
	for i := range spaceAppMembers {
		if v := spaceAppMembers[i].idle(in.SpaceSettings); v != nil {
			m, idle = &spaceAppMembers[i], v
			break
		}
	}
	if idle == nil {
		return nil
	}
	start := c.now()
	var notBefore time.Time
	if c.opts.DefaultsTTL < 0 {
		notBefore = start
	}
	domainID := aws.ToString(in.DomainId)
	for {
		lo, hi, oldest, ok, err := c.idleBounds(ctx, domainID, m.name, private, owner, notBefore, optFns)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			c.logger().LogAttrs(ctx, slog.LevelDebug, "sagemakerapp: could not read the idle timeout's bounds; the service will decide",
				slog.String("domain", domainID), slog.Any("error", err))
			return nil
		}
		if !ok || (lo == nil || *idle >= *lo) && (hi == nil || *idle <= *hi) {
			return nil
		}
		if !oldest.Before(start) {
			bound := fmt.Sprintf("at least %d", *lo)
			if hi != nil && *idle > *hi {
				bound = fmt.Sprintf("at most %d", *hi)
			}
			return &ValidationError{Problems: []*FieldError{{
				Field: "SpaceSettings." + m.name + ".AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes", Type: FieldInvalid,
				Value: strconv.Itoa(int(*idle)), Detail: "must be " + bound + ", the bound the levels above the space set (MinIdleTimeoutInMinutes and MaxIdleTimeoutInMinutes)",
			}}}
		}
		notBefore = start // a cached view says no: read again before refusing
	}
}

// idleBounds reads the idle timeout's bounds for a space's app settings member: ok is false when a
// level may not be read.
func (c *Client) idleBounds(ctx context.Context, domainID, member string, private bool, owner string, notBefore time.Time, optFns []func(*sagemaker.Options)) (lo, hi *int32, oldest time.Time, ok bool, err error) {
	idle := func(l *types.AppLifecycleManagement) *types.IdleSettings {
		if l == nil {
			return nil
		}
		return l.IdleSettings
	}
	user := func(u *types.UserSettings) *types.IdleSettings {
		switch {
		case u == nil:
		case member == "JupyterLabAppSettings" && u.JupyterLabAppSettings != nil:
			return idle(u.JupyterLabAppSettings.AppLifecycleManagement)
		case member == "CodeEditorAppSettings" && u.CodeEditorAppSettings != nil:
			return idle(u.CodeEditorAppSettings.AppLifecycleManagement)
		}
		return nil
	}
	var levels []func() (*types.IdleSettings, error)
	read := func(k defaultsKey, pick func(defaultsEntry) *types.IdleSettings) func() (*types.IdleSettings, error) {
		return func() (*types.IdleSettings, error) {
			e, err := c.readDefaults(ctx, k, notBefore, optFns)
			if err != nil {
				return nil, err
			}
			if e.denied {
				return nil, errLevelDenied
			}
			if oldest.IsZero() || e.read.Before(oldest) {
				oldest = e.read
			}
			return pick(e), nil
		}
	}
	domainKey := defaultsKey{domainID: domainID, kind: kindDomain}
	if private && owner != "" {
		levels = append(levels, read(defaultsKey{domainID, kindUserProfile, owner}, func(e defaultsEntry) *types.IdleSettings { return user(e.user) }))
	} else if !private && member == "JupyterLabAppSettings" {
		levels = append(levels, read(domainKey, func(e defaultsEntry) *types.IdleSettings {
			if e.domainSpace == nil || e.domainSpace.JupyterLabAppSettings == nil {
				return nil
			}
			return idle(e.domainSpace.JupyterLabAppSettings.AppLifecycleManagement)
		}))
	}
	levels = append(levels, read(domainKey, func(e defaultsEntry) *types.IdleSettings { return user(e.domainUser) }))
	for _, level := range levels {
		s, err := level()
		if errors.Is(err, errLevelDenied) {
			return nil, nil, oldest, false, nil
		}
		if err != nil {
			return nil, nil, oldest, false, err
		}
		if s == nil {
			continue
		}
		if lo == nil {
			lo = s.MinIdleTimeoutInMinutes
		}
		if hi == nil {
			hi = s.MaxIdleTimeoutInMinutes
		}
	}
	return lo, hi, oldest, true, nil
}

// errLevelDenied: the caller may not read a level of defaults.
var errLevelDenied = errors.New("sagemakerapp: may not read the level")
