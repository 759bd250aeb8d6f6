package sagemakerapp

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"golang.org/x/sync/singleflight"
)

// Precedence of defaults. What an app must have, an instance type for KernelGateway and an
// image for JupyterLab and CodeEditor, comes from its own ResourceSpec or, failing that, from the
// first level of default ResourceSpecs that gives it (facts §2.4, applied alike by sagemakerfake):
//
//	user-profile app:  the profile's UserSettings, the domain's DefaultUserSettings
//	shared-space app:  the space's SpaceSettings, the domain's DefaultSpaceSettings, DefaultUserSettings
//	private-space app: the space's SpaceSettings, the owner's UserSettings, DefaultUserSettings
//
// At each level the app type's own member holds the spec: KernelGatewayAppSettings,
// JupyterLabAppSettings or CodeEditorAppSettings, each with its DefaultResourceSpec (a space's
// are SpaceJupyterLabAppSettings and SpaceCodeEditorAppSettings; DefaultSpaceSettings has no
// CodeEditor member, so that level is not looked at for CodeEditor apps). The instance type and
// the image are one mechanism: the same reads, the same cache, the same levels, with a
// per-app-type accessor (appSettingsMembers) and a per-app-type need (defaultNeed).
//
// Only an app that lacks what it needs makes the Client read the levels, to fail fast with every
// level named instead of after a round trip. The read is an optimisation and never the reason a
// valid request is refused: a read that fails for any reason but the caller's context lets the
// request go, for the service to decide, and a refusal is made only on a view read after the call
// began, never on a cached one. Reads are cached per domain, user profile and space for
// Options.DefaultsTTL, and concurrent callers share one read.

// defaultNeed is what an app type must get from its request or from a level of defaults.
type defaultNeed uint8

const (
	needNothing      defaultNeed = iota
	needInstanceType             // ResourceSpec.InstanceType (KernelGateway)
	needImage                    // ResourceSpec.SageMakerImageArn or SageMakerImageVersionArn (JupyterLab, CodeEditor)
)

// givenBy reports whether spec gives what n needs. For an image, either ARN counts, and the
// literal "None" (the model's value that clears a member) counts as unset.
func (n defaultNeed) givenBy(spec *types.ResourceSpec) bool {
	switch {
	case n == needNothing:
		return true
	case spec == nil:
		return false
	case n == needInstanceType:
		return spec.InstanceType != ""
	}
	return isSetARN(spec.SageMakerImageArn) || isSetARN(spec.SageMakerImageVersionArn)
}

func isSetARN(p *string) bool { return p != nil && *p != "" && *p != "None" }

// needsDefaults reports whether in's app type needs something that in does not set.
func needsDefaults(in *sagemaker.CreateAppInput) bool {
	return !appTypeRules[in.AppType].needs.givenBy(in.ResourceSpec)
}

// settingsMembers says where an app type's DefaultResourceSpec is in each kind of settings
// (facts §2.3). A nil accessor is a shape without a member for the app type: that level is not
// looked at. Each accessor takes a nil settings value.
type settingsMembers struct {
	name         string // the member, for messages: "KernelGatewayAppSettings"
	user         func(*types.UserSettings) *types.ResourceSpec
	space        func(*types.SpaceSettings) *types.ResourceSpec
	defaultSpace func(*types.DefaultSpaceSettings) *types.ResourceSpec
}

