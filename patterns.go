package sagemakerapp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The service model's patterns, exactly as the model writes them (without anchors). The validator
// applies each anchored at both ends, as ^(?:pattern)$, through the hand-written scanners below:
// a compiled regexp would cost more than the whole validation budget. FuzzPatterns checks every
// scanner against regexp.MustCompile of these strings, and TestPatternsMatchModel checks that the
// strings are the model's.
const (
	patternDomainID        = `d-(-*[a-z0-9]){1,61}`
	patternName            = `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`
	patternTag             = `([\p{L}\p{Z}\p{N}_.:/=+\-@]*)`
	patternImageARN        = `arn:aws(-[\w]+)*:sagemaker:.+:[0-9]{12}:image/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*`
	patternImageVersionARN = `(arn:aws(-[\w]+)*:sagemaker:.+:[0-9]{12}:image-version/[a-z0-9]([-.]?[a-z0-9])*/[0-9]+|None)`
	patternImageAlias      = `(^\d+$)|(^\d+.\d+$)|(^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)`
	patternLifecycleARN    = `(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:studio-lifecycle-config/.*|None)`
	patternTrainingPlanARN = `(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:training-plan/.*|None)`
	patternAppARN          = `arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:app/.*`
)

// The scanners work on bytes and agree with Go's regexp on every input, valid UTF-8 or not: a
// multi-byte rune never contains an ASCII byte, and regexp reads an invalid byte as U+FFFD, which
// only the model's "." accepts, as "." never rejects a byte other than '\n'. Validity of UTF-8 is
// a separate rule (see stringRule).

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isLowerAlnum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' }
func isAlnum(c byte) bool      { return isLowerAlnum(c) || 'A' <= c && c <= 'Z' }
func isWord(c byte) bool       { return isAlnum(c) || c == '_' }

// matchName reports whether s matches ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$: alphanumerics with runs of
// hyphens between them, at most 63 alphanumerics.
func matchName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isAlnum(c):
			n++
		case c != '-':
			return false
		}
	}
	return n <= 63
}

// matchDomainID reports whether s matches ^d-(-*[a-z0-9]){1,61}$.
func matchDomainID(s string) bool {
	rest, ok := strings.CutPrefix(s, "d-")
	if !ok || rest == "" || !isLowerAlnum(rest[len(rest)-1]) {
		return false
	}
	n := 0
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case isLowerAlnum(c):
			n++
		case c != '-':
			return false
		}
	}
	return n <= 61
}

// tagASCII marks the ASCII bytes of [\p{L}\p{Z}\p{N}_.:/=+\-@]: letters, digits, the space (the only
// ASCII separator) and the listed punctuation.
var tagASCII = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		r := rune(c)
		t[c] = unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Z, r) || strings.ContainsRune("_.:/=+-@", r)
	}
	return t
}()

// matchTag reports whether s matches ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$.
func matchTag(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !tagASCII[c] {
				return false
			}
			i++
			continue
		}
		// An invalid byte decodes to U+FFFD (category So), which the class rejects, as regexp does.
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Z, r) {
			return false
		}
		i += size
	}
	return true
}

// matchImageARN reports whether s matches
// ^arn:aws(-[\w]+)*:sagemaker:.+:[0-9]{12}:image/[a-zA-Z0-9]([-.]?[a-zA-Z0-9])*$.
func matchImageARN(s string) bool {
	rest, ok := cutSageMakerARNWordPrefix(s)
	if !ok {
		return false
	}
	// The image name holds no '/', so the last '/' is the one after ":image".
	slash := strings.LastIndexByte(rest, '/')
	if slash < 0 || !matchResourceName(rest[slash+1:], isAlnum) {
		return false
	}
	return matchAccountSuffix(rest[:slash], ":image")
}

// matchImageVersionARN reports whether s matches
// ^(arn:aws(-[\w]+)*:sagemaker:.+:[0-9]{12}:image-version/[a-z0-9]([-.]?[a-z0-9])*/[0-9]+|None)$.
func matchImageVersionARN(s string) bool {
	if s == "None" {
		return true
	}
	rest, ok := cutSageMakerARNWordPrefix(s)
	if !ok {
		return false
	}
	slash := strings.LastIndexByte(rest, '/')
	if slash < 0 || !allDigits(rest[slash+1:]) {
		return false
	}
	rest = rest[:slash]
	slash = strings.LastIndexByte(rest, '/')
	if slash < 0 || !matchResourceName(rest[slash+1:], isLowerAlnum) {
		return false
	}
	return matchAccountSuffix(rest[:slash], ":image-version")
}

// cutSageMakerARNWordPrefix cuts ^arn:aws(-[\w]+)*:sagemaker: from s.
func cutSageMakerARNWordPrefix(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "arn:aws")
	if !ok {
		return "", false
	}
	for len(rest) > 0 && rest[0] == '-' {
		j := 1
		for j < len(rest) && isWord(rest[j]) {
			j++
		}
		if j == 1 {
			return "", false
		}
		rest = rest[j:]
	}
	return strings.CutPrefix(rest, ":sagemaker:")
}

