// Package protocol owns the prompting subnet's wire types: the synapse a
// validator sends to miners (upstream StreamPromptingSynapse, spec §6) and
// its validation. Validator and miners share it; the reference answer is
// never part of it.
package protocol