var appSettingsMembers = map[AppType]settingsMembers{
	types.AppTypeKernelGateway: {
		name: "KernelGatewayAppSettings",
		user: func(s *types.UserSettings) *types.ResourceSpec {
			if s == nil || s.KernelGatewayAppSettings == nil {
				return nil
			}
			return s.KernelGatewayAppSettings.DefaultResourceSpec
		},
		space: func(s *types.SpaceSettings) *types.ResourceSpec {
			if s == nil || s.KernelGatewayAppSettings == nil {
				return nil
			}
			return s.KernelGatewayAppSettings.DefaultResourceSpec
		},
		defaultSpace: func(s *types.DefaultSpaceSettings) *types.ResourceSpec {
			if s == nil || s.KernelGatewayAppSettings == nil {
				return nil
			}
			return s.KernelGatewayAppSettings.DefaultResourceSpec
		},
	},
	types.AppTypeJupyterLab: {
		name: "JupyterLabAppSettings",
		user: func(s *types.UserSettings) *types.ResourceSpec {
			if s == nil || s.JupyterLabAppSettings == nil {
				return nil
			}
			return s.JupyterLabAppSettings.DefaultResourceSpec
		},
		space: func(s *types.SpaceSettings) *types.ResourceSpec {
			if s == nil || s.JupyterLabAppSettings == nil {
				return nil
			}
			return s.JupyterLabAppSettings.DefaultResourceSpec
		},
		defaultSpace: func(s *types.DefaultSpaceSettings) *types.ResourceSpec {
			if s == nil || s.JupyterLabAppSettings == nil {
				return nil
			}
			return s.JupyterLabAppSettings.DefaultResourceSpec
		},
	},
	types.AppTypeCodeEditor: {
		name: "CodeEditorAppSettings",
		user: func(s *types.UserSettings) *types.ResourceSpec {
			if s == nil || s.CodeEditorAppSettings == nil {
				return nil
			}
			return s.CodeEditorAppSettings.DefaultResourceSpec
		},
		space: func(s *types.SpaceSettings) *types.ResourceSpec {
			if s == nil || s.CodeEditorAppSettings == nil {
				return nil
			}
			return s.CodeEditorAppSettings.DefaultResourceSpec
		},
		// DefaultSpaceSettings has no CodeEditor member.
	},
}

// checkDefaults refuses a request that needs what no level gives it. It returns nil when some
// level gives it, when the levels cannot be read (the service decides), or a context error when
// ctx ended.
func (c *Client) checkDefaults(ctx context.Context, in *sagemaker.CreateAppInput, optFns []func(*sagemaker.Options)) error {
	if !needsDefaults(in) {
		return nil
	}
	start := c.now()
	var notBefore time.Time
	if c.opts.DefaultsTTL < 0 {
		notBefore = start
	}
	for {
		levels, oldest, err := c.defaultLevels(ctx, in, notBefore, optFns)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				if errors.Is(err, ctxErr) {
					return err
				}
				return ctxErr
			}
			c.logger().LogAttrs(ctx, slog.LevelDebug, "sagemakerapp: could not read the defaults; the service will decide",
				slog.String("domain", aws.ToString(in.DomainId)), slog.Any("error", err))
			return nil
		}
		if levels == nil { // the caller may not read them
			return nil
		}
		var ps problems
		validateDefaults(&ps, in.AppType, in.ResourceSpec, levels)
		if ps == nil {
			return nil
		}
		if !oldest.Before(start) {
			return &ValidationError{Problems: ps}
		}
		// The view that says "none" was cached before this call: an admin may have set a default
		// since. Read every level again before refusing.
		notBefore = start
	}
}

// levelSource is one level of defaults: what to read, how to name it, and where the app type's
// ResourceSpec is in what was read.
type levelSource struct {
	key   defaultsKey
	label string
	spec  func(defaultsEntry) *types.ResourceSpec
}

// defaultLevels reads the default ResourceSpecs below the app in, most specific first, up to the
// first that gives what the app type needs, and returns when the oldest of them was read. Entries
// read before notBefore are read again. levels is nil when the caller may not read a level.
func (c *Client) defaultLevels(ctx context.Context, in *sagemaker.CreateAppInput, notBefore time.Time, optFns []func(*sagemaker.Options)) (levels []defaultLevel, oldest time.Time, err error) {
	domainID := aws.ToString(in.DomainId)
	need := appTypeRules[in.AppType].needs
	m := appSettingsMembers[in.AppType]
	member := "." + m.name + ".DefaultResourceSpec"
	profile := func(role, name string) levelSource {
		return levelSource{defaultsKey{domainID, kindUserProfile, name}, role + " " + name + "'s UserSettings" + member,
			func(e defaultsEntry) *types.ResourceSpec { return m.user(e.user) }}
	}
	domainKey := defaultsKey{domainID: domainID, kind: kindDomain}
	domainUser := levelSource{domainKey, "domain " + domainID + "'s DefaultUserSettings" + member,
		func(e defaultsEntry) *types.ResourceSpec { return m.user(e.domainUser) }}

	var sources []levelSource
	if user := aws.ToString(in.UserProfileName); user != "" {
		sources = []levelSource{profile("user profile", user), domainUser}
	} else {
		// The levels after the space's own depend on whether it is private (facts §2.4).
		spaceName := aws.ToString(in.SpaceName)
		sources = []levelSource{{defaultsKey{domainID, kindSpace, spaceName}, "space " + spaceName + "'s SpaceSettings" + member,
			func(e defaultsEntry) *types.ResourceSpec { return m.space(e.space) }}}
	}
	var domain *defaultsEntry // read once per call, even when two levels come from it
	for i := 0; i < len(sources); i++ {
		src := sources[i]
		var e defaultsEntry
		if src.key.kind == kindDomain && domain != nil {
			e = *domain
		} else if e, err = c.readDefaults(ctx, src.key, notBefore, optFns); err != nil {
			return nil, oldest, err
		}
		if e.denied {
			return nil, oldest, nil
		}
		if src.key.kind == kindDomain {
			domain = &e
		}
		if oldest.IsZero() || e.read.Before(oldest) {
			oldest = e.read
		}
		spec := src.spec(e)
		levels = append(levels, defaultLevel{name: src.label, spec: spec})
		if need.givenBy(spec) {
			return levels, oldest, nil
		}
		if src.key.kind == kindSpace {
			switch {
			case !e.private:
				if m.defaultSpace != nil {
					sources = append(sources, levelSource{domainKey, "domain " + domainID + "'s DefaultSpaceSettings" + member,
						func(e defaultsEntry) *types.ResourceSpec { return m.defaultSpace(e.domainSpace) }})
				}
				sources = append(sources, domainUser)
			case e.owner != "":
				sources = append(sources, profile("owner", e.owner), domainUser)
			default:
				sources = append(sources, domainUser)
			}
		}
	}
	return levels, oldest, nil
}

