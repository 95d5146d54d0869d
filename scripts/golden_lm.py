#!/usr/bin/python3
"""Golden numerics for the taonet LM engine (lm/model, lm/train).

Writes tiny random GPT-2, Llama and BERT models in the Hugging Face layout
(config.json + model.safetensors with HF tensor names) under lm/testdata/<arch>/,
plus golden.safetensors with PyTorch's logits, per-token losses under a loss
mask, gradients after one backward pass, parameters after one clipped AdamW
step, and (BERT) hidden states and mean/CLS embeddings.

The three architectures are written in plain torch with Hugging Face semantics
(no `transformers` package is available): GPT-2 Conv1D weights [in,out] and
gelu_new; Llama RMSNorm, rotate-half RoPE in float32, GQA, SwiGLU; BERT post-LN
with exact erf GELU and the finfo.min additive attention mask.

Qwen2, Mistral, Gemma, Gemma2, Phi-3, StableLM and GPT-NeoX ("decoder family")
get logits, per-token NLL and a greedy continuation (forward only).

Run by developers with Debian's python3-torch (not by CI):
    /usr/bin/python3 scripts/golden_lm.py [outdir [decoder names...]]
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_num_threads(1)
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "lm", "testdata")

B, T = 2, 8
LR, BETAS, EPS, WD = 1e-2, (0.9, 0.95), 1e-8, 0.1


def write_safetensors(path, tensors):
    """Minimal safetensors writer: u64 LE header size, JSON header, raw F32 data."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype("<f4"))
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def rand_params(shapes):
    p = {}
    for name, shape in shapes.items():
        if len(shape) == 1 and ("norm" in name.lower() or "ln_" in name):
            t = 1 + 0.1 * torch.randn(shape) if name.endswith("weight") else 0.1 * torch.randn(shape)
        elif len(shape) == 1:
            t = 0.1 * torch.randn(shape)
        else:
            t = 0.2 * torch.randn(shape)
        p[name] = t.float().requires_grad_(True)
    return p


# ---------------------------------------------------------------- GPT-2
GPT2_CFG = dict(architectures=["GPT2LMHeadModel"], model_type="gpt2", vocab_size=64, n_embd=16, n_layer=2,
                n_head=2, n_positions=16, n_inner=None, layer_norm_epsilon=1e-5, activation_function="gelu_new",
                bos_token_id=0, eos_token_id=0, tie_word_embeddings=True)


def gpt2_shapes(c):
    C, V, L = c["n_embd"], c["vocab_size"], c["n_layer"]
    s = {"transformer.wte.weight": (V, C), "transformer.wpe.weight": (c["n_positions"], C)}
    for l in range(L):
        p = f"transformer.h.{l}."
        s.update({p + "ln_1.weight": (C,), p + "ln_1.bias": (C,), p + "attn.c_attn.weight": (C, 3 * C),
                  p + "attn.c_attn.bias": (3 * C,), p + "attn.c_proj.weight": (C, C), p + "attn.c_proj.bias": (C,),
                  p + "ln_2.weight": (C,), p + "ln_2.bias": (C,), p + "mlp.c_fc.weight": (C, 4 * C),
                  p + "mlp.c_fc.bias": (4 * C,), p + "mlp.c_proj.weight": (4 * C, C), p + "mlp.c_proj.bias": (C,)})
    s.update({"transformer.ln_f.weight": (C,), "transformer.ln_f.bias": (C,)})
    return s


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def conv1d(x, w, b):
    return torch.addmm(b, x.reshape(-1, x.shape[-1]), w).reshape(*x.shape[:-1], w.shape[1])


