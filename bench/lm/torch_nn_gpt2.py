#!/usr/bin/python3
"""Standard torch.nn GPT-2 for bench/lm: the baseline the Go engine is compared to.

A GPT-2 written the way PyTorch users write it (nanoGPT style): nn.Embedding,
nn.LayerNorm, nn.Linear, masked-softmax attention, tanh GELU, LM head tied to
the token embedding. Same preset, batch and steps as the Go side. Prints one
JSON line: eval/train tokens per wall second and per CPU second, eval_peak_mb.
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {  # (C, L, H, P), must match lm/model/presets.go
    "tiny": (64, 2, 4, 256), "15m": (256, 4, 4, 512), "small": (256, 4, 4, 512), "124m": (768, 12, 12, 1024),
}


class Block(nn.Module):
    def __init__(self, C, H, P):
        super().__init__()
        self.H = H
        self.ln_1 = nn.LayerNorm(C, eps=1e-5)
        self.c_attn = nn.Linear(C, 3 * C)
        self.c_proj = nn.Linear(C, C)
        self.ln_2 = nn.LayerNorm(C, eps=1e-5)
        self.c_fc = nn.Linear(C, 4 * C)
        self.mlp_proj = nn.Linear(4 * C, C)
        self.gelu = nn.GELU(approximate="tanh")
        self.register_buffer("mask", torch.tril(torch.ones(P, P, dtype=torch.bool)).view(1, 1, P, P))

    def forward(self, x):
        B, T, C = x.shape
        D = C // self.H
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q = q.view(B, T, self.H, D).transpose(1, 2)
        k = k.view(B, T, self.H, D).transpose(1, 2)
        v = v.view(B, T, self.H, D).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D))
        att = att.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(self.gelu(self.c_fc(self.ln_2(x))))


class GPT2(nn.Module):
    def __init__(self, V, C, L, H, P):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(P, C)
        self.h = nn.ModuleList([Block(C, H, P) for _ in range(L)])
        self.ln_f = nn.LayerNorm(C, eps=1e-5)
        self.lm_head = nn.Linear(C, V, bias=False)
        self.lm_head.weight = self.wte.weight  # tied
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.h:
            x = b(x)
        return self.lm_head(self.ln_f(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="124m")
    ap.add_argument("--B", type=int, default=4)
    ap.add_argument("--T", type=int, default=256)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--mode", default="both")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    C, L, H, P = PRESETS[a.size]
    V = 50257
    model = GPT2(V, C, L, H, P)
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
        model.eval()

        def ev():
            with torch.no_grad():
                F.cross_entropy(model(idx).view(-1, V), tgt.view(-1))
        res["eval_tok_s"], res["eval_tok_cpus"] = timed(ev)
        res["eval_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if a.mode in ("train", "both"):
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.1)

        def tr():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(idx).view(-1, V), tgt.view(-1)).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        res["train_tok_s"], res["train_tok_cpus"] = timed(tr)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
