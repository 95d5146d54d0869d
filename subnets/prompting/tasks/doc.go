// Package tasks owns the prompting subnet's task types (spec §2) and the
// Challenge they produce: what a validator asks, the hidden reference it
// scores against, and the scoring recipe.
//
// Tasks: qa, summarization, date_qa, math, debugging (no LLM needed; with an
// LLM, qa/summarization/date_qa generate query and reference as upstream),
// sentiment and generic (LLM only). A Registry samples among the tasks whose
// Needs the given Backends meet, with upstream v2.5.1-like probabilities
// (uniform), deterministically from a seed.
//
// Without an LLM the methods are deterministic and documented per task:
//
//   - qa: a factual sentence of the context (one with a year, number or
//     proper noun) becomes a cloze question by masking its key fact ("About
//     T: … ____ …. In what year fills the blank?"); the reference is the
//     masked span.
//   - summarization: query "{title}, {section}" (upstream's static query);
//     the reference is the context's lead sentences (up to ~60 words).
//   - date_qa: the first dated sentence of a section becomes "{event} — on
//     what exact date?" (or "… in what year?") and the reference is the date
//     text; with Backends.Events (e.g. context.WikiEvents) upstream v1's
//     "{event} on what exact date?" with reference "January 05, 1999".
//   - math: a generator of exact problems (≥30 kinds); reference = answer.
//   - debugging: real code corrupted by deleting, swapping or mutating
//     chunks; the reference is the original code.
//   - translation: a section's lead (English, or machine-translated into a
//     drawn source language) to be put into a drawn target language; the
//     reference is the Translator's (Apertium's) translation.
//
// Multi-turn (§3.3): after a scored turn, ContinueConversation applies
// upstream's stop rule, AcceptedAnswer picks the assistant message, and
// FollowUp builds the next qa turn on the same context (Challenge.History
// and Challenge.Messages carry the conversation).
//
// ToolSolver answers challenges with public tools only (the SolveMath
// calculator and BM25 retrieval over a corpus): the brain of the offline
// tool-using miner. OpenAILLM adapts an OpenAI-compatible chat endpoint to
// LLM.
//
// The challenge miners see (Challenge.Query) is then written by an LLM
// role-playing a persona (§3.2) or, without an LLM, by persona.Paraphrase;
// either way the Reference never goes to miners.
package tasks