def gpt2_forward(P, c, idx):
    Bn, Tn = idx.shape
    C, H = c["n_embd"], c["n_head"]
    D, eps = C // H, c["layer_norm_epsilon"]
    x = P["transformer.wte.weight"][idx] + P["transformer.wpe.weight"][:Tn]
    causal = torch.tril(torch.ones(Tn, Tn, dtype=torch.bool))
    for l in range(c["n_layer"]):
        p = f"transformer.h.{l}."
        h = F.layer_norm(x, (C,), P[p + "ln_1.weight"], P[p + "ln_1.bias"], eps)
        q, k, v = conv1d(h, P[p + "attn.c_attn.weight"], P[p + "attn.c_attn.bias"]).split(C, dim=2)
        q, k, v = (t.view(Bn, Tn, H, D).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-1, -2)) / torch.full([], D ** 0.5)
        att = torch.where(causal, att, torch.tensor(torch.finfo(att.dtype).min))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(Bn, Tn, C)
        x = x + conv1d(y, P[p + "attn.c_proj.weight"], P[p + "attn.c_proj.bias"])
        h = F.layer_norm(x, (C,), P[p + "ln_2.weight"], P[p + "ln_2.bias"], eps)
        h = gelu_new(conv1d(h, P[p + "mlp.c_fc.weight"], P[p + "mlp.c_fc.bias"]))
        x = x + conv1d(h, P[p + "mlp.c_proj.weight"], P[p + "mlp.c_proj.bias"])
    x = F.layer_norm(x, (C,), P["transformer.ln_f.weight"], P["transformer.ln_f.bias"], eps)
    return x @ P["transformer.wte.weight"].t()


# ---------------------------------------------------------------- Llama
LLAMA_CFG = dict(architectures=["LlamaForCausalLM"], model_type="llama", vocab_size=64, hidden_size=16,
                 num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, intermediate_size=40,
                 max_position_embeddings=32, rms_norm_eps=1e-6, rope_theta=500000.0, hidden_act="silu",
                 tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)


def llama_shapes(c):
    C, V, F_, H, KV = c["hidden_size"], c["vocab_size"], c["intermediate_size"], c["num_attention_heads"], c["num_key_value_heads"]
    D = C // H
    s = {"model.embed_tokens.weight": (V, C)}
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        s.update({p + "input_layernorm.weight": (C,), p + "self_attn.q_proj.weight": (H * D, C),
                  p + "self_attn.k_proj.weight": (KV * D, C), p + "self_attn.v_proj.weight": (KV * D, C),
                  p + "self_attn.o_proj.weight": (C, H * D), p + "post_attention_layernorm.weight": (C,),
                  p + "mlp.gate_proj.weight": (F_, C), p + "mlp.up_proj.weight": (F_, C), p + "mlp.down_proj.weight": (C, F_)})
    s["model.norm.weight"] = (C,)
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (V, C)
    return s


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def llama_forward(P, c, idx):
    Bn, Tn = idx.shape
    C, H, KV = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    D, eps = C // H, c["rms_norm_eps"]
    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, D, 2, dtype=torch.int64).float() / D))
    rs = c.get("rope_scaling")
    if rs and rs["rope_type"] == "llama3":  # HF _compute_llama3_parameters
        factor, lo, hi, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
        low_wave, high_wave = old / lo, old / hi
        wavelen = 2 * math.pi / inv_freq
        inv_l = torch.where(wavelen > low_wave, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - lo) / (hi - lo)
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        medium = ~(wavelen < high_wave) * ~(wavelen > low_wave)
        inv_freq = torch.where(medium, smoothed, inv_l)
    pos = torch.arange(Tn).float()
    freqs = pos[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    causal = torch.tril(torch.ones(Tn, Tn, dtype=torch.bool))
    x = P["model.embed_tokens.weight"][idx]
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, P[p + "input_layernorm.weight"], eps)
        q = (h @ P[p + "self_attn.q_proj.weight"].t()).view(Bn, Tn, H, D).transpose(1, 2)
        k = (h @ P[p + "self_attn.k_proj.weight"].t()).view(Bn, Tn, KV, D).transpose(1, 2)
        v = (h @ P[p + "self_attn.v_proj.weight"].t()).view(Bn, Tn, KV, D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(2, 3)) / math.sqrt(D)
        att = torch.where(causal, att, torch.tensor(torch.finfo(att.dtype).min))
        att = F.softmax(att, dim=-1, dtype=torch.float32)
        y = (att @ v).transpose(1, 2).reshape(Bn, Tn, H * D)
        x = x + y @ P[p + "self_attn.o_proj.weight"].t()
        h = rms_norm(x, P[p + "post_attention_layernorm.weight"], eps)
        g = F.silu(h @ P[p + "mlp.gate_proj.weight"].t()) * (h @ P[p + "mlp.up_proj.weight"].t())
        x = x + g @ P[p + "mlp.down_proj.weight"].t()
    x = rms_norm(x, P["model.norm.weight"], eps)
    head = P["model.embed_tokens.weight"] if c["tie_word_embeddings"] else P["lm_head.weight"]
    return x @ head.t()


