package main

import (
	"fmt"
	"path"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
)

// TestJudgeTable is the reaper's decision on every combination of an app's status, type,
// instance type and last activity, under three policies: each row asserts that only an InService
// app that the first matching rule says is idle past its limit is stopped, and what the decision
// then says; and that an app with no known or a future activity is never stopped.
func TestJudgeTable(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	policies := map[string][]Rule{
		"defaults": DefaultRules,
		"typed first": {
			{AppType: types.AppTypeJupyterLab, Pattern: "ml.g5.*", Limit: 30 * time.Minute},
			{Pattern: "ml.g5.*", Limit: 2 * time.Hour},
			{Pattern: "*", Limit: 24 * time.Hour},
		},
		"none": nil,
	}
	statuses := []types.AppStatus{types.AppStatusPending, types.AppStatusInService, types.AppStatusDeleting, types.AppStatusDeleted, types.AppStatusFailed}
	appTypes := []sagemakerapp.AppType{types.AppTypeJupyterLab, types.AppTypeCodeEditor, types.AppTypeKernelGateway}
	instanceTypes := []types.AppInstanceType{"", types.AppInstanceTypeMlG5Xlarge, types.AppInstanceTypeMlT3Medium, types.AppInstanceTypeMlM5Large}
	// Idle times: none known, and around each limit above, and an activity after the look.
	idles := []time.Duration{-1, -time.Minute, 0, 30 * time.Minute, 30*time.Minute + time.Nanosecond, time.Hour, time.Hour + time.Second,
		2*time.Hour + time.Second, 8 * time.Hour, 8*time.Hour + time.Second, 24*time.Hour + time.Second}

	n := 0
	for name, rules := range policies {
		p := &Policy{Rules: rules}
		for _, st := range statuses {
			for _, appType := range appTypes {
				for _, it := range instanceTypes {
					for _, idle := range idles {
						n++
						app := &sagemakerapp.App{ID: sagemakerapp.AppID{DomainID: "d-abc123", SpaceName: "s", AppType: appType, AppName: "default"}, Status: st}
						if it != "" {
							app.ResourceSpec = &types.ResourceSpec{InstanceType: it}
						}
						if idle != -1 {
							app.LastUserActivityTimestamp = at.Add(-idle)
						}
						row := fmt.Sprintf("%s: %s %s on %q, idle %v", name, st, appType, it, idle)
						d, v := p.judge(app, at)

						// The oracle: the first rule whose type and pattern match.
						var rule Rule
						matched := false
						for _, r := range rules {
							if ok, _ := path.Match(r.Pattern, string(it)); ok && (r.AppType == "" || r.AppType == appType) {
								rule, matched = r, true
								break
							}
						}
						want := stop
						switch {
						case st != types.AppStatusInService:
							want = keepNotInService
						case !matched:
							want = keepNoRule
						case idle == -1:
							want = keepNoActivity
						case idle <= rule.Limit:
							want = keepWithinLimit
						}
						require.Equal(t, want, v, row)
						if v != stop {
							assert.Equal(t, Decision{}, d, "%s: no decision to act on", row)
							continue
						}
						// Stopped: InService, idle known and past the first matching rule's limit.
						assert.Positive(t, idle, row)
						assert.Equal(t, Decision{App: app, InstanceType: string(it), Idle: idle, Rule: rule}, d, row)
					}
				}
			}
		}
	}
	require.Equal(t, len(policies)*len(statuses)*len(appTypes)*len(instanceTypes)*len(idles), n, "every combination is a row")
	t.Logf("%d rows", n)
}
