"""Reference solution for lib.kv_cache_decode (shown by `tracker solution lib.kv_cache_decode` after a pass)."""

from __future__ import annotations

import math

import torch


def decode_step(x_t, Wq, Wk, Wv, cache):
    q = x_t @ Wq
    k_new = (x_t @ Wk).unsqueeze(1)
    v_new = (x_t @ Wv).unsqueeze(1)
    if cache is None:
        k, v = k_new, v_new
    else:
        k = torch.cat([cache["k"], k_new], dim=1)
        v = torch.cat([cache["v"], v_new], dim=1)
    scores = (k @ q.unsqueeze(-1)).squeeze(-1) / math.sqrt(q.shape[-1])
    weights = torch.softmax(scores, dim=-1)
    out = (weights.unsqueeze(1) @ v).squeeze(1)
    return out, {"k": k, "v": v}


def decode(x, Wq, Wk, Wv):
    cache = None
    outs = []
    for t in range(x.shape[1]):
        out, cache = decode_step(x[:, t], Wq, Wk, Wv, cache)
        outs.append(out)
    return torch.stack(outs, dim=1)
