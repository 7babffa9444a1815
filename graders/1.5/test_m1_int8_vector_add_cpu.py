"""Grader for capstone milestone 1.5.m1: INT8 vector addition with scaling, the CPU reference.

Codes are compared EXACTLY on inputs whose scales are powers of two: there every division, product and
sum of the stub's formulas is exact in float32, so .5 ties are real ties and any order of operations
gives the same code. ``quantized_add`` is checked exhaustively on all 65,536 pairs of int8 codes, with
one set of scales that produces ties and one that saturates. Random data with arbitrary scales is
compared with a narrow allowance (at most 0.2% of codes off by one) for float32 near-ties. Quantized
codes are also compared with ``torch.quantize_per_tensor``; the rest uses closed forms in float64.

Probes: dividing by 128 or using max(x) for the scale; rounding half away from zero, floor(v + 0.5),
truncating or flooring; wrapping instead of saturating, or saturating to [-127, 127]; adding in int8 (the
sum wraps) or saturating the INT32 accumulator to int8; forgetting to rescale (adding codes that have
different scales), using one input's scale for both, inverting the scale ratio, leaving the sum at an
input's scale instead of the output scale; one scale shared by both vectors in the pipeline; dividing
instead of multiplying when dequantizing.
"""

from __future__ import annotations

from typing import Callable

import torch
from gradelib import GradeFailure, check_close, check_number, check_true

FORBIDDEN = [
    "torch.quantize_per_tensor",
    "torch.quantize_per_channel",
    "torch.fake_quantize_per_tensor_affine",
]

# Captured before any learner code runs; the learner's code cannot reach this name.
_quantize_per_tensor = torch.quantize_per_tensor

QMIN, QMAX = -128, 127
_NEAR_FRACTION = 0.002  # codes allowed off by one on random data with arbitrary scales


# --- closed forms (float64) and the classic mistakes -------------------------------------------------


def _sat(v: torch.Tensor) -> torch.Tensor:
    return torch.clamp(v, QMIN, QMAX)


def _wrap(v: torch.Tensor) -> torch.Tensor:
    w = v.to(torch.int64).remainder(256)
    return torch.where(w > 127, w - 256, w)


def _half_away(v: torch.Tensor) -> torch.Tensor:
    return torch.sign(v) * torch.floor(v.abs() + 0.5)


def _rounding_mistakes(v: torch.Tensor) -> dict[str, torch.Tensor]:
    """What each wrong rounding rule gives for the exact real values ``v`` (already in code units)."""
    return {
        "rounding half away from zero (C's roundf, or Python 2 style) instead of half to even": _sat(_half_away(v)),
        "rounding half up, floor(v + 0.5), instead of half to even": _sat(torch.floor(v + 0.5)),
        "truncating toward zero (a plain cast) instead of rounding": _sat(torch.trunc(v)),
        "flooring instead of rounding": _sat(torch.floor(v)),
    }


def _saturation_mistakes(v: torch.Tensor) -> dict[str, torch.Tensor]:
    return {
        "casting to int8 without clamping first (values wrap around)": _wrap(torch.round(v)),
        "clamping to [-127, 127] instead of [-128, 127]": torch.clamp(torch.round(v), -127, 127),
    }


def _codes(v: torch.Tensor) -> torch.Tensor:
    return _sat(torch.round(v))


def _add_reference(qa, scale_a, qb, scale_b, scale_out) -> torch.Tensor:
    return _codes(qa.to(torch.float64) * (scale_a / scale_out) + qb.to(torch.float64) * (scale_b / scale_out))


