"""Grader for exercise 0.5.5: causal and padding masks, and a proof by perturbation that nothing leaks.

Masks are compared exactly with ``torch.tril`` and ``arange < lengths``. Then they are put to work: the
learner's masks are fed to the trusted ``F.scaled_dot_product_attention`` and the learner's own
``masked_self_attention`` is run, and the inputs are perturbed: changing the tokens after position t must
leave every output at positions <= t unchanged (no position sees the future), changing padding tokens must
leave every real position unchanged, and without the causal mask the first position must see the last
(an encoder is bidirectional). A mask can be "almost right" (the diagonal missing, the padding on the
wrong axis) and the perturbation tests say what that costs.

Probes: an anti-causal (triu) mask, a causal mask without its diagonal, the opposite polarity (True =
masked), a float mask, `<=` instead of `<` for lengths, padding applied to the query rows instead of the
key columns, `or` instead of `and` when combining, an ignored causal flag, and a missing 1/sqrt(d) scale.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_shape, check_true, to_tensor
from gradelib.devices import check_follows_device, check_host_syncs, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.functional.multi_head_attention_forward",
    "torch.nn.MultiheadAttention",
]

# Captured before any learner code runs; the learner's code cannot reach this name.
_sdpa = F.scaled_dot_product_attention

RTOL, ATOL = 1e-4, 1e-5
UNCHANGED = 1e-6
D_MODEL, D_HEAD = 8, 6


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is fastest, and avoids thread contention on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _ref_pad(lengths, T):
    return torch.arange(T)[None, :] < lengths[:, None]


def _ref_mask(lengths, T, causal, *, rows=False, combine="and", polarity=True, diag=0):
    """The reference (B, 1, T, T) mask, with the knobs that the classic mistakes turn."""
    pad = _ref_pad(lengths, T)
    B = len(lengths)
    pad_mask = pad[:, None, :, None] if rows else pad[:, None, None, :]
    keep = pad_mask.expand(B, 1, T, T)
    if causal:
        tri = torch.ones(T, T, dtype=torch.bool).tril(diag)
        keep = (keep & tri) if combine == "and" else (keep | tri)
    return keep if polarity else ~keep


def _bool_mask(value, name, shape):
    check_true(isinstance(value, torch.Tensor), f"{name} should return a tensor, got {type(value).__name__}")
    check_true(
        value.dtype == torch.bool,
        f"{name} should return a torch.bool tensor (True = may attend), got {value.dtype}",
    )
    check_true(
        tuple(value.shape) == tuple(shape),
        f"{name} has shape {tuple(value.shape)}, expected {tuple(shape)}",
    )
    return value


def _weights(seed):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(D_MODEL, D_HEAD, generator=g) / math.sqrt(D_MODEL) for _ in range(3))


def _x(B, T, seed):
    return torch.randn(B, T, D_MODEL, generator=torch.Generator().manual_seed(seed))


def _attend(x, w, mask, scale=None):
    """Trusted attention (F.scaled_dot_product_attention) of x with the given (B, 1, T, T) or (T, T) mask."""
    wq, wk, wv = w
    q, k, v = (x @ wq)[:, None], (x @ wk)[:, None], (x @ wv)[:, None]
    return _sdpa(q, k, v, attn_mask=mask, scale=scale)[:, 0]


def test_causal_mask(learner):
    """causal_mask(T) is True where j <= i: the diagonal and everything before it"""
    got = _bool_mask(learner.causal_mask(5), "causal_mask(5)", (5, 5))
    ones = torch.ones(5, 5, dtype=torch.bool)
    check_close(
        got,
        ones.tril(),
        name="causal_mask(5)",
        rtol=0,
        atol=0,
        mistakes={
            "the opposite polarity (True = masked out; here True = may attend)": ~ones.tril(),
            "an anti-causal mask (query i attends to keys j >= i: triu instead of tril)": ones.triu(),
            "excluding the diagonal (a position must be allowed to attend to itself)": ones.tril(-1),
        },
    )


def test_padding_mask(learner):
    """padding_mask(lengths, T) is True at real tokens, t < lengths[b]"""
    lengths = torch.tensor([3, 5, 1])
    got = _bool_mask(learner.padding_mask(lengths, 5), "padding_mask([3, 5, 1], 5)", (3, 5))
    expected = _ref_pad(lengths, 5)
    check_close(
        got,
        expected,
        name="padding_mask([3, 5, 1], 5)",
        rtol=0,
        atol=0,
        mistakes={
            "the opposite polarity (True at padding, whereas here True marks real tokens)": ~expected,
            "t <= lengths[b] instead of t < lengths[b] (one padding token too many counts as real)": torch.arange(5)[
                None, :
            ]
            <= lengths[:, None],
        },
    )


def test_attention_mask(learner):
    """attention_mask combines padding of the keys (columns) with the causal mask, shape (B, 1, T, T)"""
    lengths = torch.tensor([3, 5, 2])
    for causal in (False, True):
        name = f"attention_mask([3, 5, 2], 5, causal={causal})"
        got = _bool_mask(learner.attention_mask(lengths, 5, causal), name, (3, 1, 5, 5))
        mistakes = {
            "masking the padded query rows instead of the padded key columns (real queries then attend to "
            "padding)": _ref_mask(lengths, 5, causal, rows=True),
            "the opposite polarity (True = masked out)": _ref_mask(lengths, 5, causal, polarity=False),
        }
        if causal:
            mistakes["combining the masks with `or` instead of `and`"] = _ref_mask(lengths, 5, True, combine="or")
            mistakes["ignoring causal=True"] = _ref_mask(lengths, 5, False)
            mistakes["a causal part without its diagonal"] = _ref_mask(lengths, 5, True, diag=-1)
        else:
            mistakes["applying the causal mask although causal=False"] = _ref_mask(lengths, 5, True)
        check_close(got, _ref_mask(lengths, 5, causal), name=name, rtol=0, atol=0, mistakes=mistakes)


def _tokens(value, x, what):
    """An output with one row per token: (B, T, ...) for an input (B, T, d)."""
    out = to_tensor(value, what)
    check_true(out.dim() == 3 and tuple(out.shape[:2]) == tuple(x.shape[:2]),
               f"{what} has shape {tuple(out.shape)}; expected {tuple(x.shape[:2])} followed by the feature size")
    return out


def _no_future_leak(run, x, what):
    """run(x) -> (B, T, d); fail if changing tokens after t changes any output at positions <= t."""
    base = _tokens(run(x), x, what)
    T = x.shape[1]
    g = torch.Generator().manual_seed(99)
    for t in range(T - 1):
        x2 = x.clone()
        x2[:, t + 1 :] = torch.randn(x.shape[0], T - t - 1, x.shape[2], generator=g) * 3
        out = _tokens(run(x2), x, what)
        diff = (out[:, : t + 1] - base[:, : t + 1]).abs()
        if float(diff.max()) > UNCHANGED:
            s = int(torch.nonzero(diff > UNCHANGED)[0][1])
            raise GradeFailure(
                f"{what}: changing the tokens after position {t} changed the output at position {s} "
                f"(by up to {float(diff.max()):.3g}): position {s} sees the future"
            )


def _padding_invisible(run, x, lengths, what):
    base = _tokens(run(x), x, what)
    real = _ref_pad(lengths, x.shape[1])
    x2 = x.clone()
    g = torch.Generator().manual_seed(98)
    x2[~real] = torch.randn(int((~real).sum()), x.shape[2], generator=g) * 3
    diff = (_tokens(run(x2), x, what) - base).abs().amax(-1)[real]
    if float(diff.max()) > UNCHANGED:
        raise GradeFailure(
            f"{what}: changing only padding tokens changed outputs at real positions (by up to "
            f"{float(diff.max()):.3g}): real tokens attend to padding"
        )


def test_your_causal_mask_blocks_the_future(learner):
    """with your causal masks, no position's output changes when later tokens change"""
    w = _weights(1)
    x = _x(2, 7, seed=2)
    full = torch.tensor([7, 7])
    mask = _bool_mask(learner.attention_mask(full, 7, True), "attention_mask([7, 7], 7, causal=True)", (2, 1, 7, 7))
    _no_future_leak(lambda inp: _attend(inp, w, mask), x, "attention with your attention_mask(causal=True)")
    tri = _bool_mask(learner.causal_mask(7), "causal_mask(7)", (7, 7))
    _no_future_leak(lambda inp: _attend(inp, w, tri), x, "attention with your causal_mask")
    check_close(
        _attend(x, w, mask),
        _attend(x, w, torch.ones(7, 7, dtype=torch.bool).tril()),
        name="attention with your causal attention_mask",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "a causal mask without its diagonal (position i must see itself)": _attend(
                x, w, torch.ones(7, 7, dtype=torch.bool).tril(-1)
            )
        },
    )


