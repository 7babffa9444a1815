"""Grader for exercise 0.7.5: causal attention maps of a GPT attention layer.

``causal_attention_weights`` is compared with a float64 closed form; the layer's output and per-head maps
with ``torch.nn.MultiheadAttention`` (batch-first, causal boolean mask, ``average_attn_weights=False``)
loaded with the learner's ``c_attn``/``c_proj`` weights, since its in-projection stacks W_q, W_k, W_v
exactly as nanoGPT's ``c_attn`` does. The maps must be exactly zero above the diagonal with rows summing
to 1; with zero query/key weights they must be uniform over the prefix (1 / (t + 1)). The head summary is
the mean attention distance, checked against closed forms (uniform: (T - 1) / 4; previous-token head:
(T - 1) / T). Probes: no 1/sqrt(hs) scaling or 1/hs, masking after the softmax, masking with 0 instead of
-inf, masking the diagonal too, the mask in the wrong triangle, the softmax over queries, heads split in
the wrong order, q/k/v taken in the wrong order, heads re-assembled without transposing back, and a
distance that is not averaged over query positions.
"""

from __future__ import annotations

import math

import torch
from gradelib import GradeFailure, check_close, check_shape, check_true, unpack
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.MultiheadAttention",
    "torch.nn.functional.multi_head_attention_forward",
]

_MHA = torch.nn.MultiheadAttention
TOL = dict(rtol=1e-4, atol=1e-5)


def _future(T):
    return torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)


def _softmax_masked(scores, mask, fill=float("-inf"), dim=-1):
    return torch.softmax(scores.masked_fill(mask, fill), dim=dim)


def _weight_mistakes(q, k):
    T, hs = q.shape[-2], q.shape[-1]
    raw = q @ k.transpose(-2, -1)
    s = raw / math.sqrt(hs)
    fut = _future(T)
    return {
        "leaving out the 1/sqrt(head size) scaling": _softmax_masked(raw, fut),
        "scaling by 1/head_size instead of 1/sqrt(head_size)": _softmax_masked(raw / hs, fut),
        "masking AFTER the softmax (the rows no longer sum to 1)": torch.softmax(s, dim=-1) * (~fut),
        "masking the future with 0 instead of -inf before the softmax (exp(0) = 1 leaks weight to the future)": (
            _softmax_masked(s, fut, fill=0.0) * (~fut)
        ),
        "masking the future with 0 instead of -inf (the future keeps its weight)": _softmax_masked(s, fut, fill=0.0),
        "masking the diagonal too (position t may attend to itself; row 0 becomes NaN)": _softmax_masked(
            s, torch.triu(torch.ones(T, T, dtype=torch.bool))
        ),
        "masking the wrong triangle (the past instead of the future)": _softmax_masked(s, fut.T),
        "the softmax over queries (dim=-2) instead of keys": _softmax_masked(s, fut, dim=-2),
    }


def _qk(B=2, H=3, T=7, hs=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    q = 2 * torch.randn(B, H, T, hs, generator=g, dtype=torch.float64)
    k = 2 * torch.randn(B, H, T, hs, generator=g, dtype=torch.float64)
    return q, k


def test_causal_attention_weights(learner):
    """att = softmax(q k^T / sqrt(hs)) with future keys masked to -inf before the softmax"""
    q, k = _qk()
    got = learner.causal_attention_weights(q.float(), k.float())
    expected = _softmax_masked(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), _future(q.shape[-2]))
    check_close(got, expected, name="the attention weights", mistakes=_weight_mistakes(q, k), **TOL)


def _check_map_properties(att, where: str):
    T = att.shape[-1]
    fut = _future(T)
    leak = att.detach()[..., fut]
    if leak.numel() and float(leak.abs().max()) != 0.0:
        raise GradeFailure(
            f"{where}: some query attends to a future key (largest weight above the diagonal: "
            f"{float(leak.abs().max()):.3g}); the map must be exactly 0 for s > t"
        )
    sums = att.detach().sum(dim=-1)
    worst = float((sums - 1).abs().max())
    if not worst <= 1e-5:
        raise GradeFailure(
            f"{where}: a row of the attention map sums to {float(sums.flatten()[(sums - 1).abs().argmax()]):.6g}, "
            "not 1: the softmax must be taken over keys (the last axis) after masking"
        )


