"""Grader for exercise 1.2.5: AWQ's activation-aware scale search.

The reference search (AWQ's ``auto_scale`` for one linear layer: mean |x| per channel, s = s_x^alpha
normalised by sqrt(max * min), W_eff = Q(W s) / s, alpha on the grid i / n_grid chosen by output MSE) is
written here in float64; the group quantizer follows the stub's 1.1.1-style asymmetric grid. The data has
six salient input channels (activations 20-40x larger); on it the best alpha (0.4) beats its nearest
rival by 1.6%, far beyond float32-versus-float64 noise, and AWQ's output error is about a quarter of
round-to-nearest's. Probes: max |x| for mean |x|, signed mean, the wrong axis, groups along the wrong
dimension, one grid per row, unnormalised scales, dividing W by s, not dividing back by s, alpha judged
by the weight error, a grid that skips alpha = 0.
"""

from __future__ import annotations

import functools

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device


def _qgroup(W, bits=4, gs=32, along_rows=False, per_row=False, without_zero=False):
    W = W.double()
    if along_rows:
        return _qgroup(W.T.contiguous(), bits, gs).double().T
    out, inp = W.shape
    G = W.reshape(out, 1, inp) if per_row else W.reshape(out, inp // gs, gs)
    maxq = 2**bits - 1
    lo = G.amin(-1, keepdim=True) if without_zero else G.amin(-1, keepdim=True).clamp(max=0)
    hi = G.amax(-1, keepdim=True) if without_zero else G.amax(-1, keepdim=True).clamp(min=0)
    flat = hi == lo
    scale = torch.where(flat, torch.ones_like(hi), (hi - lo) / maxq)
    zero = torch.where(flat, torch.zeros_like(lo), torch.clamp(torch.round(-lo / scale), 0, maxq))
    return ((torch.clamp(torch.round(G / scale) + zero, 0, maxq) - zero) * scale).reshape(out, inp).float()


def _mag(X, kind="mean"):
    Xf = X.reshape(-1, X.shape[-1]).double()
    if kind == "max":
        return Xf.abs().amax(0)
    if kind == "signed":
        return Xf.mean(0)
    return Xf.abs().mean(0)


def _out_err(W, W_eff, X) -> float:
    Xf = X.reshape(-1, X.shape[-1]).double()
    return float(((Xf @ W.double().T - Xf @ torch.as_tensor(W_eff).double().T) ** 2).mean())


@functools.lru_cache(maxsize=None)
def _reference(seed: int):
    W, X = _data(seed)
    return _search(W, X)


def _search(W, X, n_grid=20, kind="mean", normalize=True):
    s_x = _mag(X, kind)
    best = None
    for i in range(n_grid):
        alpha = i / n_grid
        s = s_x.pow(alpha).clamp(min=1e-4)
        if normalize:
            s = s / (s.max() * s.min()).sqrt()
        w_eff = _qgroup(W.double() * s, 4, 32).double() / s
        err = _out_err(W, w_eff, X)
        if best is None or err < best[0]:
            best = (err, alpha, s.float(), w_eff.float())
    return best


def _data(seed: int = 0, out: int = 64, inp: int = 128, n: int = 128):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, inp, generator=g)
    salient = torch.randperm(inp, generator=g)[:6]
    X[:, salient] *= 20 + 20 * torch.rand(6, generator=g)
    W = torch.randn(out, inp, generator=g) * 0.05
    return W, X


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_groupwise_quantization(learner):
    """each group of 32 consecutive input columns of a row gets its own asymmetric 4-bit grid"""
    g = torch.Generator().manual_seed(1)
    W = torch.randn(64, 96, generator=g) * torch.linspace(0.1, 1.0, 96)  # groups of different ranges
    W[1, :32] = W[1, :32].abs() + 0.2  # an all-positive group: its grid must still contain 0
    W[2, 32:64] = 0.0
    got = learner.quantize_groupwise(W, 4, 32)
    check_close(
        got,
        _qgroup(W),
        name="the group-quantized weights",
        rtol=1e-5,
        atol=1e-7,
        dtype=torch.float32,
        mistakes={
            "groups of 32 consecutive OUTPUT rows (down the columns) instead of input columns": _qgroup(W, along_rows=True),
            "one grid per row (no groups)": _qgroup(W, per_row=True),
            "a range [min, max] that does not include 0 (lo = min(group.min(), 0), hi = max(group.max(), 0))":
            _qgroup(W, without_zero=True),
        },
    )
    check_close(learner.quantize_groupwise(W, 3, 16), _qgroup(W, 3, 16), name="the 3-bit, group-16 weights", rtol=1e-5, atol=1e-7)


