"""Grader for exercise 0.5.1: scaled dot-product attention with boolean, additive and causal masks.

Outputs are compared with ``F.scaled_dot_product_attention``; the reference attention weights come from the
same routine with the identity matrix as values (``weights @ I == weights``), and gradients from autograd
through it. Shapes are chosen so that every probe gives a different answer: ``L != S`` (a transpose fails
on shape) and ``d_v != d_k`` (scaling by sqrt(d_v) differs from sqrt(d_k)).

Probes: a missing or wrong scale (1, 1/d_k, 1/sqrt(d_v)), softmax over the query axis, a mask read with the
opposite polarity, masked scores filled with 0 instead of -inf, masking after the softmax without
renormalising, an ignored mask, an additive mask treated as boolean or added before the scaling, a causal
mask that is anti-causal, excludes the diagonal or is aligned bottom-right, and fully masked rows that come
back as NaN or as a uniform average.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true, learner_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.functional.multi_head_attention_forward",
    "torch.nn.MultiheadAttention",
]

# Captured before any learner code runs; the learner's code cannot reach this name.
_sdpa = F.scaled_dot_product_attention

RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is fastest, and avoids thread contention on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _qkv(lead=(2, 3), L=5, S=7, d_k=8, d_v=4, seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(*lead, L, d_k, generator=g, dtype=dtype)
    k = torch.randn(*lead, S, d_k, generator=g, dtype=dtype)
    v = torch.randn(*lead, S, d_v, generator=g, dtype=dtype)
    return q, k, v


def _weights(q, k, **kw):
    """The reference attention weights: attention with the identity as values returns the weights."""
    S = k.shape[-2]
    eye = torch.eye(S, dtype=q.dtype).expand(*k.shape[:-2], S, S)
    return _sdpa(q, k, eye, **kw)


def _both(q, k, v, **kw):
    return _sdpa(q, k, v, **kw), _weights(q, k, **kw)


def _manual(q, k, v, *, keep=None, fill=float("-inf"), softmax_dim=-1, after_softmax=False):
    """Attention written out, with the knobs that the classic mistakes turn."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if keep is not None and not after_softmax:
        scores = scores.masked_fill(~keep, fill)
    weights = torch.softmax(scores, dim=softmax_dim)
    if keep is not None and after_softmax:
        weights = weights * keep
    return weights @ v, weights


def _call(learner, *args, **kwargs):
    result = learner.scaled_dot_product_attention(*args, **kwargs)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradeFailure(
            f"scaled_dot_product_attention should return a tuple (output, weights), got {type(result).__name__}"
        )
    out, weights = result
    check_true(isinstance(out, torch.Tensor), f"output should be a tensor, got {type(out).__name__}")
    check_true(isinstance(weights, torch.Tensor), f"weights should be a tensor, got {type(weights).__name__}")
    return out, weights


def _check_pair(got, expected, what, out_mistakes=None, weight_mistakes=None):
    """Compare weights first (the clearer message), then the output; mistakes are (output, weights) pairs."""
    out, weights = got
    exp_out, exp_weights = expected
    check_close(
        weights,
        exp_weights,
        name=f"the attention weights {what}",
        rtol=RTOL,
        atol=ATOL,
        mistakes={name: pair[1] for name, pair in (weight_mistakes or out_mistakes or {}).items()},
    )
    check_close(
        out,
        exp_out,
        name=f"the output {what}",
        rtol=RTOL,
        atol=ATOL,
        mistakes={name: pair[0] for name, pair in (out_mistakes or {}).items()},
    )


def _random_keep(shape, seed, p=0.6):
    g = torch.Generator().manual_seed(seed)
    keep = torch.rand(*shape, generator=g) < p
    keep[..., 0] = True  # no fully masked rows here, and at least one masked key in most rows
    keep[..., -1] = False
    return keep


def test_unmasked(learner):
    """without a mask: output and weights equal softmax(q k^T / sqrt(d_k)) v, rows summing to 1 over keys"""
    q, k, v = _qkv(seed=1)
    got = _call(learner, q, k, v)
    check_true(
        tuple(got[0].shape) == (2, 3, 5, 4) and tuple(got[1].shape) == (2, 3, 5, 7),
        f"for q (2, 3, 5, 8), k (2, 3, 7, 8), v (2, 3, 7, 4) expected output (2, 3, 5, 4) and weights "
        f"(2, 3, 5, 7), got {tuple(got[0].shape)} and {tuple(got[1].shape)}",
    )
    mistakes = {
        "forgetting the 1/sqrt(d_k) scaling": _both(q, k, v, scale=1.0),
        "dividing by d_k instead of sqrt(d_k)": _both(q, k, v, scale=1 / 8),
        "scaling by 1/sqrt(d_v) (the value width) instead of 1/sqrt(d_k)": _both(q, k, v, scale=1 / math.sqrt(4)),
        "taking the softmax over the queries (dim=-2) instead of over the keys (dim=-1)": _manual(
            q, k, v, softmax_dim=-2
        ),
    }
    _check_pair(got, _both(q, k, v), "without a mask", mistakes)


