"""Grader for exercise 1.6.5: tensor-core-friendly shapes by padding to a dtype-dependent multiple.

References: the multiples table of the stub (16 bytes of elements: 16 // element size), integer
ceil-division, and ``torch.nn.functional.linear`` on the unpadded operands for the padded product.
Probes: one multiple (8) for every dtype, bits in place of bytes, padding an aligned size anyway, rounding
down, padding only some GEMM dimensions, the overhead ratio inverted, non-zero or garbage padding, the
padded output not sliced back, and accepting a dtype that tensor cores do not take.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import on_device

_linear = F.linear

EXPECTED = {
    torch.float16: 8,
    torch.bfloat16: 8,
    torch.int8: 16,
    torch.uint8: 16,
    torch.float8_e4m3fn: 16,
    torch.float8_e5m2: 16,
    torch.float32: 4,
    torch.float64: 2,
}


def _ceil_to(n: int, m: int) -> int:
    return -(-n // m) * m


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_multiples_by_dtype(learner):
    """8 for fp16/bf16, 16 for int8/fp8, 4 for tf32 (float32), 2 for fp64"""
    for dtype, exp in EXPECTED.items():
        got = learner.tc_multiple(dtype)
        if got == exp:
            continue
        why = ""
        if got == 8:
            why = " 8 is the multiple for 16-bit types; the multiple is 16 bytes' worth of elements, so it depends on the element size."
        elif got == 16 * 8 // (torch.finfo(dtype).bits if dtype.is_floating_point else torch.iinfo(dtype).bits):
            why = " This is 16 / element bits; the rule is 16 bytes / element size in bytes."
        raise GradeFailure(f"tc_multiple({dtype}): got {got!r}, expected {exp}.{why}")


def test_other_dtypes_raise(learner):
    """int32 and bool are not tensor-core inputs: ValueError"""
    for dtype in (torch.int32, torch.bool, torch.int64):
        try:
            got = learner.tc_multiple(dtype)
        except ValueError:
            continue
        raise GradeFailure(f"tc_multiple({dtype}) returned {got!r}; it should raise ValueError")


def test_pad_to_multiple(learner):
    """round up to the next multiple; an aligned size stays as it is"""
    for n, m in ((50257, 64), (4096, 8), (4095, 8), (1, 16), (37, 4), (100, 2), (16, 16)):
        check_number(learner.pad_to_multiple(n, m), _ceil_to(n, m), name=f"pad_to_multiple({n}, {m})", rtol=0,
                     mistakes={"rounding down instead of up": n // m * m,
                               "adding a whole multiple even when the size is already aligned": (n // m + 1) * m})


def test_padded_gemm_shape(learner):
    """M, N and K are all padded, to the dtype's multiple"""
    for (m, n, k), dtype in (((1000, 50257, 4095), torch.float16), ((1000, 50257, 4095), torch.int8),
                             ((1001, 50257, 4095), torch.float32), ((7, 13, 3), torch.float64),
                             ((24, 1, 40), torch.bfloat16)):
        got = learner.padded_gemm_shape(m, n, k, dtype)
        mult = EXPECTED[dtype]
        exp = (_ceil_to(m, mult), _ceil_to(n, mult), _ceil_to(k, mult))
        check_true(isinstance(got, (tuple, list)) and len(got) == 3,
                   f"padded_gemm_shape should return a tuple (M, N, K), got {got!r}")
        got = tuple(int(v) for v in got)
        if got != exp and got == (m, _ceil_to(n, mult), _ceil_to(k, mult)):
            raise GradeFailure(f"padded_gemm_shape({m}, {n}, {k}, {dtype}): got {got}, expected {exp}: "
                               "M must be padded too (all three GEMM dimensions)")
        check_true(got == exp, f"padded_gemm_shape({m}, {n}, {k}, {dtype}): got {got}, expected {exp}")


def test_is_tensor_core_friendly(learner):
    """friendly only when all three dimensions are multiples"""
    cases = [((4096, 4096, 4096), torch.float16, True), ((4096, 50257, 4096), torch.float16, False),
             ((8, 8, 8), torch.int8, False), ((16, 32, 48), torch.int8, True), ((12, 4, 36), torch.float32, True),
             ((12, 4, 38), torch.float32, False), ((2, 6, 10), torch.float64, True), ((8, 8, 4), torch.bfloat16, False)]
    for (m, n, k), dtype, exp in cases:
        got = learner.is_tensor_core_friendly(m, n, k, dtype)
        check_true(bool(got) == exp and isinstance(got, bool),
                   f"is_tensor_core_friendly({m}, {n}, {k}, {dtype}): got {got!r}, expected {exp}")


