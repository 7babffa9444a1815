"""Grader for exercise 1.2.1: static (calibrated min-max) and dynamic per-token activation quantization.

The catalogue proposed "code + quiz"; the curriculum lists this check as code, so the comparison of the
two methods is measured rather than asked: ``compare_errors`` must reproduce both MSEs, and on a batch
with one loud token (beyond the calibrated range) dynamic per-token quantization must win.
References: ``torch.ao.quantization.MinMaxObserver`` (quint8, per-tensor affine) for the calibrated
parameters, ``torch.quantize_per_tensor`` for static codes and ``torch.quantize_per_channel`` (one channel
per token) for per-token codes, all captured before the learner's code runs. Probes: only the last (or
first) calibration batch, averaged per-batch ranges, a range that excludes zero, wrapping instead of
clamping, per-tensor or per-channel scales for per-token ones, max(x) for max(|x|), dividing by 128,
scales without the kept dimension, and calibrating on the test batch.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device
from torch.ao.quantization import observer as _observer_module

FORBIDDEN = [
    "torch.quantize_per_tensor",
    "torch.quantize_per_channel",
    "torch.fake_quantize_per_tensor_affine",
    "torch.fake_quantize_per_channel_affine",
    "torch.ao.quantization.MinMaxObserver",
    "torch.ao.quantization.observer.MinMaxObserver",
    "torch.ao.quantization.MovingAverageMinMaxObserver",
    "torch.ao.quantization.observer.MovingAverageMinMaxObserver",
    "torch.ao.quantization.PerChannelMinMaxObserver",
    "torch.ao.quantization.observer.PerChannelMinMaxObserver",
]

_TorchMinMaxObserver = _observer_module.MinMaxObserver
_quantize_per_tensor = torch.quantize_per_tensor
_quantize_per_channel = torch.quantize_per_channel


def _calibration(seed: int = 0) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    batches = [torch.randn(8, 16, generator=g) for _ in range(3)]
    batches[1][2, 3] = -4.25  # the overall minimum lives in the middle batch
    batches[2][5, 1] = 6.5  # the overall maximum in the last one
    return batches


def _torch_qparams(batches: list[torch.Tensor]) -> tuple[float, int]:
    obs = _TorchMinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine)
    for b in batches:
        obs(b)
    scale, zp = obs.calculate_qparams()
    return float(scale), int(zp)


def _formula_qparams(lo: float, hi: float) -> tuple[float, int]:
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        return 1.0, 0
    scale = (hi - lo) / 255
    return scale, max(0, min(255, int(round(-lo / scale))))


def _observer_qparams(learner, batches: list[torch.Tensor]):
    obs = learner.MinMaxObserver()
    for b in batches:
        obs.observe(b)
    out = obs.qparams()
    if not (isinstance(out, tuple) and len(out) == 2):
        raise GradeFailure(f"qparams() should return a tuple (scale, zero_point), got {out!r}")
    return out


def _check_qparams(got, batches, what):
    scale, zp = got
    exp_scale, exp_zp = _torch_qparams(batches)
    mins = [float(b.min()) for b in batches]
    maxs = [float(b.max()) for b in batches]
    formula = _formula_qparams(min(mins), max(maxs))
    assert formula[1] == exp_zp and abs(formula[0] - exp_scale) <= 1e-6 * exp_scale, "grader data hits a rounding tie"
    mistakes = {
        "keeping only the last calibration batch's range (the observer must keep a running min/max)": _formula_qparams(
            mins[-1], maxs[-1]
        ),
        "keeping only the first calibration batch's range": _formula_qparams(mins[0], maxs[0]),
        "averaging the per-batch minima and maxima instead of taking the overall ones": _formula_qparams(
            sum(mins) / len(mins), sum(maxs) / len(maxs)
        ),
        "a range [min, max] that is not widened to contain 0": (
            (max(maxs) - min(mins)) / 255,
            max(0, min(255, int(round(-min(mins) / ((max(maxs) - min(mins)) / 255))))),
        ),
    }
    check_number(scale, exp_scale, name=f"the calibrated scale ({what})", rtol=1e-6, mistakes={k: v[0] for k, v in mistakes.items()})
    if isinstance(zp, float) or (isinstance(zp, torch.Tensor) and zp.is_floating_point()):
        raise GradeFailure(f"the zero-point is {float(zp)!r}: it must be an integer (Python int)")
    check_number(zp, exp_zp, name=f"the calibrated zero-point ({what})", rtol=0, mistakes={k: v[1] for k, v in mistakes.items()})


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_observer_running_range(learner):
    """the observer's scale and zero-point cover the running min/max of every calibration batch"""
    batches = _calibration()
    _check_qparams(_observer_qparams(learner, batches), batches, "three batches")


