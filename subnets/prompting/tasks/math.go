package tasks

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"

	pctx "github.com/taonet/taonet/subnets/prompting/context"
	"github.com/taonet/taonet/subnets/prompting/persona"
)

// MathKind is one problem generator: a text template whose only verbs are
// %d (integer arguments), an argument generator and an exact solver.
type MathKind struct {
	Name   string
	Topic  string
	Format string
	Gen    func(r *rand.Rand) []int64
	Solve  func(a []int64) (*big.Rat, bool)
	re     *regexp.Regexp
}

func ri(r *rand.Rand, lo, hi int64) int64 { return lo + r.Int64N(hi-lo+1) }

func rat(n int64) *big.Rat           { return new(big.Rat).SetInt64(n) }
func frac(a, b int64) *big.Rat       { return big.NewRat(a, b) }
func ok(x *big.Rat) (*big.Rat, bool) { return x, true }

func isPrime(n int64) bool {
	if n < 2 {
		return false
	}
	for d := int64(2); d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return true
}

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func binom(n, k int64) *big.Int { return new(big.Int).Binomial(n, k) }

var triples = [][3]int64{{3, 4, 5}, {5, 12, 13}, {8, 15, 17}, {7, 24, 25}, {20, 21, 29}, {9, 40, 41}, {6, 8, 10}, {12, 16, 20}}

