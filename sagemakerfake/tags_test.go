package sagemakerfake_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

func tagMap(t *testing.T, c *sagemaker.Client, arn string) map[string]string {
	t.Helper()
	out, err := c.ListTags(ctx(t), &sagemaker.ListTagsInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListTags %s: %v", arn, err)
	}
	m := map[string]string{}
	for _, tag := range out.Tags {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

// TestAddAndDeleteTags adds, changes and removes tags of every kind of resource the fake holds,
// as tag reconciliation does.
func TestAddAndDeleteTags(t *testing.T) {
	f := newFixture(t)
	in := userApp(types.AppTypeJupyterServer, "tagged", "")
	in.Tags = []types.Tag{tag("team", "ml")}
	created, err := f.client.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "arn:aws:sagemaker:us-east-1:123456789012:"
	for _, arn := range []string{
		aws.ToString(created.AppArn),
		prefix + "domain/" + testDomain,
		prefix + "user-profile/" + testDomain + "/" + testUser,
		prefix + "space/" + testDomain + "/" + testSpace,
	} {
		t.Run(arn[len(prefix):], func(t *testing.T) {
			before := tagMap(t, f.client, arn)
			added, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: aws.String(arn),
				Tags: []types.Tag{tag("team", "platform"), tag("cost-center", "42")}})
			if err != nil {
				t.Fatalf("AddTags: %v", err)
			}
			if len(added.Tags) != 2 || aws.ToString(added.Tags[0].Value) != "platform" {
				t.Errorf("AddTags answered %+v, want the tags it was given", added.Tags)
			}
			want := map[string]string{"team": "platform", "cost-center": "42"}
			for k, v := range before {
				if _, ok := want[k]; !ok {
					want[k] = v
				}
			}
			if got := tagMap(t, f.client, arn); !mapsEqual(got, want) {
				t.Errorf("after AddTags: %v, want %v", got, want)
			}
			if _, err := f.client.DeleteTags(ctx(t), &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arn), TagKeys: []string{"team", "never-set"}}); err != nil {
				t.Fatalf("DeleteTags: %v", err)
			}
			delete(want, "team")
			if got := tagMap(t, f.client, arn); !mapsEqual(got, want) {
				t.Errorf("after DeleteTags: %v, want %v", got, want)
			}
		})
	}
	// Server.Apps sees the app's tags as ListTags does.
	if apps := f.srv.Apps(); len(apps) != 1 || len(apps[0].Tags) != 1 || aws.ToString(apps[0].Tags[0].Key) != "cost-center" {
		t.Errorf("Apps() = %+v", apps)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestTagLimits pins the model's limits and the service's rules on AddTags and DeleteTags; a
// refused call changes nothing.
func TestTagLimits(t *testing.T) {
	f := newFixture(t)
	in := userApp(types.AppTypeJupyterServer, "tagged", "")
	in.Tags = tags(40)
	created, err := f.client.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	arn := created.AppArn
	many := func(n, from int) []types.Tag {
		out := make([]types.Tag, n)
		for i := range out {
			out[i] = tag(fmt.Sprintf("n%d", from+i), "v")
		}
		return out
	}
	for _, tc := range []struct {
		name string
		call func() error
		code string
		want string
	}{
		{"more than 50 in one call", func() error {
			_, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: arn, Tags: many(51, 0)})
			return err
		}, "ValidationException", "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"more than 50 on the resource", func() error {
			_, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: arn, Tags: many(11, 0)})
			return err
		}, "ValidationException", "would have 51 tags, more than the limit of 50"},
		{"reserved prefix", func() error {
			_, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: arn, Tags: []types.Tag{tag("AWS:owner", "x")}})
			return err
		}, "ValidationException", "Tag keys starting with 'aws:' are reserved"},
		{"duplicate keys", func() error {
			_, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: arn, Tags: []types.Tag{tag("a", "1"), tag("a", "2")}})
			return err
		}, "ValidationException", "Duplicate tag key: 'a'"},
		{"key pattern", func() error {
			_, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: arn, Tags: []types.Tag{tag("a*b", "1")}})
			return err
		}, "ValidationException", "Value 'a*b' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"value too long", func() error {
			_, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: arn, Tags: []types.Tag{tag("a", strings.Repeat("v", 257))}})
			return err
		}, "ValidationException", "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"unknown resource", func() error {
			_, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: aws.String(aws.ToString(arn) + "x"), Tags: []types.Tag{tag("a", "1")}})
			return err
		}, "ResourceNotFound", "does not exist"},
		{"delete of no keys", func() error {
			_, err := f.client.DeleteTags(ctx(t), &sagemaker.DeleteTagsInput{ResourceArn: arn, TagKeys: []string{}})
			return err
		}, "ValidationException", "at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"delete of a reserved key", func() error {
			_, err := f.client.DeleteTags(ctx(t), &sagemaker.DeleteTagsInput{ResourceArn: arn, TagKeys: []string{"k1", "aws:cloudformation:stack-name"}})
			return err
		}, "ValidationException", "Tag keys starting with 'aws:' are reserved"},
		{"delete on an unknown resource", func() error {
			_, err := f.client.DeleteTags(ctx(t), &sagemaker.DeleteTagsInput{ResourceArn: aws.String(aws.ToString(arn) + "x"), TagKeys: []string{"k1"}})
			return err
		}, "ResourceNotFound", "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantCode(t, err, tc.code)
			if !strings.Contains(errorMessage(err), tc.want) {
				t.Errorf("message %q, want it to contain %q", errorMessage(err), tc.want)
			}
			if got := tagMap(t, f.client, aws.ToString(arn)); len(got) != 40 {
				t.Errorf("a refused call changed the tags: %d of them", len(got))
			}
		})
	}
	// Exactly 50 is allowed, and changing the value of a key it has does not count as a new tag.
	if _, err := f.client.AddTags(ctx(t), &sagemaker.AddTagsInput{ResourceArn: arn, Tags: append(many(10, 0), tag("k0", "changed"))}); err != nil {
		t.Fatalf("AddTags up to 50: %v", err)
	}
	got := tagMap(t, f.client, aws.ToString(arn))
	if len(got) != 50 || got["k0"] != "changed" || got["n9"] != "v" {
		t.Errorf("%d tags, k0=%q, n9=%q; want 50, changed and v", len(got), got["k0"], got["n9"])
	}
}
