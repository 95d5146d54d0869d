package train

import (
	"fmt"

	"github.com/taonet/taonet/lm/model"
)

// Evaluate returns each pair's mean negative log-likelihood over its response
// tokens (prompt formatted with the model family's chat template, not scored),
// truncated to maxLen tokens (0: the model's maximum) and run `batch` samples
// at a time. With the built-in Sgemm the result is bit-identical on every
// machine, thread count and batch size, which is what validators that must
// agree need.
func Evaluate(m *model.Model, enc ChatEncoder, exs []Example, maxLen, batch int) ([]float64, error) {
	if !m.Config.Causal() {
		return nil, fmt.Errorf("train: %s is not a causal language model", m.Config.Arch)
	}
	if maxLen <= 0 || maxLen > m.Config.MaxPos {
		maxLen = m.Config.MaxPos
	}
	samples, err := EncodeExamples(enc, Family(m.Config.Arch), exs, maxLen)
	if err != nil {
		return nil, err
	}
	return m.SampleLosses(samples, batch)
}
