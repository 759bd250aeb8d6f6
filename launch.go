package sagemakerapp

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// LaunchOptions configure LaunchURL. The zero value means the app's own user (see LaunchURL), the
// service's default expiry of the URL (300 s) and its default session length.
type LaunchOptions struct {
	// UserProfileName is the user the URL signs in. Empty means the app's user profile, or the
	// owner of the private space the app runs in; an app in a shared space needs it set.
	UserProfileName string

	// ExpiresIn is how long the URL can be redeemed: 5 s to 300 s, in whole seconds
	// (ExpiresInSeconds). Zero means the service's default, 300 s.
	ExpiresIn time.Duration

	// SessionExpiration is how long the Studio session that the URL opens lasts: 1,800 s to
	// 43,200 s, in whole seconds (SessionExpirationDurationInSeconds). Zero means the
	// service's default.
	SessionExpiration time.Duration

	// ClientOptions are the SDK's per-call options for every call LaunchURL makes.
	ClientOptions []func(*sagemaker.Options)
}

// Limits of CreatePresignedDomainUrl (facts §7.5).
const (
	minLaunchExpiresIn         = 5 * time.Second
	maxLaunchExpiresIn         = 300 * time.Second
	minLaunchSessionExpiration = 1800 * time.Second
	maxLaunchSessionExpiration = 43200 * time.Second
)

// rstudioDomainUser is the user profile name under which a domain's RStudioServerPro app runs
// (facts §7.1): it is no person's, so it cannot be the one a URL signs in.
const rstudioDomainUser = "domain-shared"

// LaunchURL returns a URL that signs a user in to Studio and opens the app that id names, from
// CreatePresignedDomainUrl. The URL is a credential: it signs in whoever opens it, until it
// expires (LaunchOptions.ExpiresIn, at most 5 minutes), so hand it only to that user. It works on
// domains in IAM auth mode only.
//
// The user is LaunchOptions.UserProfileName, or else the app's user profile, or else, for an app
// in a private space, the space's owner (read with DescribeSpace). An app in a shared space, or
// the domain's RStudioServerPro app (user profile domain-shared), needs
// LaunchOptions.UserProfileName: without it LaunchURL returns a *ValidationError on
// UserProfileName and calls nothing. The limits of ExpiresIn and SessionExpiration are checked
// before any call too.
//
// Where the URL lands, by app:
//
//   - an app in a space (JupyterLab and CodeEditor always are): SpaceName is set, with no landing
//     URI. That is AWS's own recipe for opening a space ("Launch spaces": create-presigned-domain-url
//     with --space-name), and it was seen live to land inside the running app. The landing URI
//     studio::/jupyterlab/<space> that facts §7.5 records as accepted is accepted by the API but
//     was seen live to redirect the browser to //jupyterlab/<space>, a host that does not exist,
//     and app:JupyterLab:<space> is refused; neither is used. Ensure the app is InService first:
//     a space with no running app answers the URL with a 404;
//   - JupyterServer and KernelGateway on a user profile: app:JupyterServer: (Studio Classic,
//     where KernelGateway apps run);
//   - RStudioServerPro and Canvas: app:RStudioServerPro: and app:Canvas:;
//   - other app types (TensorBoard, RSessionGateway, DetailedProfiler) have no landing URI of
//     their own: the URL opens Studio's home page.
//
// Every error is nil, a context error, a *ValidationError, or wraps an *APIError; a Client whose
// API has no SpacesAPI fails with an *APIError that says so.
func (c *Client) LaunchURL(ctx context.Context, id AppID, optFns ...func(*LaunchOptions)) (string, error) {
	if err := id.validate(); err != nil {
		return "", err
	}
	var o LaunchOptions
	for _, fn := range optFns {
		fn(&o)
	}
	var ps problems
	expires := durationSeconds(&ps, "ExpiresInSeconds", o.ExpiresIn, minLaunchExpiresIn, maxLaunchExpiresIn)
	session := durationSeconds(&ps, "SessionExpirationDurationInSeconds", o.SessionExpiration, minLaunchSessionExpiration, maxLaunchSessionExpiration)
	if o.UserProfileName != "" {
		nameRule.check(&ps, field("UserProfileName"), o.UserProfileName)
	} else if id.SpaceName == "" && id.UserProfileName == rstudioDomainUser {
		ps.add(field("UserProfileName"), FieldRequired, "", fmt.Sprintf(
			"app %s runs under the domain's shared profile %s: set LaunchOptions.UserProfileName to the user who opens it", id, rstudioDomainUser))
	}
	if ps != nil {
		return "", &ValidationError{Problems: ps}
	}
	api, err := c.spacesAPI("CreatePresignedDomainUrl")
	if err != nil {
		return "", err
	}
	user := o.UserProfileName
	if user == "" {
		user = id.UserProfileName
	}
	if user == "" {
		out, err := api.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: aws.String(id.DomainID), SpaceName: aws.String(id.SpaceName)}, o.ClientOptions...)
		if err != nil {
			return "", mapError(ctx, "DescribeSpace", err)
		}
		sp := spaceFromDescribe(out)
		if sp.SharingType != types.SharingTypePrivate || sp.Owner == "" {
			return "", &ValidationError{Problems: []*FieldError{{Field: "UserProfileName", Type: FieldRequired, Detail: fmt.Sprintf(
				"app %s runs in space %s, which is not a private space with an owner: set LaunchOptions.UserProfileName to the user who opens it", id, id.SpaceName)}}}
		}
		user = sp.Owner
	}
	out, err := api.CreatePresignedDomainUrl(ctx, &sagemaker.CreatePresignedDomainUrlInput{
		DomainId:                           aws.String(id.DomainID),
		UserProfileName:                    aws.String(user),
		SpaceName:                          nonEmpty(id.SpaceName),
		LandingUri:                         nonEmpty(landingURI(id)),
		ExpiresInSeconds:                   expires,
		SessionExpirationDurationInSeconds: session,
	}, o.ClientOptions...)
	if err != nil {
		return "", mapError(ctx, "CreatePresignedDomainUrl", err)
	}
	return aws.ToString(out.AuthorizedUrl), nil
}

// landingURI is where LaunchURL sends the user, as documented on LaunchURL; "" for none.
func landingURI(id AppID) string {
	if id.SpaceName != "" {
		return "" // SpaceName opens the space's app
	}
	switch id.AppType {
	case types.AppTypeJupyterServer, types.AppTypeKernelGateway:
		return "app:JupyterServer:"
	case types.AppTypeRStudioServerPro:
		return "app:RStudioServerPro:"
	case types.AppTypeCanvas:
		return "app:Canvas:"
	}
	return ""
}

// durationSeconds checks an optional duration against [lo, hi] in whole seconds, and returns it
// as the seconds the request carries, or nil for zero.
func durationSeconds(ps *problems, name string, d, lo, hi time.Duration) *int32 {
	switch {
	case d == 0:
		return nil
	case d%time.Second != 0:
		ps.add(field(name), FieldInvalid, d.String(), "must be a whole number of seconds")
		return nil
	case d < lo || d > hi:
		ps.add(field(name), FieldInvalid, d.String(), fmt.Sprintf("must be between %d and %d seconds", lo/time.Second, hi/time.Second))
		return nil
	}
	return aws.Int32(int32(d / time.Second))
}
