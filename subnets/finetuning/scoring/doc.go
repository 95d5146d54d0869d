// Package scoring owns the finetuning subnet's scoring rules as pure
// functions (finetuning spec §3): the pairwise win with the earlier commit
// block's epsilon advantage (IsWin), wins and win rates over a step
// (ComputeWins), softmax weights with a temperature, the per-competition
// moving average, the composition of competitions by reward share, and the
// top-k selection of models kept for the next step (§2.2).
//
// Failed, missing or invalid models follow Macrocosmos (taoverse): they are
// scored with +Inf loss on every sample, so valid models collect wins
// against them and they win nothing (Nous instead dropped them from the
// matches). We choose +Inf deliberately: every model of a step then plays
// the same number of matches, so win rates stay comparable across steps. Equal adjusted losses, +Inf vs +Inf and NaN are
// wins for neither side. Comparisons are strict (<), as upstream.
//
// Every function is bit-identical on every CPU and target: products are
// rounded explicitly (never fused into an FMA) and the softmax uses
// lm/detmath's Exp (TestNoFusibleFloatExpressions in lm/crosstarget checks
// this package; TestSoftmaxSameBitsWithoutFMA).
package scoring
