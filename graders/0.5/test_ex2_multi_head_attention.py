"""Grader for exercise 0.5.2: multi-head attention vs ``nn.MultiheadAttention`` with copied weights.

The reference is ``nn.MultiheadAttention(E, H, batch_first=True)`` with random weights and non-zero biases,
copied into the learner's module with a strict ``load_state_dict``. Outputs, attention weights (averaged
and per head) and gradients are compared on self-attention, cross-attention with ``L != S``, a key padding
mask and a causal mask. Probes come from a grader-side implementation with one thing changed: scaling by
sqrt(embed_dim) or not at all, forgetting the output projection, splitting heads interleaved or with a
reshape that mixes positions, merging heads without the transpose, swapped query/key or key/value
projections, summing or taking one head instead of averaging, a padding mask read as True = keep, an
ignored mask and an anti-causal mask.

The "visualize attention patterns" part of the knowledge check becomes returning the attention weights,
averaged over heads and per head, exactly as nn.MultiheadAttention returns them for plotting: a plot itself
cannot be graded, the numbers behind it can.
"""

from __future__ import annotations

import math

import pytest
import torch
from gradelib import GradeFailure, check_close, check_true, learner_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted
from torch import nn

FORBIDDEN = [
    "torch.nn.MultiheadAttention",
    "torch.nn.functional.multi_head_attention_forward",
    "torch.nn.functional.scaled_dot_product_attention",
]

# Captured before any learner code runs; the learner's code cannot reach this name.
_MHA = nn.MultiheadAttention

# nn.MultiheadAttention's key-padding check imports this (and sympy) on first use: import it now so that
# the second it takes is not charged to a test.
import torch.fx.experimental.symbolic_shapes  # noqa: E402,F401

RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is fastest, and avoids thread contention on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _reference(E: int, H: int, seed: int) -> nn.MultiheadAttention:
    torch.manual_seed(seed)
    ref = _MHA(E, H, batch_first=True)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.randn(3 * E, E, generator=g) / math.sqrt(E))
        ref.in_proj_bias.copy_(torch.randn(3 * E, generator=g) * 0.5)
        ref.out_proj.weight.copy_(torch.randn(E, E, generator=g) / math.sqrt(E))
        ref.out_proj.bias.copy_(torch.randn(E, generator=g) * 0.5)
    return ref


def _learner_copy(learner, ref: nn.MultiheadAttention, E: int, H: int) -> nn.Module:
    module = learner.MultiHeadAttention(E, H)
    check_true(isinstance(module, nn.Module), "MultiHeadAttention should be an nn.Module")
    expected = {name: tuple(t.shape) for name, t in ref.state_dict().items()}
    got = {name: tuple(p.shape) for name, p in module.named_parameters()}
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    if missing or extra:
        raise GradeFailure(
            "the parameters should be exactly in_proj_weight, in_proj_bias, out_proj.weight and out_proj.bias"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unexpected: {', '.join(extra)}" if extra else "")
        )
    wrong = [f"{n} is {got[n]}, expected {expected[n]}" for n in expected if got[n] != expected[n]]
    if wrong:
        raise GradeFailure("parameter shapes differ from nn.MultiheadAttention: " + "; ".join(wrong))
    module.load_state_dict(ref.state_dict(), strict=False)
    return module


