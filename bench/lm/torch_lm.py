#!/usr/bin/python3
"""PyTorch side of bench/lm: the same GPT-2 / Llama preset, batch and steps.

Uses the plain-torch Hugging Face-semantics models of scripts/golden_lm.py.
Prints one JSON line: eval/train tokens per wall second and per CPU second,
and eval_peak_mb.
"""
import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import golden_lm as g  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PRESETS = {  # must match lm/model/presets.go
    ("gpt2", "tiny"): (64, 2, 4, 4, 256, 256), ("gpt2", "15m"): (256, 4, 4, 4, 1024, 512),
    ("gpt2", "small"): (256, 4, 4, 4, 1024, 512), ("gpt2", "124m"): (768, 12, 12, 12, 3072, 1024),
    ("llama", "tiny"): (64, 2, 4, 2, 176, 256), ("llama", "15m"): (256, 4, 8, 4, 688, 512),
    ("llama", "small"): (256, 4, 8, 4, 688, 512), ("llama", "124m"): (768, 12, 12, 4, 2048, 1024),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="gpt2")
    ap.add_argument("--size", default="124m")
    ap.add_argument("--B", type=int, default=4)
    ap.add_argument("--T", type=int, default=256)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--mode", default="both")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    C, L, H, KV, FF, P = PRESETS[(a.arch, a.size)]
    V = 50257
    if a.arch == "gpt2":
        cfg = dict(g.GPT2_CFG, vocab_size=V, n_embd=C, n_layer=L, n_head=H, n_positions=P)
        shapes, fwd = g.gpt2_shapes(cfg), g.gpt2_forward
    else:
        cfg = dict(g.LLAMA_CFG, vocab_size=V, hidden_size=C, num_hidden_layers=L, num_attention_heads=H,
                   num_key_value_heads=KV, intermediate_size=FF, max_position_embeddings=P, rope_theta=10000.0,
                   tie_word_embeddings=(a.size != "124m"))
        shapes, fwd = g.llama_shapes(cfg), g.llama_forward
    P_ = {n: (0.02 * torch.randn(s)).requires_grad_(True) for n, s in shapes.items()}
    idx = torch.randint(0, V, (a.B, a.T))
    tgt = torch.roll(idx, -1, 1)
    res = {}

    def timed(f):
        f()
        t, c = time.time(), time.process_time()
        for _ in range(a.iters):
            f()
        n = a.B * a.T * a.iters
        return n / (time.time() - t), n / (time.process_time() - c)

    if a.mode in ("eval", "both"):
        def ev():
            with torch.no_grad():
                F.cross_entropy(fwd(P_, cfg, idx).view(-1, V), tgt.view(-1))
        res["eval_tok_s"], res["eval_tok_cpus"] = timed(ev)
        res["eval_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if a.mode in ("train", "both"):
        params = list(P_.values())
        opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.1)

        def tr():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(fwd(P_, cfg, idx).view(-1, V), tgt.view(-1)).backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        res["train_tok_s"], res["train_tok_cpus"] = timed(tr)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
