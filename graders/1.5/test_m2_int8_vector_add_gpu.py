"""Grader for capstone milestone 1.5.m2: the INT8 vector addition as a GPU kernel.

Every test needs CUDA (``@needs_cuda``): elsewhere each reports "needs a GPU", and since a skipped test sets
up no fixture, the learner's file (which imports Triton or builds a CUDA extension) is never imported
there. This grader imports neither Triton nor a compiler.

The reference is milestone 1.5.m1's closed form, computed here in float64 on the CPU. Codes are compared
EXACTLY on all 65,536 pairs of int8 codes with power-of-two scales (every product and sum is then exact in
float32, FMA or not, so .5 ties are real ties): one set of scales with ties, one that saturates, one with
equal input scales where an int8 sum would overflow. Random codes with arbitrary scales, at lengths that
are not multiples of a block size, are compared with an allowance of 0.2% of codes off by one, for FMA
contraction near ties. A last check runs the learner's function under the PyTorch profiler and requires a
GPU kernel that is not one of PyTorch's own (skipped where the profiler sees no kernels at all).

Probes: rounding half away from zero, floor(v + 0.5), truncating or flooring; wrapping instead of
saturating, or saturating to [-127, 127]; adding the codes in int8; forgetting to rescale, using one
input's scale for both, inverting the ratios, leaving the sum at an input's scale; computing the result
with PyTorch operations instead of a kernel; returning the result on the GPU or in another dtype.
"""

from __future__ import annotations

from typing import Callable

import pytest
import torch
from gradelib import GradeFailure, check_close, check_true, needs_cuda

QMIN, QMAX = -128, 127
_NEAR_FRACTION = 0.002  # codes allowed off by one on random data with arbitrary scales


# --- milestone 1.5.m1's closed form (float64) and the classic mistakes -------------------------------


def _sat(v: torch.Tensor) -> torch.Tensor:
    return torch.clamp(v, QMIN, QMAX)


def _wrap(v: torch.Tensor) -> torch.Tensor:
    w = v.to(torch.int64).remainder(256)
    return torch.where(w > 127, w - 256, w)


def _codes(v: torch.Tensor) -> torch.Tensor:
    return _sat(torch.round(v))


def _add_reference(qa, scale_a, qb, scale_b, scale_out) -> torch.Tensor:
    return _codes(qa.to(torch.float64) * (scale_a / scale_out) + qb.to(torch.float64) * (scale_b / scale_out))


def _add_mistakes(qa, scale_a, qb, scale_b, scale_out) -> dict[str, torch.Tensor]:
    a, b = qa.to(torch.float64), qb.to(torch.float64)
    v = a * (scale_a / scale_out) + b * (scale_b / scale_out)
    return {
        "forgetting to rescale (adding the codes as if all three scales were equal)": _sat(a + b),
        "rescaling both codes with scale_a / scale_out (ignoring scale_b)": _codes((a + b) * (scale_a / scale_out)),
        "rescaling both codes with scale_b / scale_out (ignoring scale_a)": _codes((a + b) * (scale_b / scale_out)),
        "inverting the scale ratios (scale_out / scale_a instead of scale_a / scale_out)": _codes(
            a * (scale_out / scale_a) + b * (scale_out / scale_b)
        ),
        "leaving the sum at scale_a instead of requantizing it to scale_out": _codes(a + b * (scale_b / scale_a)),
        "adding the int8 codes in int8 first (the sum wraps around)": _codes(_wrap(a + b) * (scale_a / scale_out)),
        "rounding half away from zero (roundf) instead of half to even": _sat(torch.sign(v) * torch.floor(v.abs() + 0.5)),
        "rounding half up, floor(v + 0.5), instead of half to even": _sat(torch.floor(v + 0.5)),
        "truncating toward zero (a plain cast) instead of rounding": _sat(torch.trunc(v)),
        "flooring instead of rounding": _sat(torch.floor(v)),
        "converting to int8 without clamping first (values wrap around)": _wrap(torch.round(v)),
        "clamping to [-127, 127] instead of [-128, 127]": torch.clamp(torch.round(v), -127, 127),
    }