def test_bidirectional_sees_both_ways(learner):
    """with causal=False, the first position sees the last token (an encoder is bidirectional)"""
    w = _weights(3)
    x = _x(2, 6, seed=4)
    full = torch.tensor([6, 6])
    mask = _bool_mask(learner.attention_mask(full, 6, False), "attention_mask([6, 6], 6, causal=False)", (2, 1, 6, 6))
    x2 = x.clone()
    x2[:, -1] += 3.0
    change = (_attend(x2, w, mask)[:, 0] - _attend(x, w, mask)[:, 0]).abs().max()
    check_true(
        float(change) > 1e-3,
        "with attention_mask(..., causal=False), changing the last token did not change the output at position 0: "
        "a bidirectional (encoder) mask lets every position see every real token",
    )


def test_your_padding_mask_hides_padding(learner):
    """with your masks, changing padding tokens changes no output at a real position"""
    w = _weights(5)
    x = _x(3, 6, seed=6)
    lengths = torch.tensor([6, 4, 2])
    for causal in (False, True):
        name = f"attention_mask([6, 4, 2], 6, causal={causal})"
        mask = _bool_mask(learner.attention_mask(lengths, 6, causal), name, (3, 1, 6, 6))
        _padding_invisible(lambda inp: _attend(inp, w, mask), x, lengths, f"attention with your {name}")


