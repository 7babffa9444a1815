"""Grader for exercise 1.1.1: symmetric and asymmetric INT8 quantization.

Integer codes are compared with ``torch.quantize_per_tensor`` on scales that are powers of two (so that
``x / scale`` is exact and ties are real ties); parameters and MSE are compared with the closed forms of
the stub's docstring. Probes: dividing by 128 or 255, max(x) for max(|x|), a range that excludes zero, a
fractional zero-point, rounding halves up or away from zero, flooring, wrapping instead of clamping, a sign error on the
zero-point, dequantizing without the zero-point, and MAE/SSE/RMSE in place of the MSE.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device

FORBIDDEN = [
    "torch.quantize_per_tensor",
    "torch.quantize_per_channel",
    "torch.fake_quantize_per_tensor_affine",
]

# Captured before any learner code runs; the learner's code cannot reach these names.
_quantize_per_tensor = torch.quantize_per_tensor


def _gaussian(rows: int = 64, cols: int = 32, seed: int = 11) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(rows, cols, generator=g) * 3
    x[0, 0] = -15.0  # the largest magnitude is negative: max(x) != max(|x|)
    return x


def _reference_codes(x: torch.Tensor, scale: float, zero_point: int, dtype: torch.dtype) -> torch.Tensor:
    qtype = {torch.int8: torch.qint8, torch.uint8: torch.quint8}[dtype]
    return _quantize_per_tensor(x, scale, zero_point, qtype).int_repr()


def _asym_params(x: torch.Tensor) -> tuple[float, int]:
    lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
    scale = (hi - lo) / 255
    return scale, max(0, min(255, int(round(-lo / scale))))


def _round_trip(x: torch.Tensor, scale: float, zero_point: int, qmin: int, qmax: int) -> torch.Tensor:
    q = torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax)
    return (q - zero_point) * scale


def _params(value, name: str) -> tuple[float, int]:
    if not (isinstance(value, tuple) and len(value) == 2):
        raise GradeFailure(f"{name} should return a tuple (scale, zero_point), got {value!r}")
    return value


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_symmetric_params(learner):
    """symmetric scale is max(|x|) / 127 with zero-point 0"""
    x = _gaussian()
    scale, zero_point = _params(learner.symmetric_qparams(x), "symmetric_qparams")
    amax = float(x.abs().max())
    check_number(
        scale,
        amax / 127,
        name="the symmetric scale",
        mistakes={
            "dividing by 128 instead of 127": amax / 128,
            "dividing by 255 (the whole 8-bit width) for a signed range": amax / 255,
            "using max(x) instead of max(|x|)": float(x.max()) / 127,
        },
    )
    check_true(zero_point == 0, f"the symmetric zero-point must be 0, got {zero_point!r}")


def test_asymmetric_range_contains_zero(learner):
    """asymmetric range is widened to contain zero, so 0.0 stays representable"""
    g = torch.Generator().manual_seed(3)
    x = 2 + 3 * torch.rand(100, generator=g)  # all positive
    scale, zero_point = _params(learner.asymmetric_qparams(x), "asymmetric_qparams")
    hi, lo = float(x.max()), float(x.min())
    check_number(
        scale,
        hi / 255,
        name="the asymmetric scale of all-positive data",
        mistakes={"using min(x) instead of min(x.min(), 0), so 0.0 falls outside the range": (hi - lo) / 255},
    )
    check_true(zero_point == 0, f"with all-positive data the zero-point is 0, got {zero_point!r}")


def test_asymmetric_params(learner):
    """asymmetric scale and an integer zero-point for data of both signs"""
    x = _gaussian(seed=5) * 0.5 + 2.0
    scale, zero_point = _params(learner.asymmetric_qparams(x), "asymmetric_qparams")
    exp_scale, exp_zp = _asym_params(x)
    check_number(scale, exp_scale, name="the asymmetric scale", mistakes={"dividing by 256": exp_scale * 255 / 256})
    if isinstance(zero_point, float) or isinstance(zero_point, torch.Tensor) and zero_point.is_floating_point():
        raise GradeFailure(
            f"the zero-point is {float(zero_point)!r}, a fraction: round it to an integer "
            "(Python int), or 0.0 is not exactly representable"
        )
    check_number(
        zero_point,
        exp_zp,
        name="the asymmetric zero-point",
        mistakes={"a zero-point of round(lo / scale): its sign is flipped": -exp_zp},
    )


def test_zero_is_exact(learner):
    """0.0 survives quantize -> dequantize exactly with asymmetric parameters"""
    x = _gaussian(seed=8) + 1.3
    scale, zero_point = _params(learner.asymmetric_qparams(x), "asymmetric_qparams")
    zeros = torch.zeros(5)
    back = learner.dequantize(learner.quantize(zeros, scale, zero_point, torch.uint8), scale, zero_point)
    check_close(back, zeros, name="dequantize(quantize(0.0))", rtol=0, atol=0)


def test_quantize_int8_rounds_half_to_even(learner):
    """int8 codes equal torch.quantize_per_tensor, ties included"""
    scale = 0.25
    x = torch.tensor([0.125, 0.375, -0.125, -0.375, 0.625, 1.1, -2.9, 3.0, 0.0, 7.3])
    expected = _reference_codes(x, scale, 0, torch.int8)
    got = learner.quantize(x, scale, 0, torch.int8)
    check_true(isinstance(got, torch.Tensor), f"quantize should return a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.int8, f"quantize(..., torch.int8) returned dtype {got.dtype}, expected torch.int8")
    check_close(
        got,
        expected,
        name="the int8 codes",
        rtol=0,
        atol=0,
        mistakes={
            "rounding halves up (floor(v + 0.5)) instead of to even": torch.floor(x / scale + 0.5),
            "rounding halves away from zero instead of to even": torch.sign(x / scale)
            * torch.floor(torch.abs(x / scale) + 0.5),
            "truncating toward zero instead of rounding": torch.trunc(x / scale),
            "flooring instead of rounding": torch.floor(x / scale),
        },
    )


def test_quantize_clamps(learner):
    """values beyond the int8 range are clamped to [-128, 127], not wrapped"""
    scale = 0.25
    x = torch.tensor([-100.0, -40.0, -32.0, -31.75, 31.75, 40.0, 100.0])
    expected = _reference_codes(x, scale, 0, torch.int8)
    got = learner.quantize(x, scale, 0, torch.int8)
    wrapped = torch.round(x / scale).to(torch.int64).remainder(256)
    wrapped = torch.where(wrapped > 127, wrapped - 256, wrapped)
    check_close(
        got,
        expected,
        name="the int8 codes of out-of-range values",
        rtol=0,
        atol=0,
        mistakes={
            "casting to int8 without clamping first (values wrap around)": wrapped,
            "clamping to [-127, 127] instead of [-128, 127]": torch.clamp(torch.round(x / scale), -127, 127),
        },
    )


def test_quantize_uint8_with_zero_point(learner):
    """uint8 codes with a zero-point equal torch.quantize_per_tensor"""
    scale, zero_point = 0.125, 37
    g = torch.Generator().manual_seed(2)
    x = torch.randn(200, generator=g) * 6
    expected = _reference_codes(x, scale, zero_point, torch.uint8)
    got = learner.quantize(x, scale, zero_point, torch.uint8)
    check_true(got.dtype == torch.uint8, f"quantize(..., torch.uint8) returned dtype {got.dtype}, expected torch.uint8")
    check_close(
        got,
        expected,
        name="the uint8 codes",
        rtol=0,
        atol=0,
        mistakes={
            "subtracting the zero-point instead of adding it": torch.clamp(torch.round(x / scale) - zero_point, 0, 255),
            "adding the zero-point before dividing by the scale": torch.clamp(
                torch.round((x + zero_point) / scale), 0, 255
            ),
            "clamping to the int8 range [-128, 127]": torch.clamp(torch.round(x / scale) + zero_point, -128, 127),
        },
    )


def test_dequantize(learner):
    """dequantize gives (q - zero_point) * scale as float32"""
    q = torch.tensor([0, 1, 37, 100, 255], dtype=torch.uint8)
    scale, zero_point = 0.125, 37
    got = learner.dequantize(q, scale, zero_point)
    check_true(isinstance(got, torch.Tensor), f"dequantize should return a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.float32, f"dequantize returned dtype {got.dtype}, expected torch.float32")
    expected = (q.to(torch.float32) - zero_point) * scale
    check_close(
        got,
        expected,
        name="the dequantized values",
        mistakes={
            "forgetting to subtract the zero-point": q.to(torch.float32) * scale,
            "dividing by the scale instead of multiplying": (q.to(torch.float32) - zero_point) / scale,
        },
    )


def _mse_mistakes(x: torch.Tensor, x_hat: torch.Tensor) -> dict[str, float]:
    err = x - x_hat
    return {
        "the mean absolute error instead of the mean squared error": float(err.abs().mean()),
        "the sum of squared errors instead of their mean": float((err**2).sum()),
        "the root of the mean squared error": float((err**2).mean().sqrt()),
    }


def test_symmetric_mse(learner):
    """the symmetric round-trip MSE matches the reference"""
    x = _gaussian(seed=21)
    amax = float(x.abs().max())
    x_hat = _round_trip(x, amax / 127, 0, -128, 127)
    got = learner.quantization_mse(x, "symmetric")
    check_number(got, float(((x - x_hat) ** 2).mean()), name="the symmetric MSE", mistakes=_mse_mistakes(x, x_hat))


def test_asymmetric_mse(learner):
    """the asymmetric round-trip MSE matches the reference and beats symmetric on one-sided data"""
    g = torch.Generator().manual_seed(4)
    x = torch.relu(torch.randn(4096, generator=g)) * 2  # one-sided, like post-ReLU activations
    scale, zero_point = _asym_params(x)
    x_hat = _round_trip(x, scale, zero_point, 0, 255)
    got = learner.quantization_mse(x, "asymmetric")
    check_number(got, float(((x - x_hat) ** 2).mean()), name="the asymmetric MSE", mistakes=_mse_mistakes(x, x_hat))


def test_all_zero_tensor(learner):
    """an all-zero tensor gets scale 1.0 and round-trips without NaN"""
    x = torch.zeros(4, 4)
    for scheme in ("symmetric", "asymmetric"):
        qparams = learner.symmetric_qparams if scheme == "symmetric" else learner.asymmetric_qparams
        scale, _ = _params(qparams(x), f"{scheme}_qparams")
        check_number(scale, 1.0, name=f"the {scheme} scale of an all-zero tensor")
        mse = learner.quantization_mse(x, scheme)
        check_number(mse, 0.0, name=f"the {scheme} MSE of an all-zero tensor", atol=1e-12)


def test_tensors_stay_on_the_inputs_device(learner):
    """quantize, dequantize and the MSE keep every tensor on the input's device (checked without a GPU)"""
    x = _gaussian(8, 16, seed=3)
    check_follows_device(learner.quantize, x, 0.125, 0, torch.int8)
    check_follows_device(learner.quantize, x, 0.0625, 128, torch.uint8)
    check_follows_device(learner.dequantize, torch.arange(-8, 8, dtype=torch.int8), 0.125, 0)
    for scheme in ("symmetric", "asymmetric"):
        check_follows_device(learner.quantization_mse, x, scheme)


def test_small_ranges_and_uint8_clamp(learner):
    """a tensor whose largest |x| is below 1 still gets max(|x|) / 127 (only an all-zero tensor gets 1.0), and
    uint8 codes beyond the range are clamped to [0, 255], not wrapped"""
    x = torch.tensor([[0.5, -0.25], [0.125, -0.0625]])
    scale, _ = _params(learner.symmetric_qparams(x), "symmetric_qparams")
    check_number(scale, 0.5 / 127, name="the symmetric scale of a tensor with max |x| = 0.5",
                 mistakes={"scale 1.0 for any max |x| <= 1 (only an all-zero tensor takes scale 1.0)": 1.0})
    x = torch.tensor([-10.0, -1.0, 0.0, 30.0, 31.75, 40.0, 100.0])
    expected = _reference_codes(x, 0.125, 8, torch.uint8)
    got = learner.quantize(x, 0.125, 8, torch.uint8)
    wrapped = (torch.round(x / 0.125) + 8).clamp(0, 256).to(torch.int64).remainder(256)
    check_close(got, expected, name="the uint8 codes of out-of-range values (scale 0.125, zero-point 8)",
                rtol=0, atol=0, mistakes={"clamping to [0, 256] (256 wraps to 0 as uint8)": wrapped})
