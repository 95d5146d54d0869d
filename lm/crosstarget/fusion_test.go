package crosstarget

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// fusionDirs are the packages whose float arithmetic must be target-stable:
// the model, loss and optimizer code, the kernels' pure-Go paths, the
// deterministic math functions, this check's own dump code, and the
// finetuning scoring that turns losses into weights (wins, softmax, the
// composition by reward share). Of the rest of the weights' path, the
// validator's aggregate only adds and competition.Epsilon.At rounds its one
// product; type-checking those packages here would take half a minute.
var fusionDirs = []string{"../model", "../train", "../kernels", "../detmath", ".", "../../subnets/finetuning/scoring"}

// stableMath are the math functions that are exactly rounded (or exact) on
// every target; every other math function (Exp, Log, Pow, Sin, Tanh, Erf, ...)
// has CPU-dependent assembly or fusible pure-Go bodies: use lm/detmath.
var stableMath = map[string]bool{
	"Sqrt": true, "Abs": true, "Floor": true, "Ceil": true, "Trunc": true, "Round": true, "RoundToEven": true,
	"Inf": true, "NaN": true, "IsNaN": true, "IsInf": true, "Signbit": true, "Copysign": true,
	"Float32bits": true, "Float32frombits": true, "Float64bits": true, "Float64frombits": true,
	"Nextafter": true, "Nextafter32": true, "Max": true, "Min": true, "Ldexp": true, "Frexp": true,
	"Mod": true, "Modf": true, "FMA": true,
}

// TestNoFusibleFloatExpressions enforces the numerics convention of
// lm/model/doc.go on the sources of fusionDirs: every float multiplication
// is explicitly rounded by a conversion (float32(a*b), float64(a*b)) unless it
// feeds only another multiplication, a division or a comparison, and no
// float product is formed by *=. Go may fuse a multiplication into a
// following addition or subtraction (one FMA, one rounding) on arm64 and
// GOAMD64=v3, also across statements and after inlining, so an unrounded
// product that flows anywhere else can change results between targets. Calls
// of math functions outside stableMath are refused as well.
func TestNoFusibleFloatExpressions(t *testing.T) {
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "source", nil)
	for _, dir := range fusionDirs {
		files := parseDir(t, fset, dir)
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
		conf := types.Config{Importer: imp, Error: func(error) {}}
		if _, err := conf.Check(dir, fset, files, info); err != nil {
			t.Fatalf("type-checking %s: %v", dir, err)
		}
		for _, f := range files {
			for _, p := range fusionProblems(f, info) {
				t.Errorf("%s: %s", fset.Position(p.pos), p.msg)
			}
		}
	}
}

// parseDir parses the package in dir: its non-test files, and for this
// package (test-only) its test files too.
func parseDir(t *testing.T, fset *token.FileSet, dir string) []*ast.File {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") && dir != "." {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if !buildsOnSomeTarget(f) {
			continue
		}
		files = append(files, f)
	}
	return files
}

// buildsOnSomeTarget drops the files that would clash in one type-check
// (only the amd64 assembly wrappers are skipped; the pure-Go fallbacks, which
// are what matters here, are all kept: kernel_other.go and vec_other.go).
func buildsOnSomeTarget(f *ast.File) bool {
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build") {
				tags := strings.TrimPrefix(c.Text, "//go:build ")
				return !strings.Contains(tags, "!purego") && !strings.Contains(tags, "!((linux")
			}
		}
	}
	return true
}

type problem struct {
	pos token.Pos
	msg string
}

