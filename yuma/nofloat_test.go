package yuma

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoFloats checks the sources of the epoch (package yuma, and package fixed
// outside its documented test/display helpers) never mention a float type or
// call a float helper: consensus arithmetic is integer-only.
func TestNoFloats(t *testing.T) {
	allowed := map[string]bool{"FromFloat64": true, "FromFloat32": true, "Float64": true}
	for _, dir := range []string{".", "../fixed"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && dir != "." && allowed[fd.Name.Name] {
					continue // the documented float helpers of package fixed
				}
				ast.Inspect(d, func(n ast.Node) bool {
					switch x := n.(type) {
					case *ast.Ident:
						if x.Name == "float32" || x.Name == "float64" || x.Name == "complex128" {
							t.Errorf("%s: float type %s", fset.Position(x.Pos()), x.Name)
						}
					case *ast.SelectorExpr:
						if allowed[x.Sel.Name] {
							t.Errorf("%s: float helper %s", fset.Position(x.Pos()), x.Sel.Name)
						}
					case *ast.BasicLit:
						if x.Kind == token.FLOAT {
							t.Errorf("%s: float literal %s", fset.Position(x.Pos()), x.Value)
						}
					}
					return true
				})
			}
		}
	}
}