def test_maps_are_causal_and_rows_sum_to_one(learner):
    """every map is exactly 0 above the diagonal and every row sums to 1"""
    for T in (1, 5, 16):
        q, k = _qk(T=T, seed=T)
        att = learner.causal_attention_weights(q.float(), k.float())
        check_true(
            isinstance(att, torch.Tensor), f"causal_attention_weights should return a tensor, got {type(att).__name__}"
        )
        check_true(
            tuple(att.shape) == (2, 3, T, T),
            f"the map for T={T} has shape {tuple(att.shape)}, expected (2, 3, {T}, {T})",
        )
        _check_map_properties(att, f"causal_attention_weights with T={T}")
        first = torch.eye(T)[0].expand(2, 3, T)
        check_close(att[..., 0, :], first, name="row 0 (the first query sees only itself)", **TOL)


def _layer(learner, C=24, nh=4, seed=0):
    torch.manual_seed(seed)
    layer = learner.CausalSelfAttention(C, nh)
    for name, shape in (("c_attn", (3 * C, C)), ("c_proj", (C, C))):
        lin = getattr(layer, name, None)
        check_true(
            isinstance(lin, torch.nn.Linear) and tuple(lin.weight.shape) == shape and lin.bias is not None,
            f"CausalSelfAttention({C}, {nh}).{name} should be an nn.Linear with weight {shape} and a bias",
        )
    with torch.no_grad():  # make the biases visible (nn.Linear starts them small)
        g = torch.Generator().manual_seed(seed + 1)
        layer.c_attn.bias.copy_(0.3 * torch.randn(3 * C, generator=g))
        layer.c_proj.bias.copy_(0.3 * torch.randn(C, generator=g))
        layer.c_attn.weight.mul_(2.0)
    return layer


