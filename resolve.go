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
)

// Instance-type precedence: an app's own ResourceSpec.InstanceType wins, then the user profile's
// (or space's) default for the app type, then the domain's. Only a KernelGateway app fails when no
// level sets one, so only then does the Client read the defaults, to fail fast with every level
// named instead of after a round trip. The reads are cached per domain and per owner.
//
// For a space app, the service documents no order between the space's settings, the domain's
// DefaultSpaceSettings and the user settings; the Client fails only when none of them sets an
// instance type, so that it never refuses a request the service would take.

// needsDefaults reports whether in's app type needs an instance type that in does not set.
func needsDefaults(in *sagemaker.CreateAppInput) bool {
	return appTypeRules[in.AppType].needsInstanceType &&
		(in.ResourceSpec == nil || in.ResourceSpec.InstanceType == "")
}

// defaultsCache holds what the Client read of domains, user profiles and spaces.
type defaultsCache struct {
	mu      sync.Mutex
	entries map[defaultsKey]defaultsEntry
}

type defaultsKey struct {
	domainID string
	kind     string // "domain", "user profile" or "space"
	name     string
}

type defaultsEntry struct {
	read   time.Time
	denied bool // the caller may not read it: the check is skipped until the entry expires
	// Exactly one group is set, by kind.
	domainUser  *types.UserSettings
	domainSpace *types.DefaultSpaceSettings
	user        *types.UserSettings
	space       *types.SpaceSettings
}

// defaultLevels returns the default ResourceSpecs that apply below the app in, most specific
// first. known is false when the Client may not read them (AccessDenied): the service then decides.
func (c *Client) defaultLevels(ctx context.Context, in *sagemaker.CreateAppInput) (levels []defaultLevel, known bool, err error) {
	domainID := aws.ToString(in.DomainId)
	domain, err := c.readDefaults(ctx, defaultsKey{domainID: domainID, kind: "domain"})
	if err != nil || domain.denied {
		return nil, false, err
	}
	if name := aws.ToString(in.UserProfileName); name != "" {
		user, err := c.readDefaults(ctx, defaultsKey{domainID: domainID, kind: "user profile", name: name})
		if err != nil || user.denied {
			return nil, false, err
		}
		return []defaultLevel{
			{name: "user profile " + name + "'s UserSettings.KernelGatewayAppSettings.DefaultResourceSpec", spec: userKernelGatewaySpec(user.user)},
			{name: "domain " + domainID + "'s DefaultUserSettings.KernelGatewayAppSettings.DefaultResourceSpec", spec: userKernelGatewaySpec(domain.domainUser)},
		}, true, nil
	}
	name := aws.ToString(in.SpaceName)
	space, err := c.readDefaults(ctx, defaultsKey{domainID: domainID, kind: "space", name: name})
	if err != nil || space.denied {
		return nil, false, err
	}
	var spaceSpec, domainSpaceSpec *types.ResourceSpec
	if s := space.space; s != nil && s.KernelGatewayAppSettings != nil {
		spaceSpec = s.KernelGatewayAppSettings.DefaultResourceSpec
	}
	if s := domain.domainSpace; s != nil && s.KernelGatewayAppSettings != nil {
		domainSpaceSpec = s.KernelGatewayAppSettings.DefaultResourceSpec
	}
	return []defaultLevel{
		{name: "space " + name + "'s SpaceSettings.KernelGatewayAppSettings.DefaultResourceSpec", spec: spaceSpec},
		{name: "domain " + domainID + "'s DefaultSpaceSettings.KernelGatewayAppSettings.DefaultResourceSpec", spec: domainSpaceSpec},
		{name: "domain " + domainID + "'s DefaultUserSettings.KernelGatewayAppSettings.DefaultResourceSpec", spec: userKernelGatewaySpec(domain.domainUser)},
	}, true, nil
}

func userKernelGatewaySpec(s *types.UserSettings) *types.ResourceSpec {
	if s == nil || s.KernelGatewayAppSettings == nil {
		return nil
	}
	return s.KernelGatewayAppSettings.DefaultResourceSpec
}

// readDefaults returns the cached entry for k, or reads it. An AccessDenied read becomes an entry
// marked denied, logged at debug level; any other failure is returned and not cached.
func (c *Client) readDefaults(ctx context.Context, k defaultsKey) (defaultsEntry, error) {
	now := c.opts.Now()
	if e, ok := c.defaults.get(k, now, c.opts.DefaultsTTL); ok {
		return e, nil
	}
	e := defaultsEntry{read: now}
	var op string
	var err error
	switch k.kind {
	case "domain":
		op = "DescribeDomain"
		var out *sagemaker.DescribeDomainOutput
		out, err = c.api.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: &k.domainID})
		if err == nil {
			e.domainUser, e.domainSpace = out.DefaultUserSettings, out.DefaultSpaceSettings
		}
	case "user profile":
		op = "DescribeUserProfile"
		var out *sagemaker.DescribeUserProfileOutput
		out, err = c.api.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: &k.domainID, UserProfileName: &k.name})
		if err == nil {
			e.user = out.UserSettings
		}
	default:
		op = "DescribeSpace"
		var out *sagemaker.DescribeSpaceOutput
		out, err = c.api.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: &k.domainID, SpaceName: &k.name})
		if err == nil {
			e.space = out.SpaceSettings
		}
	}
	if err = mapError(ctx, op, err); err != nil {
		if !errors.Is(err, ErrAccessDenied) {
			return defaultsEntry{}, err
		}
		c.logger().LogAttrs(ctx, slog.LevelDebug, "sagemakerapp: may not read instance-type defaults; the service will decide",
			slog.String("operation", op), slog.String("domain", k.domainID), slog.String("name", k.name), slog.Any("error", err))
		e.denied = true
	}
	c.defaults.put(k, e, c.opts.DefaultsTTL)
	return e, nil
}

func (d *defaultsCache) get(k defaultsKey, now time.Time, ttl time.Duration) (defaultsEntry, bool) {
	if ttl < 0 {
		return defaultsEntry{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[k]
	if !ok || now.Sub(e.read) >= ttl {
		return defaultsEntry{}, false
	}
	return e, true
}

func (d *defaultsCache) put(k defaultsKey, e defaultsEntry, ttl time.Duration) {
	if ttl < 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.entries == nil {
		d.entries = make(map[defaultsKey]defaultsEntry)
	}
	// Expired entries go on the next write, so the map holds at most what one TTL saw.
	for key, old := range d.entries {
		if e.read.Sub(old.read) >= ttl {
			delete(d.entries, key)
		}
	}
	d.entries[k] = e
}