// fusionProblems walks f with a parent stack and reports unrounded float
// products and unstable math calls.
func fusionProblems(f *ast.File, info *types.Info) []problem {
	var out []problem
	var stack []ast.Node
	isFloat := func(e ast.Expr) bool {
		tv, ok := info.Types[e]
		if !ok || tv.Value != nil { // untyped or constant: folded at compile time
			return false
		}
		b, ok := tv.Type.Underlying().(*types.Basic)
		return ok && b.Info()&types.IsFloat != 0
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if fd, ok := n.(*ast.FuncDecl); ok && exempt(fd) {
			return false
		}
		switch x := n.(type) {
		case *ast.BinaryExpr:
			if x.Op == token.MUL && isFloat(x) && !roundedUse(x, stack, info) {
				out = append(out, problem{x.Pos(), "float product not rounded by an explicit conversion before further use (may fuse into FMA)"})
			}
		case *ast.AssignStmt:
			if x.Tok == token.MUL_ASSIGN && isFloat(x.Lhs[0]) {
				out = append(out, problem{x.Pos(), "float *= (write x = float32(x * y): the stored product may fuse with a later add)"})
			}
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				if pkg, ok := info.Uses[id].(*types.PkgName); ok && pkg.Imported().Path() == "math" {
					if _, isFunc := info.Uses[x.Sel].(*types.Func); isFunc && !stableMath[x.Sel.Name] {
						out = append(out, problem{x.Pos(), "math." + x.Sel.Name + " is not bit-identical across targets; use lm/detmath"})
					}
				}
			}
		}
		stack = append(stack, n)
		return true
	})
	return out
}

// exempt reports whether fd's doc comment carries a "//numerics:exempt
// <reason>" line: for float code that is not model arithmetic (the reason is
// required).
func exempt(fd *ast.FuncDecl) bool {
	if fd.Doc == nil {
		return false
	}
	for _, c := range fd.Doc.List {
		if reason, ok := strings.CutPrefix(c.Text, "//numerics:exempt "); ok && strings.TrimSpace(reason) != "" {
			return true
		}
	}
	return false
}

// roundedUse reports whether the product e (whose ancestors are stack, the
// innermost last) is consumed only by a float conversion, a multiplication,
// a division or a comparison.
func roundedUse(e ast.Expr, stack []ast.Node, info *types.Info) bool {
	var child ast.Node = e
	for i := len(stack) - 1; i >= 0; i-- {
		switch p := stack[i].(type) {
		case *ast.ParenExpr:
			child = p
			continue
		case *ast.CallExpr:
			tv, ok := info.Types[p.Fun]
			return ok && tv.IsType() && len(p.Args) == 1 && p.Args[0] == child
		case *ast.BinaryExpr:
			switch p.Op {
			case token.MUL, token.QUO, token.LSS, token.GTR, token.LEQ, token.GEQ, token.EQL, token.NEQ:
				return true
			}
			return false
		default:
			return false
		}
	}
	return false
}

// The check itself finds what it must and passes what it may.
func TestFusionCheckerCases(t *testing.T) {
	src := `package p

import "math"

func bad(a, b, c float32, x float64, s []float32) float32 {
	d := a*b + c          // 1: fused add
	e := c - a*b          // 2: fused sub (arm64)
	f := a * b            // 3: unrounded product kept
	s[0] *= a             // 4: *=
	_ = math.Exp(x)       // 5: unstable math
	g := -(a * b) + c     // 6: negated product
	h := float32(a*b*c) + (a*b)*c // 7: outer product of the second term
	_, _, _, _ = d, e, f, g
	_ = h
	return a * b          // 8: returned (inlining may fuse)
}

func good(a, b, c float32, x float64) (float32, bool) {
	d := float32(a*b) + c
	e := float32(a*b*c) - float32((a*b)/c)
	_ = math.Sqrt(x) + math.Abs(x)
	const k = 2 * 3.5
	return d + e*0 + k, a*b > c
}

//numerics:exempt counts only
func exempt(a, b float64) float64 { return a*b + 1 }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	if _, err := conf.Check("p", fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, p := range fusionProblems(f, info) {
		lines = append(lines, fset.Position(p.pos).Line)
	}
	// good's "e*0" is a product added to d: reported too (line 23).
	want := []int{6, 7, 8, 9, 10, 11, 12, 15, 23}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Fatalf("problems on lines %v, want %v", lines, want)
	}
}
