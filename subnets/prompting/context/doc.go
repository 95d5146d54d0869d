// Package context owns where prompting-subnet challenge material comes from
// (spec §2.1–§2.5): every source yields a Context (an article section, a day
// event, a code snippet) through the Source interface.
//
// Sources:
//
//   - Corpus: sections of a local corpus (text, Markdown, JSONL files),
//     split by headings and blank-line paragraphs; Embedded() is the built-in
//     offline default (go:embed, own-written encyclopedic paragraphs).
//   - Dump: a Wikipedia XML dump (.xml or .xml.bz2), read streaming with
//     encoding/xml, wikitext cleaned and split into sections as upstream
//     WikiDataset does (skipping See also/References/Further reading/External
//     links and sections under 50 words).
//   - Wiki: the Wikipedia REST API (random page summary + page sections).
//   - WikiEvents: dated events of Wikipedia's "on this day" feed (upstream
//     v1 date_qa), with the date in Extra["date"].
//   - Code: function-sized snippets from a source tree (e.g. GOROOT/src).
//
// Index is a BM25 retrieval index over sentences and sections of contexts
// (the tool-using miner's search tool).
//
// The package name shadows the standard library's context; importers that
// need both alias this one (e.g. pctx).
package context
