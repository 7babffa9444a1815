"""Reference solution for exercise 1.2.1 (shown by `tracker solution 1.2.1` after a pass)."""

from __future__ import annotations

import torch


class MinMaxObserver:
    def __init__(self) -> None:
        self.min_val = float("inf")
        self.max_val = float("-inf")

    def observe(self, x: torch.Tensor) -> None:
        self.min_val = min(self.min_val, float(x.min()))
        self.max_val = max(self.max_val, float(x.max()))

    def qparams(self) -> tuple[float, int]:
        lo = min(self.min_val, 0.0)
        hi = max(self.max_val, 0.0)
        if hi == lo:
            return 1.0, 0
        scale = (hi - lo) / 255
        zero_point = max(0, min(255, int(round(-lo / scale))))
        return scale, zero_point


def quantize_static(x: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    q = torch.round(x / scale) + zero_point
    return torch.clamp(q, 0, 255).to(torch.uint8)


def dequantize_static(q: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    return (q.to(torch.float32) - zero_point) * scale


def quantize_per_token(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    amax = x.abs().amax(dim=-1, keepdim=True).to(torch.float32)
    scales = torch.where(amax > 0, amax / 127, torch.ones_like(amax))
    q = torch.clamp(torch.round(x / scales), -128, 127).to(torch.int8)
    return q, scales


def dequantize_per_token(q: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    return q.to(torch.float32) * scales


def compare_errors(calibration: list[torch.Tensor], x: torch.Tensor) -> dict[str, float]:
    observer = MinMaxObserver()
    for batch in calibration:
        observer.observe(batch)
    scale, zero_point = observer.qparams()
    static_hat = dequantize_static(quantize_static(x, scale, zero_point), scale, zero_point)
    q, scales = quantize_per_token(x)
    dynamic_hat = dequantize_per_token(q, scales)
    return {
        "static": float(((x - static_hat) ** 2).mean()),
        "dynamic": float(((x - dynamic_hat) ** 2).mean()),
    }
