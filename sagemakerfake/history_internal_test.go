package sagemakerfake

import (
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// TestHistoryMemoryIsBounded holds the history to its limit while nobody calls History: a
// server under load keeps at most the limit and an eighth of events.
func TestHistoryMemoryIsBounded(t *testing.T) {
	s, err := NewHandler(WithHistoryLimit(16))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 200 {
		if _, err := s.SeedDomain("", &sagemaker.CreateDomainInput{DomainName: aws.String("d" + strconv.Itoa(i)), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{}}); err != nil {
			t.Fatal(err)
		}
		if n := len(s.hist.events); n > 16+16/8 {
			t.Fatalf("after %d seeds the history holds %d events, more than 18", i+1, n)
		}
	}
	h := s.History()
	if len(h) != 16 || h[0].Seq != 185 || h[15].Seq != 200 {
		t.Fatalf("History holds %d events, Seq %d to %d; want 16, 185 to 200", len(h), h[0].Seq, h[len(h)-1].Seq)
	}
}
