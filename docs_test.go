package sagemakerapp_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The Go code of README.md and of this package's doc comments is code people copy, so it is
// compiled and run here: TestDocSnippets extracts every block, docsnippets_test.go holds each as a
// function (generated from the docs, and checked to be up to date), and each runs against a fresh
// sagemakerfake that holds what the docs assume (docEnv). A snippet passes when it compiles, its
// own error checks and the ones added after each call pass, it logs no error of this library, and
// the fake refused none of its requests as invalid: so every request the docs build is one that
// Validate and today's Studio (as the fake plays it) accept.

var updateDocSnippets = flag.Bool("update-doc-snippets", false, "rewrite docsnippets_test.go from README.md and the doc comments")

const docSnippetsFile = "docsnippets_test.go"

// docSnippet is one Go code block of the docs, as a function of docsnippets_test.go.
type docSnippet struct {
	Source string // where it is: "README.md § Ensure", "doc.go #1"
	Run    func(ctx context.Context, env *docEnv) error
}

// docSnippets is filled by docsnippets_test.go; the package compiles without it, so that a
// broken generated file can be deleted and written again.
var docSnippets []docSnippet

// Domains of the snippets' environment. The docs name them: d-xxxxxxxxxxxx is a domain of today's
// Studio, d-classic12345 one that still runs Studio Classic.
const (
	docDomainID        = "d-xxxxxxxxxxxx"
	docClassicDomainID = "d-classic12345"
)

// docUsers have user profiles in both domains, and each a private JupyterLab space,
// <user>-jupyterlab, in docDomainID.
var docUsers = []string{"alice", "bob", "carol"}

// docEnv is what a snippet finds: the names the docs use without defining them (client, ctx,
// domainID, image, …), over a fake that holds the domains and users the docs assume.
type docEnv struct {
	t        *testing.T
	srv      *sagemakerfake.Server
	client   *sagemakerapp.Client
	sdk      *sagemaker.Client
	domainID string
	image    string
	users    []string
	app      *sagemakerapp.App
}

// newDocEnv starts the environment's fake, with opts after its own.
func newDocEnv(t *testing.T, opts ...sagemakerfake.Option) *docEnv {
	t.Helper()
	// Apps and spaces start at once, so that a snippet whose client waits on real time (one built
	// from config.LoadDefaultConfig) waits no longer than its first pause.
	srv := sagemakerfake.Start(t, append([]sagemakerfake.Option{sagemakerfake.WithStartupDelay(0)}, opts...)...)
	_, err := srv.SeedDomain(docDomainID, &sagemaker.CreateDomainInput{
		DomainName: aws.String("today"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{},
	})
	require.NoError(t, err)
	_, err = srv.SeedDomain(docClassicDomainID, &sagemaker.CreateDomainInput{
		DomainName: aws.String("classic"), AuthMode: types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled},
	})
	require.NoError(t, err)
	for _, d := range []string{docDomainID, docClassicDomainID} {
		for _, u := range docUsers {
			require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(d), UserProfileName: aws.String(u)}))
		}
	}
	for _, u := range docUsers {
		require.NoError(t, srv.SeedSpace(sagemakerapp.PrivateSpace(docDomainID, u+"-jupyterlab", u, types.AppTypeJupyterLab)))
	}
	require.NoError(t, srv.SeedSpace(sagemakerapp.PrivateSpace(docDomainID, "alice-codeeditor", "alice", types.AppTypeCodeEditor)))
	image, err := sagemakerapp.DistributionImage(srv.Region(), false)
	require.NoError(t, err)

	// A snippet that builds its own client from the default AWS configuration reaches the fake,
	// and nothing else: no shared config or credentials file is read, and the endpoint is the
	// fake's.
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_PROFILE": "", "AWS_REGION": srv.Region(),
		"AWS_ACCESS_KEY_ID": "fake", "AWS_SECRET_ACCESS_KEY": "fake", "AWS_SESSION_TOKEN": "",
		"AWS_ENDPOINT_URL": srv.URL(), "AWS_ENDPOINT_URL_SAGEMAKER": srv.URL(), "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}

	sdk := srv.Client()
	return &docEnv{
		t:   t,
		srv: srv,
		sdk: sdk,
		client: sagemakerapp.New(sdk, func(o *sagemakerapp.Options) {
			o.Now = srv.Now
			o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
		}),
		domainID: docDomainID,
		image:    image,
		users:    slices.Clone(docUsers),
	}
}