def _add_mistakes(qa, scale_a, qb, scale_b, scale_out) -> dict[str, torch.Tensor]:
    a, b = qa.to(torch.float64), qb.to(torch.float64)
    exact = a * (scale_a / scale_out) + b * (scale_b / scale_out)
    return {
        "forgetting to rescale (adding the codes as if all three scales were equal)": _sat(a + b),
        "rescaling both codes with scale_a / scale_out (ignoring scale_b)": _codes((a + b) * (scale_a / scale_out)),
        "rescaling both codes with scale_b / scale_out (ignoring scale_a)": _codes((a + b) * (scale_b / scale_out)),
        "inverting the scale ratios (scale_out / scale_a instead of scale_a / scale_out)": _codes(
            a * (scale_out / scale_a) + b * (scale_out / scale_b)
        ),
        "leaving the sum at scale_a instead of requantizing it to scale_out": _codes(a + b * (scale_b / scale_a)),
        "adding the int8 codes in int8 first (the sum wraps around)": _codes(_wrap(a + b) * (scale_a / scale_out)),
        **_rounding_mistakes(exact),
        **_saturation_mistakes(exact),
    }


def _all_pairs() -> tuple[torch.Tensor, torch.Tensor]:
    codes = torch.arange(QMIN, QMAX + 1, dtype=torch.int8)
    qa, qb = torch.meshgrid(codes, codes, indexing="ij")
    return qa.reshape(-1).clone(), qb.reshape(-1).clone()


# --- comparing codes ---------------------------------------------------------------------------------


def _as_int_tensor(value, name: str, dtype: torch.dtype, shape: tuple[int, ...]) -> torch.Tensor:
    check_true(isinstance(value, torch.Tensor), f"{name} should be a torch.Tensor, got {type(value).__name__}")
    check_true(value.dtype == dtype, f"{name} has dtype {value.dtype}, expected {dtype}")
    check_true(tuple(value.shape) == tuple(shape), f"{name} has shape {tuple(value.shape)}, expected {tuple(shape)}")
    return value


def _near(actual: torch.Tensor, expected: torch.Tensor) -> bool:
    diff = (actual.to(torch.int64) - expected.to(torch.int64)).abs()
    allowed = max(1, int(_NEAR_FRACTION * diff.numel()))
    return bool(diff.max() <= 1) and int((diff > 0).sum()) <= allowed if diff.numel() else True


def _check_codes(actual: torch.Tensor, expected: torch.Tensor, name: str, mistakes: Callable[[], dict]) -> None:
    """Codes that must be exact; the mistakes are worked out only when the codes are wrong."""
    if torch.equal(actual.to(torch.int64), expected.to(torch.int64)):
        return
    check_close(actual, expected, name=name, rtol=0, atol=0, mistakes=mistakes())


def _check_codes_near(actual: torch.Tensor, expected: torch.Tensor, name: str, mistakes: Callable[[], dict]) -> None:
    """Codes on random data: equal, except for at most 0.2% off by one (float32 near-ties)."""
    if _near(actual, expected):
        return
    diff = (actual.to(torch.int64) - expected.to(torch.int64)).abs()
    index = int(torch.argmax(diff))
    message = (
        f"{name}: {int((diff > 0).sum())} of {diff.numel()} codes differ from the reference (at most "
        f"{max(1, int(_NEAR_FRACTION * diff.numel()))} may, by one, for float32 near-ties); the largest "
        f"difference is {int(diff[index])} at index {index} (expected {int(expected[index])}, got "
        f"{int(actual[index])})"
    )
    for description, wrong in mistakes().items():
        if _near(actual, wrong.to(torch.int64)):
            message += f". This is what {description} gives."
            break
    raise GradeFailure(message)


# --- the checks ----------------------------------------------------------------------------------------


def test_symmetric_scale(learner):
    """the symmetric scale is max(|x|) / 127 (1.0 for an all-zero vector)"""
    g = torch.Generator().manual_seed(7)
    x = torch.randn(300, generator=g) * 2
    x[17] = -9.5  # the largest magnitude is negative: max(x) != max(|x|)
    amax = float(x.abs().max())
    check_number(
        learner.symmetric_scale(x),
        amax / 127,
        name="symmetric_scale(x)",
        mistakes={
            "dividing by 128 instead of 127": amax / 128,
            "dividing by 255 (the whole 8-bit width) for a signed range": amax / 255,
            "using max(x) instead of max(|x|)": float(x.max()) / 127,
        },
    )
    check_number(learner.symmetric_scale(torch.zeros(8)), 1.0, name="symmetric_scale of an all-zero vector")


