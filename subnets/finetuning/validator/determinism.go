package validator

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/taonet/taonet/lm/kernels"
	"github.com/taonet/taonet/subnets/finetuning/evaluate"
)

// nondeterminism lists the settings under which this validator's losses are
// not guaranteed bit-identical to other validators': a run-time BLAS for
// Sgemm (TAONET_BLAS) and an external loss backend. Validators that disagree
// in the last bit can rank models differently and set different weights.
func nondeterminism(o Options) []string {
	var why []string
	if lib := kernels.BLAS(); lib != "" {
		why = append(why, fmt.Sprintf("matrix multiply uses the BLAS library %s (%s), whose results vary with CPU, version and thread count", lib, kernels.BLASEnv))
	}
	if o.Backend != nil {
		why = append(why, evaluate.NotBitIdentical)
	}
	return why
}

// checkDeterminism logs a warning for each non-deterministic setting and
// refuses them unless o.AllowNondeterministic is set.
func checkDeterminism(o Options, log *slog.Logger) error {
	why := nondeterminism(o)
	for _, w := range why {
		log.Warn("scores may differ from other validators", "reason", w, "allowed", o.AllowNondeterministic)
	}
	if len(why) > 0 && !o.AllowNondeterministic {
		return fmt.Errorf("validator: refusing to start with non-deterministic scoring (%s); pass --allow-nondeterministic to run anyway", strings.Join(why, "; "))
	}
	return nil
}