def test_boolean_mask(learner):
    """a boolean mask keeps the keys where it is True and gives the others weight 0"""
    q, k, v = _qkv(seed=2)
    keep = _random_keep((2, 3, 5, 7), seed=3)
    got = _call(learner, q, k, v, mask=keep)
    mistakes = {
        "reading the mask with the opposite polarity (True = masked out, whereas here True = keep, as in "
        "F.scaled_dot_product_attention)": _both(q, k, v, attn_mask=~keep),
        "filling masked scores with 0 instead of -inf (they still get weight)": _manual(q, k, v, keep=keep, fill=0.0),
        "masking after the softmax without renormalising the rows": _manual(q, k, v, keep=keep, after_softmax=True),
        "ignoring the mask": _both(q, k, v),
        "forgetting the 1/sqrt(d_k) scaling": _both(q, k, v, attn_mask=keep, scale=1.0),
    }
    _check_pair(got, _both(q, k, v, attn_mask=keep), "with a boolean mask", mistakes)


def test_boolean_mask_broadcasts(learner):
    """a key-padding mask of shape (B, 1, 1, S) broadcasts over heads and queries"""
    q, k, v = _qkv(seed=4)
    lengths = torch.tensor([4, 7])
    keep = (torch.arange(7)[None, :] < lengths[:, None])[:, None, None, :]  # (2, 1, 1, 7)
    got = _call(learner, q, k, v, mask=keep)
    mistakes = {
        "reading the mask with the opposite polarity (True = masked out)": _both(q, k, v, attn_mask=~keep),
        "ignoring the mask": _both(q, k, v),
    }
    _check_pair(got, _both(q, k, v, attn_mask=keep), "with a (B, 1, 1, S) padding mask", mistakes)


def test_additive_float_mask(learner):
    """a float mask is added to the scaled scores (finite biases and -inf alike)"""
    q, k, v = _qkv(lead=(2,), seed=5)
    g = torch.Generator().manual_seed(6)
    bias = torch.randn(5, 7, generator=g) * 2
    bias[:, -1] = float("-inf")
    bias[0, 2] = float("-inf")
    got = _call(learner, q, k, v, mask=bias)
    as_bool = bias != 0  # the learner's mistake of reading a float mask as "nonzero = keep"
    mistakes = {
        "adding the mask before dividing by sqrt(d_k) (the bias gets scaled too)": _both(
            q, k, v, attn_mask=bias / math.sqrt(8)
        ),
        "treating the float mask as a boolean one (nonzero = keep, 0 = masked)": _both(q, k, v, attn_mask=as_bool),
        "ignoring the mask": _both(q, k, v),
    }
    _check_pair(got, _both(q, k, v, attn_mask=bias), "with an additive float mask", mistakes)


def test_causal_square(learner):
    """is_causal=True: query i attends to keys 0..i only"""
    q, k, v = _qkv(lead=(3,), L=6, S=6, seed=7)
    got = _call(learner, q, k, v, is_causal=True)
    ones = torch.ones(6, 6, dtype=torch.bool)
    mistakes = {
        "an anti-causal mask (query i attends to keys i..L-1: triu instead of tril)": _both(
            q, k, v, attn_mask=ones.triu()
        ),
        "excluding the diagonal (query i must also attend to key i: tril(diagonal=0), not -1)": _both(
            q, k, v, attn_mask=ones.tril(-1)
        ),
        "ignoring is_causal": _both(q, k, v),
    }
    _check_pair(got, _both(q, k, v, is_causal=True), "with is_causal=True", mistakes)