// base is the template the docs' batch examples start from: a JupyterLab app "default" with an
// instance type and the distribution image, in no space yet.
func (e *docEnv) base() sagemakerapp.AppBuilder {
	return e.client.NewApp(e.domainID, types.AppTypeJupyterLab, "default").
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(e.image)
}

// builder is a complete request: the base in alice's JupyterLab space.
func (e *docEnv) builder() sagemakerapp.AppBuilder { return e.base().InSpace("alice-jupyterlab") }

// input is builder's request.
func (e *docEnv) input() *sagemaker.CreateAppInput {
	in, err := e.builder().Input()
	require.NoError(e.t, err)
	return in
}

// existingApp is an app that the snippet's code expects to exist: builder's, created once.
func (e *docEnv) existingApp() *sagemakerapp.App {
	if e.app == nil {
		app, err := e.builder().Create(context.Background())
		require.NoError(e.t, err)
		e.app = app
	}
	return e.app
}

// docEnvNames are the names a snippet may use without defining them, and the expression of
// docsnippets_test.go that gives each.
var docEnvNames = map[string]string{
	"client":   "env.client",
	"api":      "env.sdk",
	"sdk":      "env.sdk",
	"domainID": "env.domainID",
	"image":    "env.image",
	"users":    "env.users",
	"base":     "env.base()",
	"b":        "env.builder()",
	"in":       "env.input()",
	"app":      "env.existingApp()",
	"id":       "env.existingApp().ID",
}

// docImports are the packages a snippet may use, by the name it uses.
var docImports = map[string]string{
	"aws":           "github.com/aws/aws-sdk-go-v2/aws",
	"config":        "github.com/aws/aws-sdk-go-v2/config",
	"sagemaker":     "github.com/aws/aws-sdk-go-v2/service/sagemaker",
	"types":         "github.com/aws/aws-sdk-go-v2/service/sagemaker/types",
	"sagemakerapp":  "github.com/studioapp/sagemakerapp",
	"sagemakerfake": "github.com/studioapp/sagemakerapp/sagemakerfake",
	"require":       "github.com/stretchr/testify/require",
	"context":       "context",
	"errors":        "errors",
	"fmt":           "fmt",
	"http":          "net/http",
	"io":            "io",
	"log":           "log",
	"strings":       "strings",
	"testing":       "testing",
	"time":          "time",
}

// docSnippetSkips are blocks that are Go but cannot run here, by a line they hold, and why.
var docSnippetSkips = map[string]string{
	"redisrate.New(": "module limiter/redisrate, whose own example_test.go runs the same code",
}

// docSnippetErrors are blocks that end with an error on purpose, by a line they hold, and the
// sentinel it must match.
var docSnippetErrors = map[string]error{
	"err := sagemakerapp.Validate(&sagemaker.CreateAppInput{": sagemakerapp.ErrInvalidInput,
}

// codeBlock is a block of code of the docs, before it is known to be Go.
type codeBlock struct {
	source string
	code   string
	fenced bool // a ```go block of Markdown, which must be Go; a doc comment's block may be text
}

