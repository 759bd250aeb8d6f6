// Package studio holds the few conventions that the examples share about Studio as it runs today
// (facts §7): which app types run in a space, what each user's private space is called, and
// which image a space app gets when the caller names none.
package studio

import (
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
)

// SpaceApp reports whether apps of appType run in a space: JupyterLab and CodeEditor do, one app
// per space, and need an image (facts §7.1, §7.3). The Studio Classic types, JupyterServer and
// KernelGateway, run on a user profile as they always did.
func SpaceApp(appType sagemakerapp.AppType) bool {
	return appType == types.AppTypeJupyterLab || appType == types.AppTypeCodeEditor
}

// PrivateSpaceName is the name the examples give user's private space for apps of appType, such
// as alice-jupyterlab. User profiles and spaces share one namespace in a domain (facts §7.2), so
// the space cannot be named as its owner; one space per app type, since a space's app type cannot
// change and a space runs one app at a time.
func PrivateSpaceName(user string, appType sagemakerapp.AppType) string {
	return user + "-" + strings.ToLower(string(appType))
}

// gpuFamily matches the instance families with NVIDIA GPUs (g4dn, g5, g6e, gr6, p4d, p5,
// p6-b200, …), which need the GPU build of the SageMaker Distribution image. It does not match
// geospatial, and Trainium or Inferentia (trn, inf), which the CPU image serves.
var gpuFamily = regexp.MustCompile(`^(g|gr|p)\d`)

// DefaultImage returns the image a space app gets when the caller names none: the SageMaker
// Distribution image of region (sagemakerapp.DistributionImage), its GPU build when instanceType
// has a GPU. An empty or unknown region is the library's *sagemakerapp.ValidationError.
func DefaultImage(region string, instanceType sagemakerapp.InstanceType) (string, error) {
	return sagemakerapp.DistributionImage(region, gpuFamily.MatchString(sagemakerapp.InstanceFamily(instanceType)))
}