def _all_pairs() -> tuple[torch.Tensor, torch.Tensor]:
    codes = torch.arange(QMIN, QMAX + 1, dtype=torch.int8)
    qa, qb = torch.meshgrid(codes, codes, indexing="ij")
    return qa.reshape(-1).contiguous(), qb.reshape(-1).contiguous()


# --- running the learner's function and comparing codes ------------------------------------------------


def _run(learner, qa, scale_a, qb, scale_b, scale_out) -> torch.Tensor:
    qa0, qb0 = qa.clone(), qb.clone()
    out = learner.quantized_vector_add(qa, scale_a, qb, scale_b, scale_out)
    check_true(isinstance(out, torch.Tensor), f"quantized_vector_add should return a tensor, got {type(out).__name__}")
    check_true(
        out.device.type == "cpu",
        f"quantized_vector_add returned a tensor on {out.device}: copy the result back to the host (.cpu())",
    )
    check_true(out.dtype == torch.int8, f"quantized_vector_add returned dtype {out.dtype}, expected torch.int8")
    check_true(
        tuple(out.shape) == tuple(qa.shape),
        f"quantized_vector_add returned shape {tuple(out.shape)}, expected {tuple(qa.shape)}",
    )
    check_true(torch.equal(qa, qa0) and torch.equal(qb, qb0), "quantized_vector_add changed its input tensors")
    return out


def _check_exact(actual, expected, name: str, mistakes: Callable[[], dict]) -> None:
    if torch.equal(actual.to(torch.int64), expected.to(torch.int64)):
        return
    check_close(actual, expected, name=name, rtol=0, atol=0, mistakes=mistakes())


def _near(actual: torch.Tensor, expected: torch.Tensor) -> bool:
    diff = (actual.to(torch.int64) - expected.to(torch.int64)).abs()
    allowed = max(1, int(_NEAR_FRACTION * diff.numel()))
    return bool(diff.max() <= 1) and int((diff > 0).sum()) <= allowed


def _check_near(actual, expected, name: str, mistakes: Callable[[], dict]) -> None:
    """Equal, except for at most 0.2% of the codes off by one (FMA contraction near .5 ties)."""
    if _near(actual, expected):
        return
    diff = (actual.to(torch.int64) - expected.to(torch.int64)).abs()
    index = int(torch.argmax(diff))
    message = (
        f"{name}: {int((diff > 0).sum())} of {diff.numel()} codes differ from the reference (at most "
        f"{max(1, int(_NEAR_FRACTION * diff.numel()))} may, by one, near .5 ties); the largest difference is "
        f"{int(diff[index])} at index {index} (expected {int(expected[index])}, got {int(actual[index])})"
    )
    for description, wrong in mistakes().items():
        if _near(actual, wrong):
            message += f". This is what {description} gives."
            break
    raise GradeFailure(message)


def _check_all_pairs(learner, scale_a: float, scale_b: float, scale_out: float) -> None:
    qa, qb = _all_pairs()
    got = _run(learner, qa, scale_a, qb, scale_b, scale_out)
    _check_exact(
        got,
        _add_reference(qa, scale_a, qb, scale_b, scale_out),
        f"the kernel's codes on all 65,536 code pairs (scale_a={scale_a}, scale_b={scale_b}, scale_out={scale_out})",
        lambda: _add_mistakes(qa, scale_a, qb, scale_b, scale_out),
    )


# --- the checks ----------------------------------------------------------------------------------------


@needs_cuda
def test_ties_all_pairs(learner):
    """each input is rescaled to the output scale and .5 ties round to even (all code pairs, exact)"""
    _check_all_pairs(learner, 0.125, 0.0625, 0.25)