# Llama 3 style: rope_scaling "llama3" (head_dim 8 covers the high, medium and
# low frequency bands), one key/value head, tied embeddings.
LLAMA3_CFG = dict(LLAMA_CFG, hidden_size=16, num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=True,
                  rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                    original_max_position_embeddings=8192))


# ---------------------------------------------------------------- BERT
BERT_CFG = dict(architectures=["BertModel"], model_type="bert", vocab_size=64, hidden_size=16, num_hidden_layers=2,
                num_attention_heads=2, intermediate_size=32, max_position_embeddings=16, type_vocab_size=2,
                layer_norm_eps=1e-12, hidden_act="gelu", position_embedding_type="absolute", pad_token_id=0)


def bert_shapes(c):
    C, V, F_ = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    s = {"embeddings.word_embeddings.weight": (V, C), "embeddings.position_embeddings.weight": (c["max_position_embeddings"], C),
         "embeddings.token_type_embeddings.weight": (c["type_vocab_size"], C),
         "embeddings.LayerNorm.weight": (C,), "embeddings.LayerNorm.bias": (C,)}
    for l in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        for n in ("query", "key", "value"):
            s[p + f"attention.self.{n}.weight"] = (C, C)
            s[p + f"attention.self.{n}.bias"] = (C,)
        s.update({p + "attention.output.dense.weight": (C, C), p + "attention.output.dense.bias": (C,),
                  p + "attention.output.LayerNorm.weight": (C,), p + "attention.output.LayerNorm.bias": (C,),
                  p + "intermediate.dense.weight": (F_, C), p + "intermediate.dense.bias": (F_,),
                  p + "output.dense.weight": (C, F_), p + "output.dense.bias": (C,),
                  p + "output.LayerNorm.weight": (C,), p + "output.LayerNorm.bias": (C,)})
    s.update({"pooler.dense.weight": (C, C), "pooler.dense.bias": (C,)})
    return s


