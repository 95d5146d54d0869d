// Package translate gives the prompting subnet a real machine-translation
// engine: Apertium (https://apertium.org), the rule-based MT system Debian
// packages as `apertium` plus one package per language pair
// (apertium-eng-spa, apertium-eng-cat, apertium-en-gl, ...).
//
// The validator's translation task (package tasks) draws its reference from
// it, and the offline tool miner translates with it too. The engine is the
// installed `apertium` binary run once per text (text mode, unknown-word
// marks off); Discover lists the installed pairs, so a missing pair is a
// clear error before any challenge is built, never a crash.
//
// Languages are named by ISO 639-1 codes ("en", "es", "ca", "gl"); Apertium's
// mode names mix ISO 639-1 and 639-3 ("eng-spa", "en-gl"), and Pair keeps the
// mode name next to the normalised codes. Detect guesses the language of a
// text from function words, for a miner that is told only the target
// language.
package translate