// MathKinds is the generator table (41 kinds). Arguments are small enough
// that every answer is exact and the arithmetic cannot overflow.
var MathKinds = []*MathKind{
	{Name: "addition", Topic: "basic_math", Format: "What is %d + %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 9999), ri(r, 1, 9999)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] + a[1])) }},
	{Name: "subtraction", Topic: "basic_math", Format: "What is %d - %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 9999), ri(r, 1, 9999)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] - a[1])) }},
	{Name: "multiplication", Topic: "basic_math", Format: "What is %d * %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 2, 999), ri(r, 2, 99)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] * a[1])) }},
	{Name: "division", Topic: "basic_math", Format: "What is %d divided by %d?",
		Gen:   func(r *rand.Rand) []int64 { b := ri(r, 2, 99); return []int64{b * ri(r, 2, 999), b} },
		Solve: func(a []int64) (*big.Rat, bool) { return divide(rat(a[0]), rat(a[1])) }},
	{Name: "order_of_operations", Topic: "basic_math", Format: "Compute %d + %d * %d - %d.",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 99), ri(r, 2, 20), ri(r, 2, 20), ri(r, 1, 99)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] + a[1]*a[2] - a[3])) }},
	{Name: "parentheses", Topic: "basic_math", Format: "Compute (%d + %d) * (%d - %d).",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 50), ri(r, 1, 50), ri(r, 1, 50), ri(r, 1, 50)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat((a[0] + a[1]) * (a[2] - a[3]))) }},
	{Name: "percentage", Topic: "basic_math", Format: "What is %d percent of %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 100), ri(r, 1, 2000)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(new(big.Rat).Mul(frac(a[0], 100), rat(a[1]))) }},
	{Name: "percent_change", Topic: "basic_math", Format: "A price goes from %d to %d. What is the percent change?",
		Gen: func(r *rand.Rand) []int64 { return []int64{ri(r, 10, 500), ri(r, 10, 500)} },
		Solve: func(a []int64) (*big.Rat, bool) {
			return ok(new(big.Rat).Mul(frac(a[1]-a[0], a[0]), rat(100)))
		}},
	{Name: "fraction_addition", Topic: "basic_math", Format: "What is %d/%d + %d/%d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 9), ri(r, 2, 12), ri(r, 1, 9), ri(r, 2, 12)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(new(big.Rat).Add(frac(a[0], a[1]), frac(a[2], a[3]))) }},
	{Name: "fraction_multiplication", Topic: "basic_math", Format: "What is %d/%d times %d/%d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 9), ri(r, 2, 12), ri(r, 1, 9), ri(r, 2, 12)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(new(big.Rat).Mul(frac(a[0], a[1]), frac(a[2], a[3]))) }},
	{Name: "fraction_division", Topic: "basic_math", Format: "What is %d/%d divided by %d/%d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 9), ri(r, 2, 12), ri(r, 1, 9), ri(r, 2, 12)} },
		Solve: func(a []int64) (*big.Rat, bool) { return divide(frac(a[0], a[1]), frac(a[2], a[3])) }},
	{Name: "linear_equation", Topic: "algebra", Format: "Solve for x: %d*x + %d = %d.",
		Gen:   func(r *rand.Rand) []int64 { return []int64{nonZero(r, 1, 20), ri(r, -50, 50), ri(r, -100, 100)} },
		Solve: func(a []int64) (*big.Rat, bool) { return divide(rat(a[2]-a[1]), rat(a[0])) }},
	{Name: "system_of_equations", Topic: "algebra", Format: "If x + y = %d and x - y = %d, what is x?",
		Gen:   func(r *rand.Rand) []int64 { x, y := ri(r, -50, 50), ri(r, -50, 50); return []int64{x + y, x - y} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(frac(a[0]+a[1], 2)) }},
	{Name: "quadratic_root", Topic: "algebra", Format: "What is the larger root of x^2 - %d*x + %d = 0?",
		Gen: func(r *rand.Rand) []int64 { p, q := ri(r, 1, 20), ri(r, 1, 20); return []int64{p + q, p * q} },
		Solve: func(a []int64) (*big.Rat, bool) {
			s, p := a[0], a[1]
			for x := s; x >= 0; x-- { // roots are non-negative integers by construction
				if x*(s-x) == p && x >= s-x {
					return ok(rat(x))
				}
			}
			return nil, false
		}},
	{Name: "gcd", Topic: "misc", Format: "What is the greatest common divisor of %d and %d?",
		Gen:   func(r *rand.Rand) []int64 { g := ri(r, 1, 30); return []int64{g * ri(r, 1, 40), g * ri(r, 1, 40)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(gcd(a[0], a[1]))) }},
	{Name: "lcm", Topic: "misc", Format: "What is the least common multiple of %d and %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 2, 60), ri(r, 2, 60)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] / gcd(a[0], a[1]) * a[1])) }},
	{Name: "nth_prime", Topic: "misc", Format: "Which prime is number %d in the list of primes, counting 2 as the first?",
		Gen: func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 200)} },
		Solve: func(a []int64) (*big.Rat, bool) {
			if a[0] < 1 || a[0] > 10000 {
				return nil, false
			}
			for n, c := int64(1), int64(0); ; n++ {
				if isPrime(n) {
					if c++; c == a[0] {
						return ok(rat(n))
					}
				}
			}
		}},
	{Name: "prime_count", Topic: "misc", Format: "How many prime numbers are less than or equal to %d?",
		Gen: func(r *rand.Rand) []int64 { return []int64{ri(r, 2, 1000)} },
		Solve: func(a []int64) (*big.Rat, bool) {
			if a[0] > 100000 {
				return nil, false
			}
			c := int64(0)
			for n := int64(2); n <= a[0]; n++ {
				if isPrime(n) {
					c++
				}
			}
			return ok(rat(c))
		}},
	{Name: "rectangle_area", Topic: "geometry", Format: "What is the area of a rectangle with length %d and width %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 200), ri(r, 1, 200)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] * a[1])) }},
	{Name: "rectangle_perimeter", Topic: "geometry", Format: "What is the perimeter of a rectangle with length %d and width %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 200), ri(r, 1, 200)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(2 * (a[0] + a[1]))) }},
	{Name: "triangle_area", Topic: "geometry", Format: "What is the area of a triangle with base %d and height %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 200), ri(r, 1, 200)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(frac(a[0]*a[1], 2)) }},
	{Name: "trapezoid_area", Topic: "geometry", Format: "What is the area of a trapezoid with parallel sides %d and %d and height %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 100), ri(r, 1, 100), ri(r, 1, 100)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(frac((a[0]+a[1])*a[2], 2)) }},
	{Name: "cube_volume", Topic: "geometry", Format: "What is the volume of a cube with side length %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 60)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] * a[0] * a[0])) }},
	{Name: "box_surface_area", Topic: "geometry", Format: "What is the surface area of a box measuring %d by %d by %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 50), ri(r, 1, 50), ri(r, 1, 50)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(2 * (a[0]*a[1] + a[1]*a[2] + a[0]*a[2]))) }},
	{Name: "hypotenuse", Topic: "geometry", Format: "A right triangle has legs %d and %d. How long is the hypotenuse?",
		Gen: func(r *rand.Rand) []int64 {
			t := triples[r.IntN(len(triples))]
			k := ri(r, 1, 5)
			return []int64{t[0] * k, t[1] * k}
		},
		Solve: func(a []int64) (*big.Rat, bool) {
			s := a[0]*a[0] + a[1]*a[1]
			return sqrtExact(s)
		}},
	{Name: "triangle_angle", Topic: "geometry", Format: "Two angles of a triangle are %d and %d degrees. What is the third angle in degrees?",
		Gen:   func(r *rand.Rand) []int64 { a := ri(r, 10, 120); return []int64{a, ri(r, 10, 170-a)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(180 - a[0] - a[1])) }},
	{Name: "km_to_m", Topic: "misc", Format: "How many meters are in %d kilometers?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 500)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] * 1000)) }},
	{Name: "hours_to_seconds", Topic: "misc", Format: "How many seconds are in %d hours?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 100)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] * 3600)) }},
	{Name: "grams_to_kg", Topic: "misc", Format: "How many kilograms are %d grams?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 100000)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(frac(a[0], 1000)) }},
	{Name: "celsius_to_fahrenheit", Topic: "misc", Format: "What is %d degrees Celsius in degrees Fahrenheit?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, -40, 200)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(new(big.Rat).Add(frac(a[0]*9, 5), rat(32))) }},
	{Name: "arithmetic_sequence", Topic: "algebra", Format: "An arithmetic sequence starts at %d and increases by %d each step. What is term number %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, -50, 50), ri(r, -20, 20), ri(r, 2, 100)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] + (a[2]-1)*a[1])) }},
	{Name: "geometric_sequence", Topic: "algebra", Format: "A geometric sequence starts at %d with ratio %d. What is term number %d?",
		Gen: func(r *rand.Rand) []int64 { return []int64{ri(r, 1, 10), ri(r, 2, 4), ri(r, 2, 10)} },
		Solve: func(a []int64) (*big.Rat, bool) {
			if a[2] < 1 || a[2] > 60 {
				return nil, false
			}
			x := new(big.Int).Exp(big.NewInt(a[1]), big.NewInt(a[2]-1), nil)
			return ok(new(big.Rat).SetInt(x.Mul(x, big.NewInt(a[0]))))
		}},
	{Name: "sum_of_integers", Topic: "algebra", Format: "What is the sum of all integers from 1 to %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 2, 2000)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(rat(a[0] * (a[0] + 1) / 2)) }},
	{Name: "factorial", Topic: "statistics", Format: "What is %d factorial?",
		Gen: func(r *rand.Rand) []int64 { return []int64{ri(r, 0, 15)} },
		Solve: func(a []int64) (*big.Rat, bool) {
			if a[0] < 0 || a[0] > 100 {
				return nil, false
			}
			f := big.NewInt(1)
			for i := int64(2); i <= a[0]; i++ {
				f.Mul(f, big.NewInt(i))
			}
			return ok(new(big.Rat).SetInt(f))
		}},
	{Name: "combinations", Topic: "statistics", Format: "In how many ways can %d items be chosen from %d distinct items?",
		Gen: func(r *rand.Rand) []int64 { n := ri(r, 2, 30); return []int64{ri(r, 1, n), n} },
		Solve: func(a []int64) (*big.Rat, bool) {
			if a[0] < 0 || a[0] > a[1] || a[1] > 1000 {
				return nil, false
			}
			return ok(new(big.Rat).SetInt(binom(a[1], a[0])))
		}},
	{Name: "permutations", Topic: "statistics", Format: "In how many ordered ways can %d of %d distinct items be arranged?",
		Gen: func(r *rand.Rand) []int64 { n := ri(r, 2, 15); return []int64{ri(r, 1, n), n} },
		Solve: func(a []int64) (*big.Rat, bool) {
			if a[0] < 0 || a[0] > a[1] || a[1] > 1000 {
				return nil, false
			}
			p := big.NewInt(1)
			for i := a[1] - a[0] + 1; i <= a[1]; i++ {
				p.Mul(p, big.NewInt(i))
			}
			return ok(new(big.Rat).SetInt(p))
		}},
	{Name: "power", Topic: "basic_math", Format: "What is %d to the power of %d?",
		Gen: func(r *rand.Rand) []int64 { return []int64{ri(r, 2, 12), ri(r, 0, 8)} },
		Solve: func(a []int64) (*big.Rat, bool) {
			if a[1] < 0 || a[1] > 64 {
				return nil, false
			}
			return ok(new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(a[0]), big.NewInt(a[1]), nil)))
		}},
	{Name: "square_root", Topic: "basic_math", Format: "What is the square root of %d?",
		Gen:   func(r *rand.Rand) []int64 { x := ri(r, 1, 300); return []int64{x * x} },
		Solve: func(a []int64) (*big.Rat, bool) { return sqrtExact(a[0]) }},
	{Name: "mean", Topic: "statistics", Format: "What is the mean of %d, %d, %d and %d?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 0, 100), ri(r, 0, 100), ri(r, 0, 100), ri(r, 0, 100)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(frac(a[0]+a[1]+a[2]+a[3], 4)) }},
	{Name: "median", Topic: "statistics", Format: "What is the median of %d, %d, %d, %d and %d?",
		Gen: func(r *rand.Rand) []int64 {
			return []int64{ri(r, 0, 100), ri(r, 0, 100), ri(r, 0, 100), ri(r, 0, 100), ri(r, 0, 100)}
		},
		Solve: func(a []int64) (*big.Rat, bool) {
			s := append([]int64(nil), a...)
			sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
			return ok(rat(s[2]))
		}},
	{Name: "simple_interest", Topic: "misc", Format: "What is the simple interest on %d dollars at %d percent per year for %d years?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 100, 10000), ri(r, 1, 15), ri(r, 1, 10)} },
		Solve: func(a []int64) (*big.Rat, bool) { return ok(frac(a[0]*a[1]*a[2], 100)) }},
	{Name: "remainder", Topic: "misc", Format: "What is the remainder when %d is divided by %d?",
		Gen: func(r *rand.Rand) []int64 { return []int64{ri(r, 10, 100000), ri(r, 2, 97)} },
		Solve: func(a []int64) (*big.Rat, bool) {
			if a[1] == 0 {
				return nil, false
			}
			m := a[0] % a[1]
			if m < 0 {
				m += a[1]
			}
			return ok(rat(m))
		}},
	{Name: "average_speed", Topic: "misc", Format: "A car travels %d kilometers in %d hours. What is its average speed in kilometers per hour?",
		Gen:   func(r *rand.Rand) []int64 { return []int64{ri(r, 10, 1000), ri(r, 1, 12)} },
		Solve: func(a []int64) (*big.Rat, bool) { return divide(rat(a[0]), rat(a[1])) }},
	{Name: "dice_probability", Topic: "statistics", Format: "Two fair six-sided dice are rolled. What is the probability that they sum to %d?",
		Gen: func(r *rand.Rand) []int64 { return []int64{ri(r, 2, 12)} },
		Solve: func(a []int64) (*big.Rat, bool) {
			c := int64(0)
			for i := int64(1); i <= 6; i++ {
				for j := int64(1); j <= 6; j++ {
					if i+j == a[0] {
						c++
					}
				}
			}
			return ok(frac(c, 36))
		}},
}

func nonZero(r *rand.Rand, lo, hi int64) int64 {
	x := ri(r, lo, hi)
	if r.IntN(2) == 0 {
		x = -x
	}
	return x
}

func divide(a, b *big.Rat) (*big.Rat, bool) {
	if b.Sign() == 0 {
		return nil, false
	}
	return new(big.Rat).Quo(a, b), true
}

func sqrtExact(s int64) (*big.Rat, bool) {
	if s < 0 {
		return nil, false
	}
	x := new(big.Int).Sqrt(big.NewInt(s))
	if new(big.Int).Mul(x, x).Cmp(big.NewInt(s)) != 0 {
		return nil, false
	}
	return new(big.Rat).SetInt(x), true
}

func init() {
	for _, k := range MathKinds {
		q := regexp.QuoteMeta(k.Format)
		k.re = regexp.MustCompile(strings.ReplaceAll(q, "%d", `(-?\d{1,12})`))
	}
}

// FormatAnswer renders an exact answer: an integer, a terminating decimal
// (trailing zeros trimmed), or "p/q" for other fractions.
func FormatAnswer(x *big.Rat) string {
	if x.IsInt() {
		return x.Num().String()
	}
	d := new(big.Int).Set(x.Denom())
	for _, p := range []int64{2, 5} {
		bp := big.NewInt(p)
		m := new(big.Int)
		for {
			q, r := new(big.Int).QuoRem(d, bp, m)
			if r.Sign() != 0 {
				break
			}
			d = q
		}
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return x.String()
	}
	s := x.FloatString(40)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// MathProblem is one generated problem.
type MathProblem struct {
	Kind    string
	Topic   string
	Problem string
	Answer  string // FormatAnswer of the exact answer
}

// GenerateMath draws a kind uniformly and a problem of that kind.
func GenerateMath(rng *rand.Rand) (MathProblem, error) {
	k := MathKinds[rng.IntN(len(MathKinds))]
	args := k.Gen(rng)
	ans, good := k.Solve(args)
	if !good {
		return MathProblem{}, fmt.Errorf("tasks: math %s: no answer for %v", k.Name, args)
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a
	}
	return MathProblem{Kind: k.Name, Topic: k.Topic, Problem: fmt.Sprintf(k.Format, vals...), Answer: FormatAnswer(ans)}, nil
}

// SolveMath recognises a problem produced by GenerateMath anywhere in text
// (e.g. inside a paraphrased challenge) and returns its exact answer. It is
// the "calculator tool" a tool-using miner can call.
func SolveMath(text string) (answer, kind string, found bool) {
	for _, k := range MathKinds {
		m := k.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		args := make([]int64, len(m)-1)
		for i, s := range m[1:] {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return "", "", false
			}
			args[i] = v
		}
		if x, good := solveSafe(k, args); good {
			return FormatAnswer(x), k.Name, true
		}
	}
	return "", "", false
}

// solveSafe bounds arguments so hostile text cannot make a solver run long
// or overflow.
func solveSafe(k *MathKind, args []int64) (*big.Rat, bool) {
	for _, a := range args {
		if a > 1_000_000 || a < -1_000_000 {
			return nil, false
		}
	}
	return k.Solve(args)
}

// MathTask is the math task (§2.4).
type MathTask struct{}

// NewMath returns the math task.
func NewMath() *MathTask { return &MathTask{} }

// Name implements Task.
func (*MathTask) Name() string { return Math }

// Needs implements Task: nothing.
func (*MathTask) Needs() Needs { return Needs{} }

// Generate implements Task: query = problem, reference = exact answer,
// challenge = template paraphrase (v2.2+).
func (*MathTask) Generate(_ context.Context, rng *rand.Rand, _ Backends) (*Challenge, error) {
	p, err := GenerateMath(rng)
	if err != nil {
		return nil, err
	}
	return &Challenge{
		Task: Math, CleanQuery: p.Problem, Query: templateChallenge(rng, p.Problem, mathRequests), Reference: p.Answer,
		ChallengeType: ChallengeParaphrase, Persona: persona.Random(rng),
		Context: pctx.Context{Title: p.Kind, Topic: p.Topic, Subtopic: p.Kind, Content: p.Problem, Source: "math"},
	}, nil
}