def test_observer_range_contains_zero(learner):
    """all-positive calibration data (post-ReLU) still gets a range that contains 0"""
    g = torch.Generator().manual_seed(1)
    batches = [torch.relu(torch.randn(8, 16, generator=g)) + 0.5 for _ in range(2)]
    _check_qparams(_observer_qparams(learner, batches), batches, "all-positive batches")


def test_static_codes_clamp(learner):
    """static codes equal torch.quantize_per_tensor and clamp values outside the calibrated range"""
    scale, zp = 0.03125, 77
    g = torch.Generator().manual_seed(2)
    x = torch.randn(6, 16, generator=g) * 3
    x[0, :4] = torch.tensor([-30.0, -2.5, 7.0, 40.0])  # beyond [-77, 178] * scale: must clamp
    got = learner.quantize_static(x, scale, zp)
    check_true(isinstance(got, torch.Tensor) and got.dtype == torch.uint8, f"quantize_static should return a torch.uint8 tensor, got {getattr(got, 'dtype', type(got))}")
    expected = _quantize_per_tensor(x, scale, zp, torch.quint8).int_repr()
    wrapped = (torch.round(x / scale) + zp).to(torch.int64).remainder(256)
    check_close(
        got,
        expected,
        name="the static uint8 codes",
        rtol=0,
        atol=0,
        mistakes={
            "casting to uint8 without clamping first (values wrap around)": wrapped,
            "subtracting the zero-point instead of adding it": torch.clamp(torch.round(x / scale) - zp, 0, 255),
        },
    )
    back = learner.dequantize_static(expected, scale, zp)
    check_true(isinstance(back, torch.Tensor) and back.dtype == torch.float32, "dequantize_static should return float32")
    check_close(
        back,
        (expected.float() - zp) * scale,
        name="the static dequantized values",
        rtol=1e-6,
        atol=0,
        mistakes={"forgetting to subtract the zero-point": expected.float() * scale},
    )


def _activations(seed: int = 3) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2, 5, 16, generator=g) * torch.rand(2, 5, 1, generator=g) * 3
    x[0, 1] = 0.0  # an all-zero token
    x[1, 2, 7] = -9.0  # its largest magnitude is negative
    return x


def test_per_token_scales(learner):
    """per-token scales are max(|row|) / 127 of each token, shape (..., 1)"""
    x = _activations()
    out = learner.quantize_per_token(x)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise GradeFailure(f"quantize_per_token should return a tuple (q, scales), got {type(out).__name__}")
    _, scales = out
    amax = x.abs().amax(-1, keepdim=True)
    expected = torch.where(amax > 0, amax / 127, torch.ones_like(amax))
    st = torch.as_tensor(scales)
    if tuple(st.shape) == tuple(x.shape[:-1]):
        raise GradeFailure(f"the scales have shape {tuple(st.shape)}; keep the last dimension: expected {tuple(expected.shape)}")
    if tuple(st.shape) == (2, 1, 16) or tuple(st.shape) == (1, 1, 16):
        raise GradeFailure(
            f"the scales have shape {tuple(st.shape)}: one per channel (last dimension), but a token is a row "
            f"and needs its own scale, shape {tuple(expected.shape)}"
        )
    check_close(
        scales,
        expected,
        name="the per-token scales",
        rtol=1e-6,
        atol=0,
        dtype=torch.float32,
        mistakes={
            "one scale for the whole tensor (per-tensor), not one per token": torch.full_like(expected, float(amax.max()) / 127),
            "using max(x) instead of max(|x|)": torch.where(amax > 0, x.amax(-1, keepdim=True) / 127, torch.ones_like(amax)),
            "dividing by 128 instead of 127": torch.where(amax > 0, amax / 128, torch.ones_like(amax)),
        },
    )


