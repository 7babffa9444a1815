"""Exercise 1.1.1: symmetric and asymmetric INT8 quantization, and the error it costs.

Implement the five functions below with basic tensor operations. `torch.quantize_per_tensor`,
`torch.quantize_per_channel` and `torch.fake_quantize_per_tensor_affine` are off-limits while your
code runs: the grader uses them as the reference.

Conventions (the grader holds you to exactly these):

* Affine quantization: ``q = clamp(round(x / scale) + zero_point, qmin, qmax)`` and
  ``x_hat = (q - zero_point) * scale``.
* Rounding is round-half-to-even, as ``torch.round`` does (2.5 -> 2, 3.5 -> 4).
* Symmetric scheme: signed ``torch.int8``, ``qmin, qmax = -128, 127``, ``zero_point = 0`` and
  ``scale = max(|x|) / 127``.
* Asymmetric scheme: unsigned ``torch.uint8``, ``qmin, qmax = 0, 255``. The range is first widened to
  contain zero, ``lo = min(x.min(), 0)`` and ``hi = max(x.max(), 0)``, then
  ``scale = (hi - lo) / 255`` and ``zero_point = round(-lo / scale)`` clamped to ``[0, 255]``, as a
  Python ``int`` (so that 0.0 is represented exactly).
* If the range is zero (an all-zero tensor), use ``scale = 1.0`` (and ``zero_point = 0``).
* Scales are Python ``float``; zero points are Python ``int``.

The grader runs your code on its device (a GPU when there is one): keep every tensor on the input's device
(no hard-coded ``"cuda"`` or ``.cuda()``, which fail on a Mac or a CPU-only laptop).

Tolerances: integer codes must equal the reference exactly; scales, dequantized values and MSE are
compared with a relative tolerance of 1e-6 (float32 inputs).
"""

from __future__ import annotations

import torch


def symmetric_qparams(x: torch.Tensor) -> tuple[float, int]:
    """Return ``(scale, zero_point)`` of the symmetric INT8 scheme for ``x`` (zero_point is 0)."""
    raise NotImplementedError("write symmetric_qparams")


def asymmetric_qparams(x: torch.Tensor) -> tuple[float, int]:
    """Return ``(scale, zero_point)`` of the asymmetric UINT8 scheme for ``x``."""
    raise NotImplementedError("write asymmetric_qparams")


def quantize(x: torch.Tensor, scale: float, zero_point: int, dtype: torch.dtype) -> torch.Tensor:
    """Quantize ``x`` to ``dtype`` (``torch.int8`` or ``torch.uint8``); return a tensor of that dtype
    and of the same shape as ``x``. Values beyond the dtype's range are clamped, never wrapped."""
    raise NotImplementedError("write quantize")


def dequantize(q: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    """Map integer codes back to real values; return ``torch.float32``."""
    raise NotImplementedError("write dequantize")


def quantization_mse(x: torch.Tensor, scheme: str) -> float:
    """Quantize and dequantize ``x`` with ``scheme`` ("symmetric" or "asymmetric", parameters from the
    functions above) and return the mean squared error ``mean((x - x_hat) ** 2)`` as a Python float."""
    raise NotImplementedError("write quantization_mse")