def _manual(
    ref: nn.MultiheadAttention,
    query,
    key,
    value,
    *,
    kpm=None,
    causal=False,
    avg=True,
    scale=None,
    split="heads",
    merge="transpose",
    out_proj=True,
    chunks=(0, 1, 2),
    kpm_keep=False,
    causal_kind="tril",
    reduce="mean",
):
    """Multi-head attention written out, with the knobs that the classic mistakes turn."""
    H = ref.num_heads
    B, L, E = query.shape
    S = key.shape[1]
    d = E // H
    w = ref.in_proj_weight.detach().chunk(3)
    b = ref.in_proj_bias.detach().chunk(3)
    (wq, bq), (wk, bk), (wv, bv) = ((w[i], b[i]) for i in chunks)

    def heads(x):
        T = x.shape[1]
        if split == "heads":
            return x.view(B, T, H, d).transpose(1, 2)
        if split == "interleaved":
            return x.view(B, T, d, H).permute(0, 3, 1, 2)
        return x.reshape(B, H, T, d)  # "no_transpose": mixes positions and features

    q, k, v = heads(query @ wq.T + bq), heads(key @ wk.T + bk), heads(value @ wv.T + bv)
    scores = q @ k.transpose(-2, -1) * (scale if scale is not None else 1 / math.sqrt(d))
    keep = torch.ones(B, 1, L, S, dtype=torch.bool)
    if kpm is not None:
        keep = keep & (kpm if kpm_keep else ~kpm)[:, None, None, :]
    if causal:
        tri = torch.ones(L, S, dtype=torch.bool)
        keep = keep & (tri.tril() if causal_kind == "tril" else tri.triu())
    weights = torch.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1)
    o = weights @ v
    o = o.transpose(1, 2).reshape(B, L, E) if merge == "transpose" else o.reshape(B, L, E)
    if out_proj:
        o = o @ ref.out_proj.weight.detach().T + ref.out_proj.bias.detach()
    if avg:
        weights = {"mean": weights.mean(1), "sum": weights.sum(1), "first": weights[:, 0]}[reduce]
    return o, weights


def _expected(ref, query, key, value, *, kpm=None, causal=False, avg=True):
    mask = None
    if causal:
        L, S = query.shape[1], key.shape[1]
        mask = torch.ones(L, S, dtype=torch.bool).triu(1)  # nn.MultiheadAttention: True = not allowed
    with torch.no_grad():
        out, weights = ref(
            query, key, value, key_padding_mask=kpm, need_weights=True, attn_mask=mask, average_attn_weights=avg
        )
    return out, weights


def _call(module, *args, **kwargs):
    result = module(*args, **kwargs)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradeFailure(f"forward should return a tuple (output, weights), got {type(result).__name__}")
    return result


def _check(got, expected, what, mistakes=None):
    out, weights = got
    mistakes = mistakes or {}
    check_close(
        out,
        expected[0],
        name=f"the output {what}",
        rtol=RTOL,
        atol=ATOL,
        mistakes={name: pair[0] for name, pair in mistakes.items()},
    )
    check_close(
        weights,
        expected[1],
        name=f"the attention weights {what}",
        rtol=RTOL,
        atol=ATOL,
        mistakes={name: pair[1] for name, pair in mistakes.items()},
    )