// readmeBlocks returns README.md's ```go blocks, labelled by the section they are in.
func readmeBlocks(t *testing.T) []codeBlock {
	data, err := os.ReadFile("README.md")
	require.NoError(t, err)
	var blocks []codeBlock
	section, inSection := "", 0
	var cur []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case !in && strings.HasPrefix(line, "#"):
			section, inSection = strings.TrimSpace(strings.TrimLeft(line, "#")), 0
		case !in && line == "```go":
			in, cur = true, nil
		case in && line == "```":
			in = false
			inSection++
			label := "README.md § " + section
			if inSection > 1 {
				label += fmt.Sprintf(" #%d", inSection)
			}
			blocks = append(blocks, codeBlock{source: label, code: strings.Join(cur, "\n"), fenced: true})
		case in:
			cur = append(cur, line)
		}
	}
	require.False(t, in, "README.md: a ```go block is not closed")
	return blocks
}

// commentBlocks returns the code blocks of the doc comments of the package's own files (a run of
// "//\t" lines, "//" lines between them), labelled by file and order.
func commentBlocks(t *testing.T) []codeBlock {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	sort.Strings(files)
	var blocks []codeBlock
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var cur []string
		flush := func() {
			for len(cur) > 0 && cur[len(cur)-1] == "" {
				cur = cur[:len(cur)-1]
			}
			if len(cur) > 0 {
				n := 1
				for _, b := range blocks {
					if strings.HasPrefix(b.source, f+" #") {
						n++
					}
				}
				blocks = append(blocks, codeBlock{source: fmt.Sprintf("%s #%d", f, n), code: strings.Join(cur, "\n")})
			}
			cur = nil
		}
		for _, line := range strings.Split(string(data), "\n") {
			switch {
			case strings.HasPrefix(line, "//\t"):
				cur = append(cur, strings.TrimPrefix(line, "//\t"))
			case line == "//" && len(cur) > 0:
				cur = append(cur, "")
			default:
				flush()
			}
		}
		flush()
	}
	return blocks
}

// goSnippet is a block that parses as Go: statements (a function body) or declarations.
type goSnippet struct {
	source string
	decls  bool   // top-level declarations, emitted as they are (a Test function runs as a test)
	body   string // the code, imports removed
}

var importDecl = regexp.MustCompile(`(?s)^\s*import\s*(\([^)]*\)|"[^"]*")\s*`)

// parseBlock tells Go from text. A Markdown ```go block must be Go; a doc comment's block that
// does not parse is text (a table, a command line) unless it holds ":=", which only Go does.
func parseBlock(t *testing.T, b codeBlock) (goSnippet, bool) {
	body := importDecl.ReplaceAllString(b.code, "")
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+body+"\n}\n", 0); err == nil {
		return goSnippet{source: b.source, body: body}, true
	}
	_, declErr := parser.ParseFile(fset, "", "package p\n"+body+"\n", 0)
	if declErr == nil {
		return goSnippet{source: b.source, decls: true, body: body}, true
	}
	if b.fenced || strings.Contains(b.code, ":=") {
		t.Errorf("%s: a code block that looks like Go does not parse: %v\n%s", b.source, declErr, b.code)
	}
	return goSnippet{}, false
}

// universe are the predeclared names a snippet may use.
var universe = map[string]bool{
	"nil": true, "true": true, "false": true, "len": true, "cap": true, "append": true, "make": true,
	"new": true, "string": true, "int": true, "int32": true, "int64": true, "bool": true, "error": true,
	"any": true, "byte": true, "float64": true, "min": true, "max": true, "panic": true, "copy": true,
	"delete": true, "clear": true, "iota": true, "uint64": true, "rune": true,
}

