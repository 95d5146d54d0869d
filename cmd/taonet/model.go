package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/taonet/taonet/lm/model"
	"github.com/taonet/taonet/lm/safetensors"
	"github.com/taonet/taonet/lm/tokenizer"
	"github.com/taonet/taonet/lm/train"
)

// modelCmd is the parent of the language-model commands (init, eval, train,
// generate; serve is added by model_serve.go).
var modelCmd = &cobra.Command{
	Use:   "model",
	Short: "Create, evaluate, train and run language models (Hugging Face layout)",
}

// tokenizerFile is the tokenizer's file name inside a model directory.
const tokenizerFile = "tokenizer.json"

func init() {
	rootCmd.AddCommand(modelCmd)
	modelCmd.AddCommand(newModelInitCmd(), newModelEvalCmd(), newModelTrainCmd(), newModelGenerateCmd())
}

// loadModelDir loads a model and the tokenizer.json next to it; for
// inference, 16-bit weights stay 16-bit (model.LoadInference).
func loadModelDir(dir string, inference bool) (*model.Model, *tokenizer.Tokenizer, error) {
	load := model.Load
	if inference {
		load = model.LoadInference
	}
	m, err := load(dir)
	if err != nil {
		return nil, nil, err
	}
	tok, err := tokenizer.Load(filepath.Join(dir, tokenizerFile))
	if err != nil {
		return nil, nil, fmt.Errorf("model %s: %w", dir, err)
	}
	if tok.VocabSize() > m.Config.VocabSize {
		return nil, nil, fmt.Errorf("model %s: tokenizer has %d tokens but the model only %d", dir, tok.VocabSize(), m.Config.VocabSize)
	}
	return m, tok, nil
}

func newModelInitCmd() *cobra.Command {
	var arch, out, size, dtype string
	var seed uint64
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a randomly initialized model with the GPT-2 tokenizer",
		Long: `Write a randomly initialized GPT-2, Llama or BERT model (config.json,
model.safetensors, generation_config.json, tokenizer.json) to --out.
Sizes: tiny, small (= 15m, about 16M parameters), 124m (gpt2, llama), 1.1b (llama,
TinyLlama's shape) or 110m (bert).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out is required")
			}
			cfg, err := model.Preset(model.Arch(strings.ToLower(arch)), size)
			if err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(out, model.WeightsFile)); err == nil && !force {
				return fmt.Errorf("%s already holds a model (use --force to overwrite)", out)
			}
			m, err := model.New(cfg)
			if err != nil {
				return err
			}
			m.InitRandom(seed)
			if err := m.SaveAs(out, safetensors.DType(strings.ToUpper(dtype))); err != nil {
				return err
			}
			tok, err := tokenizer.GPT2()
			if err != nil {
				return err
			}
			if err := tok.Save(filepath.Join(out, tokenizerFile)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s %s model (%d parameters) to %s\n", cfg.Arch, size, m.NumParams(), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&arch, "arch", "gpt2", "architecture: gpt2, llama or bert")
	cmd.Flags().StringVar(&out, "out", "", "output directory (required)")
	cmd.Flags().StringVar(&size, "size", "tiny", "size preset: tiny, small, 15m, 124m (bert: 110m)")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "random seed of the initialization")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing model")
	cmd.Flags().StringVar(&dtype, "dtype", "f32", "weight dtype of model.safetensors: f32, bf16 or f16")
	return cmd
}

// encodeData reads a JSONL file and encodes its pairs for the model's family.
func encodeData(path string, m *model.Model, tok *tokenizer.Tokenizer, seqLen int) ([]model.Sample, error) {
	exs, err := train.LoadJSONL(path)
	if err != nil {
		return nil, err
	}
	if seqLen <= 0 || seqLen > m.Config.MaxPos {
		seqLen = m.Config.MaxPos
	}
	samples, err := train.EncodeExamples(tok, train.Family(m.Config.Arch), exs, seqLen)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return samples, nil
}

func newModelEvalCmd() *cobra.Command {
	var dir, data string
	var batch, seqLen int
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Per-sample and mean loss on response tokens of a JSONL file",
		Long: `Compute each (prompt, response) pair's mean negative log-likelihood over its
response tokens (the prompt is formatted with the model family's chat template
and not scored), and the mean over samples. --data is JSONL of
{"prompt": ..., "response": ...}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" || data == "" {
				return errors.New("--model and --data are required")
			}
			m, tok, err := loadModelDir(dir, true)
			if err != nil {
				return err
			}
			if !m.Config.Causal() {
				return fmt.Errorf("model %s is %s, an encoder: eval needs a causal LM", dir, m.Config.Arch)
			}
			samples, err := encodeData(data, m, tok, seqLen)
			if err != nil {
				return err
			}
			start := time.Now()
			losses, err := m.SampleLosses(samples, batch)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "sample\ttokens\tscored\tloss")
			var sum float64
			tokens := 0
			for i, l := range losses {
				scored := 0
				for _, b := range samples[i].Mask {
					if b {
						scored++
					}
				}
				tokens += len(samples[i].Tokens)
				sum += l
				fmt.Fprintf(w, "%d\t%d\t%d\t%.6f\n", i+1, len(samples[i].Tokens), scored, l)
			}
			w.Flush()
			el := time.Since(start)
			fmt.Fprintf(cmd.OutOrStdout(), "mean loss %.6f over %d samples (%d tokens, %.0f tokens/s)\n",
				sum/float64(len(losses)), len(losses), tokens, float64(tokens)/el.Seconds())
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "model", "", "model directory (Hugging Face layout with tokenizer.json)")
	cmd.Flags().StringVar(&data, "data", "", "JSONL file of {\"prompt\",\"response\"}")
	cmd.Flags().IntVar(&batch, "batch", 8, "samples per forward pass")
	cmd.Flags().IntVar(&seqLen, "seq-len", 0, "truncate samples to this many tokens (default: the model's maximum)")
	return cmd
}

