package sagemakerfake

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DeleteUserProfile is refused while the profile has a live app, and removes it once the apps
// are gone; a missing profile is ResourceNotFound.
func TestDeleteUserProfile(t *testing.T) {
	srv := Start(t)
	ctx := context.Background()
	domainID, err := srv.SeedDomain("", &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam, DefaultUserSettings: classicSettings()})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("bob")}))
	c := srv.Client()
	app := &sagemaker.CreateAppInput{DomainId: aws.String(domainID), UserProfileName: aws.String("bob"), AppType: types.AppTypeKernelGateway,
		AppName: aws.String("kg"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}}
	_, err = c.CreateApp(ctx, app)
	require.NoError(t, err)
	del := &sagemaker.DeleteUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("bob")}
	_, err = c.DeleteUserProfile(ctx, del)
	require.ErrorAs(t, err, new(*types.ResourceInUse))

	srv.Advance(5 * time.Minute) // InService
	_, err = c.DeleteApp(ctx, &sagemaker.DeleteAppInput{DomainId: app.DomainId, UserProfileName: app.UserProfileName, AppType: app.AppType, AppName: app.AppName})
	require.NoError(t, err)
	_, err = c.DeleteUserProfile(ctx, del)
	require.ErrorAs(t, err, new(*types.ResourceInUse), "a Deleting app still blocks it")
	srv.Advance(5 * time.Minute) // Deleted
	_, err = c.DeleteUserProfile(ctx, del)
	require.NoError(t, err)
	_, err = c.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("bob")})
	assert.ErrorAs(t, err, new(*types.ResourceNotFound))
	_, err = c.DeleteUserProfile(ctx, del)
	assert.ErrorAs(t, err, new(*types.ResourceNotFound))
}