def _inputs(B, L, E, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(B, L, E, generator=g)


def test_parameters(learner):
    """parameters are in_proj_weight (3E, E), in_proj_bias (3E,) and out_proj (E -> E), as in nn.MultiheadAttention"""
    ref = _reference(12, 3, seed=1)
    module = _learner_copy(learner, ref, 12, 3)
    for name, tensor in ref.state_dict().items():
        check_close(module.state_dict()[name], tensor, name=f"{name} after load_state_dict", rtol=0, atol=0)


def test_self_attention(learner):
    """self-attention output and head-averaged weights equal nn.MultiheadAttention's"""
    E, H = 16, 4
    ref = _reference(E, H, seed=2)
    module = _learner_copy(learner, ref, E, H)
    x = _inputs(2, 5, E, seed=3)
    got = _call(module, x, x, x)
    mistakes = {
        "scaling the scores by 1/sqrt(embed_dim) instead of 1/sqrt(head_dim)": _manual(
            ref, x, x, x, scale=1 / math.sqrt(E)
        ),
        "forgetting the 1/sqrt(head_dim) scaling": _manual(ref, x, x, x, scale=1.0),
        "forgetting the output projection out_proj": _manual(ref, x, x, x, out_proj=False),
        "splitting heads interleaved (view(B, T, head_dim, H)) instead of in contiguous blocks of head_dim "
        "features": _manual(ref, x, x, x, split="interleaved"),
        "splitting heads with a plain reshape to (B, H, T, head_dim), which mixes positions (view as "
        "(B, T, H, head_dim), then transpose)": _manual(ref, x, x, x, split="no_transpose"),
        "merging heads with a plain reshape of (B, H, L, head_dim) to (B, L, E) without first transposing "
        "to (B, L, H, head_dim)": _manual(ref, x, x, x, merge="no_transpose"),
        "swapping the query and key projections (rows [0, E) of in_proj_weight are W_q)": _manual(
            ref, x, x, x, chunks=(1, 0, 2)
        ),
    }
    _check(got, _expected(ref, x, x, x), "of self-attention", mistakes)


def test_cross_attention(learner):
    """cross-attention with L != S: query from one sequence, key and value from another"""
    E, H = 12, 3
    ref = _reference(E, H, seed=4)
    module = _learner_copy(learner, ref, E, H)
    query, key, value = _inputs(2, 4, E, seed=5), _inputs(2, 6, E, seed=6), _inputs(2, 6, E, seed=7)
    got = _call(module, query, key, value)
    check_true(
        tuple(got[0].shape) == (2, 4, E) and tuple(got[1].shape) == (2, 4, 6),
        f"for query (2, 4, {E}) and key/value (2, 6, {E}) expected output (2, 4, {E}) and weights (2, 4, 6), "
        f"got {tuple(got[0].shape)} and {tuple(got[1].shape)}",
    )
    mistakes = {
        "swapping the key and value projections (rows [E, 2E) are W_k, rows [2E, 3E) are W_v)": _manual(
            ref, query, key, value, chunks=(0, 2, 1)
        ),
        "projecting the key tensor for the values (use value @ W_v.T)": _manual(ref, query, key, key),
        "scaling the scores by 1/sqrt(embed_dim) instead of 1/sqrt(head_dim)": _manual(
            ref, query, key, value, scale=1 / math.sqrt(E)
        ),
    }
    _check(got, _expected(ref, query, key, value), "of cross-attention (L=4, S=6)", mistakes)


def test_weights_averaged_over_heads(learner):
    """average_attn_weights=True returns (B, L, S): the mean of the heads' weights"""
    E, H = 16, 4
    ref = _reference(E, H, seed=8)
    module = _learner_copy(learner, ref, E, H)
    query, kv = _inputs(3, 5, E, seed=9), _inputs(3, 7, E, seed=10)
    _, weights = _call(module, query, kv, kv, average_attn_weights=True)
    _, expected = _expected(ref, query, kv, kv, avg=True)
    check_close(
        weights,
        expected,
        name="the head-averaged attention weights",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "summing the heads' weights instead of averaging them": _manual(ref, query, kv, kv, reduce="sum")[1],
            "returning the weights of the first head only": _manual(ref, query, kv, kv, reduce="first")[1],
        },
    )
    check_close(weights.sum(-1), torch.ones(3, 5), name="the sum of each row of weights", rtol=RTOL, atol=ATOL)


def test_weights_per_head(learner):
    """average_attn_weights=False returns (B, num_heads, L, S), one softmax per head, in head order"""
    E, H = 16, 4
    ref = _reference(E, H, seed=11)
    module = _learner_copy(learner, ref, E, H)
    query, kv = _inputs(2, 5, E, seed=12), _inputs(2, 6, E, seed=13)
    out, weights = _call(module, query, kv, kv, average_attn_weights=False)
    exp_out, expected = _expected(ref, query, kv, kv, avg=False)
    check_close(
        weights,
        expected,
        name="the per-head attention weights",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "splitting heads interleaved instead of in contiguous blocks of head_dim features": _manual(
                ref, query, kv, kv, avg=False, split="interleaved"
            )[1],
            "scaling the scores by 1/sqrt(embed_dim) instead of 1/sqrt(head_dim)": _manual(
                ref, query, kv, kv, avg=False, scale=1 / math.sqrt(E)
            )[1],
        },
    )
    check_close(out, exp_out, name="the output with average_attn_weights=False", rtol=RTOL, atol=ATOL)


