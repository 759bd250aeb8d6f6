package sagemakerapp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// modelPatterns pairs each scanner with the service-model shape whose pattern it implements.
var modelPatterns = []struct {
	shape   string
	pattern string
	match   func(string) bool
}{
	{"DomainId", patternDomainID, matchDomainID},
	{"AppName", patternName, matchName},
	{"UserProfileName", patternName, matchName},
	{"SpaceName", patternName, matchName},
	{"TagKey", patternTag, matchTag},
	{"TagValue", patternTag, matchTag},
	{"ImageArn", patternImageARN, matchImageARN},
	{"ImageVersionArn", patternImageVersionARN, matchImageVersionARN},
	{"ImageVersionAlias", patternImageAlias, matchImageAlias},
	{"StudioLifecycleConfigArn", patternLifecycleARN, matchLifecycleConfigARN},
	{"StudioResourceSpecTrainingPlanArn", patternTrainingPlanARN, matchTrainingPlanARN},
	{"AppArn", patternAppARN, matchAppARN},
}

// anchored compiles a model pattern the way the service applies it: to the whole value.
func anchored(pattern string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + pattern + `)$`) }

type modelShape struct {
	Min     *int     `json:"min"`
	Max     *int     `json:"max"`
	Pattern string   `json:"pattern"`
	Enum    []string `json:"enum"`
}

// loadModel reads the service-model extract that sagemakerfake embeds (see its model/README.md):
// one copy of the model serves both readings of it.
func loadModel(t testing.TB) map[string]modelShape {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("sagemakerfake", "model", "sagemaker-apps-model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		Shapes map[string]modelShape `json:"shapes"`
	}
	if err := json.Unmarshal(raw, &model); err != nil {
		t.Fatal(err)
	}
	return model.Shapes
}

// TestPatternsMatchModel pins the pattern strings, and the lengths of the rules, to the model.
func TestPatternsMatchModel(t *testing.T) {
	shapes := loadModel(t)
	for _, p := range modelPatterns {
		if got := shapes[p.shape].Pattern; got != p.pattern {
			t.Errorf("%s: model pattern %q, library uses %q", p.shape, got, p.pattern)
		}
	}
	rules := []struct {
		shape string
		rule  stringRule
	}{
		{"DomainId", domainIDRule}, {"AppName", nameRule}, {"TagKey", tagKeyRule}, {"TagValue", tagValueRule},
		{"ImageArn", imageARNRule}, {"ImageVersionArn", imageVersionARNRule}, {"ImageVersionAlias", imageAliasRule},
		{"StudioLifecycleConfigArn", lifecycleARNRule}, {"StudioResourceSpecTrainingPlanArn", trainingPlanARNRule},
	}
	for _, r := range rules {
		s := shapes[r.shape]
		if s.Max == nil || *s.Max != r.rule.max {
			t.Errorf("%s: model max %v, library %d", r.shape, s.Max, r.rule.max)
		}
		// The model's min is 0 on names and IDs whose patterns need a character; the library says 1.
		if s.Min == nil || *s.Min != r.rule.min && !(*s.Min == 0 && !anchored(s.Pattern).MatchString("")) {
			t.Errorf("%s: model min %v, library %d", r.shape, s.Min, r.rule.min)
		}
		if r.rule.pattern != s.Pattern {
			t.Errorf("%s: rule pattern %q, model %q", r.shape, r.rule.pattern, s.Pattern)
		}
	}
	if got := *shapes["TagList"].Max; got != maxTags {
		t.Errorf("TagList max: model %d, library %d", got, maxTags)
	}
}

// patternSeeds are values at the edges of the patterns; FuzzPatterns grows them.
var patternSeeds = []string{
	"", "a", "-", "a-", "-a", "a--b", "a_b", "A9", strings.Repeat("a", 63), strings.Repeat("a", 64),
	"a" + strings.Repeat("-", 61) + "b", strings.Repeat("a-", 32) + "a",
	"d-", "d-a", "d--x", "d-ABC", "d-a-", "x-abc", "d-" + strings.Repeat("a", 61), "d-" + strings.Repeat("a", 62),
	"aws:x", "a b", "a\tb", "日本語", "Ⅻ²", "a\u00a0b", "a\u2028b", "😀", "\xff", "a\xffb", "\ufffd", "key=v/@+-_.:",
	"arn:aws:sagemaker:us-east-1:123456789012:image/my-image",
	"arn:aws-cn:sagemaker:cn-north-1:123456789012:image/a.b-c",
	"arn:aws-us-gov-x:sagemaker:r:123456789012:image/a",
	"arn:aws:sagemaker::123456789012:image/a", "arn:aws:sagemaker:r:12345678901:image/a",
	"arn:aws:sagemaker:r:123456789012:image/a-", "arn:aws:sagemaker:r:123456789012:image/a..b",
	"arn:aws:sagemaker:r\n:123456789012:image/a", "arn:aws:sagemaker:x/y:123456789012:image/a",
	"arn:aws:sagemaker:r:123456789012:image/a/b", "arn:aws-:sagemaker:r:123456789012:image/a",
	"arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/3",
	"arn:aws:sagemaker:us-east-1:123456789012:image-version/My-image/3",
	"arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/",
	"arn:aws:sagemaker:us-east-1:123456789012:image-version/my-image/3/4",
	"None", "none", "NoneX",
	"1", "12", "123", "1.2", "1x2", "1é2", "1\n2", "1..2", "01.2.3", "1.2.3", "1.2.3-alpha.1+build.5",
	"1.2.3-01", "1.2.3-0a", "1.2.3-", "1.2.3+", "1.2.3-a..b", "1.2.3+a.", "v1", "1.2.3.4", "1\xff2",
	"arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/x",
	"arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/",
	"arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config",
	"arn:aws-iso-b:sagemaker:us-isob-east-1:123456789012:training-plan/plan\n",
	"arn:aws:sagemaker:us-east-1:123456789012:training-plan/p",
	"arn:aws:sagemaker:US:123456789012:training-plan/p",
	"arn:aws:sagemaker:us-east-1:123456789012:app/d-abc/alice/jupyterlab/default",
}

func TestScannersAgreeWithModelRegexps(t *testing.T) {
	for _, p := range modelPatterns {
		re := anchored(p.pattern)
		for _, s := range patternSeeds {
			if got, want := p.match(s), re.MatchString(s); got != want {
				t.Errorf("%s: scanner(%q) = %v, regexp = %v", p.shape, s, got, want)
			}
		}
	}
}

// FuzzPatterns checks every scanner against the model's regexp on arbitrary strings, also as the
// tail of a valid prefix, where the ARN scanners do their work.
func FuzzPatterns(f *testing.F) {
	for _, s := range patternSeeds {
		f.Add(s)
	}
	type checker struct {
		shape string
		re    *regexp.Regexp
		match func(string) bool
	}
	var checks []checker
	for _, p := range modelPatterns {
		checks = append(checks, checker{p.shape, anchored(p.pattern), p.match})
	}
	prefixes := []string{"", "d-", "arn:aws:sagemaker:", "arn:aws:sagemaker:us-east-1:123456789012:", "1.2.3"}
	f.Fuzz(func(t *testing.T, s string) {
		for _, prefix := range prefixes {
			v := prefix + s
			for _, c := range checks {
				if got, want := c.match(v), c.re.MatchString(v); got != want {
					t.Fatalf("%s: scanner(%q) = %v, regexp = %v", c.shape, v, got, want)
				}
			}
		}
	})
}
