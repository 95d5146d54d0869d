package context

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// WikiEvents is a Source of dated events (upstream v1 WikiDateDataset): a
// random calendar day, then one event of Wikipedia's "on this day" feed
// (GET {base}/api/rest_v1/feed/onthisday/events/MM/DD). Each context
// carries the event in Content and Extra["event"], and the date as upstream
// wrote its reference ("January 05, 1999": month name, zero-padded day,
// year) in Extra["date"].
type WikiEvents struct {
	Wiki *Wiki
}

// OnThisDay is the part of the onthisday feed response used.
type OnThisDay struct {
	Events []struct {
		Text  string `json:"text"`
		Year  int    `json:"year"`
		Pages []struct {
			Title  string `json:"title"`
			Titles struct {
				Normalized string `json:"normalized"`
			} `json:"titles"`
		} `json:"pages"`
	} `json:"events"`
}

// EventDate formats a date like upstream v1 references: "%B %d, %Y".
func EventDate(month time.Month, day, year int) string {
	return fmt.Sprintf("%s %02d, %d", month, day, year)
}

// Next implements Source. The day is drawn from a leap year, so February
// 29 can occur; events without a positive year or with fewer than four
// words are skipped.
func (e *WikiEvents) Next(ctx context.Context, rng *rand.Rand) (Context, error) {
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(366))
	u := fmt.Sprintf("%s/api/rest_v1/feed/onthisday/events/%02d/%02d", e.Wiki.Base, int(day.Month()), day.Day())
	var r OnThisDay
	if err := e.Wiki.get(ctx, u, &r); err != nil {
		return Context{}, err
	}
	var usable []int
	for i, ev := range r.Events {
		if ev.Year > 0 && len(strings.Fields(ev.Text)) >= 4 {
			usable = append(usable, i)
		}
	}
	if len(usable) == 0 {
		return Context{}, fmt.Errorf("context: no usable event on %s %d", day.Month(), day.Day())
	}
	ev := r.Events[usable[rng.IntN(len(usable))]]
	text := strings.Join(strings.Fields(ev.Text), " ")
	title := fmt.Sprintf("%s %02d", day.Month(), day.Day())
	c := Context{Title: title, Topic: "Events", Subtopic: strconv.Itoa(ev.Year), Content: text, Source: "wikipedia",
		URL:   e.Wiki.Base + "/wiki/" + url.PathEscape(fmt.Sprintf("%s_%d", day.Month(), day.Day())),
		Extra: map[string]string{"event": text, "date": EventDate(day.Month(), day.Day(), ev.Year)}}
	for _, p := range ev.Pages {
		if n := p.Titles.Normalized; n != "" {
			c.Tags = append(c.Tags, n)
		}
	}
	return c, nil
}
