"""Capstone milestone 1.5.m1: INT8 vector addition with scaling, the CPU reference.

The capstone's GPU kernel (milestone 1.5.m2) adds two quantized vectors element by element. Before you
write it, build the CPU version it will be checked against: quantize two FP32 vectors, add them with
integer codes, requantize the sum to INT8 at an output scale, and dequantize the result.

Use basic tensor operations. ``torch.quantize_per_tensor``, ``torch.quantize_per_channel`` and
``torch.fake_quantize_per_tensor_affine`` are off-limits while your code runs.

Conventions (the symmetric scheme of exercise 1.1.1; the grader holds you to exactly these):

* Symmetric per-tensor INT8: ``scale = max(|x|) / 127`` as a Python ``float`` (``1.0`` for an all-zero
  tensor), zero-point 0, codes ``q = clamp(round(x / scale), -128, 127)`` as ``torch.int8``, and
  ``x_hat = q * scale``.
* Rounding is round-half-to-even, as ``torch.round`` does (2.5 -> 2, 3.5 -> 4, -2.5 -> -2), in every
  step: when quantizing and when requantizing. Not ``floor(v + 0.5)``, not C's ``roundf`` (half away from
  zero), not a cast (which truncates).
* Saturate, never wrap: a value beyond [-128, 127] becomes -128 or 127 BEFORE the cast to int8 (casting
  130 to int8 without clamping gives -126).
* Never do arithmetic on int8 tensors: widen the codes first (int32 for integer sums, float32 or float64
  for scaled sums). ``int8 + int8`` stays int8 in PyTorch and wraps around past 127.

Write seven functions:

1. ``symmetric_scale(x) -> float``: ``max(|x|) / 127``, or ``1.0`` if ``x`` is all zeros.
2. ``quantize_int8(x, scale) -> torch.Tensor``: codes of the float tensor ``x`` at ``scale`` (a Python
   float), ``torch.int8``, same shape as ``x``, rounded half to even and saturated.
3. ``dequantize_int8(q, scale) -> torch.Tensor``: ``q * scale`` as ``torch.float32``.
4. ``add_int32(qa, qb) -> torch.Tensor``: the INT32 accumulator of two int8 code vectors that SHARE one
   scale: the exact sum ``qa + qb`` as ``torch.int32`` (it ranges from -256 to 254, so it does not fit in
   int8; the sum has the same scale as the inputs).
5. ``requantize(acc, acc_scale, scale_out) -> torch.Tensor``: ``acc`` is an integer tensor (int32 or
   int64) whose real value is ``acc * acc_scale``; express it as int8 codes at ``scale_out``:
   ``clamp(round(acc * (acc_scale / scale_out)), -128, 127)`` as ``torch.int8``.
6. ``quantized_add(qa, scale_a, qb, scale_b, scale_out) -> torch.Tensor``: what the GPU kernel will do
   for each element. ``qa`` and ``qb`` are int8 code vectors with their OWN scales; return the codes of
   their sum at ``scale_out``:
   ``clamp(round(qa * (scale_a / scale_out) + qb * (scale_b / scale_out)), -128, 127)`` as ``torch.int8``,
   the products and the sum computed in float32 or float64 (your choice).
7. ``int8_vector_add(a, b, scale_out) -> tuple[torch.Tensor, torch.Tensor]``: the whole pipeline for two
   1-D float32 vectors of equal length: quantize ``a`` and ``b``, each with its own ``symmetric_scale``,
   add them with ``quantized_add`` at ``scale_out``, and return ``(q_out, y_hat)``: the int8 codes and
   ``y_hat = dequantize_int8(q_out, scale_out)`` (float32).

All scales are positive Python floats. Do not modify the input tensors.

Tolerances: scales are compared with a relative tolerance of 1e-6. Integer codes must equal the
reference EXACTLY on inputs whose scales are powers of two (then ``x / scale`` and every product and sum
above are exact in float32, so ties are real ties and any order of operations gives the same code). On
random data with arbitrary scales, float32 rounding can put a value that is within a few ulps of a .5
tie on either side depending on the order of operations, so there at most 0.2% of the codes may differ
from the reference, and by at most 1. ``y_hat`` must be ``q_out * scale_out`` (relative 1e-6).

A check you can run yourself: where the sum does not saturate, ``|y_hat - (a + b)|`` is at most
``(scale_a + scale_b + scale_out) / 2`` (each of the three roundings costs at most half a step). The
grader checks that too.
"""

from __future__ import annotations

import torch


def symmetric_scale(x: torch.Tensor) -> float:
    """Return ``max(|x|) / 127`` as a Python float (1.0 for an all-zero tensor)."""
    raise NotImplementedError("write symmetric_scale")


def quantize_int8(x: torch.Tensor, scale: float) -> torch.Tensor:
    """Return ``clamp(round(x / scale), -128, 127)`` as torch.int8 (round half to even)."""
    raise NotImplementedError("write quantize_int8")


def dequantize_int8(q: torch.Tensor, scale: float) -> torch.Tensor:
    """Return ``q * scale`` as torch.float32."""
    raise NotImplementedError("write dequantize_int8")


def add_int32(qa: torch.Tensor, qb: torch.Tensor) -> torch.Tensor:
    """Return the exact sum of two int8 code tensors as torch.int32 (no wrap-around)."""
    raise NotImplementedError("write add_int32")


def requantize(acc: torch.Tensor, acc_scale: float, scale_out: float) -> torch.Tensor:
    """Return ``clamp(round(acc * (acc_scale / scale_out)), -128, 127)`` as torch.int8."""
    raise NotImplementedError("write requantize")


def quantized_add(qa: torch.Tensor, scale_a: float, qb: torch.Tensor, scale_b: float, scale_out: float) -> torch.Tensor:
    """Return the int8 codes of ``qa * scale_a + qb * scale_b`` at ``scale_out`` (rounded, saturated)."""
    raise NotImplementedError("write quantized_add")


def int8_vector_add(a: torch.Tensor, b: torch.Tensor, scale_out: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Quantize ``a`` and ``b`` with their own symmetric scales, add them at ``scale_out``, and return
    ``(q_out, y_hat)``: the int8 codes and their dequantized float32 values."""
    raise NotImplementedError("write int8_vector_add")
