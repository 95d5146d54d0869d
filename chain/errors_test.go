package chain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// Every Code* constant in errors.go has a distinct name: the node's metrics
// and API report rejections by it, so a new code without a name would show
// up as "code_N".
func TestCodeNames(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	consts := 0
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Code") || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		v, err := strconv.ParseUint(lit.Value, 10, 32)
		if err != nil {
			t.Fatal(err)
		}
		consts++
		name := CodeName(uint32(v))
		if name == "" || strings.HasPrefix(name, "code_") {
			t.Errorf("%s (%d) has no name", vs.Names[0].Name, v)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("%s and %s share the name %q", other, vs.Names[0].Name, name)
		}
		seen[name] = vs.Names[0].Name
		return true
	})
	if consts < 40 {
		t.Fatalf("found only %d Code constants in errors.go", consts)
	}
	if CodeName(CodeOK) != "ok" || CodeName(CodeBadSignature) != "bad_signature" || CodeName(9999) != "code_9999" {
		t.Fatalf("names: %q %q %q", CodeName(CodeOK), CodeName(CodeBadSignature), CodeName(9999))
	}
}
