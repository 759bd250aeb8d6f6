package sagemakerfake

import (
	"encoding/json"
	"strconv"
)

// spaceLevels returns the settings above a space, most specific first, by the levels of facts
// §2.4 without the space's own: for a private space the owner's UserSettings, then the domain's
// DefaultUserSettings; for a shared space the domain's DefaultSpaceSettings, then its
// DefaultUserSettings. owner is the private space's owner profile (nil for a shared space). The
// caller holds s.mu.
func spaceLevels(d *domain, owner *profile, private bool) []level {
	domainUser := level{"the domain's DefaultUserSettings", userSettingsShape, object(d.req, "DefaultUserSettings")}
	if !private {
		return []level{{"the domain's DefaultSpaceSettings", defaultSpaceSettingsShape, object(d.req, "DefaultSpaceSettings")}, domainUser}
	}
	ownerLevel := level{name: "the owner's UserSettings", shape: userSettingsShape}
	if owner != nil {
		ownerLevel.settings = object(owner.req, "UserSettings")
	}
	return []level{ownerLevel, domainUser}
}

// intMember returns the integer member name of obj and whether it is set. The model check has
// made every integer member a json.Number in range.
func intMember(obj map[string]any, name string) (int64, bool) {
	n, ok := obj[name].(json.Number)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	return v, err == nil
}

// idleApps are the members of SpaceSettings whose AppLifecycleManagement.IdleSettings sets a
// space's idle timeout, and the app type whose settings bound it at the levels above.
var idleApps = []struct {
	member  string
	appType string
}{
	{"JupyterLabAppSettings", "JupyterLab"},
	{"CodeEditorAppSettings", "CodeEditor"},
}

// checkIdleTimeout applies facts §7.6 to a space's settings: the idle timeout that a space sets
// (SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes,
// or CodeEditorAppSettings') must lie within MinIdleTimeoutInMinutes and
// MaxIdleTimeoutInMinutes of the levels above the space [D: administrators set the range, users
// choose within it]. Each bound is the first that a level sets, most specific first (the §2.4
// levels, as for the instance type [I]), in the same app type's member of that level's settings
// (DefaultSpaceSettings has none for CodeEditor, so it is skipped). Outside the range is a
// ValidationException [I: the text is the fake's].
func (s *Server) checkIdleTimeout(d *domain, owner *profile, private bool, settings map[string]any) *Error {
	levels := spaceLevels(d, owner, private)
	for _, ia := range idleApps {
		timeout, ok := intMember(object(settings, ia.member, "AppLifecycleManagement", "IdleSettings"), "IdleTimeoutInMinutes")
		if !ok {
			continue
		}
		var lo, hi int64
		var loFrom, hiFrom string
		for _, l := range levels {
			member := ia.member
			if l.shape.byName[member] == nil {
				continue
			}
			idle := object(l.settings, member, "AppLifecycleManagement", "IdleSettings")
			if v, ok := intMember(idle, "MinIdleTimeoutInMinutes"); ok && loFrom == "" {
				lo, loFrom = v, l.name+"."+member+".AppLifecycleManagement.IdleSettings.MinIdleTimeoutInMinutes"
			}
			if v, ok := intMember(idle, "MaxIdleTimeoutInMinutes"); ok && hiFrom == "" {
				hi, hiFrom = v, l.name+"."+member+".AppLifecycleManagement.IdleSettings.MaxIdleTimeoutInMinutes"
			}
		}
		field := "SpaceSettings." + ia.member + ".AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes"
		if loFrom != "" && timeout < lo {
			return validationError("%s %d is below the minimum of %d minutes that %s sets.", field, timeout, lo, loFrom)
		}
		if hiFrom != "" && timeout > hi {
			return validationError("%s %d is above the maximum of %d minutes that %s sets.", field, timeout, hi, hiFrom)
		}
	}
	return nil
}

// defaultEbsSizeInGb is the size of a space's volume when nothing sets one: the model's minimum,
// which is also the default Studio documents [I: the fake's reading].
const defaultEbsSizeInGb = 5

// ebsSize returns the size of a space's EBS volume: the space's own
// SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb, or else the first
// DefaultEbsVolumeSizeInGb that the levels above it set, or else defaultEbsSizeInGb.
func ebsSize(settings map[string]any, levels []level) int64 {
	if v, ok := intMember(object(settings, "SpaceStorageSettings", "EbsStorageSettings"), "EbsVolumeSizeInGb"); ok {
		return v
	}
	for _, l := range levels {
		if v, ok := intMember(object(l.settings, "SpaceStorageSettings", "DefaultEbsStorageSettings"), "DefaultEbsVolumeSizeInGb"); ok {
			return v
		}
	}
	return defaultEbsSizeInGb
}