def test_causal_rectangular(learner):
    """is_causal=True with L != S is aligned top-left, like torch.ones(L, S).tril()"""
    q, k, v = _qkv(lead=(2, 2), L=4, S=6, seed=8)
    got = _call(learner, q, k, v, is_causal=True)
    ones = torch.ones(4, 6, dtype=torch.bool)
    mistakes = {
        "aligning the causal mask to the bottom-right corner (tril(diagonal=S-L)) instead of the top-left": _both(
            q, k, v, attn_mask=ones.tril(2)
        ),
        "an anti-causal mask (triu instead of tril)": _both(q, k, v, attn_mask=ones.triu()),
        "ignoring is_causal": _both(q, k, v),
    }
    _check_pair(got, _both(q, k, v, is_causal=True), "with is_causal=True and L=4, S=6", mistakes)


def test_fully_masked_rows_are_zero(learner):
    """a query whose keys are all masked gets zero weights and a zero output, not NaN"""
    q, k, v = _qkv(lead=(2,), seed=9)
    keep = _random_keep((2, 5, 7), seed=10)
    keep[0, 1] = False
    keep[1, 3] = False
    got = _call(learner, q, k, v, mask=keep)
    nan_rows = _manual(q, k, v, keep=keep)  # the plain softmax: NaN in the fully masked rows
    uniform = _manual(q, k, v, keep=keep, fill=torch.finfo(torch.float32).min)
    mistakes = {
        "letting the softmax of an all -inf row become NaN (return zeros for fully masked rows)": nan_rows,
        "filling masked scores with a large finite negative number (a fully masked row then averages "
        "all values uniformly instead of returning zeros)": uniform,
    }
    _check_pair(got, _both(q, k, v, attn_mask=keep), "with fully masked rows (boolean mask)", mistakes)

    bias = torch.zeros(5, 7)
    bias[2] = float("-inf")
    got = _call(learner, q, k, v, mask=bias)
    scores = q @ k.transpose(-2, -1) / math.sqrt(8) + bias
    nan_w = torch.softmax(scores, -1)
    mistakes = {"letting the softmax of an all -inf row become NaN (return zeros for it)": (nan_w @ v, nan_w)}
    _check_pair(got, _both(q, k, v, attn_mask=bias), "with a fully -inf row in a float mask", mistakes)


def test_float64_and_3d(learner):
    """float64 inputs of shape (B, L, d) give float64 results of the right shape"""
    q, k, v = _qkv(lead=(3,), L=4, S=5, d_k=6, d_v=3, seed=11, dtype=torch.float64)
    out, weights = _call(learner, q, k, v)
    check_true(
        out.dtype == torch.float64 and weights.dtype == torch.float64,
        f"with float64 inputs the output and weights should be float64, got {out.dtype} and {weights.dtype}",
    )
    _check_pair((out, weights), _both(q, k, v), "for float64 (B, L, d) inputs")


def test_gradients(learner):
    """gradients reach q, k and v and equal the reference's"""
    q, k, v = _qkv(seed=12)
    keep = _random_keep((5, 7), seed=13)
    g = torch.Generator().manual_seed(14)
    upstream = torch.randn(2, 3, 5, 4, generator=g)
    ql, kl, vl = (t.clone().requires_grad_(True) for t in (q, k, v))
    out, _ = _call(learner, ql, kl, vl, mask=keep)
    out = learner_tensor(out, "the output", shape=tuple(upstream.shape), grad=True)
    (out * upstream).sum().backward()
    qr, kr, vr = (t.clone().requires_grad_(True) for t in (q, k, v))
    (_sdpa(qr, kr, vr, attn_mask=keep) * upstream).sum().backward()
    for name, mine, ref in (("q", ql, qr), ("k", kl, kr), ("v", vl, vr)):
        check_true(mine.grad is not None, f"no gradient reached {name}")
        check_close(mine.grad, ref.grad, name=f"the gradient with respect to {name}", rtol=RTOL, atol=ATOL)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: no tensor made off the inputs' device, values equal a float64 CPU reference"""
    q, k, v = _qkv(seed=30)
    keep = _random_keep((5, 7), seed=31)
    for kwargs in ({"is_causal": True}, {"mask": keep}):
        check_follows_device(learner.scaled_dot_product_attention, q, k, v, **kwargs)
    on = to_device((q, k, v, keep), device)
    out, weights = _call(learner, *on[:3], mask=on[3])
    check_true(out.device.type == device.type, f"the output is on {out.device.type}, the inputs on {device.type}")
    expected = trusted(lambda q, k, v, m: _both(q, k, v, attn_mask=m), q, k, v, keep)
    check_close(weights, expected[1], name=f"the attention weights on {device.type}", **tolerance(device))
    check_close(out, expected[0], name=f"the output on {device.type}", **tolerance(device))