// freeNames returns the names a statement snippet uses without defining them, sorted.
func freeNames(body string) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+body+"\n}\n", parser.AllErrors)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, id := range f.Unresolved {
		if !universe[id.Name] {
			seen[id.Name] = true
		}
	}
	// Keys of composite literals are field names, which the parser leaves unresolved.
	ast.Inspect(f, func(n ast.Node) bool {
		if kv, ok := n.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && !isUnresolvedElsewhere(f, id) {
				delete(seen, id.Name)
			}
		}
		return true
	})
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// isUnresolvedElsewhere reports whether the name of key is also used, unresolved, other than as a
// composite literal's key.
func isUnresolvedElsewhere(f *ast.File, key *ast.Ident) bool {
	keys := map[*ast.Ident]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if kv, ok := n.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok {
				keys[id] = true
			}
		}
		return true
	})
	for _, id := range f.Unresolved {
		if id.Name == key.Name && !keys[id] {
			return true
		}
	}
	return false
}

// errUse reports whether a top-level statement assigns to err, and whether it reads err.
func errUse(s ast.Stmt) (assigns, reads bool) {
	lhs := map[*ast.Ident]bool{}
	if a, ok := s.(*ast.AssignStmt); ok {
		for _, e := range a.Lhs {
			if id, ok := e.(*ast.Ident); ok && id.Name == "err" {
				assigns, lhs[id] = true, true
			}
		}
	}
	if d, ok := s.(*ast.DeclStmt); ok {
		if g, ok := d.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, sp := range g.Specs {
				for _, n := range sp.(*ast.ValueSpec).Names {
					if n.Name == "err" {
						assigns, lhs[n] = true, true
					}
				}
			}
		}
	}
	ast.Inspect(s, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == "err" && !lhs[id] {
			reads = true
		}
		return true
	})
	return assigns, reads
}