def test_quantize_rounds_half_to_even(learner):
    """int8 codes equal torch.quantize_per_tensor, ties included (round half to even)"""
    scale = 0.25
    x = torch.arange(-64, 65, dtype=torch.float32) * 0.125  # every other value is an exact .5 tie
    original = x.clone()
    got = _as_int_tensor(learner.quantize_int8(x, scale), "quantize_int8(x, 0.25)", torch.int8, tuple(x.shape))
    check_true(torch.equal(x, original), "quantize_int8 changed its input tensor")
    expected = _quantize_per_tensor(x, scale, 0, torch.qint8).int_repr()
    check_close(got, expected, name="the int8 codes", rtol=0, atol=0, mistakes=_rounding_mistakes(x.double() / scale))


def test_quantize_saturates(learner):
    """values beyond the int8 range saturate to -128 or 127, never wrap"""
    scale = 0.5
    x = torch.tensor([-200.0, -64.5, -64.25, -64.0, -63.75, 63.25, 63.5, 63.75, 64.0, 70.0, 500.0])
    got = _as_int_tensor(learner.quantize_int8(x, scale), "quantize_int8(x, 0.5)", torch.int8, tuple(x.shape))
    expected = _quantize_per_tensor(x, scale, 0, torch.qint8).int_repr()
    check_close(got, expected, name="the int8 codes of out-of-range values", rtol=0, atol=0,
                mistakes=_saturation_mistakes(x.double() / scale))


