package model

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/taonet/taonet/lm/safetensors"
)

// File names of the Hugging Face model layout.
const (
	ConfigFile           = "config.json"
	WeightsFile          = "model.safetensors"
	GenerationConfigFile = "generation_config.json"
)

// Load reads a model from a Hugging Face layout directory: config.json and
// model.safetensors with HF tensor names (GPT-2 names with or without the
// "transformer." prefix, BERT with or without "bert."). Every expected tensor
// must be present with its exact shape and finite values.
func Load(dir string) (*Model, error) {
	cfg, src, closeSrc, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	defer closeSrc()
	m, err := FromSafetensors(cfg, src)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", dir, err)
	}
	return m, nil
}

// openDir reads dir's config and opens its weights (openSource); errors
// name the directory.
func openDir(dir string) (Config, TensorSource, func(), error) {
	cfgData, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return Config{}, nil, nil, fmt.Errorf("model: %w", err)
	}
	cfg, err := ParseConfig(cfgData)
	if err != nil {
		return Config{}, nil, nil, fmt.Errorf("model %s: %w", dir, err)
	}
	src, closeSrc, err := openSource(dir)
	if err != nil {
		return Config{}, nil, nil, fmt.Errorf("model %s: %w", dir, err)
	}
	return cfg, src, closeSrc, nil
}

// openSource opens dir's model.safetensors, or the shards of its index when
// there is no single file.
func openSource(dir string) (TensorSource, func(), error) {
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); err != nil && fileExists(filepath.Join(dir, IndexFile)) {
		sh, err := openSharded(dir)
		if err != nil {
			return nil, nil, err
		}
		return sh, sh.Close, nil
	}
	f, err := safetensors.Open(filepath.Join(dir, WeightsFile))
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// TensorSource is where weights come from: one safetensors file or a sharded set.
type TensorSource interface {
	Info(name string) (safetensors.TensorInfo, bool)
	Float32(name string) ([]float32, []int, error)
}

// IndexFile names the weight map of a sharded Hugging Face checkpoint.
const IndexFile = "model.safetensors.index.json"

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// sharded serves tensors from the files named by model.safetensors.index.json.
type sharded struct {
	files map[string]*safetensors.File // by shard file name
	where map[string]string            // tensor → shard file name
}

func openSharded(dir string) (*sharded, error) {
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, err
	}
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: %w", IndexFile, err)
	}
	if len(idx.WeightMap) == 0 {
		return nil, fmt.Errorf("%s: empty weight_map", IndexFile)
	}
	s := &sharded{files: map[string]*safetensors.File{}, where: idx.WeightMap}
	for _, file := range idx.WeightMap {
		if _, ok := s.files[file]; ok {
			continue
		}
		if file != filepath.Base(file) || !strings.HasSuffix(file, ".safetensors") {
			s.Close()
			return nil, fmt.Errorf("%s: bad shard file name %q", IndexFile, file)
		}
		f, err := safetensors.Open(filepath.Join(dir, file))
		if err != nil {
			s.Close()
			return nil, err
		}
		s.files[file] = f
	}
	return s, nil
}

// Info describes a tensor of whichever shard holds it.
func (s *sharded) Info(name string) (safetensors.TensorInfo, bool) {
	f, ok := s.files[s.where[name]]
	if !ok {
		return safetensors.TensorInfo{}, false
	}
	return f.Info(name)
}

// Float32 reads a tensor from whichever shard holds it.
func (s *sharded) Float32(name string) ([]float32, []int, error) {
	f, ok := s.files[s.where[name]]
	if !ok {
		return nil, nil, fmt.Errorf("no tensor %q", name)
	}
	return f.Float32(name)
}

// Close releases every shard.
func (s *sharded) Close() {
	for _, f := range s.files {
		f.Close()
	}
}

// FromSafetensors builds a model of config cfg from the tensors of an open
// safetensors file (or sharded set).
func FromSafetensors(cfg Config, f TensorSource) (*Model, error) {
	m, names, err := planFromSource(cfg, f)
	if err != nil {
		return nil, err
	}
	m.alloc()
	for i, in := range m.Infos {
		name := names[i]
		data, _, err := f.Float32(name)
		if err != nil {
			return nil, err
		}
		copy(m.Params[in.Offset:in.Offset+in.Size], data)
	}
	if err := m.checkFinite(); err != nil {
		return nil, err
	}
	// Tensors of other HF heads (e.g. BERT's MLM "cls.*", a tied
	// "lm_head.weight") are ignored, as HF's from_pretrained does.
	return m, nil
}

// Save writes the model to dir in the Hugging Face layout: model.safetensors
// (F32, HF names), config.json and, for causal LMs, generation_config.json.
// The weights file is replaced atomically.
func (m *Model) Save(dir string) error { return m.SaveAs(dir, safetensors.F32) }

// SaveAs is Save with the weights stored as dtype (F32, BF16 or F16;
// config.json's torch_dtype says which). 16-bit tensors of a model loaded
// with LoadInference are copied as they are when dtype is theirs.
func (m *Model) SaveAs(dir string, dtype safetensors.DType) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	tensors, err := m.encodeTensors(dtype)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), tensors, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	cfg, err := m.configJSON(dtype)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, ConfigFile), cfg); err != nil {
		return err
	}
	if m.Config.Causal() {
		gen := map[string]any{"_from_model_config": true}
		if m.Config.BOS >= 0 {
			gen["bos_token_id"] = m.Config.BOS
		}
		if m.Config.EOS >= 0 {
			gen["eos_token_id"] = m.Config.EOS
		}
		b, _ := json.MarshalIndent(gen, "", "  ")
		if err := writeFileAtomic(filepath.Join(dir, GenerationConfigFile), b); err != nil {
			return err
		}
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("model: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("model: %w", err)
	}
	os.Chmod(tmp.Name(), 0o644)
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("model: %w", err)
	}
	return nil
}

// tensorLookup finds a model tensor's name in f, allowing the prefixes
// Hugging Face checkpoints may or may not carry.
func tensorLookup(cfg Config, f TensorSource) func(string) (string, bool) {
	return func(name string) (string, bool) {
		cands := []string{name}
		switch cfg.Arch {
		case GPT2:
			cands = append(cands, strings.TrimPrefix(name, "transformer."))
		case BERT:
			cands = append(cands, "bert."+name)
		}
		for _, c := range cands {
			if _, ok := f.Info(c); ok {
				return c, true
			}
		}
		return "", false
	}
}

// planFromSource plans the model of cfg and checks every tensor's presence
// and shape in f before anything is allocated, so a config that claims more
// parameters than the file holds fails cheaply. names[i] is Infos[i]'s name
// in f.
func planFromSource(cfg Config, f TensorSource) (*Model, []string, error) {
	lookup := tensorLookup(cfg, f)
	_, pooler := lookup("pooler.dense.weight")
	m, err := planModel(cfg, pooler)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(m.Infos))
	for i, in := range m.Infos {
		name, ok := lookup(in.Name)
		if !ok {
			return nil, nil, fmt.Errorf("missing tensor %s", in.Name)
		}
		info, _ := f.Info(name)
		if !slices.Equal(info.Shape, in.Shape) {
			return nil, nil, fmt.Errorf("tensor %s has shape %v, want %v", name, info.Shape, in.Shape)
		}
		names[i] = name
	}
	return m, names, nil
}
