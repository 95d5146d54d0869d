package embed

import "github.com/taonet/taonet/lm/serve/modelengine"

// The BERT hook: the project's engine is an Embedder as is (CLS or mean
// pooling, L2-normalised). This fails to compile if either side drifts.
var _ Embedder = (*modelengine.Engine)(nil)