def test_key_padding_mask(learner):
    """key_padding_mask marks padding keys with True (nn.MultiheadAttention's convention): they get weight 0"""
    E, H = 12, 3
    ref = _reference(E, H, seed=14)
    module = _learner_copy(learner, ref, E, H)
    x = _inputs(3, 6, E, seed=15)
    lengths = torch.tensor([6, 4, 2])
    kpm = torch.arange(6)[None, :] >= lengths[:, None]  # True = padding
    got = _call(module, x, x, x, key_padding_mask=kpm, average_attn_weights=False)
    mistakes = {
        "reading key_padding_mask as True = keep (in nn.MultiheadAttention True marks padding to ignore)": _manual(
            ref, x, x, x, kpm=kpm, kpm_keep=True, avg=False
        ),
        "ignoring key_padding_mask": _manual(ref, x, x, x, avg=False),
    }
    _check(got, _expected(ref, x, x, x, kpm=kpm, avg=False), "with a key padding mask", mistakes)


def test_causal(learner):
    """causal=True: each query attends to itself and earlier positions only"""
    E, H = 16, 4
    ref = _reference(E, H, seed=16)
    module = _learner_copy(learner, ref, E, H)
    x = _inputs(2, 6, E, seed=17)
    got = _call(module, x, x, x, causal=True)
    mistakes = {
        "an anti-causal mask (query i attends to keys j >= i)": _manual(ref, x, x, x, causal=True, causal_kind="triu"),
        "ignoring causal=True": _manual(ref, x, x, x),
    }
    _check(got, _expected(ref, x, x, x, causal=True), "with causal=True", mistakes)


def test_gradients(learner):
    """gradients reach every parameter and the input, and equal nn.MultiheadAttention's"""
    E, H = 12, 3
    ref = _reference(E, H, seed=18)
    module = _learner_copy(learner, ref, E, H)
    x = _inputs(2, 5, E, seed=19)
    upstream = _inputs(2, 5, E, seed=20)
    lengths = torch.tensor([5, 3])
    kpm = torch.arange(5)[None, :] >= lengths[:, None]

    xl = x.clone().requires_grad_(True)
    out, _ = _call(module, xl, xl, xl, key_padding_mask=kpm)
    out = learner_tensor(out, "the output", shape=tuple(upstream.shape), grad=True)
    (out * upstream).sum().backward()
    xr = x.clone().requires_grad_(True)
    ref_out, _ = ref(xr, xr, xr, key_padding_mask=kpm, need_weights=True)
    (ref_out * upstream).sum().backward()

    params = dict(module.named_parameters())
    for name, p in ref.named_parameters():
        check_true(params[name].grad is not None, f"no gradient reached {name}")
        check_close(params[name].grad, p.grad, name=f"the gradient of {name}", rtol=RTOL, atol=ATOL)
    check_true(xl.grad is not None, "no gradient reached the input")
    check_close(xl.grad, xr.grad, name="the gradient with respect to the input", rtol=RTOL, atol=ATOL)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: the forward pass keeps every tensor there (padding and causal masks included),
    and its output and weights equal nn.MultiheadAttention's in float64 on the CPU"""
    E, H = 12, 3
    ref = _reference(E, H, seed=30)
    module = _learner_copy(learner, ref, E, H)
    x = _inputs(2, 5, E, seed=31)
    kpm = torch.arange(5)[None, :] >= torch.tensor([5, 3])[:, None]
    for kwargs in ({"key_padding_mask": kpm}, {"causal": True}):
        check_follows_device(lambda module, x, **kw: module(x, x, x, **kw), module, x, **kwargs)
        got = _call(to_device(module, device), *to_device((x, x, x), device), **to_device(kwargs, device))
        expected = trusted(lambda ref, x, kpm=None, causal=False: _expected(ref, x, x, x, kpm=kpm, causal=causal),
                           ref, x, kpm=kwargs.get("key_padding_mask"), causal=kwargs.get("causal", False))
        what = "with a key padding mask" if "key_padding_mask" in kwargs else "with causal=True"
        for name, value, exp in (("the output", got[0], expected[0]), ("the attention weights", got[1], expected[1])):
            value = learner_tensor(value, f"{name} {what}", shape=tuple(exp.shape))
            check_true(value.device.type == device.type, f"{name} {what} is on {value.device.type}, the inputs on {device.type}")
            check_close(value, exp, name=f"{name} {what} on {device.type}", **tolerance(device, cpu=(RTOL, ATOL)))
