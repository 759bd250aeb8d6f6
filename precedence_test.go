package sagemakerapp_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The four levels below a space app's own ResourceSpec that may set a KernelGateway instance
// type, each given its own instance type so that the winner shows in DescribeApp.
const (
	levelSpace = 1 << iota
	levelDomainSpace
	levelOwnerProfile
	levelDomainUser
)

var levelInstanceType = map[int]types.AppInstanceType{
	levelSpace:        types.AppInstanceTypeMlM5Large,
	levelDomainSpace:  types.AppInstanceTypeMlM5Xlarge,
	levelOwnerProfile: types.AppInstanceTypeMlC5Large,
	levelDomainUser:   types.AppInstanceTypeMlR5Large,
}

// expectedWinner applies facts §2.4: a shared space reads its settings, the domain's
// DefaultSpaceSettings, then DefaultUserSettings; a private space its settings, its owner's
// UserSettings, then DefaultUserSettings. "" means no level sets one.
func expectedWinner(private bool, mask int) types.AppInstanceType {
	order := []int{levelSpace, levelDomainSpace, levelDomainUser}
	if private {
		order = []int{levelSpace, levelOwnerProfile, levelDomainUser}
	}
	for _, l := range order {
		if mask&l != 0 {
			return levelInstanceType[l]
		}
	}
	return ""
}

func kernelGatewayDefault(mask, level int) *types.KernelGatewayAppSettings {
	if mask&level == 0 {
		return nil
	}
	return &types.KernelGatewayAppSettings{DefaultResourceSpec: &types.ResourceSpec{InstanceType: levelInstanceType[level]}}
}

// seedSpaceCase seeds a domain, an owner profile and a space with the levels of mask set.
func seedSpaceCase(t *testing.T, srv *sagemakerfake.Server, private bool, mask int) (domainID string) {
	t.Helper()
	domainID, err := srv.SeedDomain("", &sagemaker.CreateDomainInput{
		DomainName: aws.String("precedence"),
		AuthMode:   types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{
			ExecutionRole: aws.String("arn:aws:iam::123456789012:role/studio"),
			// A domain that still runs Studio Classic: the fake refuses KernelGateway apps
			// elsewhere, and its refusal must be for the instance type alone (facts §7.1).
			StudioWebPortal:          types.StudioWebPortalDisabled,
			KernelGatewayAppSettings: kernelGatewayDefault(mask, levelDomainUser),
		},
		DefaultSpaceSettings: &types.DefaultSpaceSettings{KernelGatewayAppSettings: kernelGatewayDefault(mask, levelDomainSpace)},
	})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{
		DomainId:        aws.String(domainID),
		UserProfileName: aws.String("owner"),
		UserSettings:    &types.UserSettings{KernelGatewayAppSettings: kernelGatewayDefault(mask, levelOwnerProfile)},
	}))
	space := &sagemaker.CreateSpaceInput{
		DomainId:             aws.String(domainID),
		SpaceName:            aws.String("team"),
		SpaceSettings:        &types.SpaceSettings{KernelGatewayAppSettings: kernelGatewayDefault(mask, levelSpace)},
		OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String("owner")},
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
	}
	if private {
		space.SpaceSharingSettings.SharingType = types.SharingTypePrivate
	}
	require.NoError(t, srv.SeedSpace(space))
	return domainID
}

// TestSpacePrecedenceMatchesTheFake runs the 32 combinations of shared or private space and the
// four default levels. For each, the library's pre-check and the fake (which applies the same
// rule on its own) must agree: the library refuses exactly what the fake refuses, sends
// everything else, and the fake reports the instance type of the level §2.4 names.
func TestSpacePrecedenceMatchesTheFake(t *testing.T) {
	for _, private := range []bool{false, true} {
		for mask := range 16 {
			name := fmt.Sprintf("shared/levels=%04b", mask)
			if private {
				name = fmt.Sprintf("private/levels=%04b", mask)
			}
			t.Run(name, func(t *testing.T) {
				srv := sagemakerfake.Start(t)
				domainID := seedSpaceCase(t, srv, private, mask)
				want := expectedWinner(private, mask)
				in := func(name string) *sagemaker.CreateAppInput {
					return &sagemaker.CreateAppInput{
						DomainId: aws.String(domainID), SpaceName: aws.String("team"),
						AppType: types.AppTypeKernelGateway, AppName: aws.String(name),
					}
				}
				ctx := context.Background()

				// The fake's own verdict, on the raw request through the SDK.
				_, rawErr := srv.Client().CreateApp(ctx, in("raw"))
				if want == "" {
					var apiErr smithy.APIError
					require.True(t, errors.As(rawErr, &apiErr), "the fake refuses: %v", rawErr)
					assert.Equal(t, "ValidationException", apiErr.ErrorCode())
				} else {
					require.NoError(t, rawErr, "the fake accepts")
				}

				// The library's.
				app, err := sagemakerapp.New(srv.Client()).CreateApp(ctx, in("lib"))
				if want == "" {
					var fe *sagemakerapp.FieldError
					require.ErrorAs(t, err, &fe, "the library refuses before the call")
					assert.Equal(t, "ResourceSpec.InstanceType", fe.Field)
					assert.Equal(t, sagemakerapp.FieldRequired, fe.Type)
					assert.Empty(t, srv.Apps())
					return
				}
				require.NoError(t, err, "the library sends what the fake accepts")
				got, err := sagemakerapp.New(srv.Client()).DescribeApp(ctx, app.ID)
				require.NoError(t, err)
				require.NotNil(t, got.ResourceSpec)
				assert.Equal(t, want, got.ResourceSpec.InstanceType, "the level §2.4 names wins")
			})
		}
	}
}
