"""Exercise 1.2.1: static PTQ (calibrated min-max) versus dynamic per-token activation quantization.

Static post-training quantization fixes an activation's scale and zero-point OFFLINE, from a calibration
set; at inference any value outside the calibrated range is clamped. Dynamic quantization computes the
scale AT RUNTIME from the tensor it is about to quantize; per-token dynamic quantization (as in LLM.int8()
and SmoothQuant's W8A8 kernels) gives every token (every row of the last dimension) its own scale, so one
loud token does not coarsen the grid of all the others.

Conventions are those of exercise 1.1.1:

* Rounding is round-half-to-even (``torch.round``); values beyond the integer range are clamped, never
  wrapped.
* Static (asymmetric UINT8, per tensor): ``qmin, qmax = 0, 255``. The observer tracks the running
  minimum and maximum over EVERY element of EVERY calibration batch it has seen; the range is widened to
  contain zero, ``lo = min(running_min, 0)``, ``hi = max(running_max, 0)``; ``scale = (hi - lo) / 255``
  and ``zero_point = round(-lo / scale)`` clamped to [0, 255], a Python ``int``. If ``hi == lo``, use
  ``scale = 1.0`` and ``zero_point = 0``. ``q = clamp(round(x / scale) + zero_point, 0, 255)`` as
  ``torch.uint8``; ``x_hat = (q - zero_point) * scale`` as ``torch.float32``.
* Dynamic per-token (symmetric INT8): for ``x`` of shape ``(..., D)``, token ``i`` is the row
  ``x[..., i, :]`` of the last dimension. Its scale is ``max(|row|) / 127`` (``1.0`` for an all-zero
  row); the scales are a ``torch.float32`` tensor of shape ``(..., 1)`` (keep the last dimension, so that
  they broadcast). ``q = clamp(round(x / scale), -128, 127)`` as ``torch.int8`` (zero-point 0) and
  ``x_hat = q * scale`` as ``torch.float32``.
* MSE is ``mean((x - x_hat) ** 2)`` over all elements, as a Python ``float``.

``compare_errors(calibration, x)`` returns ``{"static": mse, "dynamic": mse}``: "static" calibrates a
fresh ``MinMaxObserver`` on the list of tensors ``calibration`` (NOT on ``x``), then quantizes and
dequantizes ``x`` with those parameters; "dynamic" quantizes ``x`` per token.

Off-limits while your code runs (the grader uses them as references): ``torch.quantize_per_tensor``,
``torch.quantize_per_channel``, the ``torch.fake_quantize_*`` functions and the observers of
``torch.ao.quantization``.

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=x.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Tolerances: integer codes and zero-points exactly; scales, dequantized values rtol 1e-6; MSEs rtol 1e-5
(float32 inputs).
"""

from __future__ import annotations

import torch


class MinMaxObserver:
    """Collects the running min and max of the calibration batches."""

    def __init__(self) -> None:
        raise NotImplementedError("write MinMaxObserver.__init__")

    def observe(self, x: torch.Tensor) -> None:
        """Update the running minimum and maximum with every element of ``x``."""
        raise NotImplementedError("write MinMaxObserver.observe")

    def qparams(self) -> tuple[float, int]:
        """``(scale, zero_point)`` of the asymmetric UINT8 scheme over the running range."""
        raise NotImplementedError("write MinMaxObserver.qparams")


def quantize_static(x: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    """UINT8 codes of ``x`` with fixed (calibrated) parameters; out-of-range values clamp to 0 or 255."""
    raise NotImplementedError("write quantize_static")


def dequantize_static(q: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    """``(q - zero_point) * scale`` as float32."""
    raise NotImplementedError("write dequantize_static")


def quantize_per_token(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(q, scales)``: INT8 codes of ``x``'s shape and float32 scales of shape ``(..., 1)``."""
    raise NotImplementedError("write quantize_per_token")


def dequantize_per_token(q: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    """``q * scales`` as float32."""
    raise NotImplementedError("write dequantize_per_token")


def compare_errors(calibration: list[torch.Tensor], x: torch.Tensor) -> dict[str, float]:
    """``{"static": mse of x with parameters calibrated on `calibration`, "dynamic": per-token mse of x}``."""
    raise NotImplementedError("write compare_errors")
