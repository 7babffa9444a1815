"""Grader for lib.flash_attention: tiled attention with an online softmax equals plain attention, by tile.

The reference is ``F.scaled_dot_product_attention``, captured before the learner's code runs. Memory is
checked by watching, under a ``TorchFunctionMode``, every tensor the learner's code creates: none may be
as large as the ``(L, S)`` score matrix. Probes: accumulators not rescaled when the maximum grows, a missing
1/sqrt(d), a full score matrix, exp overflow without the running maximum, a causal mask without the
diagonal, and NaN from fully masked tiles.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true
from torch.overrides import TorchFunctionMode

FORBIDDEN = ["torch.nn.functional.scaled_dot_product_attention", "torch.nn.MultiheadAttention"]

_sdpa = F.scaled_dot_product_attention
RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _qkv(device, L=64, S=64, d=8, d_v=8, seed=0, spread=1.0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(L, d, generator=g) * spread
    k = torch.randn(S, d, generator=g)
    v = torch.randn(S, d_v, generator=g)
    return q.to(device), k.to(device), v.to(device)


def _no_rescale(q, k, v, block, causal=False):
    """The classic mistake: sums kept across tiles without rescaling when the maximum grows."""
    L, d = q.shape
    m = torch.full((L, 1), float("-inf"), device=q.device)
    l = torch.zeros(L, 1, device=q.device)
    acc = torch.zeros(L, v.shape[1], device=q.device)
    rows = torch.arange(L, device=q.device).unsqueeze(1)
    for start in range(0, k.shape[0], block):
        s = q @ k[start:start + block].T / math.sqrt(d)
        if causal:
            cols = torch.arange(start, start + s.shape[1], device=q.device).unsqueeze(0)
            s = s.masked_fill(cols > rows, float("-inf"))
        m = torch.maximum(m, s.max(1, keepdim=True).values)
        safe = torch.where(torch.isinf(m), torch.zeros_like(m), m)
        p = torch.exp(s - safe)
        l = l + p.sum(1, keepdim=True)
        acc = acc + p @ v[start:start + block]
    return acc / l


class _Watch(TorchFunctionMode):
    """Records the largest tensor produced by any torch call made while active."""

    def __init__(self):
        super().__init__()
        self.largest = 0
        self.shape = ()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor) and t.numel() > self.largest:
                self.largest, self.shape = t.numel(), tuple(t.shape)
        return out


def _call(learner, *args, **kwargs):
    out = learner.flash_attention(*args, **kwargs)
    if not isinstance(out, torch.Tensor):
        raise GradeFailure(f"flash_attention should return a tensor, got {type(out).__name__}")
    return out


def test_equals_plain_attention(learner, device):
    """equals softmax(q k^T / sqrt(d)) v for 64 queries and 64 keys in tiles of 16"""
    q, k, v = _qkv(device, spread=2.0)
    got = _call(learner, q, k, v, block_size=16)
    check_close(got, _sdpa(q, k, v), name="flash_attention(q, k, v)", rtol=RTOL, atol=ATOL, mistakes={
        "summing tiles without rescaling by exp(m - m_new)": _no_rescale(q, k, v, 16),
        "forgetting the 1/sqrt(d) scale": _sdpa(q, k, v, scale=1.0),
    })


def test_ragged_last_tile(learner, device):
    """a key count that is not a multiple of the tile (50 keys in tiles of 16) still gives plain attention"""
    q, k, v = _qkv(device, L=20, S=50, d_v=6, seed=1, spread=2.0)
    check_close(_call(learner, q, k, v, block_size=16), _sdpa(q, k, v), name="flash_attention with 50 keys",
                rtol=RTOL, atol=ATOL, mistakes={"summing tiles without rescaling by exp(m - m_new)": _no_rescale(q, k, v, 16)})


def test_causal(learner, device):
    """causal=True: query i sees keys j <= i (the diagonal included), with no NaN from fully masked tiles"""
    q, k, v = _qkv(device, seed=2)
    got = _call(learner, q, k, v, block_size=16, causal=True)
    no_diag = torch.ones(64, 64, dtype=torch.bool, device=device).tril(-1)
    # Without the diagonal the first query sees no key at all: its row comes out NaN.
    without_diagonal = torch.softmax((q @ k.T / math.sqrt(8)).masked_fill(~no_diag, float("-inf")), -1) @ v
    check_close(got, _sdpa(q, k, v, is_causal=True), name="causal flash_attention", rtol=RTOL, atol=ATOL, mistakes={
        "excluding the diagonal (a query must see its own key)": without_diagonal,
        "summing tiles without rescaling by exp(m - m_new)": _no_rescale(q, k, v, 16, causal=True),
    })


def test_large_scores_do_not_overflow(learner, device):
    """scores in the hundreds stay finite: exp is taken after subtracting the running maximum"""
    q, k, v = _qkv(device, L=16, S=48, seed=3, spread=60.0)
    got = _call(learner, q, k, v, block_size=16)
    if not bool(torch.isfinite(got).all()):
        raise GradeFailure("flash_attention returned inf or NaN for scores in the hundreds: exp overflowed. "
                           "Subtract the running maximum before exp")
    check_close(got, _sdpa(q, k, v), name="flash_attention with large scores", rtol=RTOL, atol=1e-4)


def test_memory_by_tile(learner, device):
    """no tensor larger than one tile of scores is created: the full (L, S) score matrix never exists"""
    L = S = 64
    q, k, v = _qkv(device, L=L, S=S)
    watch = _Watch()
    with watch:
        _call(learner, q, k, v, block_size=16)
    check_true(watch.largest < L * S,
               f"your code created a tensor of shape {watch.shape} ({watch.largest} elements): that is a full (L, S) "
               f"score matrix ({L}x{S}); keep at most one tile of {L}x16 scores at a time")