// Kinds of defaultsKey.
const (
	kindDomain      = "domain"
	kindUserProfile = "user profile"
	kindSpace       = "space"
)

// defaultsKey names one domain, user profile or space whose settings the Client reads.
type defaultsKey struct {
	domainID string
	kind     string
	name     string
}

// defaultsEntry is what the Client read of one defaultsKey, and when the read began.
type defaultsEntry struct {
	read   time.Time
	denied bool // the caller may not read it: the check is skipped until the entry expires
	// By kind: domainUser and domainSpace for a domain, user for a user profile, the rest for a
	// space.
	domainUser  *types.UserSettings
	domainSpace *types.DefaultSpaceSettings
	user        *types.UserSettings
	space       *types.SpaceSettings
	private     bool   // SpaceSharingSettings.SharingType is Private
	owner       string // OwnershipSettings.OwnerUserProfileName
}

// defaultsReadTimeout bounds one shared read of defaults, which no caller's context ends. It
// leaves room for the SDK's retries of a throttled Describe.
const defaultsReadTimeout = time.Minute

// defaultsCache holds what the Client read, and the reads in flight.
type defaultsCache struct {
	flights singleflight.Group
	mu      sync.Mutex
	entries map[defaultsKey]defaultsEntry
	sweepAt int                     // the size at which put next drops expired entries
	flying  map[string]*flightState // the callers of each read in flight
}

// flightState is one read in flight and how many callers wait for it: the read's context ends
// when the last of them stops waiting, so that no read outlives every caller that asked for it.
type flightState struct {
	ctx    context.Context
	cancel context.CancelFunc
	n      int
}

// readDefaults returns an entry for k read at or after notBefore and within the TTL: from the
// cache, from a read in flight, or from a new read. An AccessDenied read becomes an entry marked
// denied, logged at debug level and cached; any other failure is returned and not cached. A
// caller whose ctx ends stops waiting at once, even while others share its read; the read itself
// goes on for them, whoever started it.
func (c *Client) readDefaults(ctx context.Context, k defaultsKey, notBefore time.Time, optFns []func(*sagemaker.Options)) (defaultsEntry, error) {
	ttl := c.opts.DefaultsTTL
	key := k.domainID + "\x00" + k.kind + "\x00" + k.name
	for {
		if e, ok := c.defaults.get(k, c.now(), ttl, notBefore); ok {
			return e, nil
		}
		// The read serves every caller that joins it, so the first caller's cancellation must
		// not end it: it keeps ctx's values but not its end, within its own bound, and ends when
		// the last caller waiting for it stops waiting (each on its own ctx, below).
		st := c.defaults.join(ctx, key)
		flight := c.defaults.flights.DoChan(key, func() (any, error) {
			// A flight that ended between the lookup above and this one has filled the cache.
			if e, ok := c.defaults.get(k, c.now(), ttl, notBefore); ok {
				return e, nil
			}
			e, err := c.describeDefaults(st.ctx, k, optFns)
			if err == nil {
				c.defaults.put(k, e, ttl)
			}
			return e, err
		})
		var r singleflight.Result
		select {
		case <-ctx.Done():
			c.defaults.leave(key, st)
			return defaultsEntry{}, ctx.Err()
		case r = <-flight:
			c.defaults.leave(key, st)
		}
		if err := ctx.Err(); err != nil {
			return defaultsEntry{}, err
		}
		if errors.Is(r.Err, context.Canceled) {
			continue // a read its callers left, which this caller joined as it ended: read again
		}
		if r.Err != nil {
			return defaultsEntry{}, r.Err
		}
		e := r.Val.(defaultsEntry)
		if !e.read.Before(notBefore) {
			return e, nil
		}
		// This caller joined a read that began before notBefore; the next one begins after.
	}
}