def _check_attention(learner, x, w, lengths, causal):
    got = learner.masked_self_attention(x, *w, lengths=lengths, causal=causal)
    check_true(isinstance(got, torch.Tensor), f"masked_self_attention should return a tensor, got {type(got).__name__}")
    B, T, _ = x.shape
    full = torch.full((B,), T) if lengths is None else lengths
    real = _ref_pad(full, T)
    check_true(tuple(got.shape) == (B, T, D_HEAD), f"masked_self_attention returned shape {tuple(got.shape)}, expected {(B, T, D_HEAD)}")
    mistakes = {
        "forgetting the 1/sqrt(d_head) scaling": _attend(x, w, _ref_mask(full, T, causal), scale=1.0),
        "scaling the scores by 1/d_head instead of 1/sqrt(d_head)": _attend(
            x, w, _ref_mask(full, T, causal), scale=1 / D_HEAD),
        "scaling the scores by 1/sqrt(d_model) instead of 1/sqrt(d_head)": _attend(
            x, w, _ref_mask(full, T, causal), scale=1 / math.sqrt(D_MODEL)),
        "masking the padded query rows instead of the padded key columns": _attend(
            x, w, _ref_mask(full, T, causal, rows=True)
        ),
        "ignoring the padding": _attend(x, w, _ref_mask(torch.full((B,), T), T, causal)),
    }
    if causal:
        mistakes["an anti-causal mask (triu instead of tril)"] = _attend(
            x, w, _ref_pad(full, T)[:, None, None, :] & torch.ones(T, T, dtype=torch.bool).triu()
        )
        mistakes["ignoring causal=True"] = _attend(x, w, _ref_mask(full, T, False))
    else:
        mistakes["applying the causal mask although causal=False"] = _attend(x, w, _ref_mask(full, T, True))
    check_close(
        got[real],
        _attend(x, w, _ref_mask(full, T, causal))[real],
        name=f"masked_self_attention at real positions (lengths={None if lengths is None else lengths.tolist()}, "
        f"causal={causal})",
        rtol=RTOL,
        atol=ATOL,
        mistakes={name: value[real] for name, value in mistakes.items()},
    )