def bert_forward(P, c, idx, mask):
    Bn, Tn = idx.shape
    C, H, eps = c["hidden_size"], c["num_attention_heads"], c["layer_norm_eps"]
    D = C // H
    lin = lambda x, n: x @ P[n + ".weight"].t() + P[n + ".bias"]
    x = P["embeddings.word_embeddings.weight"][idx] + P["embeddings.token_type_embeddings.weight"][torch.zeros_like(idx)] \
        + P["embeddings.position_embeddings.weight"][:Tn]
    x = F.layer_norm(x, (C,), P["embeddings.LayerNorm.weight"], P["embeddings.LayerNorm.bias"], eps)
    ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for l in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        q, k, v = (lin(x, p + "attention.self." + n).view(Bn, Tn, H, D).transpose(1, 2) for n in ("query", "key", "value"))
        att = F.softmax((q @ k.transpose(-1, -2)) / math.sqrt(D) + ext, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(Bn, Tn, C)
        a = F.layer_norm(lin(y, p + "attention.output.dense") + x, (C,), P[p + "attention.output.LayerNorm.weight"],
                         P[p + "attention.output.LayerNorm.bias"], eps)
        i = F.gelu(lin(a, p + "intermediate.dense"))
        x = F.layer_norm(lin(i, p + "output.dense") + a, (C,), P[p + "output.LayerNorm.weight"],
                         P[p + "output.LayerNorm.bias"], eps)
    return x


# ---------------------------------------------------------------- decoder family
# Qwen2, Mistral, Gemma, Gemma2, Phi-3, StableLM and GPT-NeoX written from the
# Hugging Face modeling files' semantics (forward only: the Go trainer covers
# GPT-2 and Llama). Sliding windows and soft-caps are set small enough to bite
# at T=8 with random weights. The vocabulary (260) fits the byte-level
# tokenizer, so `taonet model eval` can run the fixtures (cmd/taonet tests).
DEC_BASE = dict(vocab_size=260, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                intermediate_size=40, max_position_embeddings=32, rms_norm_eps=1e-6, rope_theta=10000.0,
                hidden_act="silu", tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
DECODER_CFGS = {
    "qwen2": dict(DEC_BASE, architectures=["Qwen2ForCausalLM"], model_type="qwen2", rope_theta=1000000.0,
                  use_sliding_window=False, tie_word_embeddings=True),
    "mistral": dict(DEC_BASE, architectures=["MistralForCausalLM"], model_type="mistral", sliding_window=3),
    "gemma": dict(DEC_BASE, architectures=["GemmaForCausalLM"], model_type="gemma", num_attention_heads=2,
                  num_key_value_heads=1, head_dim=8, hidden_activation="gelu_pytorch_tanh", tie_word_embeddings=True),
    "gemma2": dict(DEC_BASE, architectures=["Gemma2ForCausalLM"], model_type="gemma2", head_dim=8,
                   hidden_activation="gelu_pytorch_tanh", tie_word_embeddings=True, sliding_window=3,
                   attn_logit_softcapping=1.0, final_logit_softcapping=2.0, query_pre_attn_scalar=12),
    "phi3": dict(DEC_BASE, architectures=["Phi3ForCausalLM"], model_type="phi3", rms_norm_eps=1e-5, sliding_window=None),
    "stablelm": dict(DEC_BASE, architectures=["StableLmForCausalLM"], model_type="stablelm", hidden_size=32,
                     layer_norm_eps=1e-5, partial_rotary_factor=0.5, use_qkv_bias=True, use_parallel_residual=False),
    "gpt_neox": dict(architectures=["GPTNeoXForCausalLM"], model_type="gpt_neox", vocab_size=260, hidden_size=16,
                     num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, max_position_embeddings=32,
                     layer_norm_eps=1e-5, rotary_pct=0.5, rotary_emb_base=10000, use_parallel_residual=True,
                     hidden_act="gelu", tie_word_embeddings=False, bos_token_id=0, eos_token_id=0),
}


def dec_dims(c):
    mt = c["model_type"]
    C, H = c["hidden_size"], c["num_attention_heads"]
    KV = H if mt == "gpt_neox" else c.get("num_key_value_heads", H)
    D = C // H if mt == "gpt_neox" else (c.get("head_dim") or C // H)
    frac = c.get("rotary_pct", 1.0) if mt == "gpt_neox" else c.get("partial_rotary_factor", 1.0)
    return C, H, KV, D, int(D * frac)


def decoder_shapes(c):
    mt = c["model_type"]
    C, H, KV, D, _ = dec_dims(c)
    V, F_ = c["vocab_size"], c["intermediate_size"]
    layer_norm = mt in ("stablelm", "gpt_neox")
    pre = "gpt_neox." if mt == "gpt_neox" else "model."
    s = {("gpt_neox.embed_in.weight" if mt == "gpt_neox" else "model.embed_tokens.weight"): (V, C)}

    def norm(name):
        s[name + ".weight"] = (C,)
        if layer_norm:
            s[name + ".bias"] = (C,)
    for l in range(c["num_hidden_layers"]):
        p = f"{pre}layers.{l}."
        norm(p + "input_layernorm")
        if mt == "phi3":
            s[p + "self_attn.qkv_proj.weight"] = (H * D + 2 * KV * D, C)
            s[p + "self_attn.o_proj.weight"] = (C, H * D)
        elif mt == "gpt_neox":
            s.update({p + "attention.query_key_value.weight": (3 * C, C), p + "attention.query_key_value.bias": (3 * C,),
                      p + "attention.dense.weight": (C, C), p + "attention.dense.bias": (C,)})
        else:
            bias = mt == "qwen2" or (mt == "stablelm" and c["use_qkv_bias"])
            for n, rows in (("q_proj", H * D), ("k_proj", KV * D), ("v_proj", KV * D)):
                s[p + f"self_attn.{n}.weight"] = (rows, C)
                if bias:
                    s[p + f"self_attn.{n}.bias"] = (rows,)
            s[p + "self_attn.o_proj.weight"] = (C, H * D)
        if not (mt == "stablelm" and c["use_parallel_residual"]):
            norm(p + "post_attention_layernorm")
        if mt == "gemma2":
            norm(p + "pre_feedforward_layernorm")
            norm(p + "post_feedforward_layernorm")
        if mt == "phi3":
            s.update({p + "mlp.gate_up_proj.weight": (2 * F_, C), p + "mlp.down_proj.weight": (C, F_)})
        elif mt == "gpt_neox":
            s.update({p + "mlp.dense_h_to_4h.weight": (F_, C), p + "mlp.dense_h_to_4h.bias": (F_,),
                      p + "mlp.dense_4h_to_h.weight": (C, F_), p + "mlp.dense_4h_to_h.bias": (C,)})
        else:
            s.update({p + "mlp.gate_proj.weight": (F_, C), p + "mlp.up_proj.weight": (F_, C), p + "mlp.down_proj.weight": (C, F_)})
    norm("gpt_neox.final_layer_norm" if mt == "gpt_neox" else "model.norm")
    if not c["tie_word_embeddings"]:
        s["embed_out.weight" if mt == "gpt_neox" else "lm_head.weight"] = (V, C)
    return s


def decoder_forward(P, c, idx):
    mt = c["model_type"]
    Bn, Tn = idx.shape
    C, H, KV, D, rot = dec_dims(c)
    eps = c.get("layer_norm_eps", 1e-5) if mt in ("stablelm", "gpt_neox") else c["rms_norm_eps"]
    pre = "gpt_neox." if mt == "gpt_neox" else "model."
    lin = lambda x, n: x @ P[n + ".weight"].t() + P[n + ".bias"] if n + ".bias" in P else x @ P[n + ".weight"].t()

    def norm(x, name):
        if mt in ("stablelm", "gpt_neox"):  # nn.LayerNorm
            return F.layer_norm(x, (C,), P[name + ".weight"], P[name + ".bias"], eps)
        if mt in ("gemma", "gemma2"):  # GemmaRMSNorm: x·rsqrt(mean x²+eps)·(1+w)
            out = x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + eps)
            return out * (1.0 + P[name + ".weight"].float())
        return rms_norm(x, P[name + ".weight"], eps)

    def mlp(h, p):
        if mt == "gpt_neox":
            return lin(F.gelu(lin(h, p + "mlp.dense_h_to_4h")), p + "mlp.dense_4h_to_h")
        if mt == "phi3":
            gate, up = (h @ P[p + "mlp.gate_up_proj.weight"].t()).chunk(2, dim=-1)
            return (up * F.silu(gate)) @ P[p + "mlp.down_proj.weight"].t()
        g = h @ P[p + "mlp.gate_proj.weight"].t()
        act = F.gelu(g, approximate="tanh") if mt in ("gemma", "gemma2") else F.silu(g)
        return (act * (h @ P[p + "mlp.up_proj.weight"].t())) @ P[p + "mlp.down_proj.weight"].t()

    theta = c.get("rotary_emb_base", 10000) if mt == "gpt_neox" else c["rope_theta"]
    inv_freq = 1.0 / (theta ** (torch.arange(0, rot, 2, dtype=torch.int64).float() / rot))
    freqs = torch.arange(Tn).float()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()

    def rope(t):
        t_rot, t_pass = t[..., :rot], t[..., rot:]
        return torch.cat((t_rot * cos + rotate_half(t_rot) * sin, t_pass), dim=-1)

    x = P["gpt_neox.embed_in.weight" if mt == "gpt_neox" else "model.embed_tokens.weight"][idx]
    if mt in ("gemma", "gemma2"):
        x = x * torch.tensor(C ** 0.5, dtype=x.dtype)
    i = torch.arange(Tn)[:, None]
    j = torch.arange(Tn)[None, :]
    for l in range(c["num_hidden_layers"]):
        p = f"{pre}layers.{l}."
        h = norm(x, p + "input_layernorm")
        if mt == "phi3":
            qkv = h @ P[p + "self_attn.qkv_proj.weight"].t()
            q, k, v = qkv[..., :H * D], qkv[..., H * D:H * D + KV * D], qkv[..., H * D + KV * D:]
        elif mt == "gpt_neox":
            qkv = lin(h, p + "attention.query_key_value").view(Bn, Tn, H, 3 * D)
            q, k, v = (qkv[..., :D], qkv[..., D:2 * D], qkv[..., 2 * D:])
            q, k, v = (t.reshape(Bn, Tn, H * D) for t in (q, k, v))
        else:
            q, k, v = (lin(h, p + "self_attn." + n) for n in ("q_proj", "k_proj", "v_proj"))
        q = q.view(Bn, Tn, H, D).transpose(1, 2)
        k = k.view(Bn, Tn, KV, D).transpose(1, 2)
        v = v.view(Bn, Tn, KV, D).transpose(1, 2)
        q, k = rope(q), rope(k)
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        scaling = c["query_pre_attn_scalar"] ** -0.5 if mt == "gemma2" else D ** -0.5
        att = (q @ k.transpose(2, 3)) * scaling
        if c.get("attn_logit_softcapping"):
            att = torch.tanh(att / c["attn_logit_softcapping"]) * c["attn_logit_softcapping"]
        keep = j <= i
        window = c.get("sliding_window") if mt in ("mistral", "phi3") or (mt == "gemma2" and l % 2 == 0) else None
        if window:
            keep = keep & (i - j < window)
        att = torch.where(keep, att, torch.tensor(torch.finfo(att.dtype).min))
        att = F.softmax(att, dim=-1, dtype=torch.float32)
        y = (att @ v).transpose(1, 2).reshape(Bn, Tn, H * D)
        o = lin(y, p + ("attention.dense" if mt == "gpt_neox" else "self_attn.o_proj"))
        if mt == "gemma2":
            o = norm(o, p + "post_attention_layernorm")
        if mt == "stablelm" and c["use_parallel_residual"]:
            x = x + o + mlp(h, p)
        elif mt == "gpt_neox" and c["use_parallel_residual"]:
            x = mlp(norm(x, p + "post_attention_layernorm"), p) + o + x
        else:
            r = x + o
            m_ = mlp(norm(r, p + ("pre_feedforward_layernorm" if mt == "gemma2" else "post_attention_layernorm")), p)
            if mt == "gemma2":
                m_ = norm(m_, p + "post_feedforward_layernorm")
            x = r + m_
    x = norm(x, "gpt_neox.final_layer_norm" if mt == "gpt_neox" else "model.norm")
    if c["tie_word_embeddings"]:
        head = P["model.embed_tokens.weight"]
    else:
        head = P["embed_out.weight" if mt == "gpt_neox" else "lm_head.weight"]
    logits = x @ head.t()
    if c.get("final_logit_softcapping"):
        logits = torch.tanh(logits / c["final_logit_softcapping"]) * c["final_logit_softcapping"]
    return logits


def decoder_golden(name, cfg, seed):
    """Logits, per-token NLL, and a greedy continuation (full recompute per
    token) of one decoder-family model; each fixture has its own seed."""
    torch.manual_seed(seed)
    P = rand_params(decoder_shapes(cfg))
    d = save_model(name, cfg, P)
    V = cfg["vocab_size"]
    idx = torch.randint(0, V, (B, T))
    targets = torch.full((B, T), -1, dtype=torch.int64)
    targets[:, :-1] = idx[:, 1:]
    targets[0, :3] = -1
    targets[1, -3:] = -1
    with torch.no_grad():
        logits = decoder_forward(P, cfg, idx)
        nll = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1, reduction="none")
        seq = idx[:1, :5]
        for _ in range(6):
            nxt = decoder_forward(P, cfg, seq)[0, -1].argmax()
            seq = torch.cat((seq, nxt.view(1, 1)), dim=1)
    write_safetensors(os.path.join(d, "golden.safetensors"),
                      {"tokens": idx.float(), "targets": targets.float(), "logits": logits, "nll": nll,
                       "gen_prompt": idx[0, :5].float(), "gen_tokens": seq[0, 5:].float()})
    print(name, "mean nll", float(nll[targets.view(-1) >= 0].mean()))


