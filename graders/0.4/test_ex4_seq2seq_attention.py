"""Grader for exercise 0.4.4: additive and multiplicative attention for seq2seq, with padding masks.

Multiplicative attention's context vectors are compared with ``F.scaled_dot_product_attention``
(``scale=1``, the query projected by W first, the boolean mask as ``attn_mask``), its weights with the
closed form (which the test checks against the SDPA context); additive attention with the closed form of
the stub. Padding is probed by a perturbation: the encoder outputs at padded positions are replaced with
huge values and nothing may change. Probes: the mask's polarity inverted, padded scores set to 0 instead
of -inf, masking after the softmax without renormalising, no mask at all, softmax over the batch axis,
1/sqrt(d_k) scaling, W used transposed, the tanh of the additive score left out, and lengths_to_mask off
by one or inverted.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true, to_tensor, unpack
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.MultiheadAttention",
    "torch.nn.functional.multi_head_attention_forward",
]

# Captured before any learner code runs.
_sdpa = F.scaled_dot_product_attention

RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _mask(lengths, max_len):
    return torch.arange(max_len).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)


def _data(n, s, dq, dk, seed, lengths=None):
    g = torch.Generator().manual_seed(seed)
    query = torch.randn(n, dq, generator=g)
    keys = torch.randn(n, s, dk, generator=g)
    mask = None if lengths is None else _mask(lengths, s)
    return query, keys, mask, g


def _softmax_weights(scores, mask, how="ok"):
    if how == "no_mask" or mask is None:
        return torch.softmax(scores, dim=1)
    if how == "flipped":
        return torch.softmax(scores.masked_fill(mask, float("-inf")), dim=1)
    if how == "zero_fill":
        return torch.softmax(scores.masked_fill(~mask, 0.0), dim=1)
    if how == "after_softmax":
        return torch.softmax(scores, dim=1) * mask
    if how == "batch_axis":
        return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=0)
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)


_MASK_MISTAKES = {
    "flipped": "inverting the mask (True marks real tokens, False padding)",
    "zero_fill": "setting padded scores to 0 instead of -inf (padding still gets weight)",
    "after_softmax": "zeroing padded weights after the softmax without renormalising (rows no longer sum to 1)",
    "no_mask": "ignoring the mask",
    "batch_axis": "taking the softmax over the batch axis instead of the source positions",
}


def _outputs(scores, keys, mask, how="ok"):
    weights = _softmax_weights(scores, mask, how)
    return torch.einsum("ns,nsd->nd", weights, keys), weights


def _mistakes(scores, keys, mask, extra=None):
    """{description: (context, weights)} for the mask/softmax mistakes and any score mistakes."""
    out = {}
    for how, what in _MASK_MISTAKES.items():
        if how != "no_mask" and how != "batch_axis" and mask is None:
            continue
        out[what] = _outputs(scores, keys, mask, how)
    for what, wrong_scores in (extra or {}).items():
        out[what] = _outputs(wrong_scores, keys, mask)
    return out


def _check(got, expected, mistakes, label, mask):
    check_true(
        isinstance(got, (tuple, list)) and len(got) == 2,
        f"{label} should return a pair (context, weights), got {type(got).__name__}",
    )
    context, weights = to_tensor(got[0], "the context"), to_tensor(got[1], "the weights")
    if weights.shape != expected[1].shape:
        raise GradeFailure(f"the attention weights of {label} have shape {tuple(weights.shape)}, expected "
                           f"{tuple(expected[1].shape)} = (N, S)")
    if mask is not None and bool((weights[~mask] != 0).any()):
        leaked = float(weights[~mask].abs().max())
        message = f"{label} gives padded positions a weight of up to {leaked:.3g}; it must be exactly 0"
        for what, (_, wrong_weights) in mistakes.items():
            if torch.allclose(weights.double(), wrong_weights.double(), rtol=RTOL, atol=ATOL, equal_nan=True):
                message += f". This is what {what} gives."
                break
        raise GradeFailure(message)
    check_close(weights, expected[1], name=f"the attention weights of {label}", rtol=RTOL, atol=ATOL,
                mistakes={what: value[1] for what, value in mistakes.items()})
    check_close(context, expected[0], name=f"the context vector of {label}", rtol=RTOL, atol=ATOL,
                mistakes={what: value[0] for what, value in mistakes.items()})


def _mult_reference(query, keys, W, mask):
    projected = query if W is None else query @ W
    scores = torch.einsum("nd,nsd->ns", projected, keys)
    context, weights = _outputs(scores, keys, mask)
    attn_mask = None if mask is None else mask.unsqueeze(1)
    sdpa_context = _sdpa(projected.unsqueeze(1), keys, keys, attn_mask=attn_mask, scale=1.0)[:, 0]
    check_close(context, sdpa_context, name="(grader self-check against SDPA)", rtol=1e-4, atol=1e-5)
    return (sdpa_context, weights), scores


def _mult_mistakes(query, keys, W, mask):
    projected = query if W is None else query @ W
    scores = torch.einsum("nd,nsd->ns", projected, keys)
    extra = {"dividing the scores by sqrt(d_k) (Luong's scores are not scaled)": scores / keys.shape[-1] ** 0.5}
    if W is not None and W.shape[0] == W.shape[1]:
        extra["using W transposed (query @ W.T @ key; the score is query @ W @ key)"] = torch.einsum(
            "nd,nsd->ns", query @ W.T, keys
        )
    return _mistakes(scores, keys, mask, extra)


def _additive_scores(query, keys, W_q, W_k, v, tanh=True):
    pre = (query @ W_q.T).unsqueeze(1) + keys @ W_k.T
    return (torch.tanh(pre) if tanh else pre) @ v


def test_lengths_to_mask(learner):
    """lengths_to_mask is True at positions < length and False at padding"""
    lengths = torch.tensor([3, 1, 5, 4])
    expected = _mask([3, 1, 5, 4], 6)
    got = learner.lengths_to_mask(lengths, 6)
    got_t = to_tensor(got, "lengths_to_mask(...)")
    check_true(got_t.dtype == torch.bool, f"lengths_to_mask should return a bool tensor, got dtype {got_t.dtype}")
    check_close(got_t, expected, name="lengths_to_mask([3, 1, 5, 4], 6)", rtol=0, atol=0, mistakes={
        "using <= length (one position too many)": torch.arange(6).unsqueeze(0) <= lengths.unsqueeze(1),
        "marking padding with True (the mask is True at real tokens)": ~expected,
    })


def test_dot_attention(learner):
    """dot attention (W=None) without a mask equals SDPA with scale 1"""
    query, keys, _, _ = _data(3, 5, 4, 4, seed=1)
    expected, _ = _mult_reference(query, keys, None, None)
    got = learner.multiplicative_attention(query, keys)
    _check(got, expected, _mult_mistakes(query, keys, None, None), "multiplicative_attention(query, keys)", None)


def test_general_attention_masked(learner):
    """general attention query @ W @ key with padding: padded positions get exactly 0"""
    query, keys, mask, g = _data(4, 6, 3, 5, seed=2, lengths=[6, 2, 4, 1])
    W = torch.randn(3, 5, generator=g)
    expected, _ = _mult_reference(query, keys, W, mask)
    _check(learner.multiplicative_attention(query, keys, W, mask), expected, _mult_mistakes(query, keys, W, mask),
           "multiplicative_attention(query, keys, W, mask)", mask)


def test_general_attention_orientation(learner):
    """with a square W the score is query @ W @ key, not query @ W.T @ key"""
    query, keys, mask, g = _data(3, 5, 4, 4, seed=3, lengths=[5, 3, 4])
    W = torch.randn(4, 4, generator=g)
    expected, _ = _mult_reference(query, keys, W, mask)
    _check(learner.multiplicative_attention(query, keys, W, mask), expected, _mult_mistakes(query, keys, W, mask),
           "multiplicative_attention with a square W", mask)


def test_additive_attention(learner):
    """additive attention v . tanh(W_q q + W_k k) with padding equals the closed form"""
    query, keys, mask, g = _data(4, 6, 3, 5, seed=4, lengths=[4, 6, 1, 3])
    W_q, W_k, v = torch.randn(7, 3, generator=g), torch.randn(7, 5, generator=g), torch.randn(7, generator=g)
    scores = _additive_scores(query, keys, W_q, W_k, v)
    expected = _outputs(scores, keys, mask)
    mistakes = _mistakes(scores, keys, mask, {
        "leaving out the tanh in the additive score": _additive_scores(query, keys, W_q, W_k, v, tanh=False),
    })
    _check(learner.additive_attention(query, keys, W_q, W_k, v, mask), expected, mistakes,
           "additive_attention(query, keys, W_q, W_k, v, mask)", mask)
    query, keys, _, g = _data(2, 4, 3, 3, seed=5)
    W_q, W_k, v = torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g), torch.randn(5, generator=g)
    scores = _additive_scores(query, keys, W_q, W_k, v)
    _check(learner.additive_attention(query, keys, W_q, W_k, v), _outputs(scores, keys, None),
           _mistakes(scores, keys, None), "additive_attention without a mask", None)


def _pair(value, label: str):
    return unpack(value, 2, label if label.endswith("_attention") else f"{label}_attention", "context, weights")


def test_weights_are_a_distribution(learner):
    """weights are non-negative, sum to 1 over the source positions, and are exactly 0 at padding"""
    query, keys, mask, g = _data(5, 7, 4, 4, seed=6, lengths=[7, 1, 3, 5, 2])
    W_q, W_k, v = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g), torch.randn(6, generator=g)
    for label, (_, weights) in (
        ("multiplicative_attention", _pair(learner.multiplicative_attention(query, keys, None, mask), "multiplicative")),
        ("additive_attention", _pair(learner.additive_attention(query, keys, W_q, W_k, v, mask), "additive")),
    ):
        weights = to_tensor(weights, "the weights")
        check_true(weights.shape == mask.shape, f"{label}'s weights have shape {tuple(weights.shape)}, expected (5, 7)")
        check_true(bool((weights >= 0).all()), f"{label} returns negative attention weights")
        check_close(weights.sum(dim=1), torch.ones(5), name=f"the row sums of {label}'s weights", rtol=0, atol=1e-5)
        check_true(bool((weights[~mask] == 0).all()), f"{label} gives padded positions a nonzero weight")
        check_close(weights[1], torch.tensor([1.0, 0, 0, 0, 0, 0, 0]), rtol=0, atol=1e-6,
                    name=f"{label}'s weights for a one-token sentence")


def test_padding_perturbation(learner):
    """garbage in the padded encoder outputs changes nothing (and gives no NaN)"""
    query, keys, mask, g = _data(4, 6, 4, 4, seed=7, lengths=[6, 2, 4, 3])
    W_q, W_k, v = torch.randn(5, 4, generator=g), torch.randn(5, 4, generator=g), torch.randn(5, generator=g)
    noisy = keys.clone()
    noisy[~mask] = torch.randn(int((~mask).sum()), 4, generator=g) * 1e4
    for label, fn in (
        ("multiplicative_attention", lambda k: learner.multiplicative_attention(query, k, None, mask)),
        ("additive_attention", lambda k: learner.additive_attention(query, k, W_q, W_k, v, mask)),
    ):
        clean_context, clean_weights = _pair(fn(keys), label)
        noisy_context, noisy_weights = _pair(fn(noisy), label)
        check_close(noisy_weights, clean_weights, name=f"{label}'s weights with garbage at padded positions",
                    rtol=RTOL, atol=ATOL)
        check_close(noisy_context, clean_context, name=f"{label}'s context with garbage at padded positions",
                    rtol=RTOL, atol=ATOL)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: the mask and both attentions keep every tensor there, and the values equal a
    float64 CPU reference"""
    lengths = torch.tensor([4, 6, 1, 3])
    check_follows_device(learner.lengths_to_mask, lengths, 6)
    mask = to_tensor(learner.lengths_to_mask(to_device(lengths, device), 6), "lengths_to_mask(...)")
    check_true(mask.device.type == device.type, f"lengths_to_mask returned a tensor on {mask.device.type} for lengths on {device.type}")
    check_close(mask, _mask([4, 6, 1, 3], 6), name=f"lengths_to_mask([4, 6, 1, 3], 6) on {device.type}", rtol=0, atol=0)
    query, keys, mask, g = _data(4, 6, 3, 5, seed=6, lengths=[4, 6, 1, 3])
    W, W_q, W_k, v = torch.randn(3, 5, generator=g), torch.randn(7, 3, generator=g), torch.randn(7, 5, generator=g), torch.randn(7, generator=g)
    cases = [
        ("multiplicative_attention", learner.multiplicative_attention, (query, keys, W, mask),
         lambda q, k, W, m: _outputs(torch.einsum("nd,nsd->ns", q @ W, k), k, m)),
        ("additive_attention", learner.additive_attention, (query, keys, W_q, W_k, v, mask),
         lambda q, k, W_q, W_k, v, m: _outputs(_additive_scores(q, k, W_q, W_k, v), k, m)),
    ]
    for name, fn, args, reference in cases:
        check_follows_device(fn, *args)
        context, weights = _pair(fn(*to_device(args, device)), name)
        expected = trusted(reference, *args)
        for what, value, ref in (("the context", context, expected[0]), ("the attention weights", weights, expected[1])):
            value = to_tensor(value, f"{what} of {name}")
            check_true(value.device.type == device.type, f"{what} of {name} is on {value.device.type}, the inputs on {device.type}")
            check_close(value, ref, name=f"{what} of {name} on {device.type}", **tolerance(device))
