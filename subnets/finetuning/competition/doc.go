// Package competition owns the finetuning subnet's competition config: per
// competition the allowed architectures, parameter bounds, the fixed
// tokenizer (and its pinned hash), sequence length, epsilon schedule,
// softmax temperature, reward share and evaluation sample count; and for the
// subnet the data window, step and weight-setting intervals, moving-average
// alpha and the number of models kept between steps. Configs load from JSON
// or TOML and are validated with precise errors. Default returns a config
// for localnet (tiny GPT-2-style models with the GPT-2 tokenizer).
package competition
