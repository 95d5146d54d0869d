package rewards

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const monthNames = `(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)`

var (
	reNumericDate = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b`)
	reMonthFirst  = regexp.MustCompile(`\b` + monthNames + `\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{1,4})\b`)
	reDayFirst    = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)? ` + monthNames + `\.?,? (\d{1,4})\b`)
	reYear        = regexp.MustCompile(`\b(\d{4})\b`)
	reYearDigits  = regexp.MustCompile(`\d{3,4}`)
	reSentenceEnd = regexp.MustCompile(`[.!?]\s+`)
)

var monthIndex = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// Date is a date found in text. YearOnly dates carry only Year.
type Date struct {
	Text     string // the matched text
	Year     int
	Month    time.Month
	Day      int
	YearOnly bool
	Valid    bool // the day exists in the calendar (or YearOnly)
}

// FindDate returns the first date of the first sentence that contains one
// (§2.3/§4.4): numeric M/D/Y, "Month D[st][,] YYYY", "D Month YYYY" or a bare
// 4-digit year; the leftmost match wins, a full date beats a year at the
// same position.
func FindDate(text string) (Date, bool) {
	text = Sanitize(text, MaxCompletionBytes)
	start := 0
	for start <= len(text) {
		end := len(text)
		next := len(text) + 1
		if loc := reSentenceEnd.FindStringIndex(text[start:]); loc != nil {
			end = start + loc[0] + 1
			next = start + loc[1]
		}
		if d, ok := findDateIn(text[start:end]); ok {
			return d, true
		}
		start = next
	}
	return Date{}, false
}

func findDateIn(s string) (Date, bool) {
	best := Date{}
	bestPos, bestLen := -1, 0
	consider := func(pos, n int, d Date) {
		if bestPos < 0 || pos < bestPos || (pos == bestPos && n > bestLen) {
			best, bestPos, bestLen = d, pos, n
		}
	}
	if m := reNumericDate.FindStringSubmatchIndex(s); m != nil {
		a, _ := strconv.Atoi(s[m[2]:m[3]])
		b, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		if m[7]-m[6] == 2 { // pandas/dateutil two-digit years
			if y < 69 {
				y += 2000
			} else {
				y += 1900
			}
		}
		mon, day := a, b
		if mon > 12 && day <= 12 { // month-first unless impossible
			mon, day = day, mon
		}
		consider(m[0], m[1]-m[0], makeDate(s[m[0]:m[1]], y, mon, day))
	}
	if m := reMonthFirst.FindStringSubmatchIndex(s); m != nil {
		mon := monthIndex[strings.ToLower(s[m[2]:m[2]+3])]
		day, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], m[1]-m[0], makeDate(s[m[0]:m[1]], y, int(mon), day))
	}
	if m := reDayFirst.FindStringSubmatchIndex(s); m != nil {
		day, _ := strconv.Atoi(s[m[2]:m[3]])
		mon := monthIndex[strings.ToLower(s[m[4]:m[4]+3])]
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		consider(m[0], m[1]-m[0], makeDate(s[m[0]:m[1]], y, int(mon), day))
	}
	if m := reYear.FindStringSubmatchIndex(s); m != nil {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		consider(m[0], m[1]-m[0], Date{Text: s[m[0]:m[1]], Year: y, YearOnly: true, Valid: true})
	}
	return best, bestPos >= 0
}

func makeDate(text string, y, mon, day int) Date {
	d := Date{Text: text, Year: y, Month: time.Month(mon), Day: day}
	if mon >= 1 && mon <= 12 && day >= 1 {
		t := time.Date(y, time.Month(mon), day, 0, 0, 0, 0, time.UTC)
		d.Valid = t.Day() == day && t.Month() == time.Month(mon)
	}
	return d
}

func (d Date) days() int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// DateDiff returns the v2.3+ distance in days between the reference's and
// the completion's first dates: 9999 when the completion has none (or the
// reference has none); 365·|Δyear| when the reference is a bare year (the
// completion's year = first 3–4 digit number of its date text); calendar
// days otherwise; for unparsable dates 0 if the texts are equal else 9999.
func DateDiff(reference, completion string) float64 {
	rd, ok := FindDate(reference)
	if !ok {
		return 9999
	}
	cd, ok := FindDate(completion)
	if !ok {
		return 9999
	}
	if rd.YearOnly {
		y := reYearDigits.FindString(cd.Text)
		if y == "" {
			return 9999
		}
		cy, _ := strconv.Atoi(y)
		return 365 * math.Abs(float64(rd.Year-cy))
	}
	if cd.YearOnly { // pandas reads a bare year as January 1
		cd.Month, cd.Day = time.January, 1
	}
	if !rd.Valid || !cd.Valid {
		if rd.Text == cd.Text {
			return 0
		}
		return 9999
	}
	return math.Abs(float64(rd.days() - cd.days()))
}

// DateScore is the date reward (§4.4): exp(−diff²/1000), 0 below 0.001.
// One day off → 0.999, ten → 0.905, a month → 0.41, a year → 0.
func DateScore(reference, completion string) float64 {
	return dateScoreFromDiff(DateDiff(reference, completion))
}

func dateScoreFromDiff(diff float64) float64 {
	s := math.Exp(-diff * diff / 1000)
	if s < 0.001 {
		return 0
	}
	return s
}
