"""Grader for exercise 1.6.3: histogram summaries and saturation diagnostics for QAT monitoring.

References: ``numpy.histogram`` for the counts and edges (TensorBoard's own histogram code calls it),
float64 sums for the ``HistogramProto`` fields, and the gradient mask of
``torch.fake_quantize_per_tensor_affine`` for "clipped" (its straight-through estimator zeroes exactly the
clipped elements). Histogram data lie on a grid of odd sixteenths so that no value falls near an inner
bin edge: an independent solution with another (valid) binning arithmetic gets identical counts. Probes:
the maximum dropped from an open last bin, a symmetric range in place of [min, max], clipping judged on
the float range instead of the rounded code (values in the last half-step), one side only, counts in
place of fractions, the zero-point ignored, rounding half away from zero, distinct floats or unclamped
codes counted as levels, and ">=" in place of ">" for the saturation threshold.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, check_host_syncs, on_device

FORBIDDEN = [
    "torch.histc",
    "torch.histogram",
    "torch.histogramdd",
    "numpy.histogram",
    "torch.fake_quantize_per_tensor_affine",
]

_np_histogram = np.histogram
_fake_quantize = torch.fake_quantize_per_tensor_affine


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def _grid(n: int, seed: int, spread: float, shift: float = 0.0) -> torch.Tensor:
    """Values on odd multiples of 1/16 (never on a bin edge), plus two endpoints that are exact edges."""
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(n, generator=g) * spread + shift
    v = (torch.round((v * 16 - 1) / 2) * 2 + 1) / 16
    return v.clamp(-63 / 16, 63 / 16).to(torch.float32)


def _symmetric_data() -> torch.Tensor:
    v = _grid(3000, seed=1, spread=1.3)
    return torch.cat([v, torch.tensor([-4.0, 4.0, 4.0])]).reshape(3003 // 3, 3)


def _one_sided_data() -> torch.Tensor:
    v = torch.relu(_grid(2000, seed=2, spread=1.0, shift=0.4))
    return torch.cat([v, torch.tensor([3.0, 0.0])])


def _np_reference(x: torch.Tensor, bins: int):
    counts, edges = _np_histogram(x.reshape(-1).double().numpy(), bins=bins)
    return torch.from_numpy(counts).to(torch.int64), torch.from_numpy(edges)


def _summary(learner, x, bins):
    out = learner.histogram_summary(x, bins)
    check_true(isinstance(out, dict), f"histogram_summary should return a dict, got {type(out).__name__}")
    missing = [k for k in ("min", "max", "num", "sum", "sum_squares", "edges", "counts") if k not in out]
    check_true(not missing, f"histogram_summary's dict lacks the keys {missing}")
    return out


def _check_histogram(learner, x: torch.Tensor, bins: int, what: str):
    out = _summary(learner, x, bins)
    counts, edges = _np_reference(x, bins)
    flat = x.reshape(-1).double()
    lo, hi = float(flat.min()), float(flat.max())
    check_close(out["edges"], edges, name=f"the edges of {what} with {bins} bins", rtol=1e-9, atol=1e-12,
                mistakes={"a symmetric range [-max|x|, max|x|] instead of [min, max]": torch.linspace(
                    -float(flat.abs().max()), float(flat.abs().max()), bins + 1, dtype=torch.float64)})
    check_true(torch.is_tensor(out["counts"]) and out["counts"].dtype == torch.int64,
               f"counts should be a torch.int64 tensor, got {getattr(out['counts'], 'dtype', type(out['counts']))}")
    dropped = counts.clone()
    dropped[-1] -= int((flat == hi).sum())
    check_close(out["counts"], counts, name=f"the counts of {what} with {bins} bins", rtol=0, atol=0,
                mistakes={"a last bin open on the right, so the values equal to the maximum are dropped": dropped,
                          "excluding the minimum from the first bin": torch.cat(
                              [counts[:1] - int((flat == lo).sum()), counts[1:]])})


def test_histogram_counts_and_edges(learner):
    """counts and edges equal numpy.histogram; the maximum lands in the closed last bin"""
    _check_histogram(learner, _symmetric_data(), 16, "symmetric activations")
    _check_histogram(learner, _symmetric_data(), 10, "symmetric activations")


def test_histogram_one_sided(learner):
    """post-ReLU (one-sided) data: bins span [min, max], not a symmetric range"""
    _check_histogram(learner, _one_sided_data(), 12, "post-ReLU activations")


def test_histogram_constant_tensor(learner):
    """a constant tensor gets the range [v - 0.5, v + 0.5], like numpy"""
    x = torch.full((7, 3), 2.5)
    _check_histogram(learner, x, 4, "a constant tensor")


def test_histogram_proto_fields(learner):
    """min, max, num, sum and sum_squares (the HistogramProto fields)"""
    x = _one_sided_data() * 1.7 - 0.9
    out = _summary(learner, x, 8)
    flat = x.reshape(-1).double()
    check_number(out["min"], float(flat.min()), name="min")
    check_number(out["max"], float(flat.max()), name="max")
    check_true(out["num"] == flat.numel() and isinstance(out["num"], int) and not isinstance(out["num"], bool),
               f"num should be the number of elements as an int ({flat.numel()}), got {out['num']!r}")
    check_number(out["sum"], float(flat.sum()), name="sum", rtol=1e-5, atol=1e-6,
                 mistakes={"the mean instead of the sum": float(flat.mean())})
    check_number(out["sum_squares"], float((flat**2).sum()), name="sum_squares", rtol=1e-5,
                 mistakes={"the square of the sum instead of the sum of squares": float(flat.sum()) ** 2,
                           "the sum of squared deviations from the mean": float(((flat - flat.mean()) ** 2).sum())})


# --- clipping ---------------------------------------------------------------------------------

SCALE, ZP, QMIN, QMAX = 1 / 32, 3, -128, 127


def _clip_data() -> torch.Tensor:
    g = torch.Generator().manual_seed(7)
    x = torch.randn(4000, generator=g) * 2.2
    hi_band = torch.full((60,), 124.25 / 32)  # rounds to code 124 + 3 = 127: not clipped
    lo_band = torch.full((40,), -131.25 / 32)  # rounds to -131 + 3 = -128: not clipped
    ties = torch.full((30,), 124.5 / 32)  # a tie: half to even gives 124 (not clipped); half up gives 125
    return torch.cat([x, hi_band, lo_band, ties])[torch.randperm(4130, generator=g)]


def _reference_clip(x, scale, zp, qmin, qmax):
    leaf = x.detach().clone().requires_grad_(True)
    _fake_quantize(leaf, scale, zp, qmin, qmax).sum().backward()
    clipped = leaf.grad == 0
    code = x / scale + zp
    low = clipped & (code < (qmin + qmax) / 2)
    high = clipped & ~low
    n = x.numel()
    return int(low.sum()), int(high.sum()), n


def _clip_mistakes(x, scale, zp, qmin, qmax):
    n = x.numel()
    ranged = (int((x < (qmin - zp) * scale).sum()), int((x > (qmax - zp) * scale).sum()))
    half_up = torch.floor(x / scale + 0.5) + zp
    no_zp = torch.round(x / scale)
    return {
        "judging clipping on the float range (x beyond (qmax - zero_point) * scale) instead of on the rounded code":
            ranged,
        "rounding half away from zero instead of half to even": (int((half_up < qmin).sum()), int((half_up > qmax).sum())),
        "ignoring the zero-point": (int((no_zp < qmin).sum()), int((no_zp > qmax).sum())),
    }, n


def _check_clip(learner, x, scale, zp, qmin, qmax):
    got = learner.clipped_fraction(x, scale, zp, qmin, qmax)
    check_true(isinstance(got, dict) and {"low", "high", "total"} <= set(got),
               f"clipped_fraction should return a dict with keys low, high, total; got {got!r}")
    low, high, n = _reference_clip(x, scale, zp, qmin, qmax)
    wrong, _ = _clip_mistakes(x, scale, zp, qmin, qmax)
    for key, exp in (("low", low), ("high", high), ("total", low + high)):
        pick = {"low": lambda a, b: a, "high": lambda a, b: b, "total": lambda a, b: a + b}[key]
        mistakes = {desc: pick(*pair) / n for desc, pair in wrong.items()}
        mistakes["a count of elements instead of a fraction"] = float(exp)
        if key == "total":
            mistakes["counting only values clipped high"] = high / n
            mistakes["counting only values clipped low"] = low / n
        check_number(got[key], exp / n, name=f"the fraction clipped {key}", rtol=0, atol=1e-12, mistakes=mistakes)


def test_clipped_fraction(learner):
    """clipped fractions equal the elements whose fake-quantize gradient is zero"""
    _check_clip(learner, _clip_data(), SCALE, ZP, QMIN, QMAX)


def test_clipped_fraction_uint8(learner):
    """unsigned codes [0, 255] with a large zero-point"""
    x = _clip_data() * 0.8 - 0.7
    _check_clip(learner, x, 1 / 64, 180, 0, 255)


def test_levels_used(learner):
    """distinct clamped codes: few for a too-large scale, and never beyond qmax - qmin + 1"""
    narrow = _grid(2000, seed=4, spread=0.05)
    for x, scale, zp, what in ((narrow, SCALE, ZP, "narrow data"), (_clip_data(), SCALE, ZP, "clipping data"),
                               (_clip_data() * 3, 1 / 8, -5, "heavily clipped data")):
        got = learner.levels_used(x, scale, zp, QMIN, QMAX)
        codes = torch.round(x / scale) + zp
        exp = int(torch.unique(codes.clamp(QMIN, QMAX)).numel())
        check_number(got, exp, name=f"levels_used on {what}", rtol=0, mistakes={
            "counting codes before clamping them to [qmin, qmax]": int(torch.unique(codes).numel()),
            "counting distinct float values instead of codes": int(torch.unique(x).numel()),
        })


def test_diagnose(learner):
    """a saturated layer, an under-used layer and a healthy one are told apart"""
    g = torch.Generator().manual_seed(9)
    healthy = torch.randn(3000, generator=g) * 1.0
    saturated = torch.randn(3000, generator=g) * 3.0
    narrow = torch.randn(3000, generator=g) * 0.08
    for x, what in ((saturated, "saturated"), (narrow, "underused"), (healthy, "ok")):
        exp_clip = sum(_reference_clip(x, SCALE, ZP, QMIN, QMAX)[:2]) / x.numel()
        got = learner.diagnose(x, SCALE, ZP, QMIN, QMAX)
        check_true(got == what, f"diagnose on a layer with {exp_clip:.2%} clipped: got {got!r}, expected {what!r}")


def test_diagnose_threshold_is_strict(learner):
    """exactly max_clipped of the values clipped is not yet saturated (the test is '>')"""
    x = torch.linspace(-3.0, 3.0, 990)
    x = torch.cat([x, torch.full((10,), 10.0)])  # exactly 1 % clipped high
    low, high, n = _reference_clip(x, SCALE, ZP, QMIN, QMAX)
    assert (low + high) / n == 0.01
    got = learner.diagnose(x, SCALE, ZP, QMIN, QMAX, max_clipped=0.01)
    if got == "saturated":
        raise GradeFailure("diagnose called a layer with exactly 1 % clipped 'saturated' with max_clipped=0.01: "
                           "saturated means strictly greater than max_clipped (this is what '>=' gives)")
    check_true(got == "ok", f"diagnose: got {got!r}, expected 'ok'")


def test_diagnose_level_fraction_edges(learner):
    """diagnose keeps the stub's defaults; the level fraction is levels_used / (qmax - qmin + 1) (16 levels for
    [0, 15]); exactly min_level_fraction of the levels used is not under-used (the test is '<')"""
    from gradelib import check_defaults

    check_defaults(learner.diagnose, "diagnose", max_clipped=0.01, min_level_fraction=0.25)
    for levels, fraction, expected, why in (
        (4, 0.25, "ok", "4 of 16 levels is exactly 0.25, not less: under-used means strictly less (this is what "
                        "'<=' gives)"),
        (3, 0.19, "underused", "3 of 16 levels is 0.1875 < 0.19 (dividing by qmax - qmin = 15 gives 0.2: count "
                               "qmax - qmin + 1 levels)"),
    ):
        x = torch.arange(levels, dtype=torch.float32).repeat(50) * 0.5
        got = learner.diagnose(x, 0.5, 0, 0, 15, max_clipped=0.01, min_level_fraction=fraction)
        check_true(got == expected, f"diagnose of a tensor that uses {levels} of the 16 levels of [0, 15] with "
                                    f"min_level_fraction={fraction}: got {got!r}, expected {expected!r}; {why}")


def test_tensors_stay_on_the_inputs_device(learner):
    """every function keeps its tensors on the input's device and reads back a few numbers, not one per value"""
    x = _grid(300, seed=6, spread=1.5)
    check_follows_device(learner.histogram_summary, x, 8)
    for fn in (learner.clipped_fraction, learner.levels_used, learner.diagnose):
        check_follows_device(fn, x, SCALE, ZP, QMIN, QMAX)
    check_host_syncs(learner.histogram_summary, x, 8, most=12)
    check_host_syncs(learner.clipped_fraction, x, SCALE, ZP, QMIN, QMAX, most=6)
