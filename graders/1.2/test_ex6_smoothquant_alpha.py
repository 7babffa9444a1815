"""Grader for exercise 1.2.6: SmoothQuant smoothing factors, equivalence and W8A8 error.

References: the closed form of the smoothing factors (as in SmoothQuant's ``smooth_ln_fcs``, clamps
included), ``torch.quantize_per_tensor`` / ``torch.quantize_per_channel`` (captured before the learner's
code runs) for the INT8 codes of the simulated W8A8 layer, and float64 products. The data has four
activation channels 50x larger than the rest; on it W8A8 error falls ~10x with alpha = 0.5, and alpha = 0
is worse than no smoothing at all, which the alpha sweep shows. Probes: the roles of X and W swapped,
alpha and 1 - alpha swapped, the weight maximum over the wrong axis, mean for max, no clamp (a dead
channel), scaling W's rows, migrating the wrong way, per-tensor weight scales, per-token activation
scales, /128, no rescale of the integer accumulator, and the error of the unsmoothed layer.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true, to_tensor
from gradelib.devices import check_follows_device, on_device

FORBIDDEN = [
    "torch.quantize_per_tensor",
    "torch.quantize_per_channel",
    "torch.fake_quantize_per_tensor_affine",
    "torch.fake_quantize_per_channel_affine",
]

_quantize_per_tensor = torch.quantize_per_tensor
_quantize_per_channel = torch.quantize_per_channel


def _data(seed: int = 0, n: int = 64, inp: int = 96, out: int = 48, dead: bool = False):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, inp, generator=g)
    outliers = torch.randperm(inp, generator=g)[:4]
    X[:, outliers] *= 50
    W = torch.randn(out, inp, generator=g) * 0.05
    if dead:
        X[:, 7] = 0.0
    return X, W


def _factors(X, W, alpha, mode="ok"):
    X2 = X.reshape(-1, X.shape[-1]).double()
    W = W.double()
    amax = X2.abs().mean(0) if mode == "mean" else X2.abs().amax(0)
    wmax = W.abs().amax(1) if mode == "w_rows" else W.abs().amax(0)
    if mode != "no_clamp":
        amax, wmax = amax.clamp(min=1e-5), wmax.clamp(min=1e-5)
    if mode == "swap_roles":
        s = wmax.pow(alpha) / amax.pow(1 - alpha)
    elif mode == "swap_alpha":
        s = amax.pow(1 - alpha) / wmax.pow(alpha)
    else:
        s = amax.pow(alpha) / wmax.pow(1 - alpha)
    return (s if mode == "no_clamp" else s.clamp(min=1e-5)).float()


def _w8a8(X, W, mode="ok"):
    X2 = X.reshape(-1, X.shape[-1]).float()
    W = W.float()
    if mode == "per_token":
        ax = X2.abs().amax(1, keepdim=True)
        sx = torch.where(ax > 0, ax / 127, torch.ones_like(ax))
        xq = torch.clamp(torch.round(X2 / sx), -128, 127)
    else:
        ax = float(X2.abs().max())
        sxv = ax / (128 if mode == "div128" else 127) if ax > 0 else 1.0
        xq = _quantize_per_tensor(X2, sxv, 0, torch.qint8).int_repr().double()
        sx = torch.tensor(sxv, dtype=torch.float64)
    if mode == "per_tensor_w":
        aw = W.abs().amax().expand(W.shape[0])
    else:
        aw = W.abs().amax(1)
    sw = torch.where(aw > 0, aw / (128 if mode == "div128" else 127), torch.ones_like(aw)).double()
    wq = _quantize_per_channel(W, sw, torch.zeros(W.shape[0], dtype=torch.long), 0, torch.qint8).int_repr().double()
    acc = xq.double() @ wq.T
    if mode == "no_rescale":
        return acc.float()
    return (acc * sx.double() * sw[None, :]).float()


def _err(X, W, Y) -> float:
    X2 = X.reshape(-1, X.shape[-1]).double()
    return float(((X2 @ W.double().T - torch.as_tensor(Y).double()) ** 2).mean())


def _smoothed_err(X, W, alpha, mode="ok") -> float:
    s = _factors(X, W, alpha, mode)
    return _err(X, W, _w8a8(X / s, W * s))


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_smoothing_factors(learner):
    """s_j = max|X_j|^alpha / max|W_j|^(1-alpha), per input channel, with the 1e-5 clamps"""
    g = torch.Generator().manual_seed(1)
    X = torch.randn(2, 20, 32, generator=g) * torch.exp(torch.randn(32, generator=g))
    X[..., 7] = 0.0  # a dead channel: the clamps keep s finite and positive
    W = torch.randn(32, 32, generator=g) * torch.exp(torch.randn(32, 1, generator=g))  # square: axes can be confused
    for alpha in (0.5, 0.8):
        got = learner.smoothing_factors(X, W, alpha)
        gt = to_tensor(got, "smoothing_factors")
        if tuple(gt.shape) != (32,):
            raise GradeFailure(f"the factors have shape {tuple(gt.shape)}, expected (32,): one per input channel (X's last dimension)")
        check_close(
            gt,
            _factors(X, W, alpha),
            name=f"the smoothing factors for alpha {alpha}",
            rtol=1e-5,
            atol=0,
            dtype=torch.float32,
            mistakes={
                "swapping the roles of X and W (max|W|^alpha / max|X|^(1-alpha))": _factors(X, W, alpha, "swap_roles"),
                "swapping alpha and 1 - alpha": _factors(X, W, alpha, "swap_alpha"),
                "taking the weight maximum over each output row instead of each input column": _factors(X, W, alpha, "w_rows"),
                "the mean |x| instead of the max": _factors(X, W, alpha, "mean"),
                "leaving out the 1e-5 clamps (a dead channel gets s = 0, and X / s is NaN)": _factors(X, W, alpha, "no_clamp"),
            },
        )


def test_smooth_is_equivalent(learner):
    """X / s and W * s: the smoothed product (X/s)(Ws)^T equals XW^T"""
    g = torch.Generator().manual_seed(2)
    X = torch.randn(10, 24, generator=g) * 3
    W = torch.randn(24, 24, generator=g)
    s = torch.rand(24, generator=g) * 4 + 0.25
    out = learner.smooth(X, W, s)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise GradeFailure(f"smooth should return a tuple (X_s, W_s), got {type(out).__name__}")
    Xs, Ws = out
    check_close(
        Xs,
        X / s,
        name="X_s",
        rtol=1e-5,
        atol=1e-7,
        mistakes={"multiplying X by s (migrating the wrong way)": X * s},
    )
    check_close(
        Ws,
        W * s[None, :],
        name="W_s",
        rtol=1e-5,
        atol=1e-7,
        mistakes={"scaling W's rows (s[:, None]) instead of its columns": W * s[:, None], "dividing W by s": W / s[None, :]},
    )
    check_close(torch.as_tensor(Xs) @ torch.as_tensor(Ws).T, X @ W.T, name="(X_s)(W_s)^T against XW^T", rtol=1e-4, atol=1e-4)


def test_w8a8_matmul(learner):
    """W8A8: per-tensor INT8 activations times per-channel INT8 weights, rescaled by sx * sw"""
    X, W = _data(3)
    got = learner.w8a8_matmul(X, W)
    check_close(
        got,
        _w8a8(X, W),
        name="the W8A8 output",
        rtol=1e-5,
        atol=1e-6,
        dtype=torch.float32,
        mistakes={
            "one weight scale for the whole tensor instead of one per output channel": _w8a8(X, W, "per_tensor_w"),
            "per-token activation scales (this layer uses one per tensor)": _w8a8(X, W, "per_token"),
            "dividing by 128 instead of 127": _w8a8(X, W, "div128"),
            "returning the integer accumulator without multiplying by sx * sw": _w8a8(X, W, "no_rescale"),
        },
    )


def test_naive_error(learner):
    """the naive (unsmoothed) W8A8 output error matches the reference"""
    X, W = _data(0)
    check_number(learner.smoothquant_error(X, W, None), _err(X, W, _w8a8(X, W)), name="the naive W8A8 MSE", rtol=1e-4)


def test_alpha_sweep(learner):
    """W8A8 error for alpha in 0, 0.25, 0.5, 0.75, 1, and alpha 0.5 cuts the naive error"""
    X, W = _data(0)
    naive = _err(X, W, _w8a8(X, W))
    for alpha in (0.0, 0.25, 0.5, 0.75, 1.0):
        got = learner.smoothquant_error(X, W, alpha)
        check_number(
            got,
            _smoothed_err(X, W, alpha),
            name=f"the smoothed W8A8 MSE at alpha {alpha}",
            rtol=1e-4,
            mistakes={
                "the unsmoothed error (alpha ignored)": naive,
                "swapping alpha and 1 - alpha": _smoothed_err(X, W, alpha, "swap_alpha"),
                "swapping the roles of X and W in the factors": _smoothed_err(X, W, alpha, "swap_roles"),
            },
        )
    check_true(
        float(learner.smoothquant_error(X, W, 0.5)) < 0.5 * naive,
        "smoothing with alpha 0.5 should cut the W8A8 error well below the naive error on outlier channels",
    )


def test_tensors_stay_on_the_inputs_device(learner):
    """every tensor the code creates lives on the input's device (checked without a GPU)"""
    g = torch.Generator().manual_seed(3)
    X, W = torch.randn(16, 32, generator=g) * 5, torch.randn(8, 32, generator=g)
    check_follows_device(learner.smoothing_factors, X, W, 0.5)
    check_follows_device(learner.smoothquant_error, X, W, 0.5)


