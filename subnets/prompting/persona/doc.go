// Package persona owns the simulated human who asks the miners (spec §3):
// persona profiles, moods and tones, the role-play system prompt an LLM uses
// to write a challenge (§3.2), and the deterministic paraphraser used when no
// LLM is available (greetings, templates, casual tone, controlled typos and
// dropped words at a tunable difficulty).
package persona
