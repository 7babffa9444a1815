"""Exercise 1.5.5: signed INT4 weights: quantize, pack two per byte, unpack, and multiply with INT32 sums.

GPUs have no 4-bit type: INT4 kernels store two values per byte, unpack them in registers with shifts and
masks, multiply as integers and accumulate in 32-bit integers, because a dot product of many small
products quickly overflows 8 or 16 bits (and float32 cannot hold every integer above 2**24). The scales
are applied once, to the INT32 result.

Conventions (the grader holds you to exactly these):

* A signed INT4 value is an integer in [-8, 7], stored as its 4-bit two's complement (-1 -> 0b1111,
  -8 -> 0b1000). Unpacking sign-extends: a nibble ``n >= 8`` means ``n - 16``.
* Packing goes along the LAST dimension, two neighbours per byte, the even-index element in the LOW
  nibble: ``packed[..., j] = (q[..., 2j] & 0xF) | ((q[..., 2j+1] & 0xF) << 4)``.
* Rounding is round-half-to-even (``torch.round``).

Write five functions with integer tensor operations (shifts, masks, casts):

1. ``quantize_int4(x, scale) -> torch.int8``: ``clamp(round(x / scale), -8, 7)``, same shape as ``x``.
2. ``pack_int4(q) -> torch.uint8``: ``q`` is a ``torch.int8`` tensor of values in [-8, 7] whose last
   dimension ``n`` is even; return shape ``(..., n // 2)``.
3. ``unpack_int4(packed) -> torch.int8``: the inverse, shape ``(..., 2 * m)`` for ``(..., m)`` bytes.
4. ``int4_matmul(a_packed, b_packed) -> torch.int32``: ``a_packed`` is ``(M, K // 2)`` (rows of A packed
   along K), ``b_packed`` is ``(N, K // 2)`` (rows of B, i.e. ``W`` in ``x @ W.T``, packed along K).
   Return ``A @ B.T``, ``(M, N)``, EXACTLY, as ``torch.int32``, accumulating in integers (int32 or
   int64); do not compute in float32, which rounds sums beyond 2**24. The grader's sums fit in int32.
5. ``int4_linear(a_packed, a_scale, b_packed, b_scales) -> torch.float32``: the dequantized product
   ``int4_matmul(a_packed, b_packed) * a_scale * b_scales``, where ``a_scale`` is a Python float (one
   scale per tensor of activations) and ``b_scales`` has shape ``(N,)`` (one scale per output channel,
   i.e. per row of B, so per COLUMN of the result).

Tolerances: integer results must be exact; ``int4_linear`` uses ``rtol=1e-6``.
"""

from __future__ import annotations

import torch


def quantize_int4(x: torch.Tensor, scale: float) -> torch.Tensor:
    """Return ``clamp(round(x / scale), -8, 7)`` as torch.int8."""
    raise NotImplementedError("write quantize_int4")


def pack_int4(q: torch.Tensor) -> torch.Tensor:
    """Pack pairs of int4 values along the last dimension into bytes (even index in the low nibble)."""
    raise NotImplementedError("write pack_int4")


def unpack_int4(packed: torch.Tensor) -> torch.Tensor:
    """Unpack bytes into sign-extended int4 values (low nibble first) as torch.int8."""
    raise NotImplementedError("write unpack_int4")


def int4_matmul(a_packed: torch.Tensor, b_packed: torch.Tensor) -> torch.Tensor:
    """Return A @ B.T of the unpacked int4 matrices, exactly, as torch.int32."""
    raise NotImplementedError("write int4_matmul")


def int4_linear(a_packed: torch.Tensor, a_scale: float, b_packed: torch.Tensor, b_scales: torch.Tensor) -> torch.Tensor:
    """Return int4_matmul(a, b) * a_scale * b_scales (per output column) as torch.float32."""
    raise NotImplementedError("write int4_linear")
