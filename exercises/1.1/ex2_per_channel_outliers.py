"""Exercise 1.1.2: per-tensor vs per-channel INT8 quantization of weights with outliers.

One large weight sets the scale of everything it shares a scale with. With a single scale for the whole
tensor (per-tensor), a 1% sprinkling of outliers coarsens the grid of every channel; with one scale per
output channel (per-channel), only the channels that hold an outlier pay for it. Write the five functions
below with basic tensor operations and measure the difference. ``torch.quantize_per_tensor``,
``torch.quantize_per_channel``, ``torch.fake_quantize_per_tensor_affine`` and
``torch.fake_quantize_per_channel_affine`` are off-limits while your code runs: the grader uses them as the
reference.

Conventions: the symmetric INT8 scheme of exercise 1.1.1, applied per tensor or per channel.

* ``q = clamp(round(x / scale), -128, 127)`` as ``torch.int8`` (zero-point 0), ``x_hat = q * scale``.
* Rounding is round-half-to-even, as ``torch.round`` does (2.5 -> 2, 3.5 -> 4).
* Per-tensor: one ``scale = max(|w|) / 127`` over the whole tensor, a Python ``float``.
* Per-channel along ``axis``: channel ``c`` is the slice ``w.select(axis, c)`` (for a linear layer's weight
  ``(out_features, in_features)`` and ``axis=0``, channel ``c`` is row ``c``: one scale per output
  feature; for a conv weight ``(out, in, kh, kw)`` and ``axis=0``, one scale per output filter). Its scale
  is ``max(|slice|) / 127``, the maximum taken over **all the other dimensions**. The scales are returned
  as a ``torch.float32`` tensor of shape ``(w.shape[axis],)``.
* A scale whose range is zero (an all-zero tensor or channel) is ``1.0``, so that nothing divides by zero.
* A per-channel scale multiplies or divides the values of *its own channel*: reshape the ``(C,)`` scales so
  that they broadcast along ``axis`` (for ``axis=0`` of a 2-D weight, ``scales[:, None]``), not along the
  last dimension.
* MSE is ``mean((w - w_hat) ** 2)`` over all elements, as a Python ``float``.
* The grader runs your code on its device (a GPU when there is one): every tensor you create lives on
  ``w``'s device (``device=w.device``, or ``torch.full_like``), and the per-channel scales come from one
  reduction over the tensor, not a Python loop that reads each channel's maximum back (``float(...)``,
  ``.item()``): on a GPU each read waits for the device.

Tolerances: integer codes must equal the reference exactly; scales and dequantized values are compared
with ``rtol=1e-6``, MSEs with ``rtol=1e-5`` (float32 inputs).
"""

from __future__ import annotations

import torch


def per_tensor_scale(w: torch.Tensor) -> float:
    """``max(|w|) / 127`` as a Python float (``1.0`` for an all-zero tensor)."""
    raise NotImplementedError("write per_tensor_scale")


def per_channel_scales(w: torch.Tensor, axis: int = 0) -> torch.Tensor:
    """One scale per channel along ``axis``: float32 tensor of shape ``(w.shape[axis],)``."""
    raise NotImplementedError("write per_channel_scales")


def quantize_per_channel(w: torch.Tensor, scales: torch.Tensor, axis: int = 0) -> torch.Tensor:
    """INT8 codes of ``w`` (same shape, ``torch.int8``) with ``scales[c]`` for channel ``c`` along ``axis``.
    Values beyond the range are clamped to [-128, 127], never wrapped."""
    raise NotImplementedError("write quantize_per_channel")


def dequantize_per_channel(q: torch.Tensor, scales: torch.Tensor, axis: int = 0) -> torch.Tensor:
    """``q * scales[c]`` along ``axis``, as ``torch.float32``."""
    raise NotImplementedError("write dequantize_per_channel")


def compare_mse(w: torch.Tensor, axis: int = 0) -> dict[str, float]:
    """Quantize and dequantize ``w`` both ways and return
    ``{"per_tensor": mse_with_one_scale, "per_channel": mse_with_per_channel_scales_along_axis}``."""
    raise NotImplementedError("write compare_mse")
