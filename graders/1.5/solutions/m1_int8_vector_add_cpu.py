"""Reference solution for capstone milestone 1.5.m1 (shown by `tracker solution 1.5.m1` after a pass)."""

from __future__ import annotations

import torch

QMIN, QMAX = -128, 127


def _saturate_to_int8(values: torch.Tensor) -> torch.Tensor:
    # Clamp while the values are still wide (float or int32); only then narrow to int8.
    return torch.clamp(values, QMIN, QMAX).to(torch.int8)


def symmetric_scale(x: torch.Tensor) -> float:
    amax = float(x.abs().max())
    return amax / 127 if amax > 0 else 1.0


def quantize_int8(x: torch.Tensor, scale: float) -> torch.Tensor:
    return _saturate_to_int8(torch.round(x / scale))


def dequantize_int8(q: torch.Tensor, scale: float) -> torch.Tensor:
    return q.to(torch.float32) * scale


def add_int32(qa: torch.Tensor, qb: torch.Tensor) -> torch.Tensor:
    return qa.to(torch.int32) + qb.to(torch.int32)


def requantize(acc: torch.Tensor, acc_scale: float, scale_out: float) -> torch.Tensor:
    scaled = acc.to(torch.float64) * (acc_scale / scale_out)
    return _saturate_to_int8(torch.round(scaled))


def quantized_add(qa: torch.Tensor, scale_a: float, qb: torch.Tensor, scale_b: float, scale_out: float) -> torch.Tensor:
    total = qa.to(torch.float32) * (scale_a / scale_out) + qb.to(torch.float32) * (scale_b / scale_out)
    return _saturate_to_int8(torch.round(total))


def int8_vector_add(a: torch.Tensor, b: torch.Tensor, scale_out: float) -> tuple[torch.Tensor, torch.Tensor]:
    scale_a = symmetric_scale(a)
    scale_b = symmetric_scale(b)
    qa = quantize_int8(a, scale_a)
    qb = quantize_int8(b, scale_b)
    q_out = quantized_add(qa, scale_a, qb, scale_b, scale_out)
    return q_out, dequantize_int8(q_out, scale_out)
