"""Reference solution for exercise 1.1.2 (shown by `tracker solution 1.1.2` after a pass)."""

from __future__ import annotations

import torch

QMIN, QMAX = -128, 127


def per_tensor_scale(w: torch.Tensor) -> float:
    amax = float(w.abs().max())
    return amax / 127 if amax > 0 else 1.0


def _along(scales: torch.Tensor, w: torch.Tensor, axis: int) -> torch.Tensor:
    """Reshape (C,) scales to broadcast along ``axis`` of ``w``: (C, 1, ..., 1) for axis 0."""
    shape = [1] * w.dim()
    shape[axis] = -1
    return scales.reshape(shape)


def per_channel_scales(w: torch.Tensor, axis: int = 0) -> torch.Tensor:
    axis = axis % w.dim()
    others = [d for d in range(w.dim()) if d != axis]
    amax = w.abs().amax(dim=others) if others else w.abs()
    scales = amax.to(torch.float32) / 127
    return torch.where(amax > 0, scales, torch.ones_like(scales))


def quantize_per_channel(w: torch.Tensor, scales: torch.Tensor, axis: int = 0) -> torch.Tensor:
    q = torch.round(w / _along(scales, w, axis))
    q = torch.clamp(q, QMIN, QMAX)
    return q.to(torch.int8)


def dequantize_per_channel(q: torch.Tensor, scales: torch.Tensor, axis: int = 0) -> torch.Tensor:
    return q.to(torch.float32) * _along(scales, q, axis)


def _mse(w: torch.Tensor, w_hat: torch.Tensor) -> float:
    return float(((w - w_hat) ** 2).mean())


def compare_mse(w: torch.Tensor, axis: int = 0) -> dict[str, float]:
    # Per-tensor: the same scale for every channel.
    tensor_scales = torch.full((w.shape[axis],), per_tensor_scale(w), dtype=torch.float32, device=w.device)
    channel_scales = per_channel_scales(w, axis)
    results = {}
    for name, scales in (("per_tensor", tensor_scales), ("per_channel", channel_scales)):
        w_hat = dequantize_per_channel(quantize_per_channel(w, scales, axis), scales, axis)
        results[name] = _mse(w, w_hat)
    return results