def test_padding_overhead(learner):
    """the fraction of padded multiply-adds that are padding"""
    for (m, n, k), dtype in (((1000, 50257, 4095), torch.int8), ((7, 13, 3), torch.float16), ((64, 64, 64), torch.float16)):
        mult = EXPECTED[dtype]
        big = _ceil_to(m, mult) * _ceil_to(n, mult) * _ceil_to(k, mult)
        exp = 1 - m * n * k / big
        check_number(learner.padding_overhead(m, n, k, dtype), exp, name=f"padding_overhead({m}, {n}, {k}, {dtype})",
                     rtol=1e-9, atol=1e-15, mistakes={"padded / original - 1 instead of 1 - original / padded": big / (m * n * k) - 1,
                                                      "original / padded (the useful fraction)": m * n * k / big})


def test_pad_linear(learner):
    """the weight and bias are zero-padded at the end, the originals untouched"""
    g = torch.Generator().manual_seed(0)
    w = torch.randn(50, 37, generator=g)
    b = torch.randn(50, generator=g)
    w0, b0 = w.clone(), b.clone()
    out = learner.pad_linear(w, b, 8)
    check_true(isinstance(out, tuple) and len(out) == 2,
               f"pad_linear should return a tuple (weight, bias), got {type(out).__name__}")
    wp, bp = out
    check_true(torch.equal(w, w0) and torch.equal(b, b0), "pad_linear modified its inputs; return new tensors")
    check_true(torch.is_tensor(wp) and tuple(wp.shape) == (56, 40),
               f"the padded weight has shape {tuple(getattr(wp, 'shape', ()))}, expected (56, 40): "
               "out 50 -> 56 and in 37 -> 40")
    check_true(wp.dtype == w.dtype, f"the padded weight has dtype {wp.dtype}, expected {w.dtype}")
    check_close(wp[:50, :37], w, name="the top-left block of the padded weight", rtol=0, atol=0)
    expected = torch.zeros(56, 40)
    expected[:50, :37] = w
    padding = wp.detach().clone()
    padding[:50, :37] = 0
    nonzero = int(torch.count_nonzero(padding))
    check_true(nonzero == 0, f"{nonzero} entries of the padded weight's padding are not zero: the padding must be "
                             "exactly zero (start from torch.zeros, not torch.ones or torch.empty), or the padded "
                             "rows and columns add to real outputs")
    check_close(wp, expected, name="the padded weight (the padding must be exactly zero)", rtol=0, atol=0)
    check_true(torch.is_tensor(bp) and tuple(bp.shape) == (56,), f"the padded bias should have shape (56,)")
    check_close(bp[:50], b, name="the padded bias", rtol=0, atol=0)
    check_close(bp[50:], torch.zeros(6), name="the padding of the bias", rtol=0, atol=0)
    wh, bh = learner.pad_linear(w.half(), None, 16)
    check_true(bh is None, "pad_linear(weight, None, ...) should return None for the bias")
    check_true(tuple(wh.shape) == (64, 48) and wh.dtype == torch.float16,
               f"pad_linear of a float16 [50, 37] weight to 16 gave {tuple(wh.shape)} {wh.dtype}, expected (64, 48) float16")


def test_padded_linear_matches(learner):
    """the padded product, sliced back, equals F.linear"""
    g = torch.Generator().manual_seed(1)
    for shape, (out_f, in_f), mult, with_bias in (((3, 5, 37), (50, 37), 8, True), ((11, 30), (9, 30), 16, False),
                                                  ((2, 64), (64, 64), 8, True)):
        x = torch.randn(*shape, generator=g)
        w = torch.randn(out_f, in_f, generator=g)
        b = torch.randn(out_f, generator=g) if with_bias else None
        got = learner.padded_linear(x, w, b, mult)
        exp = _linear(x, w, b)
        if torch.is_tensor(got) and got.shape[:-1] == exp.shape[:-1] and got.shape[-1] == _ceil_to(out_f, mult) != out_f:
            raise GradeFailure(f"padded_linear returned shape {tuple(got.shape)}, expected {tuple(exp.shape)}: "
                               "slice the padded output back to the original out_features")
        check_close(got, exp, name=f"padded_linear on x{tuple(shape)}, W{(out_f, in_f)}, multiple {mult}",
                    rtol=1e-5, atol=1e-5)