# ---------------------------------------------------------------- driver
def save_model(name, cfg, P, extra_gen=None):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
    write_safetensors(os.path.join(d, "model.safetensors"), P)
    return d


def causal_golden(name, cfg, shapes, fwd):
    P = rand_params(shapes)
    d = save_model(name, cfg, P)
    V = cfg["vocab_size"]
    idx = torch.randint(0, V, (B, T))
    targets = torch.full((B, T), -1, dtype=torch.int64)
    targets[:, :-1] = idx[:, 1:]
    targets[0, :3] = -1   # prompt tokens of sample 0 are not scored
    targets[1, -3:] = -1  # padding of sample 1
    logits = fwd(P, cfg, idx)
    nll = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1, reduction="none")
    loss = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)
    loss.backward()
    g = {"grad." + n: p.grad.clone() for n, p in P.items()}
    params = list(P.values())
    norm = torch.nn.utils.clip_grad_norm_(params, 1e30)  # measure only
    max_norm = 0.5 * float(norm)
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    decay = [p for n, p in P.items() if p.dim() >= 2]
    no_decay = [p for n, p in P.items() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=EPS)
    opt.step()
    out = {"tokens": idx.float(), "targets": targets.float(), "logits": logits.detach(), "nll": nll.detach(),
           "loss": loss.detach().reshape(1), "grad_norm": norm.reshape(1), "max_norm": torch.tensor([max_norm])}
    out.update(g)
    out.update({"step." + n: p.detach() for n, p in P.items()})
    write_safetensors(os.path.join(d, "golden.safetensors"), out)
    print(name, "loss", float(loss), "grad_norm", float(norm))