def _reference(layer, x, nh):
    C = x.shape[-1]
    mha = _MHA(C, nh, bias=True, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(layer.c_attn.weight)
        mha.in_proj_bias.copy_(layer.c_attn.bias)
        mha.out_proj.weight.copy_(layer.c_proj.weight)
        mha.out_proj.bias.copy_(layer.c_proj.bias)
        y, att = mha(x, x, x, attn_mask=_future(x.shape[1]), need_weights=True, average_attn_weights=False)
    return y, att


def _layer_mistakes(layer, x, nh):
    B, T, C = x.shape
    hs = C // nh
    with torch.no_grad():
        q, k, v = layer.c_attn(x).split(C, dim=2)

        def heads(t):
            return t.view(B, T, nh, hs).transpose(1, 2)

        def heads_wrong(t):
            return t.view(B, T, hs, nh).permute(0, 3, 1, 2)

        s = 1 / math.sqrt(hs)
        fut = _future(T)
        att = _softmax_masked(heads(q) @ heads(k).transpose(-2, -1) * s, fut)
        att_wrong_split = _softmax_masked(heads_wrong(q) @ heads_wrong(k).transpose(-2, -1) * s, fut)
        att_kq = _softmax_masked(heads(k) @ heads(q).transpose(-2, -1) * s, fut)
        y_no_transpose = layer.c_proj((att @ heads(v)).reshape(B, T, C))

        def heads_untransposed(t):
            return t.reshape(B, nh, T, hs)

        att_untransposed = _softmax_masked(heads_untransposed(q) @ heads_untransposed(k).transpose(-2, -1) * s, fut)
        y_untransposed = layer.c_proj((att_untransposed @ heads_untransposed(v)).transpose(1, 2).reshape(B, T, C))
    untransposed = ("splitting into heads with view(B, n_head, T, hs), without the transpose "
                    "(view(B, T, n_head, hs).transpose(1, 2))")
    return (
        {
            untransposed: att_untransposed,
            "splitting the channels into heads in the wrong order (view(B, T, hs, n_head))": att_wrong_split,
            "taking k, q, v instead of q, k, v from c_attn": att_kq,
        },
        {"re-assembling the heads with a reshape of (B, n_head, T, hs) without transposing back first": y_no_transpose,
         untransposed: y_untransposed},
    )


def test_layer_matches_multihead_attention(learner):
    """output and per-head maps equal nn.MultiheadAttention with the same weights and a causal mask"""
    C, nh = 24, 4
    layer = _layer(learner, C, nh)
    x = torch.randn(2, 9, C, generator=torch.Generator().manual_seed(3))
    out = layer(x)
    check_true(
        isinstance(out, tuple) and len(out) == 2,
        f"CausalSelfAttention.forward should return a tuple (y, att), got {type(out).__name__}",
    )
    y, att = out
    att = check_shape(att, (2, nh, 9, 9), "the attention maps")
    y_ref, att_ref = _reference(layer, x, nh)
    att_mistakes, y_mistakes = _layer_mistakes(layer, x, nh)
    check_close(att, att_ref, name="the attention maps (B, n_head, T, T)", mistakes=att_mistakes, **TOL)
    _check_map_properties(att, "the layer's attention maps")
    check_close(y, y_ref, name="the layer output y", mistakes=y_mistakes, **TOL)


def test_uniform_maps_when_scores_are_zero(learner):
    """with zero query and key weights every query attends uniformly to its prefix: 1 / (t + 1)"""
    C, nh, T = 16, 2, 8
    layer = _layer(learner, C, nh, seed=5)
    with torch.no_grad():
        layer.c_attn.weight[: 2 * C].zero_()
        layer.c_attn.bias[: 2 * C].zero_()
    x = torch.randn(3, T, C, generator=torch.Generator().manual_seed(6))
    _, att = layer(x)
    uniform = torch.tril(torch.ones(T, T)) / torch.arange(1, T + 1, dtype=torch.float32)[:, None]
    check_close(
        att,
        uniform.expand(3, nh, T, T),
        name="the maps with all scores 0",
        mistakes={
            "masking after the softmax (each row is 1/T on the prefix)": (torch.tril(torch.ones(T, T)) / T).expand(
                3, nh, T, T
            ),
            "no mask at all (every query sees all T keys)": torch.full((3, nh, T, T), 1.0 / T),
        },
        **TOL,
    )


def test_mean_attention_distance(learner):
    """mean attention distance per head: uniform causal (T-1)/4, previous-token (T-1)/T"""
    T = 9
    uniform = torch.tril(torch.ones(T, T)) / torch.arange(1, T + 1, dtype=torch.float32)[:, None]
    prev = torch.zeros(T, T)
    prev[0, 0] = 1.0
    for t in range(1, T):
        prev[t, t - 1] = 1.0
    att = torch.stack([uniform, prev, torch.eye(T)])[None].expand(2, 3, T, T).contiguous()
    got = learner.mean_attention_distance(att)
    expected = torch.tensor([(T - 1) / 4, (T - 1) / T, 0.0])
    check_close(
        got,
        expected,
        name="the mean attention distance of [uniform, previous-token, self] heads",
        mistakes={
            "summing over query positions instead of averaging": expected * T,
            "averaging over the keys s instead of summing over them (the weights already sum to 1)": expected / T,
        },
        **TOL,
    )
    q, k = _qk(B=3, H=4, T=12, seed=9)
    att = _softmax_masked(q @ k.transpose(-2, -1) / math.sqrt(8), _future(12)).float()
    idx = torch.arange(12, dtype=torch.float32)
    expected = (att * (idx[:, None] - idx[None, :])).sum(-1).mean(dim=(0, 2))
    got = learner.mean_attention_distance(att)
    check_close(got, expected, name="the mean attention distance of random maps", **TOL)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: the causal mask follows the input's device, values equal a float64 CPU reference"""
    g = torch.Generator().manual_seed(40)
    q, k = torch.randn(2, 3, 6, 8, generator=g), torch.randn(2, 3, 6, 8, generator=g)
    check_follows_device(learner.causal_attention_weights, q, k)
    layer = _layer(learner, seed=41)
    x = torch.randn(2, 7, 24, generator=g)
    check_follows_device(lambda module, x: module(x), layer, x)
    qd, kd = to_device((q, k), device)
    got = check_shape(learner.causal_attention_weights(qd, kd), (2, 3, 6, 6), "causal_attention_weights")
    check_true(got.device.type == device.type, f"the weights are on {got.device.type}, the inputs on {device.type}")
    expected = trusted(lambda q, k: _softmax_masked(q @ k.transpose(-2, -1) / math.sqrt(8), _future(6)), q, k)
    check_close(got, expected, name=f"the attention weights on {device.type}", **tolerance(device))
    out = unpack(to_device(layer, device)(to_device(x, device)), 2, "CausalSelfAttention.forward", "y, att")
    y_ref, att_ref = _reference(layer, x, 4)
    check_close(out[0], y_ref, name=f"the layer output y on {device.type}", **tolerance(device))
