package persona

import (
	"fmt"
	"math/rand/v2"
)

// Upstream persona pools (prompting/persona.py, unchanged v1→v2.5).
var (
	Profiles = []string{"student", "teacher", "parent", "hacker", "programmer", "scientist"}
	Moods    = []string{"an interested", "a concerned", "an impatient", "a tired", "a confused", "an annoyed", "a curious", "an upbeat", "a lazy"}
	Tones    = []string{"formal", "informal", "indifferent", "casual", "rushed", "polite", "impolite", "friendly", "unfriendly", "positive", "negative"}
)

// Persona is a simulated user. Mood includes its article ("a tired").
type Persona struct {
	Profile string `json:"profile"`
	Mood    string `json:"mood"`
	Tone    string `json:"tone"`
}

// Random draws profile, mood and tone uniformly (in that order).
func Random(rng *rand.Rand) Persona {
	return Persona{
		Profile: Profiles[rng.IntN(len(Profiles))],
		Mood:    Moods[rng.IntN(len(Moods))],
		Tone:    Tones[rng.IntN(len(Tones))],
	}
}

// Goal is what the role-played user wants, injected into the system prompt.
type Goal struct {
	Desc     string // task description, e.g. "get help answering a question"
	Topic    string
	Subtopic string
	Goal     string // e.g. "answer the following question"
	Query    string // the clear query the challenge must convey
}

// SystemPrompt is the role-play system prompt of upstream HumanAgent (§3.2).
// As upstream, the profile is drawn but not part of the prompt.
func (p Persona) SystemPrompt(g Goal) string {
	return fmt.Sprintf("This is a roleplaying game where you are impersonating %s human user with a specific persona. "+
		"As a human, you are using AI assistant to %s related to %s (%s) in a %s tone. "+
		"You don't need to greet the assistant or be polite, unless this is part of your persona. "+
		"The spelling and grammar of your messages should also reflect your persona. "+
		"Your singular focus is to use the assistant to %s: %s",
		p.Mood, g.Desc, g.Topic, g.Subtopic, p.Tone, g.Goal, g.Query)
}

// UserPrompt is the single user message sent with SystemPrompt (§3.2).
const UserPrompt = "Ask a question related to your goal"
