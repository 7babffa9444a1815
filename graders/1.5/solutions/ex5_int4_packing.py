"""Reference solution for exercise 1.5.5 (shown by `tracker solution 1.5.5` after a pass)."""

from __future__ import annotations

import torch


def quantize_int4(x: torch.Tensor, scale: float) -> torch.Tensor:
    return torch.clamp(torch.round(x / scale), -8, 7).to(torch.int8)


def pack_int4(q: torch.Tensor) -> torch.Tensor:
    nibbles = q.to(torch.int16) & 0xF  # two's complement, 4 bits
    low, high = nibbles[..., 0::2], nibbles[..., 1::2]
    return (low | (high << 4)).to(torch.uint8)


def unpack_int4(packed: torch.Tensor) -> torch.Tensor:
    p = packed.to(torch.int16)
    low, high = p & 0xF, (p >> 4) & 0xF
    both = torch.stack([low, high], dim=-1).reshape(*packed.shape[:-1], -1)
    both = torch.where(both >= 8, both - 16, both)  # sign-extend
    return both.to(torch.int8)


def int4_matmul(a_packed: torch.Tensor, b_packed: torch.Tensor) -> torch.Tensor:
    a = unpack_int4(a_packed).to(torch.int32)
    b = unpack_int4(b_packed).to(torch.int32)
    return a @ b.T


def int4_linear(a_packed: torch.Tensor, a_scale: float, b_packed: torch.Tensor, b_scales: torch.Tensor) -> torch.Tensor:
    acc = int4_matmul(a_packed, b_packed)
    return acc.to(torch.float32) * a_scale * b_scales.to(torch.float32)[None, :]