def test_per_token_codes_and_roundtrip(learner):
    """per-token codes equal torch.quantize_per_channel with one channel per token, and dequantize back"""
    x = _activations(4)
    out = learner.quantize_per_token(x)
    check_true(isinstance(out, tuple) and len(out) == 2,
               f"quantize_per_token should return a tuple (q, scales), got {type(out).__name__}")
    q, scales = out
    amax = x.abs().amax(-1, keepdim=True)
    ref_scales = torch.where(amax > 0, amax / 127, torch.ones_like(amax))
    flat = x.reshape(-1, x.shape[-1])
    expected = _quantize_per_channel(
        flat, ref_scales.reshape(-1).double(), torch.zeros(flat.shape[0], dtype=torch.long), 0, torch.qint8
    ).int_repr().reshape(x.shape)
    check_true(isinstance(q, torch.Tensor) and q.dtype == torch.int8, f"the codes should be torch.int8, got {getattr(q, 'dtype', type(q))}")
    check_close(
        q,
        expected,
        name="the per-token int8 codes",
        rtol=0,
        atol=0,
        mistakes={"flooring instead of rounding": torch.floor(x / ref_scales), "truncating instead of rounding": torch.trunc(x / ref_scales)},
    )
    back = learner.dequantize_per_token(expected, ref_scales)
    check_close(back, expected.float() * ref_scales, name="the per-token dequantized values", rtol=1e-6, atol=0, dtype=torch.float32)


def _mse(a, b) -> float:
    return float(((a - b) ** 2).mean())


def _static_mse(batches, x) -> float:
    scale, zp = _torch_qparams(batches)
    q = _quantize_per_tensor(x, scale, zp, torch.quint8).int_repr()
    return _mse(x, (q.float() - zp) * scale)


def _dynamic_mse(x) -> float:
    amax = x.abs().amax(-1, keepdim=True)
    s = torch.where(amax > 0, amax / 127, torch.ones_like(amax))
    return _mse(x, torch.clamp(torch.round(x / s), -128, 127) * s)


def test_compare_errors(learner):
    """compare_errors gives both MSEs, and per-token dynamic wins on a batch with a loud token"""
    batches = _calibration(5)
    g = torch.Generator().manual_seed(6)
    x = torch.randn(12, 16, generator=g)
    x[4] *= 25  # one loud token, well beyond the calibrated range
    out = learner.compare_errors(batches, x)
    check_true(isinstance(out, dict) and {"static", "dynamic"} <= set(out), f"compare_errors should return a dict with keys 'static' and 'dynamic', got {out!r}")
    exp_static = _static_mse(batches, x)
    check_number(
        out["static"],
        exp_static,
        name="the static MSE",
        rtol=1e-5,
        mistakes={
            "calibrating on the test batch x instead of the calibration set": _static_mse([x], x),
            "calibrating only on the last calibration batch": _static_mse(batches[-1:], x),
        },
    )
    exp_dynamic = _dynamic_mse(x)
    check_number(out["dynamic"], exp_dynamic, name="the dynamic per-token MSE", rtol=1e-5)
    check_true(
        float(out["dynamic"]) < float(out["static"]),
        f"dynamic per-token MSE {float(out['dynamic']):.4g} should be below the static MSE {float(out['static']):.4g}",
    )


def test_tensors_stay_on_the_inputs_device(learner):
    """every tensor the code creates lives on the input's device (checked without a GPU)"""
    x = torch.randn(6, 16, generator=torch.Generator().manual_seed(3)) * 4
    check_follows_device(learner.quantize_per_token, x)
    check_follows_device(learner.quantize_static, x, 0.05, 3)


def test_observer_zero_range(learner):
    """calibration data that is all zeros (hi == lo) gives scale 1.0 and zero-point 0, as the stub says"""
    scale, zero_point = _observer_qparams(learner, [torch.zeros(4, 8), torch.zeros(2, 8)])
    check_true((scale, zero_point) == (1.0, 0),
               f"after all-zero calibration batches qparams() gave ({scale!r}, {zero_point!r}); a zero range "
               "(hi == lo) takes scale 1.0 and zero_point 0")
