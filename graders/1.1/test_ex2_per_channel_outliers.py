"""Grader for exercise 1.1.2: per-tensor vs per-channel INT8 quantization on normal data with 1% outliers.

Integer codes are compared with ``torch.quantize_per_channel`` on scales that are powers of two (so that
``x / scale`` is exact and ties are real ties), as in exercise 1.1.1; scales with the closed form; MSEs
with a round trip through ``torch.fake_quantize_per_tensor_affine`` / ``fake_quantize_per_channel_affine``.
Two data sets make the comparison concrete: normal weights with 1% of the entries replaced by outliers
scattered at random (per-channel helps the channels that hold none), and the same fraction concentrated in
two input columns (per-channel along the output rows gains nothing, along the columns it isolates them).
Square matrices are used where a scale broadcast along the wrong axis would otherwise go unnoticed.

Probes: scales reduced over the wrong axis, dividing by 128 or 255, max(w) for max(|w|), a zero channel
without the 1.0 fallback, scales broadcast along the last axis instead of ``axis``, wrapping instead of
clamping, rounding half away from zero, dequantizing along the wrong axis, the two MSEs swapped, the axis
ignored, and RMSE instead of MSE.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, check_host_syncs, on_device

FORBIDDEN = [
    "torch.quantize_per_tensor",
    "torch.quantize_per_channel",
    "torch.fake_quantize_per_tensor_affine",
    "torch.fake_quantize_per_channel_affine",
]

# Captured before any learner code runs; the learner's code cannot reach these names.
_quantize_per_channel = torch.quantize_per_channel
_fake_per_tensor = torch.fake_quantize_per_tensor_affine
_fake_per_channel = torch.fake_quantize_per_channel_affine


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Small tensors: one intra-op thread is fastest, and avoids thread contention on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def _along(scales, w, axis):
    shape = [1] * w.dim()
    shape[axis] = -1
    return scales.reshape(shape)


def _ref_scales(w, axis):
    others = [d for d in range(w.dim()) if d != axis]
    amax = w.abs().amax(dim=others)
    return torch.where(amax > 0, amax / 127, torch.ones_like(amax))


def _ref_codes(w, scales, axis):
    zero_points = torch.zeros(len(scales), dtype=torch.long)
    return _quantize_per_channel(w, scales.double(), zero_points, axis, torch.qint8).int_repr()


def _outliers(rows, cols, seed, *, columns=None):
    """Standard normal weights with 1% of the entries replaced by outliers of magnitude 8..12; anywhere, or
    only in the given columns."""
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(rows, cols, generator=g)
    n = rows * cols // 100
    if columns is None:
        idx = torch.randperm(rows * cols, generator=g)[:n]
    else:
        cells = torch.tensor([r * cols + c for r in range(rows) for c in columns])
        idx = cells[torch.randperm(len(cells), generator=g)[:n]]
    signs = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    w.view(-1)[idx] = signs * (8 + 4 * torch.rand(n, generator=g))
    return w


def _square(seed=0, n=6):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(n, n, generator=g) * torch.linspace(0.5, 4.0, n)[:, None]  # rows of different ranges
    w[2, 5] = -30.0  # the largest magnitude (of row 2 and of the whole matrix) is negative
    return w


def test_per_tensor_scale(learner):
    """the per-tensor scale is max(|w|) / 127, and 1.0 for an all-zero tensor"""
    w = _square(seed=1)
    amax = float(w.abs().max())
    check_number(
        learner.per_tensor_scale(w),
        amax / 127,
        name="per_tensor_scale",
        mistakes={
            "dividing by 128 instead of 127": amax / 128,
            "dividing by 255 (the whole 8-bit width) for a signed range": amax / 255,
            "using max(w) instead of max(|w|)": float(w.max()) / 127,
        },
    )
    check_number(learner.per_tensor_scale(torch.zeros(3, 4)), 1.0, name="per_tensor_scale of an all-zero tensor")


def _scales(learner, w, axis):
    got = learner.per_channel_scales(w, axis)
    check_true(isinstance(got, torch.Tensor), f"per_channel_scales should return a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.float32, f"per_channel_scales should return float32, got {got.dtype}")
    return got


def test_per_channel_scales(learner):
    """per-channel scales along axis 0 of a weight matrix: max(|row|) / 127 for each output row"""
    w = _square(seed=2)
    got = _scales(learner, w, 0)
    check_close(
        got,
        _ref_scales(w, 0),
        name="per_channel_scales(w, axis=0) of a (6, 6) weight",
        rtol=1e-6,
        atol=0,
        mistakes={
            "reducing over the wrong dimension: one scale per column (input feature) instead of per row "
            "(output feature)": w.abs().amax(dim=0) / 127,
            "dividing by 128 instead of 127": w.abs().amax(dim=1) / 128,
            "using max(w) instead of max(|w|)": w.amax(dim=1) / 127,
            "the per-tensor scale repeated for every channel": torch.full((6,), float(w.abs().max()) / 127),
        },
    )


def test_per_channel_scales_any_axis(learner):
    """scales take the maximum over all the other dimensions: conv weights and axis=1"""
    g = torch.Generator().manual_seed(3)
    conv = torch.randn(8, 3, 3, 3, generator=g) * torch.linspace(0.2, 3.0, 8)[:, None, None, None]
    check_close(
        _scales(learner, conv, 0),
        _ref_scales(conv, 0),
        name="per_channel_scales of a (8, 3, 3, 3) conv weight, axis=0",
        rtol=1e-6,
        atol=0,
    )
    x = torch.randn(4, 6, 5, generator=g) * torch.linspace(0.5, 2.0, 6)[None, :, None]
    check_close(
        _scales(learner, x, 1),
        _ref_scales(x, 1),
        name="per_channel_scales of a (4, 6, 5) tensor, axis=1",
        rtol=1e-6,
        atol=0,
    )


def test_zero_channel(learner):
    """an all-zero channel gets scale 1.0 and quantizes to zeros, without NaN"""
    w = _square(seed=4)
    w[3] = 0.0
    scales = _scales(learner, w, 0)
    expected = _ref_scales(w, 0)
    zero_scale = expected.clone()
    zero_scale[3] = 0.0
    check_close(
        scales,
        expected,
        name="per_channel_scales with an all-zero row 3",
        rtol=1e-6,
        atol=0,
        mistakes={"leaving the scale of an all-zero channel at 0 (then 0 / 0 = NaN) instead of 1.0": zero_scale},
    )
    result = learner.compare_mse(w, 0)
    check_true(isinstance(result, dict), f"compare_mse should return a dict, got {type(result).__name__}")
    check_true(
        result.get("per_channel") == result.get("per_channel"),  # NaN != NaN
        "compare_mse gives NaN for a weight with an all-zero channel: its scale must be 1.0",
    )


def _codes(learner, w, scales, axis):
    got = learner.quantize_per_channel(w, scales, axis)
    check_true(isinstance(got, torch.Tensor), f"quantize_per_channel should return a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.int8, f"quantize_per_channel returned dtype {got.dtype}, expected torch.int8")
    return got


def test_quantize_per_channel_codes(learner):
    """int8 codes equal torch.quantize_per_channel: each channel uses its own scale, ties to even, clamped"""
    scales = torch.tensor([0.25, 0.5, 0.125, 1.0, 0.0625, 2.0])
    g = torch.Generator().manual_seed(5)
    w = torch.round(torch.randn(6, 6, generator=g) * 60) / 2 * scales[:, None]  # many exact ties
    w[0, 0], w[1, 1], w[5, 2] = 40.0, -80.0, 300.0  # beyond the range of their channel
    got = _codes(learner, w, scales, 0)
    expected = _ref_codes(w, scales, 0)
    v = w / scales[:, None]
    wrapped = torch.round(v).to(torch.int64).remainder(256)
    wrapped = torch.where(wrapped > 127, wrapped - 256, wrapped)
    check_close(
        got,
        expected,
        name="quantize_per_channel(w, scales, axis=0) codes",
        rtol=0,
        atol=0,
        mistakes={
            "broadcasting the scales along the last axis (w / scales divides column j by scales[j]) instead "
            "of reshaping them to (C, 1) for axis=0": torch.clamp(torch.round(w / scales[None, :]), -128, 127),
            "casting to int8 without clamping first (values wrap around)": wrapped,
            "rounding half up (floor(v + 0.5)) instead of half to even": torch.clamp(torch.floor(v + 0.5), -128, 127),
            "rounding half away from zero instead of half to even": torch.clamp(
                torch.sign(v) * torch.floor(v.abs() + 0.5), -128, 127
            ),
            "truncating toward zero instead of rounding": torch.clamp(torch.trunc(v), -128, 127),
        },
    )


def test_quantize_per_channel_axis1(learner):
    """codes along axis=1 of a 3-D tensor equal torch.quantize_per_channel(axis=1)"""
    scales = torch.tensor([0.5, 0.125, 1.0, 0.25])
    g = torch.Generator().manual_seed(6)
    w = torch.round(torch.randn(3, 4, 5, generator=g) * 40) / 2 * scales[None, :, None]
    got = _codes(learner, w, scales, 1)
    check_close(got, _ref_codes(w, scales, 1), name="quantize_per_channel(w, scales, axis=1) codes", rtol=0, atol=0)


def test_dequantize_per_channel(learner):
    """dequantize multiplies channel c by scales[c] along axis, as float32"""
    g = torch.Generator().manual_seed(7)
    q = torch.randint(-128, 128, (6, 6), generator=g, dtype=torch.int8)
    scales = torch.tensor([0.3, 0.01, 2.5, 0.7, 0.05, 1.1])
    got = learner.dequantize_per_channel(q, scales, 0)
    check_true(isinstance(got, torch.Tensor), f"dequantize_per_channel should return a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.float32, f"dequantize_per_channel returned dtype {got.dtype}, expected torch.float32")
    qf = q.to(torch.float32)
    check_close(
        got,
        qf * scales[:, None],
        name="dequantize_per_channel(q, scales, axis=0)",
        rtol=1e-6,
        atol=0,
        mistakes={
            "broadcasting the scales along the last axis instead of along axis": qf * scales[None, :],
            "dividing by the scales instead of multiplying": qf / scales[:, None],
        },
    )
    q3 = torch.randint(-128, 128, (2, 4, 3), generator=g, dtype=torch.int8)
    s3 = torch.tensor([0.5, 0.25, 2.0, 0.1])
    check_close(
        learner.dequantize_per_channel(q3, s3, 1),
        q3.to(torch.float32) * s3[None, :, None],
        name="dequantize_per_channel(q, scales, axis=1) of a (2, 4, 3) tensor",
        rtol=1e-6,
        atol=0,
    )


def _ref_mse(w, axis):
    t_scale = float(w.abs().max()) / 127
    per_tensor = _fake_per_tensor(w, t_scale, 0, -128, 127)
    scales = _ref_scales(w, axis)
    per_channel = _fake_per_channel(w, scales, torch.zeros(len(scales), dtype=torch.int32), axis, -128, 127)
    return float(((w - per_tensor) ** 2).mean()), float(((w - per_channel) ** 2).mean())


def _result(learner, w, axis):
    result = learner.compare_mse(w, axis)
    if not isinstance(result, dict) or set(result) != {"per_tensor", "per_channel"}:
        raise GradeFailure(
            f"compare_mse should return a dict with exactly the keys 'per_tensor' and 'per_channel', got {result!r}"
        )
    return result


def _check_mse(result, expected, axis, what, extra_channel_mistakes=None):
    tensor_mse, channel_mse = expected
    check_number(
        result["per_tensor"],
        tensor_mse,
        name=f"the per-tensor MSE {what}",
        rtol=1e-5,
        mistakes={
            "swapping the two results (this is the per-channel MSE)": channel_mse,
            "the root of the mean squared error": tensor_mse**0.5,
        },
    )
    check_number(
        result["per_channel"],
        channel_mse,
        name=f"the per-channel MSE along axis={axis} {what}",
        rtol=1e-5,
        mistakes={
            "swapping the two results (this is the per-tensor MSE)": tensor_mse,
            "the root of the mean squared error": channel_mse**0.5,
            **(extra_channel_mistakes or {}),
        },
    )


def test_compare_scattered_outliers(learner):
    """normal weights with 1% scattered outliers: per-channel MSE is lower than per-tensor MSE"""
    w = _outliers(64, 256, seed=8)
    expected = _ref_mse(w, 0)
    assert expected[1] < expected[0]  # the data set does what this test says
    _check_mse(_result(learner, w, 0), expected, 0, "of normal weights with 1% scattered outliers")


def test_compare_outlier_columns(learner):
    """1% outliers all in two input columns: per-channel helps only along the axis that isolates them"""
    w = _outliers(64, 128, seed=9, columns=(17, 90))
    rows, cols = _ref_mse(w, 0), _ref_mse(w, 1)
    assert cols[1] < 0.2 * rows[1]  # the data set does what this test says
    _check_mse(_result(learner, w, 0), rows, 0, "with outliers in two columns")
    _check_mse(
        _result(learner, w, 1),
        cols,
        1,
        "with outliers in two columns",
        extra_channel_mistakes={"ignoring axis (this is the per-channel MSE along axis 0)": rows[1]},
    )


def test_tensors_stay_on_the_weights_device(learner):
    """every tensor stays on the weights' device, scales from one reduction (checked without a GPU)"""
    w = _outliers(16, 24, 8)
    scales = _ref_scales(w, 0).float()
    check_follows_device(learner.per_channel_scales, w, 0)
    check_follows_device(learner.quantize_per_channel, w, scales, 0)
    check_follows_device(learner.dequantize_per_channel, _ref_codes(w, scales, 0).to(torch.int8), scales, 0)
    check_follows_device(learner.compare_mse, w, 0)
    check_host_syncs(learner.per_channel_scales, w, 0, most=1)


def test_axis_defaults(learner):
    """every function's axis defaults to 0 (one scale per output feature), as the stub's signatures say"""
    from gradelib import check_defaults

    for name in ("per_channel_scales", "quantize_per_channel", "dequantize_per_channel", "compare_mse"):
        fn = getattr(learner, name)
        check_defaults(getattr(fn, "__learner_function__", fn), name, axis=0)