// definedNames are the names a statement snippet defines at its top level, in order.
func definedNames(stmts []ast.Stmt) []string {
	var names []string
	for _, s := range stmts {
		for _, n := range assignedNames(s, true) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// assignedNames are the names a top-level statement defines or, unless onlyDefined, assigns.
func assignedNames(s ast.Stmt, onlyDefined bool) []string {
	var names []string
	switch s := s.(type) {
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE || (!onlyDefined && s.Tok == token.ASSIGN) {
			for _, e := range s.Lhs {
				if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
					names = append(names, id.Name)
				}
			}
		}
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok && (g.Tok == token.VAR || g.Tok == token.CONST) {
			for _, sp := range g.Specs {
				for _, n := range sp.(*ast.ValueSpec).Names {
					if n.Name != "_" {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}

// statementFunc writes a statement snippet as the function name: the environment's names it
// uses, its code, a check of err after each statement whose err nothing reads before the next
// assignment, each name it defines marked used, and err (if any) as the result.
func statementFunc(t *testing.T, s goSnippet, name string, imports map[string]bool) string {
	free, err := freeNames(s.body)
	require.NoError(t, err, s.source)
	var pre []string
	errFree := false
	for _, n := range free {
		switch {
		case n == "ctx":
		case n == "err":
			errFree = true
		case docImports[n] != "":
			imports[n] = true
		case docEnvNames[n] != "":
			pre = append(pre, n+" := "+docEnvNames[n])
		default:
			t.Errorf("%s: uses %s, which it does not define and the test's environment does not give (docEnvNames)", s.source, n)
		}
	}
	if errFree {
		pre = append(pre, "var err error")
	}

	const head = "package p\nfunc _() {\n"
	fset := token.NewFileSet()
	f, perr := parser.ParseFile(fset, "", head+s.body+"\n}\n", parser.ParseComments)
	require.NoError(t, perr, s.source)
	stmts := f.Decls[0].(*ast.FuncDecl).Body.List
	lines := strings.Split(s.body, "\n")
	after := make(map[int][]string) // by 0-based line of the body: lines to add after it
	check := fmt.Sprintf("if err != nil {\nreturn fmt.Errorf(\"%%s: %%w\", %q, err)\n}", s.source)
	for i, st := range stmts {
		assigns, _ := errUse(st)
		if !assigns {
			continue
		}
		read := false
		for _, next := range stmts[i+1:] {
			a, r := errUse(next)
			if r {
				read = true
				break
			}
			if a {
				break
			}
		}
		if !read {
			line := fset.Position(st.End()).Line - 3 // the head's two lines, and 1-based lines
			after[line] = append(after[line], check)
			imports["fmt"] = true
		}
	}
	defined := definedNames(stmts)
	for _, st := range stmts {
		// Each value a statement gives a name is marked used right after it (a snippet may leave
		// its last results unused), so that no code follows a return.
		line := fset.Position(st.End()).Line - 3
		for _, n := range assignedNames(st, false) {
			after[line] = append(after[line], "_ = "+n)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "// %s\nfunc %s(ctx context.Context, env *docEnv) error {\n", s.source, name)
	for _, p := range pre {
		b.WriteString(p + "\n")
	}
	for i, l := range lines {
		b.WriteString(l + "\n")
		for _, a := range after[i] {
			b.WriteString(a + "\n")
		}
	}
	if errFree || slices.Contains(defined, "err") {
		b.WriteString("return err\n")
	} else {
		b.WriteString("return nil\n")
	}
	b.WriteString("}\n\n")
	return b.String()
}

// declFuncs writes a declaration snippet as it is, a function's name prefixed so that it is
// unique (a TestX function of the docs runs as TestDocX).
func declFuncs(t *testing.T, s goSnippet, imports map[string]bool) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p\n"+s.body+"\n", 0)
	require.NoError(t, err, s.source)
	body := s.body
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			renamed := "docSnippet" + fd.Name.Name
			if strings.HasPrefix(fd.Name.Name, "Test") {
				renamed = "TestDoc" + strings.TrimPrefix(fd.Name.Name, "Test")
			}
			body = strings.Replace(body, "func "+fd.Name.Name+"(", "func "+renamed+"(", 1)
		}
	}
	for _, id := range f.Unresolved {
		if docImports[id.Name] != "" {
			imports[id.Name] = true
		}
	}
	return "// " + s.source + "\n" + body + "\n\n"
}

// generateDocSnippets returns docsnippets_test.go as the docs make it.
func generateDocSnippets(t *testing.T) []byte {
	var snippets []goSnippet
	for _, b := range append(readmeBlocks(t), commentBlocks(t)...) {
		if s, ok := parseBlock(t, b); ok {
			snippets = append(snippets, s)
		}
	}
	imports := map[string]bool{"context": true}
	var funcs strings.Builder
	var table strings.Builder
	n := 0
	for _, s := range snippets {
		if reason := skipReason(s.body); reason != "" {
			fmt.Fprintf(&funcs, "// %s: not run here: %s.\n\n", s.source, reason)
			continue
		}
		if s.decls {
			funcs.WriteString(declFuncs(t, s, imports))
			continue
		}
		n++
		name := fmt.Sprintf("docSnippet%02d", n)
		funcs.WriteString(statementFunc(t, s, name, imports))
		fmt.Fprintf(&table, "docSnippet{Source: %q, Run: %s},\n", s.source, name)
	}
	paths := make([]string, 0, len(imports))
	for name := range imports {
		paths = append(paths, docImports[name])
	}
	sort.Strings(paths)
	var out bytes.Buffer
	out.WriteString("// Code generated by TestDocSnippets (go test -run TestDocSnippets -update-doc-snippets .); DO NOT EDIT.\n\n")
	out.WriteString("// The Go code blocks of README.md and of the package's doc comments, as docs_test.go runs them.\n\n")
	out.WriteString("package sagemakerapp_test\n\nimport (\n")
	for _, p := range paths {
		fmt.Fprintf(&out, "%q\n", p)
	}
	out.WriteString(")\n\nfunc init() {\ndocSnippets = append(docSnippets,\n")
	out.WriteString(table.String())
	out.WriteString(")\n}\n\n")
	out.WriteString(funcs.String())
	src, err := format.Source(out.Bytes())
	require.NoError(t, err, "the generated file does not format:\n%s", out.String())
	return src
}

func skipReason(body string) string {
	for k, reason := range docSnippetSkips {
		if strings.Contains(body, k) {
			return reason
		}
	}
	return ""
}

func expectedError(body string) error {
	for k, e := range docSnippetErrors {
		if strings.Contains(body, k) {
			return e
		}
	}
	return nil
}

// TestDocSnippets runs every Go code block of the docs (see the top of this file); with
// -update-doc-snippets it first writes docsnippets_test.go anew.
func TestDocSnippets(t *testing.T) {
	want := generateDocSnippets(t)
	if *updateDocSnippets {
		require.NoError(t, os.WriteFile(docSnippetsFile, want, 0o644))
		t.Logf("wrote %s; run the test again without -update-doc-snippets", docSnippetsFile)
		return
	}
	got, err := os.ReadFile(docSnippetsFile)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "%s is not what the docs make: run go test -run TestDocSnippets -update-doc-snippets .", docSnippetsFile)

	bodies := map[string]string{}
	for _, b := range append(readmeBlocks(t), commentBlocks(t)...) {
		bodies[b.source] = b.code
	}
	require.NotEmpty(t, docSnippets)
	for _, s := range docSnippets {
		t.Run(s.Source, func(t *testing.T) {
			env := newDocEnv(t)
			var logged bytes.Buffer
			log.SetOutput(&logged)
			err := s.Run(t.Context(), env)
			log.SetOutput(os.Stderr)
			if logged.Len() > 0 {
				t.Logf("it logged:\n%s", logged.String())
			}
			if want := expectedError(bodies[s.Source]); want != nil {
				require.ErrorIs(t, err, want)
			} else {
				require.NoError(t, err)
			}
			require.NotContains(t, logged.String(), "sagemakerapp:", "the snippet logged an error of the library")
			for _, r := range env.srv.Requests() {
				require.NotEqual(t, "ValidationException", r.ErrorCode, "the fake refused %s as invalid: %s", r.Operation, r.Body)
			}
			for _, a := range env.srv.Apps() {
				require.NotEqual(t, types.AppStatusFailed, a.Status, "app %s failed: %s", a.ARN, a.FailureReason)
			}
		})
	}
}

// TestDocSnippetsFindTheBlocks checks the extraction itself on a sample: a Markdown block, a doc
// comment's Go block and its text block (a table), and the rewriting of a statement snippet.
func TestDocSnippetsFindTheBlocks(t *testing.T) {
	readme := readmeBlocks(t)
	require.NotEmpty(t, readme)
	var sources []string
	for _, b := range readme {
		sources = append(sources, b.source)
	}
	require.Contains(t, sources, "README.md § Validate")

	comments := commentBlocks(t)
	kinds := map[string]bool{}
	for _, b := range comments {
		_, isGo := parseBlock(t, b)
		kinds[b.source] = isGo
	}
	require.True(t, kinds["doc.go #1"], "the package doc's program is Go")
	require.False(t, kinds["doc.go #2"], "the package doc's table of sentinels is text")

	s := goSnippet{source: "sample", body: "a, err := client.NewApp(domainID, types.AppTypeJupyterLab, \"x\").Input()\nb, err := sagemakerapp.ParseAppARN(aws.ToString(a.AppName))"}
	imports := map[string]bool{}
	code := statementFunc(t, s, "sample", imports)
	require.Contains(t, code, "client := env.client")
	require.Contains(t, code, "domainID := env.domainID")
	require.Equal(t, 2, strings.Count(code, "if err != nil"), "each err that nothing reads is checked:\n%s", code)
	require.Contains(t, code, "_ = a\n")
	require.Contains(t, code, "return err\n")
	require.True(t, imports["types"] && imports["fmt"])
	require.True(t, errors.Is(expectedError("err := sagemakerapp.Validate(&sagemaker.CreateAppInput{"), sagemakerapp.ErrInvalidInput))
}
