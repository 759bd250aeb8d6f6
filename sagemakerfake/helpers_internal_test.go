package sagemakerfake

import "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

// classicSettings are the DefaultUserSettings of a domain that still runs Studio Classic, the only
// kind of domain where the fake creates JupyterServer and KernelGateway apps (facts §7.1).
func classicSettings() *types.UserSettings {
	return &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled}
}