def test_activation_magnitude(learner):
    """activation magnitude is the mean |x| of each input channel over all tokens"""
    g = torch.Generator().manual_seed(2)
    X = torch.randn(3, 10, 24, generator=g) + 0.3
    X[..., 5] *= 30
    got = learner.activation_magnitude(X)
    exp = _mag(X).float()
    gt = torch.as_tensor(got)
    if tuple(gt.shape) != (24,):
        raise GradeFailure(f"the magnitudes have shape {tuple(gt.shape)}, expected (24,): one per input channel (last dimension), averaged over every token")
    check_close(
        gt,
        exp,
        name="the per-channel activation magnitude",
        rtol=1e-5,
        atol=1e-7,
        mistakes={
            "max |x| instead of the mean |x| AWQ uses": _mag(X, "max"),
            "the mean of x without the absolute value": _mag(X, "signed"),
            "|mean of x| (the absolute value taken after averaging)": _mag(X, "signed").abs(),
        },
    )


def _call(learner, W, X, n_grid=20):
    out = learner.awq_search(W.clone(), X.clone(), 4, 32, n_grid)
    if not (isinstance(out, tuple) and len(out) == 3):
        raise GradeFailure(f"awq_search should return a tuple (alpha, scales, W_eff), got {type(out).__name__}")
    return out


@pytest.fixture(scope="module")
def _main_run(learner):
    """The learner's search on the main data, run once for the tests that inspect it."""
    W, X = _data(0)
    return _call(learner, W, X)


def test_search_alpha_and_scales(_main_run):
    """the grid search picks the alpha with the lowest output error, and its normalised scales"""
    W, X = _data(0)
    alpha, scales, _ = _main_run
    exp_err, exp_alpha, exp_scales, _ = _reference(0)
    if isinstance(alpha, torch.Tensor):
        alpha = alpha.item()
    if abs(float(alpha) - exp_alpha) > 1e-9:
        hint = ""
        if abs(float(alpha)) < 1e-12:
            hint = (
                " alpha 0 means no scaling beat plain round-to-nearest: multiply W's columns by s (not divide), divide"
                " Q(W * s) back by s, and judge alpha by the OUTPUT error on X, not by the weight error"
            )
        elif abs(float(alpha) - _search(W, X, kind="max")[1]) < 1e-9:
            hint = " This is what max |x| instead of the mean |x| gives."
        raise GradeFailure(f"the chosen alpha is {float(alpha):g}, expected {exp_alpha:g}.{hint}")
    s_x = _mag(X)
    raw = s_x.pow(exp_alpha).clamp(min=1e-4)
    maxs = _mag(X, "max").pow(exp_alpha).clamp(min=1e-4)
    check_close(
        scales,
        exp_scales,
        name=f"the scales for alpha {exp_alpha:g}",
        rtol=1e-5,
        atol=0,
        mistakes={
            "skipping the normalisation s / sqrt(s.max() * s.min())": raw,
            "max |x| instead of the mean |x|": maxs / (maxs.max() * maxs.min()).sqrt(),
        },
    )


def test_search_weights(_main_run):
    """W_eff = Q(W * s) / s of the best alpha has the reference's output error"""
    W, X = _data(0)
    _, scales, w_eff = _main_run
    exp_err, exp_alpha, exp_scales, exp_w = _reference(0)
    wt = torch.as_tensor(w_eff)
    check_true(tuple(wt.shape) == tuple(W.shape), f"W_eff has shape {tuple(wt.shape)}, expected {tuple(W.shape)}")
    s = exp_scales.double()
    check_number(
        _out_err(W, wt, X),
        exp_err,
        name="the output error of W_eff",
        rtol=1e-3,
        mistakes={
            "returning Q(W * s) without dividing the columns back by s": _out_err(W, _qgroup(W.double() * s), X),
            "returning plain round-to-nearest weights": _out_err(W, _qgroup(W), X),
        },
    )


