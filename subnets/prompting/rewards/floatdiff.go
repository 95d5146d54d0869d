package rewards

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// maxNumberWords bounds how many words ExtractNumber inspects from the end.
const maxNumberWords = 4096

// FloatDiff is the math reward (§4.5). The prediction is the last word of
// the completion (scanning backwards, trailing/leading "." and "," stripped)
// that evaluates as a number or a small arithmetic expression (see
// EvalExpr); none → 0. Equal → 1. Otherwise d = min(|ref−pred|/|ref+1e-10|, 1),
// d > 0.999 counts as 1, and the score is 1 − d. A reference that is not a
// number scores 0.
func FloatDiff(reference, completion string) float64 {
	ref, err := strconv.ParseFloat(strings.TrimSpace(reference), 64)
	if err != nil {
		v, err2 := EvalExpr(strings.TrimSpace(reference))
		if err2 != nil {
			return 0
		}
		ref = v
	}
	pred, ok := ExtractNumber(completion)
	if !ok {
		return 0
	}
	if pred == ref {
		return 1
	}
	d := math.Abs(ref-pred) / math.Abs(ref+1e-10)
	if math.IsNaN(d) || d > 1 {
		d = 1
	}
	if d > 0.999 {
		d = 1
	}
	return 1 - d
}

// ExtractNumber returns the value of the last word of text that parses as a
// number or expression, scanning from the end like upstream's
// extract_number (sympy parse_expr, then float()).
func ExtractNumber(text string) (float64, bool) {
	words := pyFields(Sanitize(text, MaxCompletionBytes))
	for n, i := 0, len(words)-1; i >= 0 && n < maxNumberWords; i, n = i-1, n+1 {
		w := strings.Trim(words[i], ".,")
		if w == "" {
			continue
		}
		if v, err := EvalExpr(w); err == nil {
			return v, true
		}
		if v, err := parsePyFloat(w); err == nil {
			return v, true
		}
	}
	return 0, false
}

// parsePyFloat accepts what Python float() accepts beyond plain numbers:
// "inf", "infinity", "nan" (any case, optional sign).
func parsePyFloat(w string) (float64, error) {
	s := strings.ToLower(strings.TrimLeft(w, "+-"))
	neg := strings.HasPrefix(w, "-")
	switch s {
	case "inf", "infinity":
		if neg {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	case "nan":
		return math.NaN(), nil
	}
	return 0, errors.New("not a float")
}

// maxExprLen bounds the expressions EvalExpr accepts.
const maxExprLen = 256

var errExpr = errors.New("rewards: not an arithmetic expression")

// EvalExpr evaluates a small arithmetic expression: decimal numbers (with
// exponent), unary ±, + − * / and ** (right-associative, also ×, ÷, ·),
// parentheses, sqrt(x) / √x, pi / π and E (Euler's number, as sympy). It is
// the Go stand-in for sympy parse_expr(...).evalf() on single words; "^" is
// rejected (sympy without convert_xor does not read it as a power).
func EvalExpr(s string) (float64, error) {
	if len(s) == 0 || len(s) > maxExprLen {
		return 0, errExpr
	}
	p := &exprParser{s: []rune(s)}
	v, err := p.sum(0)
	if err != nil {
		return 0, err
	}
	if p.pos != len(p.s) {
		return 0, errExpr
	}
	if math.IsNaN(v) {
		return 0, errExpr
	}
	return v, nil
}

type exprParser struct {
	s   []rune
	pos int
}

const maxExprDepth = 32

func (p *exprParser) peek() rune {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *exprParser) sum(depth int) (float64, error) {
	v, err := p.product(depth)
	if err != nil {
		return 0, err
	}
	for {
		switch p.peek() {
		case '+':
			p.pos++
			w, err := p.product(depth)
			if err != nil {
				return 0, err
			}
			v += w
		case '-', '−':
			p.pos++
			w, err := p.product(depth)
			if err != nil {
				return 0, err
			}
			v -= w
		default:
			return v, nil
		}
	}
}

func (p *exprParser) product(depth int) (float64, error) {
	v, err := p.unary(depth)
	if err != nil {
		return 0, err
	}
	for {
		c := p.peek()
		if c == '*' && p.pos+1 < len(p.s) && p.s[p.pos+1] == '*' {
			return v, nil // handled in power
		}
		switch c {
		case '*', '×', '·':
			p.pos++
			w, err := p.unary(depth)
			if err != nil {
				return 0, err
			}
			v *= w
		case '/', '÷':
			p.pos++
			w, err := p.unary(depth)
			if err != nil {
				return 0, err
			}
			v /= w
		default:
			return v, nil
		}
	}
}

func (p *exprParser) unary(depth int) (float64, error) {
	if depth > maxExprDepth {
		return 0, errExpr
	}
	switch p.peek() {
	case '+':
		p.pos++
		return p.unary(depth + 1)
	case '-', '−':
		p.pos++
		v, err := p.unary(depth + 1)
		return -v, err
	}
	return p.power(depth)
}

func (p *exprParser) power(depth int) (float64, error) {
	base, err := p.atom(depth)
	if err != nil {
		return 0, err
	}
	if p.peek() == '*' && p.pos+1 < len(p.s) && p.s[p.pos+1] == '*' {
		p.pos += 2
		exp, err := p.unary(depth + 1)
		if err != nil {
			return 0, err
		}
		return math.Pow(base, exp), nil
	}
	return base, nil
}

func (p *exprParser) atom(depth int) (float64, error) {
	c := p.peek()
	switch {
	case c == '(':
		p.pos++
		v, err := p.sum(depth + 1)
		if err != nil {
			return 0, err
		}
		if p.peek() != ')' {
			return 0, errExpr
		}
		p.pos++
		return v, nil
	case c == '√':
		p.pos++
		v, err := p.unary(depth + 1)
		if err != nil {
			return 0, err
		}
		return math.Sqrt(v), nil
	case c == 'π':
		p.pos++
		return math.Pi, nil
	case unicode.IsDigit(c) || c == '.':
		return p.number()
	case unicode.IsLetter(c):
		start := p.pos
		for p.pos < len(p.s) && unicode.IsLetter(p.s[p.pos]) {
			p.pos++
		}
		switch string(p.s[start:p.pos]) {
		case "pi":
			return math.Pi, nil
		case "E":
			return math.E, nil
		case "sqrt":
			if p.peek() != '(' {
				return 0, errExpr
			}
			v, err := p.atom(depth + 1)
			if err != nil {
				return 0, err
			}
			return math.Sqrt(v), nil
		}
	}
	return 0, errExpr
}

func (p *exprParser) number() (float64, error) {
	start := p.pos
	digits := 0
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
		digits++
	}
	if p.peek() == '.' {
		p.pos++
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
			digits++
		}
	}
	if digits == 0 {
		return 0, errExpr
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		save := p.pos
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		ed := 0
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
			ed++
		}
		if ed == 0 {
			p.pos = save
		}
	}
	v, err := strconv.ParseFloat(string(p.s[start:p.pos]), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errExpr
	}
	return v, nil
}
