package sagemakerapp

import "testing"

// BenchmarkValidate measures the typical request: KernelGateway, a user profile, an image ARN
// and ten tags. Target: at most 1 µs and 0 allocations.
func BenchmarkValidate(b *testing.B) {
	in := typicalInput()
	if err := Validate(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if Validate(in) != nil {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkValidate50Tags is the typical request with the most tags the model allows. Target: at
// most 4 µs and 0 allocations.
func BenchmarkValidate50Tags(b *testing.B) {
	in := typicalInput()
	in.Tags = makeTags(maxTags)
	if err := Validate(in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if Validate(in) != nil {
			b.Fatal("invalid")
		}
	}
}
