"""Reference solution for exercise 1.2.2 (shown by `tracker solution 1.2.2` after a pass)."""

from __future__ import annotations

import torch


class FakeQuantSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, scale: float, zero_point: int, qmin: int, qmax: int) -> torch.Tensor:
        codes = torch.round(x / scale) + zero_point
        inside = (codes >= qmin) & (codes <= qmax)
        ctx.save_for_backward(inside)
        return (torch.clamp(codes, qmin, qmax) - zero_point) * scale

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (inside,) = ctx.saved_tensors
        grad_x = grad_output * inside.to(grad_output.dtype)
        return grad_x, None, None, None, None


def fake_quantize(x: torch.Tensor, scale: float, zero_point: int = 0, qmin: int = -128, qmax: int = 127) -> torch.Tensor:
    return FakeQuantSTE.apply(x, scale, zero_point, qmin, qmax)