// describeDefaults makes the Describe call for k.
func (c *Client) describeDefaults(ctx context.Context, k defaultsKey, optFns []func(*sagemaker.Options)) (defaultsEntry, error) {
	e := defaultsEntry{read: c.now()}
	var op string
	var err error
	switch k.kind {
	case kindDomain:
		op = "DescribeDomain"
		var out *sagemaker.DescribeDomainOutput
		out, err = c.api.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: &k.domainID}, optFns...)
		if err == nil {
			e.domainUser, e.domainSpace = out.DefaultUserSettings, out.DefaultSpaceSettings
		}
	case kindUserProfile:
		op = "DescribeUserProfile"
		var out *sagemaker.DescribeUserProfileOutput
		out, err = c.api.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: &k.domainID, UserProfileName: &k.name}, optFns...)
		if err == nil {
			e.user = out.UserSettings
		}
	default:
		op = "DescribeSpace"
		var out *sagemaker.DescribeSpaceOutput
		out, err = c.api.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: &k.domainID, SpaceName: &k.name}, optFns...)
		if err == nil {
			e.space = out.SpaceSettings
			e.private = out.SpaceSharingSettings != nil && out.SpaceSharingSettings.SharingType == types.SharingTypePrivate
			if out.OwnershipSettings != nil {
				e.owner = aws.ToString(out.OwnershipSettings.OwnerUserProfileName)
			}
		}
	}
	if err = mapError(ctx, op, err); err != nil {
		if !errors.Is(err, ErrAccessDenied) {
			return defaultsEntry{}, err
		}
		c.logger().LogAttrs(ctx, slog.LevelDebug, "sagemakerapp: may not read the defaults; the service will decide",
			slog.String("operation", op), slog.String("domain", k.domainID), slog.String("name", k.name), slog.Any("error", err))
		e.denied = true
	}
	return e, nil
}

// get returns the entry for k if it is within ttl at now and was read at or after notBefore.
// An expired entry is dropped.
func (d *defaultsCache) get(k defaultsKey, now time.Time, ttl time.Duration, notBefore time.Time) (defaultsEntry, bool) {
	if ttl < 0 {
		return defaultsEntry{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[k]
	switch {
	case !ok:
		return defaultsEntry{}, false
	case now.Sub(e.read) >= ttl:
		delete(d.entries, k)
		return defaultsEntry{}, false
	case e.read.Before(notBefore):
		return defaultsEntry{}, false
	}
	return e, true
}

// put stores e. Expired entries that nobody asks for again are dropped when the map has doubled
// since the last sweep, so the cost is constant per put and the map stays within twice what one
// TTL saw.
func (d *defaultsCache) put(k defaultsKey, e defaultsEntry, ttl time.Duration) {
	if ttl < 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.entries == nil {
		d.entries = make(map[defaultsKey]defaultsEntry)
	}
	if len(d.entries) >= d.sweepAt {
		for key, old := range d.entries {
			if e.read.Sub(old.read) >= ttl {
				delete(d.entries, key)
			}
		}
		d.sweepAt = max(2*len(d.entries), 64)
	}
	d.entries[k] = e
}

// join counts a caller of the read of key, starting its state if no read is in flight.
func (d *defaultsCache) join(ctx context.Context, key string) *flightState {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.flying == nil {
		d.flying = make(map[string]*flightState)
	}
	st := d.flying[key]
	if st == nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultsReadTimeout)
		st = &flightState{ctx: rctx, cancel: cancel}
		d.flying[key] = st
	}
	st.n++
	return st
}

// leave uncounts a caller of st; the last one ends the read.
func (d *defaultsCache) leave(key string, st *flightState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st.n--; st.n == 0 {
		st.cancel()
		if d.flying[key] == st {
			delete(d.flying, key)
		}
	}
}
