package main

import (
	"context"

	"github.com/studioapp/sagemakerapp"
)

// reapOnce is Reap as the simulation calls it.
func reapOnce(ctx context.Context, client *sagemakerapp.Client, api sagemakerapp.API, domainID string, policy Policy, dryRun bool) (Report, error) {
	return Reap(ctx, client, api, domainID, policy, dryRun)
}