def test_defaults_clamp_and_leading_dims(learner):
    """alpha defaults to 0.5; with alpha=1 a dead channel's s is the 1e-5 floor itself; smoothquant_error of an
    X of shape (batch, tokens, in_features) is that of X flattened to (batch * tokens, in_features)"""
    from gradelib import check_defaults

    fn = learner.smoothing_factors
    check_defaults(getattr(fn, "__learner_function__", fn), "smoothing_factors", alpha=0.5)
    g = torch.Generator().manual_seed(4)
    X = torch.randn(3, 10, 24, generator=g) * 4
    X[..., 5] = 0.0
    W = torch.randn(16, 24, generator=g) * 0.1
    got = to_tensor(learner.smoothing_factors(X, W, 1.0), "smoothing_factors")
    check_close(got, _factors(X, W, 1.0), name="the smoothing factors for alpha 1.0 (channel 5 is dead)", rtol=1e-5,
                atol=0, mistakes={"a floor of 2e-5 on s (the stub says at least 1e-5)":
                                  _factors(X, W, 1.0).clamp(min=2e-5)})
    flat = X.reshape(-1, 24)
    for alpha in (None, 0.5):
        check_number(learner.smoothquant_error(X, W, alpha), _smoothed_err(flat, W, alpha) if alpha is not None
                     else _err(flat, W, _w8a8(flat, W)), rtol=1e-4,
                     name=f"smoothquant_error(alpha={alpha}) for X of shape (3, 10, 24)")