@needs_cuda
def test_saturation_all_pairs(learner):
    """sums beyond the int8 range saturate to -128 or 127 (all code pairs, exact)"""
    _check_all_pairs(learner, 0.25, 0.03125, 0.125)


@needs_cuda
def test_same_scale_no_int8_overflow(learner):
    """with equal input scales the codes are still widened before adding (all code pairs, exact)"""
    _check_all_pairs(learner, 0.0625, 0.0625, 0.125)


@needs_cuda
def test_lengths_and_arbitrary_scales(learner):
    """random codes with arbitrary scales, at lengths that are not multiples of a block size"""
    g = torch.Generator().manual_seed(23)
    scale_a, scale_b, scale_out = 0.017312947, 0.004519373, 0.013902817
    for n in (1, 1000, 4099, (1 << 20) + 3):
        qa = torch.randint(QMIN, QMAX + 1, (n,), generator=g, dtype=torch.int8)
        qb = torch.randint(QMIN, QMAX + 1, (n,), generator=g, dtype=torch.int8)
        got = _run(learner, qa, scale_a, qb, scale_b, scale_out)
        _check_near(
            got,
            _add_reference(qa, scale_a, qb, scale_b, scale_out),
            f"the kernel's codes for n = {n}",
            lambda qa=qa, qb=qb: _add_mistakes(qa, scale_a, qb, scale_b, scale_out),
        )


_BUILTIN_PREFIXES = ("memcpy", "memset", "triton_poi", "triton_red", "triton_per", "triton_tem")


def _is_pytorch_kernel(name: str) -> bool:
    """PyTorch's own GPU work: its native kernels, CUB, copies, memsets, and torch.compile's kernels."""
    lowered = name.strip().lower()
    return _is_native(name) or "cub::" in name or "at_cuda_detail" in name or lowered.startswith(_BUILTIN_PREFIXES)


def _is_native(name: str) -> bool:
    """One of ATen's native kernels, with a demangled or a mangled name."""
    return "at::native" in name or "at6native" in name


def _gpu_kernel_names(run: Callable[[], object]) -> set[str]:
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        probe = torch.ones(4096, device="cuda") * 3  # one of PyTorch's own kernels: proves kernels are seen
        run()
        torch.cuda.synchronize()
    del probe
    names: set[str] = set()
    try:
        for event in prof.events():
            if event.device_type == DeviceType.CUDA:
                names.add(event.name)
            for kernel in getattr(event, "kernels", None) or []:
                names.add(kernel.name)
    except Exception:  # noqa: BLE001 - a profiler that cannot report is treated as blind
        return set()
    return names


@needs_cuda
def test_own_kernel_does_the_work(learner):
    """the arithmetic runs in a GPU kernel of your own, not in PyTorch operations"""
    g = torch.Generator().manual_seed(4)
    qa = torch.randint(QMIN, QMAX + 1, (100_000,), generator=g, dtype=torch.int8)
    qb = torch.randint(QMIN, QMAX + 1, (100_000,), generator=g, dtype=torch.int8)
    _run(learner, qa, 0.125, qb, 0.0625, 0.25)  # warm-up: compiling a Triton kernel is not profiled
    names = _gpu_kernel_names(lambda: learner.quantized_vector_add(qa, 0.125, qb, 0.0625, 0.25))
    if not any(_is_native(name) for name in names):
        pytest.skip("the PyTorch profiler sees no GPU kernels on this machine, so this check cannot run here")
    own = sorted(name for name in names if not _is_pytorch_kernel(name))
    if not own:
        seen = ", ".join(sorted(name[:60] for name in names if _is_native(name))[:3])
        raise GradeFailure(
            "no GPU kernel of your own ran: the profiler saw only PyTorch's kernels and copies "
            f"({seen}). Write the per-element work as a Triton or CUDA kernel and launch it"
        )
