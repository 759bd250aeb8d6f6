package sagemakerapp

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// AppType is the SDK's app type, so that the SDK's constants (types.AppTypeJupyterLab, …) work
// everywhere this package takes an app type.
type AppType = types.AppType

// InstanceType is the SDK's app instance type, so that the SDK's constants
// (types.AppInstanceTypeMlT3Medium, …) work everywhere this package takes an instance type.
type InstanceType = types.AppInstanceType

// InstanceTypeSystem is the instance type that a JupyterServer app must use. For a KernelGateway
// app the service translates it to ml.t3.medium.
const InstanceTypeSystem InstanceType = types.AppInstanceTypeSystem

// The tables are built from the SDK's generated Values(), never from a hand-written list, so that
// upgrading the SDK upgrades what the validator accepts.
var (
	knownAppTypes      = setOf(types.AppType("").Values())
	knownInstanceTypes = setOf(types.AppInstanceType("").Values())
)

func setOf[T ~string](values []T) map[T]struct{} {
	m := make(map[T]struct{}, len(values))
	for _, v := range values {
		m[v] = struct{}{}
	}
	return m
}

// AppTypes returns the app types this version of the library (through its SDK) knows, in the
// SDK's order. The slice is a fresh copy.
func AppTypes() []AppType { return types.AppType("").Values() }

// InstanceTypes returns the instance types this version of the library (through its SDK) knows,
// in the SDK's order. The slice is a fresh copy. The service may accept newer ones: see
// [Options.AllowUnknownInstanceTypes].
func InstanceTypes() []InstanceType { return types.AppInstanceType("").Values() }

// IsKnownAppType reports whether t is one of [AppTypes].
func IsKnownAppType(t AppType) bool {
	_, ok := knownAppTypes[t]
	return ok
}

// IsKnownInstanceType reports whether t is one of [InstanceTypes].
func IsKnownInstanceType(t InstanceType) bool {
	_, ok := knownInstanceTypes[t]
	return ok
}

// InstanceFamily returns the family part of an instance type: "g5" for "ml.g5.xlarge",
// "p6-b200" for "ml.p6-b200.48xlarge", "geospatial" for "ml.geospatial.interactive" and "system"
// for "system". It returns "" for a value that is not of the form ml.<family>.<size>. It works on
// instance types the SDK does not know yet.
func InstanceFamily(t InstanceType) string {
	s := string(t)
	if t == InstanceTypeSystem {
		return s
	}
	rest, ok := strings.CutPrefix(s, "ml.")
	if !ok {
		return ""
	}
	family, size, ok := strings.Cut(rest, ".")
	if !ok || family == "" || size == "" || strings.Contains(size, ".") {
		return ""
	}
	return family
}

// InstanceTypesInFamily returns the known instance types of one family (see [InstanceFamily]),
// in the SDK's order: InstanceTypesInFamily("g5") lists ml.g5.xlarge … ml.g5.48xlarge.
func InstanceTypesInFamily(family string) []InstanceType {
	all := InstanceTypes()
	return slices.DeleteFunc(all, func(t InstanceType) bool { return InstanceFamily(t) != family })
}

// appTypeRules holds what differs between app types on the request side. An app type the table
// does not name has no extra rule.
type appTypeRule struct {
	// onlyInstanceType, when set, is the single instance type the app type accepts.
	onlyInstanceType InstanceType
	// trainingPlan reports whether ResourceSpec.TrainingPlanArn is supported.
	trainingPlan bool
	// needs is what the service refuses the app without, unless a level of defaults below the
	// app gives it (see resolve.go): an instance type for KernelGateway, an image for JupyterLab
	// and CodeEditor.
	needs defaultNeed
	// spaceOnly reports an app type that runs only in a space (facts §7.1): CreateApp with
	// UserProfileName is refused.
	spaceOnly bool
}

var appTypeRules = map[AppType]appTypeRule{
	types.AppTypeJupyterServer: {onlyInstanceType: InstanceTypeSystem},
	types.AppTypeKernelGateway: {needs: needInstanceType},
	types.AppTypeJupyterLab:    {trainingPlan: true, needs: needImage, spaceOnly: true},
	types.AppTypeCodeEditor:    {trainingPlan: true, needs: needImage, spaceOnly: true},
}

// SupportsTrainingPlan reports whether apps of type t accept ResourceSpec.TrainingPlanArn
// (JupyterLab and CodeEditor).
func SupportsTrainingPlan(t AppType) bool { return appTypeRules[t].trainingPlan }
