"""Reference solution for exercise 1.1.1 (shown by `tracker solution 1.1.1` after a pass)."""

from __future__ import annotations

import torch

_RANGES = {torch.int8: (-128, 127), torch.uint8: (0, 255)}


def symmetric_qparams(x: torch.Tensor) -> tuple[float, int]:
    amax = float(x.abs().max())
    scale = amax / 127 if amax > 0 else 1.0
    return scale, 0


def asymmetric_qparams(x: torch.Tensor) -> tuple[float, int]:
    lo = min(float(x.min()), 0.0)
    hi = max(float(x.max()), 0.0)
    if hi == lo:
        return 1.0, 0
    scale = (hi - lo) / 255
    zero_point = int(round(-lo / scale))
    zero_point = max(0, min(255, zero_point))
    return scale, zero_point


def quantize(x: torch.Tensor, scale: float, zero_point: int, dtype: torch.dtype) -> torch.Tensor:
    qmin, qmax = _RANGES[dtype]
    q = torch.round(x / scale) + zero_point
    q = torch.clamp(q, qmin, qmax)
    return q.to(dtype)


def dequantize(q: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    return (q.to(torch.float32) - zero_point) * scale


def quantization_mse(x: torch.Tensor, scheme: str) -> float:
    if scheme == "symmetric":
        scale, zero_point = symmetric_qparams(x)
        dtype = torch.int8
    elif scheme == "asymmetric":
        scale, zero_point = asymmetric_qparams(x)
        dtype = torch.uint8
    else:
        raise ValueError(f"unknown scheme {scheme!r}")
    x_hat = dequantize(quantize(x, scale, zero_point, dtype), scale, zero_point)
    return float(((x - x_hat) ** 2).mean())