// matchAccountSuffix reports whether s matches ^.+:[0-9]{12}<kind>$, where kind is ":image" or
// ":image-version".
func matchAccountSuffix(s, kind string) bool {
	head, ok := strings.CutSuffix(s, kind)
	if !ok || len(head) < 1+1+12 {
		return false
	}
	region, account := head[:len(head)-13], head[len(head)-13:]
	return account[0] == ':' && allDigits(account[1:]) && strings.IndexByte(region, '\n') < 0
}

// matchResourceName reports whether s matches ^[x]([-.]?[x])*$ where isX tells the class x.
func matchResourceName(s string, isX func(byte) bool) bool {
	if s == "" || !isX(s[0]) || !isX(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if isX(c) {
			continue
		}
		if c != '-' && c != '.' || !isX(s[i+1]) {
			// A separator must be single and followed by a name character; the last byte is one.
			return false
		}
		i++
	}
	return true
}

// matchConfigARN reports whether s matches
// ^(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:<resource>/.*|None)$.
func matchConfigARN(s, resource string) bool {
	if s == "None" {
		return true
	}
	rest, ok := cutSageMakerARNPrefix(s)
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(rest, resource)
	if !ok || rest == "" || rest[0] != '/' {
		return false
	}
	return strings.IndexByte(rest, '\n') < 0
}

// cutSageMakerARNPrefix cuts ^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}: from s.
func cutSageMakerARNPrefix(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "arn:aws")
	if !ok {
		return "", false
	}
	i := 0
	for i < len(rest) && ('a' <= rest[i] && rest[i] <= 'z' || rest[i] == '-') {
		i++
	}
	rest, ok = strings.CutPrefix(rest[i:], ":sagemaker:")
	if !ok {
		return "", false
	}
	i = 0
	for i < len(rest) && (isLowerAlnum(rest[i]) || rest[i] == '-') {
		i++
	}
	rest = rest[i:]
	if len(rest) < 14 || rest[0] != ':' || !allDigits(rest[1:13]) || rest[13] != ':' {
		return "", false
	}
	return rest[14:], true
}

func matchLifecycleConfigARN(s string) bool { return matchConfigARN(s, "studio-lifecycle-config") }
func matchTrainingPlanARN(s string) bool    { return matchConfigARN(s, "training-plan") }

// matchAppARN reports whether s matches ^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:app/.*$.
func matchAppARN(s string) bool { return matchConfigARN(s, "app") && s != "None" }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// matchImageAlias reports whether s matches the model's ImageVersionAlias pattern, anchored:
// ^\d+$, or ^\d+.\d+$ (the model's "." is unescaped: any one character but a newline), or a
// Semantic Versioning 2.0.0 version.
func matchImageAlias(s string) bool {
	return allDigits(s) || matchDigitsAnyDigits(s) || matchSemVer(s)
}

// matchDigitsAnyDigits reports whether s matches ^\d+.\d+$.
func matchDigitsAnyDigits(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == len(s) {
		// All digits: any middle digit can be the ".".
		return len(s) >= 3
	}
	if i == 0 {
		return false
	}
	// The first non-digit must be the "." since both sides are digits only.
	_, size := utf8.DecodeRuneInString(s[i:])
	return s[i] != '\n' && allDigits(s[i+size:])
}

// matchSemVer reports whether s is a Semantic Versioning 2.0.0 version, as the model's third
// alternative spells it.
func matchSemVer(s string) bool {
	rest := s
	for n := range 3 {
		var ok bool
		if rest, ok = cutNumericIdentifier(rest); !ok {
			return false
		}
		if n < 2 {
			if rest, ok = strings.CutPrefix(rest, "."); !ok {
				return false
			}
		}
	}
	if pre, ok := strings.CutPrefix(rest, "-"); ok {
		rest = pre
		for {
			id := rest[:identifierLen(rest)]
			if id == "" || allDigits(id) && len(id) > 1 && id[0] == '0' {
				return false
			}
			rest = rest[len(id):]
			if rest == "" || rest[0] != '.' {
				break
			}
			rest = rest[1:]
		}
	}
	if build, ok := strings.CutPrefix(rest, "+"); ok {
		rest = build
		for {
			n := identifierLen(rest)
			if n == 0 {
				return false
			}
			rest = rest[n:]
			if rest == "" || rest[0] != '.' {
				break
			}
			rest = rest[1:]
		}
	}
	return rest == ""
}

// cutNumericIdentifier cuts (0|[1-9]\d*) from the front of s.
func cutNumericIdentifier(s string) (string, bool) {
	switch {
	case s == "" || !isDigit(s[0]):
		return "", false
	case s[0] == '0':
		return s[1:], true
	}
	i := 1
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[i:], true
}

// identifierLen returns the length of the run of [0-9a-zA-Z-] at the front of s.
func identifierLen(s string) int {
	i := 0
	for i < len(s) && (isAlnum(s[i]) || s[i] == '-') {
		i++
	}
	return i
}

// matchDisplayName reports whether s matches the model's NonEmptyString64 pattern, (?!\s*$).+,
// read as Go's regexp reads "." and "\s" (RE2 has no lookahead, so it cannot compile the pattern
// itself): at least one character, no newline, and not only blanks (\t \f \r and space).
func matchDisplayName(s string) bool {
	blank := true
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return false
		case '\t', '\f', '\r', ' ':
		default:
			blank = false
		}
	}
	return !blank
}