def bert_golden():
    cfg = BERT_CFG
    P = rand_params(bert_shapes(cfg))
    d = save_model("bert", cfg, P)
    idx = torch.randint(1, cfg["vocab_size"], (B, T))
    mask = torch.ones(B, T, dtype=torch.int64)
    mask[1, -3:] = 0
    idx[1, -3:] = 0
    with torch.no_grad():
        hid = bert_forward(P, cfg, idx, mask)
        m = mask[:, :, None].float()
        mean = (hid * m).sum(1) / m.sum(1).clamp(min=1e-9)
        cls = hid[:, 0]
    write_safetensors(os.path.join(d, "golden.safetensors"),
                      {"tokens": idx.float(), "mask": mask.float(), "hidden": hid, "mean": mean, "cls": cls})
    print("bert ok")


if __name__ == "__main__":
    # With names after the output directory, only those decoder-family
    # fixtures are written (each has its own seed, so the rest stay as they are).
    only = sys.argv[2:]
    if not only:
        causal_golden("gpt2", GPT2_CFG, gpt2_shapes(GPT2_CFG), gpt2_forward)
        causal_golden("llama", LLAMA_CFG, llama_shapes(LLAMA_CFG), llama_forward)
        bert_golden()
        causal_golden("llama3", LLAMA3_CFG, llama_shapes(LLAMA3_CFG), llama_forward)
    for i, (name, cfg) in enumerate(DECODER_CFGS.items()):
        if not only or name in only:
            decoder_golden(name, cfg, 4321 + i)