def test_dequantize(learner):
    """dequantize_int8 gives q * scale as float32"""
    q = torch.tensor([-128, -77, -1, 0, 1, 42, 127], dtype=torch.int8)
    scale = 0.0421
    got = learner.dequantize_int8(q, scale)
    check_true(isinstance(got, torch.Tensor), f"dequantize_int8 should return a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.float32, f"dequantize_int8 returned dtype {got.dtype}, expected torch.float32")
    expected = q.to(torch.float64) * scale
    check_close(got, expected, name="the dequantized values", rtol=1e-6, atol=0,
                mistakes={"dividing by the scale instead of multiplying": q.to(torch.float64) / scale})


def test_add_int32(learner):
    """add_int32 gives the exact sum of every pair of int8 codes as int32 (no wrap-around)"""
    qa, qb = _all_pairs()
    got = learner.add_int32(qa, qb)
    check_true(isinstance(got, torch.Tensor), f"add_int32 should return a tensor, got {type(got).__name__}")
    if got.dtype == torch.int8:
        raise GradeFailure(
            "add_int32 returned an int8 tensor: the sum of two int8 codes ranges from -256 to 254 and does "
            "not fit in int8; widen both codes to int32 before adding"
        )
    _as_int_tensor(got, "add_int32(qa, qb)", torch.int32, tuple(qa.shape))
    a, b = qa.to(torch.int64), qb.to(torch.int64)
    _check_codes(
        got,
        a + b,
        "the INT32 sums",
        lambda: {
            "adding in int8 (the sum wraps around past 127)": _wrap(a + b),
            "saturating the sum to the int8 range (an int8 accumulator)": _sat(a + b),
        },
    )


def test_requantize(learner):
    """requantize maps an INT32 accumulator to int8 codes at the output scale (ties, saturation)"""
    acc = torch.arange(-700, 701, dtype=torch.int32)
    for acc_scale, scale_out in ((0.125, 0.5), (0.25, 0.125)):
        v = acc.to(torch.float64) * (acc_scale / scale_out)
        got = _as_int_tensor(
            learner.requantize(acc, acc_scale, scale_out),
            f"requantize(acc, {acc_scale}, {scale_out})",
            torch.int8,
            tuple(acc.shape),
        )
        _check_codes(
            got,
            _codes(v),
            f"the requantized codes (acc_scale={acc_scale}, scale_out={scale_out})",
            lambda v=v, acc_scale=acc_scale, scale_out=scale_out: {
                "forgetting to rescale (rounding the accumulator itself)": _sat(acc.to(torch.float64)),
                "inverting the ratio (scale_out / acc_scale instead of acc_scale / scale_out)": _codes(
                    acc.to(torch.float64) * (scale_out / acc_scale)
                ),
                **_rounding_mistakes(v),
                **_saturation_mistakes(v),
            },
        )


def _check_add_exhaustive(learner, scale_a: float, scale_b: float, scale_out: float) -> None:
    qa, qb = _all_pairs()
    qa0, qb0 = qa.clone(), qb.clone()
    got = _as_int_tensor(
        learner.quantized_add(qa, scale_a, qb, scale_b, scale_out),
        f"quantized_add(qa, {scale_a}, qb, {scale_b}, {scale_out})",
        torch.int8,
        tuple(qa.shape),
    )
    check_true(torch.equal(qa, qa0) and torch.equal(qb, qb0), "quantized_add changed its input tensors")
    _check_codes(
        got,
        _add_reference(qa, scale_a, qb, scale_b, scale_out),
        f"quantized_add on all 65,536 code pairs (scale_a={scale_a}, scale_b={scale_b}, scale_out={scale_out})",
        lambda: _add_mistakes(qa, scale_a, qb, scale_b, scale_out),
    )


def test_quantized_add_ties(learner):
    """quantized_add rescales each input to the output scale and rounds ties to even (all code pairs)"""
    _check_add_exhaustive(learner, 0.125, 0.0625, 0.25)


def test_quantized_add_saturates(learner):
    """quantized_add saturates sums beyond the int8 range (all code pairs)"""
    _check_add_exhaustive(learner, 0.25, 0.03125, 0.125)


def test_quantized_add_same_scale_overflow(learner):
    """two codes with one scale: the sum is formed without int8 overflow (all code pairs)"""
    _check_add_exhaustive(learner, 0.0625, 0.0625, 0.125)


def test_quantized_add_random_scales(learner):
    """quantized_add on random codes with arbitrary scales"""
    g = torch.Generator().manual_seed(31)
    qa = torch.randint(QMIN, QMAX + 1, (5000,), generator=g, dtype=torch.int8)
    qb = torch.randint(QMIN, QMAX + 1, (5000,), generator=g, dtype=torch.int8)
    scale_a, scale_b, scale_out = 0.017312947, 0.004519373, 0.013902817
    got = _as_int_tensor(learner.quantized_add(qa, scale_a, qb, scale_b, scale_out), "quantized_add(...)",
                         torch.int8, tuple(qa.shape))
    _check_codes_near(got, _add_reference(qa, scale_a, qb, scale_b, scale_out), "quantized_add with arbitrary scales",
                      lambda: _add_mistakes(qa, scale_a, qb, scale_b, scale_out))


def _pipeline_parts(learner, a: torch.Tensor, b: torch.Tensor, scale_out: float):
    a0, b0 = a.clone(), b.clone()
    result = learner.int8_vector_add(a, b, scale_out)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradeFailure(f"int8_vector_add should return a tuple (q_out, y_hat), got {type(result).__name__}")
    check_true(torch.equal(a, a0) and torch.equal(b, b0), "int8_vector_add changed its input tensors")
    q_out, y_hat = result
    _as_int_tensor(q_out, "q_out", torch.int8, tuple(a.shape))
    check_true(isinstance(y_hat, torch.Tensor), f"y_hat should be a torch.Tensor, got {type(y_hat).__name__}")
    check_true(y_hat.dtype == torch.float32, f"y_hat has dtype {y_hat.dtype}, expected torch.float32")
    check_close(y_hat, q_out.to(torch.float64) * scale_out, name="y_hat (it should be q_out * scale_out)",
                rtol=1e-6, atol=0,
                mistakes={"dividing by the scale instead of multiplying": q_out.to(torch.float64) / scale_out})
    return q_out, y_hat


def _pipeline_expected(a: torch.Tensor, b: torch.Tensor, scale_out: float):
    a64, b64 = a.to(torch.float64), b.to(torch.float64)
    scale_a, scale_b = float(a64.abs().max()) / 127, float(b64.abs().max()) / 127
    qa, qb = _codes(a64 / scale_a), _codes(b64 / scale_b)
    expected = _add_reference(qa, scale_a, qb, scale_b, scale_out)
    shared = max(scale_a, scale_b)

    def mistakes() -> dict:
        return {
            "quantizing both vectors with one shared scale (each vector needs its own)": _add_reference(
                _codes(a64 / shared), shared, _codes(b64 / shared), shared, scale_out
            ),
            **_add_mistakes(qa, scale_a, qb, scale_b, scale_out),
        }

    return expected, mistakes, scale_a, scale_b


def test_pipeline_exact(learner):
    """int8_vector_add: quantize with each vector's own scale, add, requantize, dequantize (exact case)"""
    g = torch.Generator().manual_seed(5)
    # max|a| = 127 / 8 and max|b| = 127 / 32: the scales are exactly 1/8 and 1/32, so every step is exact.
    a = torch.randint(-500, 501, (400,), generator=g).to(torch.float32) / 32
    b = torch.randint(-500, 501, (400,), generator=g).to(torch.float32) / 128
    a[3], b[11] = -127 / 8, 127 / 32
    scale_out = 0.0625
    q_out, _ = _pipeline_parts(learner, a, b, scale_out)
    expected, mistakes, _, _ = _pipeline_expected(a, b, scale_out)
    _check_codes(q_out, expected, "q_out", mistakes)


def test_pipeline_random(learner):
    """int8_vector_add on random vectors: codes match, and the error against a + b is within half a step per rounding"""
    g = torch.Generator().manual_seed(9)
    a = torch.randn(4096, generator=g) * 3
    b = torch.randn(4096, generator=g) * 0.7
    scale_out = 0.0731  # the largest sums (about 13) saturate at 127 * 0.0731 = 9.3
    q_out, y_hat = _pipeline_parts(learner, a, b, scale_out)
    expected, mistakes, scale_a, scale_b = _pipeline_expected(a, b, scale_out)
    _check_codes_near(q_out, expected, "q_out on random vectors", mistakes)
    inside = (expected > QMIN) & (expected < QMAX) & (q_out.to(torch.int64) > QMIN) & (q_out.to(torch.int64) < QMAX)
    error = (y_hat.to(torch.float64) - (a.to(torch.float64) + b.to(torch.float64))).abs()[inside]
    bound = (scale_a + scale_b + scale_out) / 2 * (1 + 1e-4)
    worst = float(error.max())
    check_true(
        worst <= bound,
        f"|y_hat - (a + b)| reaches {worst:.6g} where the sum does not saturate; three roundings of half a step "
        f"each allow at most (scale_a + scale_b + scale_out) / 2 = {bound:.6g}",
    )


def test_symmetric_scale_below_one(learner):
    """a vector whose largest |x| is below 1 still gets max(|x|) / 127: only an all-zero vector takes 1.0"""
    x = torch.tensor([0.25, -0.5, 0.125])
    check_number(learner.symmetric_scale(x), 0.5 / 127, name="symmetric_scale of a vector with max |x| = 0.5",
                 mistakes={"scale 1.0 for any max |x| <= 1 (only an all-zero vector takes scale 1.0)": 1.0})
