package context

import (
	"strings"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	got := SplitSentences("First one. Second?  Third!\nFourth without end")
	if strings.Join(got, "|") != "First one.|Second?|Third!|Fourth without end" {
		t.Errorf("%q", got)
	}
}

func TestIndexSearch(t *testing.T) {
	ix := NewIndex(Embedded().Sections())
	hits := ix.Search("when did Eagle touch down in the Sea of Tranquility", 3)
	if len(hits) == 0 || !strings.Contains(hits[0].Sentence, "July 20, 1969") || hits[0].Section.Title != "Apollo 11" {
		t.Fatalf("%+v", hits)
	}
	if len(hits) > 1 && hits[0].Score < hits[1].Score {
		t.Error("not sorted")
	}
	secs := ix.SearchSections("Summarize the Fall section of Berlin Wall", 1)
	if len(secs) != 1 || secs[0].Section.Subtopic != "Fall" || secs[0].Section.Title != "Berlin Wall" {
		t.Fatalf("%+v", secs)
	}
	if got := ix.Search("zzzz qqqq", 5); len(got) != 0 {
		t.Errorf("nonsense matched %v", got)
	}
}