def test_masked_self_attention(learner):
    """masked_self_attention equals reference attention, bidirectional and causal, with and without padding"""
    w = _weights(7)
    x = _x(3, 6, seed=8)
    lengths = torch.tensor([6, 4, 3])
    for causal in (False, True):
        _check_attention(learner, x, w, lengths, causal)
        _check_attention(learner, x, w, None, causal)


def test_masked_self_attention_sees_no_future(learner):
    """masked_self_attention passes the perturbation tests: no future when causal, no padding, both ways otherwise"""
    w = _weights(9)
    x = _x(2, 7, seed=10)
    _no_future_leak(
        lambda inp: learner.masked_self_attention(inp, *w, causal=True), x, "masked_self_attention(causal=True)"
    )
    lengths = torch.tensor([7, 4])
    for causal in (False, True):
        _padding_invisible(
            lambda inp: learner.masked_self_attention(inp, *w, lengths=lengths, causal=causal),
            x,
            lengths,
            f"masked_self_attention(lengths=[7, 4], causal={causal})",
        )
    x2 = x.clone()
    x2[:, -1] += 3.0
    outs = [check_shape(learner.masked_self_attention(inp, *w), (*x.shape[:2], D_HEAD), "masked_self_attention(causal=False)")
            for inp in (x2, x)]
    change = (outs[0][:, 0] - outs[1][:, 0]).abs().max()
    check_true(
        float(change) > 1e-3,
        "masked_self_attention(causal=False): changing the last token did not change the output at position 0; "
        "without the causal mask attention is bidirectional",
    )


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: the masks are built there without copying lengths to the host one by one, and
    masked attention equals a float64 CPU reference at the real positions"""
    B, T = 4, 6
    lengths = torch.tensor([6, 4, 3, 5])
    lengths_d = to_device(lengths, device)
    got = check_host_syncs(learner.padding_mask, lengths_d, T, most=1)
    check_follows_device(learner.padding_mask, lengths, T)
    got = _bool_mask(got, "padding_mask(lengths, T)", (B, T))
    check_true(got.device.type == device.type, f"padding_mask returned a tensor on {got.device.type} for lengths on {device.type}")
    check_close(got, _ref_pad(lengths, T), name=f"padding_mask([6, 4, 3, 5], 6) on {device.type}", rtol=0, atol=0)
    for causal in (False, True):
        check_follows_device(learner.attention_mask, lengths, T, causal)
        got = check_host_syncs(learner.attention_mask, lengths_d, T, causal, most=1)
        got = _bool_mask(got, f"attention_mask(lengths, T, causal={causal})", (B, 1, T, T))
        check_true(got.device.type == device.type, f"attention_mask returned a tensor on {got.device.type} for lengths on {device.type}")
        check_close(got, _ref_mask(lengths, T, causal), name=f"attention_mask(causal={causal}) on {device.type}", rtol=0, atol=0)
    w = _weights(11)
    x = _x(B, T, seed=12)
    real = _ref_pad(lengths, T)
    for given, causal in ((lengths, False), (lengths, True), (None, True)):
        check_follows_device(learner.masked_self_attention, x, *w, lengths=given, causal=causal)
        got = learner.masked_self_attention(*to_device((x, *w), device), lengths=to_device(given, device), causal=causal)
        got = check_shape(got, (B, T, D_HEAD), "masked_self_attention")
        check_true(got.device.type == device.type, f"masked_self_attention returned a tensor on {got.device.type} for x on {device.type}")
        full = torch.full((B,), T) if given is None else given
        expected = trusted(lambda x, *w: _attend(x, w, _ref_mask(full, T, causal)), x, *w)
        keep = torch.ones(B, T, dtype=torch.bool) if given is None else real
        check_close(got.cpu()[keep], expected[keep], name=f"masked_self_attention(lengths={'given' if given is not None else None}, "
                    f"causal={causal}) at real positions on {device.type}", **tolerance(device, cpu=(RTOL, ATOL)))
