"""Grader for lib.kv_cache_decode: cached decoding equals full causal attention recomputed from scratch.

The reference is ``F.scaled_dot_product_attention(..., is_causal=True)`` over the whole sequence's
projections, captured before the learner's code runs. ``d_model != d_head`` so the wrong scale shows.
Probes: the new token not attending to itself, scaling by sqrt(d_model), the new key put first in the
cache, values cached from the key projection, and a step that ignores the cache it is given.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true

FORBIDDEN = ["torch.nn.functional.scaled_dot_product_attention", "torch.nn.MultiheadAttention"]

_sdpa = F.scaled_dot_product_attention
RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _data(device, B=2, T=6, d_model=12, d_head=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, T, d_model, generator=g)
    Wq, Wk, Wv = (torch.randn(d_model, d_head, generator=g) / math.sqrt(d_model) * 2 for _ in range(3))
    return [t.to(device) for t in (x, Wq, Wk, Wv)]


def _full(x, Wq, Wk, Wv, scale=None, self_attend=True, values=None):
    q, k, v = x @ Wq, x @ Wk, (x @ (Wv if values is None else values))
    T = x.shape[1]
    if self_attend:
        return _sdpa(q, k, v, is_causal=True, scale=scale)
    keep = torch.ones(T, T, dtype=torch.bool, device=x.device).tril(-1)
    keep[0, 0] = True  # the first token has nothing earlier
    return _sdpa(q, k, v, attn_mask=keep, scale=scale)


def _step(learner, *args):
    result = learner.decode_step(*args)
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict)):
        raise GradeFailure("decode_step should return a tuple (out_t, cache) with cache a dict {'k': ..., 'v': ...}")
    out, cache = result
    check_true("k" in cache and "v" in cache, f"the cache should have keys 'k' and 'v', it has {sorted(cache)}")
    return out, cache


def test_decode_matches_full_recomputation(learner, device):
    """decoding token by token with the cache equals causal attention over the whole sequence"""
    x, Wq, Wk, Wv = _data(device)
    expected = _full(x, Wq, Wk, Wv)
    got = learner.decode(x, Wq, Wk, Wv)
    check_close(got, expected, name="decode(x)", rtol=RTOL, atol=ATOL, mistakes={
        "not attending to the new token itself": _full(x, Wq, Wk, Wv, self_attend=False),
        "scaling scores by sqrt(d_model) instead of sqrt(d_head)": _full(x, Wq, Wk, Wv, scale=1 / math.sqrt(x.shape[-1])),
        "caching keys as values (v from Wk)": _full(x, Wq, Wk, Wv, values=Wk),
        "forgetting the 1/sqrt(d_head) scale": _full(x, Wq, Wk, Wv, scale=1.0),
    })


def test_cache_grows_oldest_first(learner, device):
    """each step appends its key and value at the end of the cache: k = x[:, :t+1] @ Wk, oldest first"""
    x, Wq, Wk, Wv = _data(device, seed=1)
    cache = None
    for t in range(4):
        _, cache = _step(learner, x[:, t], Wq, Wk, Wv, cache)
        want_k, want_v = x[:, : t + 1] @ Wk, x[:, : t + 1] @ Wv
        check_close(cache["k"], want_k, name=f"cache['k'] after step {t}", rtol=RTOL, atol=ATOL, mistakes={
            "putting the new key first (the cache must stay oldest first)": torch.cat([want_k[:, -1:], want_k[:, :-1]], 1),
        })
        check_close(cache["v"], want_v, name=f"cache['v'] after step {t}", rtol=RTOL, atol=ATOL, mistakes={
            "caching keys as values (v from Wk)": want_k,
            "putting the new key first (the cache must stay oldest first)": torch.cat([want_v[:, -1:], want_v[:, :-1]], 1),
        })


def test_step_uses_the_given_cache(learner, device):
    """a step attends over the cache it is handed (not over recomputed keys) plus the new token"""
    x, Wq, Wk, Wv = _data(device, seed=2)
    g = torch.Generator().manual_seed(3)
    cache = {"k": torch.randn(2, 5, 4, generator=g).to(device), "v": torch.randn(2, 5, 4, generator=g).to(device)}
    out, new = _step(learner, x[:, 0], Wq, Wk, Wv, {"k": cache["k"].clone(), "v": cache["v"].clone()})
    q = (x[:, 0] @ Wq).unsqueeze(1)
    k = torch.cat([cache["k"], (x[:, 0] @ Wk).unsqueeze(1)], 1)
    v = torch.cat([cache["v"], (x[:, 0] @ Wv).unsqueeze(1)], 1)
    check_close(out, _sdpa(q, k, v).squeeze(1), name="out_t with a given cache of 5 tokens", rtol=RTOL, atol=ATOL, mistakes={
        "not attending to the new token itself": _sdpa(q, cache["k"], cache["v"]).squeeze(1),
        "scaling scores by sqrt(d_model) instead of sqrt(d_head)": _sdpa(q, k, v, scale=1 / math.sqrt(x.shape[-1])).squeeze(1),
    })
    check_true(tuple(new["k"].shape) == (2, 6, 4), f"the new cache's k should have shape (2, 6, 4), got {tuple(new['k'].shape)}")
    check_true(out.device.type == device.type, f"out_t is on {out.device}, the inputs were on {device}")
