package model

import (
	"fmt"
)

// VisitWeights reads a Hugging Face layout directory's weights one tensor at
// a time, without building the model: every tensor the config's model needs
// is checked for presence and shape, then handed to fn as float32 (widened
// from the file's dtype) in the model's fixed order, under its model name
// (ParamInfo.Name). Only one tensor is in memory at a time, so checks of
// models larger than memory (evaluated on an external engine) stay cheap.
func VisitWeights(dir string, fn func(info ParamInfo, data []float32) error) error {
	cfg, src, closeSrc, err := openDir(dir)
	if err != nil {
		return err
	}
	defer closeSrc()
	m, names, err := planFromSource(cfg, src)
	if err != nil {
		return fmt.Errorf("model %s: %w", dir, err)
	}
	for i, in := range m.Infos {
		data, _, err := src.Float32(names[i])
		if err != nil {
			return fmt.Errorf("model %s: %w", dir, err)
		}
		if err := fn(in, data); err != nil {
			return err
		}
	}
	return nil
}
