"""Milestone 1.1.m1: a basic post-training INT8 quantizer for a small CNN trained on digits.

The grader trains a small LeNet-style CNN in FP32 on scikit-learn's digits (8x8 images) and hands you its
weights; you calibrate activation ranges, quantize the weights per tensor or per channel, run the network
with fake quantization (quantize-dequantize) and compare accuracy and model size with FP32.
``torch.quantize_per_tensor``, ``torch.quantize_per_channel``, ``torch.fake_quantize_per_tensor_affine``
and ``torch.fake_quantize_per_channel_affine`` are off-limits while your code runs (the grader uses them
as the reference). ``F.conv2d``, ``F.linear``, ``F.relu``, ``F.max_pool2d`` are allowed.

The model. ``params`` is a dict of ``torch.float32`` tensors with the keys ``conv1.weight`` (8, 1, 3, 3),
``conv1.bias`` (8,), ``conv2.weight`` (16, 8, 3, 3), ``conv2.bias`` (16,), ``fc1.weight`` (32, 64),
``fc1.bias`` (32,), ``fc2.weight`` (10, 32), ``fc2.bias`` (10,). Inputs ``x`` are ``(N, 1, 8, 8)`` float32
(pixel values v in 0..16 scaled as ``(v + 0.5) / 17``, in (0, 1)). The forward pass is::

    conv1 (3x3, padding=1, stride 1) -> relu -> max_pool2d(2)      # (N, 8, 4, 4)
    conv2 (3x3, padding=1, stride 1) -> relu -> max_pool2d(2)      # (N, 16, 2, 2)
    flatten(1)                                                     # (N, 64), PyTorch's C, H, W order
    fc1 -> relu -> fc2                                             # (N, 10) logits

Quantization points: the INPUT of each of the four layers ``conv1``, ``conv2``, ``fc1``, ``fc2`` (for
``fc1``, the flattened tensor), and each layer's weight. Biases stay float32; relu, pooling, flatten and
the logits stay in float.

Conventions (those of exercise 1.1.1):

* Rounding is round-half-to-even (``torch.round``); integer codes are clamped, never wrapped.
* Weights: symmetric signed INT8, zero-point 0, ``q = clamp(round(w / scale), -128, 127)`` as
  ``torch.int8``, ``w_hat = q * scale``. Per-tensor: ``scale = max(|w|) / 127`` over the whole tensor, a
  Python float. Per-channel: one scale per OUTPUT channel (axis 0), ``max(|w[c]|) / 127`` over all the
  other dimensions, returned as a ``torch.float32`` tensor of shape ``(w.shape[0],)``. A zero range gives
  scale 1.0.
* Activations: per-tensor, static, ASYMMETRIC UINT8 from the calibrated range ``(lo, hi)``: widen the
  range to contain zero, ``lo = min(lo, 0)``, ``hi = max(hi, 0)``; ``scale = (hi - lo) / 255`` (a Python
  float) and ``zero_point = round(-lo / scale)`` clamped to [0, 255] (a Python int); a zero range gives
  ``(1.0, 0)``. Fake quantization: ``q = clamp(round(x / scale) + zero_point, 0, 255)`` and
  ``x_hat = (q - zero_point) * scale``; values outside the calibrated range are clamped.
* Calibration: min-max. Run the FP32 network once on the whole calibration set and record, for each of the
  four layers, the minimum and maximum of its input over all elements of all calibration images.

Functions to write:

* ``fp32_forward(params, x)`` -> logits ``(N, 10)`` float32.
* ``calibrate(params, calib_x)`` -> ``{"conv1": (lo, hi), "conv2": ..., "fc1": ..., "fc2": ...}``, Python
  floats.
* ``activation_qparams(lo, hi)`` -> ``(scale, zero_point)``.
* ``quantize_weight_per_tensor(w)`` -> ``(q int8 tensor of w's shape, scale float)``.
* ``quantize_weight_per_channel(w)`` -> ``(q int8 tensor of w's shape, scales float32 tensor (C_out,))``.
* ``fake_quant_forward(params, x, act_ranges, mode)`` -> logits: the forward pass above where each layer's
  input is fake-quantized with the activation parameters of ``act_ranges[layer]`` and each layer's weight
  is replaced by its dequantized INT8 version, ``mode`` being ``"per_tensor"`` or ``"per_channel"``.
* ``evaluate(params, x, y, act_ranges=None, mode="fp32")`` -> accuracy (a Python float in [0, 1], the
  fraction of rows whose arg-max logit equals the label ``y``, an int64 tensor); ``mode`` is ``"fp32"``
  (use ``fp32_forward``), ``"per_tensor"`` or ``"per_channel"`` (use ``fake_quant_forward``).
* ``model_size_bytes(params, mode)`` -> an int, the theoretical storage of ``params``. ``"fp32"``: 4 bytes
  per element of every tensor. ``"per_tensor"``: every ``*.weight`` element as 1 byte (int8) plus one
  float32 scale (4 bytes) per weight tensor; every ``*.bias`` element stays 4 bytes. ``"per_channel"``:
  as per-tensor but one float32 scale per output channel of each weight (4 * w.shape[0] bytes). Zero-points
  (all 0) and the activation parameters are not counted.

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=w.device`` or ``torch.*_like``), never hard-code ``"cuda"``, and compute per-channel
scales with one reduction, not a loop that reads each channel's maximum back.

What the grader checks, and the tolerances: weight codes equal ``torch.quantize_per_tensor`` /
``torch.quantize_per_channel`` exactly (a handful of entries off by one at rounding boundaries are
tolerated), scales within rtol 1e-6; calibrated ranges within rtol 1e-5; ``fp32_forward`` logits within
rtol 1e-4, atol 1e-4; fake-quantized logits within atol 2e-3 of a reference built from PyTorch's fake
quantization for at least 98% of the test images (a value landing exactly on a rounding boundary may round
the other way under a different but valid order of float operations); accuracies exactly those of the
reference up to 1 test image; sizes exactly. The grader also checks what the numbers should show: the
INT8 accuracies are within 0.03 of FP32, and per-channel is no worse than per-tensor minus 0.02.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def fp32_forward(params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write fp32_forward")


def calibrate(params: dict[str, torch.Tensor], calib_x: torch.Tensor) -> dict[str, tuple[float, float]]:
    raise NotImplementedError("write calibrate")


def activation_qparams(lo: float, hi: float) -> tuple[float, int]:
    raise NotImplementedError("write activation_qparams")


def quantize_weight_per_tensor(w: torch.Tensor) -> tuple[torch.Tensor, float]:
    raise NotImplementedError("write quantize_weight_per_tensor")


def quantize_weight_per_channel(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    raise NotImplementedError("write quantize_weight_per_channel")


def fake_quant_forward(
    params: dict[str, torch.Tensor], x: torch.Tensor, act_ranges: dict[str, tuple[float, float]], mode: str
) -> torch.Tensor:
    raise NotImplementedError("write fake_quant_forward")


def evaluate(params, x, y, act_ranges=None, mode: str = "fp32") -> float:
    raise NotImplementedError("write evaluate")


def model_size_bytes(params: dict[str, torch.Tensor], mode: str) -> int:
    raise NotImplementedError("write model_size_bytes")