func newModelTrainCmd() *cobra.Command {
	var dir, data, out string
	var o train.Options
	var seqLen int
	var quiet bool
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Fine-tune a causal LM on (prompt, response) pairs, loss on responses only",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" || data == "" || out == "" {
				return errors.New("--model, --data and --out are required")
			}
			m, tok, err := loadModelDir(dir, false)
			if err != nil {
				return err
			}
			if !m.Config.Causal() {
				return fmt.Errorf("model %s is %s: training supports gpt2 and llama", dir, m.Config.Arch)
			}
			samples, err := encodeData(data, m, tok, seqLen)
			if err != nil {
				return err
			}
			o.OutDir = out
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			o.OnCheckpoint = func(d string) error { return tok.Save(filepath.Join(d, tokenizerFile)) }
			bar := progressbar.NewOptions(o.Steps, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
				progressbar.OptionSetDescription("train"), progressbar.OptionShowCount(),
				progressbar.OptionSetVisibility(!quiet), progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond))
			// Ctrl-C stops after the current step and keeps a checkpoint of it.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			start, tokens := time.Now(), 0
			var last train.Progress
			err = train.Train(ctx, m, samples, o, func(p train.Progress) {
				tokens += p.SeqTokens
				last = p
				bar.Describe(fmt.Sprintf("loss %.4f lr %.2e %6.0f tok/s", p.Loss, p.LR, float64(tokens)/time.Since(start).Seconds()))
				bar.Add(1)
			})
			bar.Finish()
			fmt.Fprintln(cmd.ErrOrStderr())
			if errors.Is(err, context.Canceled) && last.Step > 0 {
				if err := m.Save(out); err != nil {
					return err
				}
				if err := o.OnCheckpoint(out); err != nil {
					return err
				}
				return fmt.Errorf("interrupted after step %d; checkpoint saved to %s", last.Step, out)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "trained %d steps: final loss %.6f, %.0f tokens/s; saved to %s\n",
				o.Steps, last.Loss, float64(tokens)/time.Since(start).Seconds(), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "model", "", "model directory to start from")
	f.StringVar(&data, "data", "", "JSONL file of {\"prompt\",\"response\"}")
	f.StringVar(&out, "out", "", "output directory for checkpoints (Hugging Face layout)")
	f.IntVar(&o.Steps, "steps", 100, "optimizer steps")
	f.Float64Var(&o.LR, "lr", 3e-4, "peak learning rate")
	f.Float64Var(&o.MinLR, "min-lr", 0, "final learning rate of the cosine decay")
	f.IntVar(&o.Batch, "batch", 4, "sequences per micro-batch")
	f.IntVar(&o.Accum, "accum", 1, "micro-batches accumulated per step")
	f.IntVar(&o.Warmup, "warmup", 10, "linear warmup steps")
	f.IntVar(&seqLen, "seq-len", 256, "maximum tokens per sequence")
	f.Float64Var(&o.WeightDecay, "weight-decay", 0.0, "AdamW weight decay on matrices")
	f.Float64Var(&o.ClipNorm, "clip", 1.0, "gradient clipping by global norm (0: off)")
	f.Uint64Var(&o.Seed, "seed", 0, "data-order seed")
	f.IntVar(&o.CheckpointEvery, "checkpoint-every", 0, "also checkpoint every N steps (0: only at the end)")
	f.BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}

func newModelGenerateCmd() *cobra.Command {
	var dir, prompt string
	var o model.GenerateOptions
	var chat bool
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate text from a prompt with a KV cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return errors.New("--model is required")
			}
			m, tok, err := loadModelDir(dir, true)
			if err != nil {
				return err
			}
			if !m.Config.Causal() {
				return fmt.Errorf("model %s is %s, an encoder: it cannot generate", dir, m.Config.Arch)
			}
			text := prompt
			if chat {
				text, _ = tokenizer.FormatChat(train.Family(m.Config.Arch), prompt, "")
			}
			ids := tok.Encode(text)
			if bos, ok := tok.BOS(); ok && len(ids) == 0 {
				ids = []int{bos}
			}
			if len(ids) == 0 {
				return errors.New("empty prompt")
			}
			if eos, ok := tok.EOS(); ok {
				o.StopTokens = []int{eos}
			}
			o.Decode = tok.Decode
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			g, err := m.Generate(ctx, ids, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), g.Text)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "model", "", "model directory")
	f.StringVar(&prompt, "prompt", "", "prompt text")
	f.BoolVar(&chat, "chat", false, "wrap the prompt in the model family's chat template")
	f.IntVar(&o.MaxTokens, "max-tokens", 64, "maximum tokens to generate")
	f.Float64Var(&o.Temperature, "temperature", 0, "sampling temperature (0: greedy)")
	f.Float64Var(&o.TopP, "top-p", 1, "nucleus sampling mass")
	f.StringArrayVar(&o.Stop, "stop", nil, "stop string (repeatable)")
	f.Uint64Var(&o.Seed, "seed", 0, "sampling seed")
	return cmd
}