def test_awq_beats_rtn(_main_run):
    """AWQ's output error is well below round-to-nearest's on data with salient channels"""
    W, X = _data(0)
    _, _, w_eff = _main_run
    e_awq, e_rtn = _out_err(W, w_eff, X), _out_err(W, _qgroup(W), X)
    check_true(e_awq < 0.5 * e_rtn, f"AWQ's output error {e_awq:.4g} should be well below round-to-nearest's {e_rtn:.4g}")


def test_grid_starts_at_zero(learner):
    """with n_grid=1 the only candidate is alpha = 0: unit scales and plain round-to-nearest"""
    W, X = _data(3)
    alpha, scales, w_eff = _call(learner, W, X, n_grid=1)
    if isinstance(alpha, torch.Tensor):
        alpha = alpha.item()
    check_number(alpha, 0.0, name="alpha with n_grid=1", atol=1e-12, mistakes={"a grid i / n_grid for i = 1..n_grid (it must start at 0)": 1.0})
    check_close(scales, torch.ones(W.shape[1]), name="the scales for alpha 0", rtol=1e-6, atol=1e-6)
    check_close(w_eff, _qgroup(W), name="W_eff for alpha 0 (plain group-wise RTN)", rtol=1e-5, atol=1e-7)


def test_tensors_stay_on_the_inputs_device(learner):
    """every tensor the code creates lives on the input's device (checked without a GPU)"""
    g = torch.Generator().manual_seed(3)
    check_follows_device(learner.quantize_groupwise, torch.randn(8, 64, generator=g), 4, 32)
    check_follows_device(learner.activation_magnitude, torch.randn(16, 64, generator=g))


def test_defaults_and_leading_dims(learner):
    """the stub's defaults (4 bits, groups of 32, a grid of 20), and an X of shape (batch, tokens, in_features)
    searched as X flattened to (batch * tokens, in_features)"""
    from gradelib import as_float, check_defaults

    for name, defaults in (("quantize_groupwise", dict(bits=4, group_size=32)),
                           ("awq_search", dict(bits=4, group_size=32, n_grid=20))):
        fn = getattr(learner, name)
        check_defaults(getattr(fn, "__learner_function__", fn), name, **defaults)
    W, X = _data(3, n=96)
    X3 = X.reshape(4, 24, 128)
    check_close(learner.activation_magnitude(X3.clone()), _mag(X), name="activation_magnitude of X of shape (4, 24, 128)",
                rtol=1e-5, atol=1e-7)
    alpha, scales, w_eff = _call(learner, W, X3, n_grid=5)
    _, ref_alpha, ref_scales, ref_w = _search(W, X, n_grid=5)
    check_true(abs(as_float(alpha, "alpha") - ref_alpha) < 1e-9,
               f"for X of shape (4, 24, 128) the search chose alpha={alpha}, for the same X flattened {ref_alpha}")
    check_close(scales, ref_scales, name="the scales for X of shape (4, 24, 128)", rtol=1e-4, atol=1e-6)
    check_close(w_eff, ref_w, name="W_eff for X of shape (4, 24, 128)", rtol=1e-4, atol=1e-6)


def test_floor_on_the_scales(learner):
    """a nearly dead input channel (mean |x| about 1e-12) meets the floor: s = clamp(s_x ** alpha, min=1e-4)
    before the normalisation, so the floor moves every normalised scale"""
    W, X = _data(0)
    X[:, 3] *= 1e-12
    alpha, scales, _ = _call(learner, W, X)
    _, exp_alpha, exp_scales, _ = _search(W, X)
    if isinstance(alpha, torch.Tensor):
        alpha = alpha.item()
    check_true(isinstance(alpha, (int, float)) and abs(float(alpha) - exp_alpha) < 1e-9,
               f"with input channel 3 nearly dead the chosen alpha is {alpha!r}, expected {exp_alpha:g}")
    raw = _mag(X).pow(exp_alpha)
    mistakes = {}
    for text, s in (("a floor of 2e-4 (the stub says clamp(min=1e-4))", raw.clamp(min=2e-4)),
                    ("no floor on s_x ** alpha", raw)):
        mistakes[text] = s / (s.max() * s.min()).sqrt()
    check_close(scales, exp_scales, name=f"the scales for alpha {exp_alpha:g} with a nearly dead channel", rtol=1e-4,
                atol=0, mistakes=mistakes)
