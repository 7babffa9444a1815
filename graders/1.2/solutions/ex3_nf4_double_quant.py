"""Reference solution for exercise 1.2.3 (shown by `tracker solution 1.2.3` after a pass)."""

from __future__ import annotations

import torch

_DELTA = 0.9677083


def nf4_codebook() -> torch.Tensor:
    ndtri = torch.special.ndtri
    positive = ndtri(torch.linspace(_DELTA, 0.5, 9, dtype=torch.float64)[:-1])
    negative = -ndtri(torch.linspace(_DELTA, 0.5, 8, dtype=torch.float64)[:-1])
    levels = torch.cat([negative, torch.zeros(1, dtype=torch.float64), positive]).sort().values
    return (levels / levels.abs().max()).to(torch.float32)


def quantize_blockwise(w: torch.Tensor, codebook: torch.Tensor, block_size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    blocks = w.reshape(-1, block_size).to(torch.float32)
    absmax = blocks.abs().amax(dim=1)
    safe = torch.where(absmax > 0, absmax, torch.ones_like(absmax))
    normalized = blocks / safe[:, None]
    distance = (normalized[..., None] - codebook.to(torch.float32)).abs()
    codes = distance.argmin(dim=-1)
    return codes.reshape(-1).to(torch.uint8), absmax


def dequantize_blockwise(
    codes: torch.Tensor, absmax: torch.Tensor, codebook: torch.Tensor, block_size: int, shape: tuple[int, ...]
) -> torch.Tensor:
    values = codebook.to(torch.float32)[codes.long()].reshape(-1, block_size)
    return (values * absmax.to(torch.float32)[:, None]).reshape(shape)


def double_quantize(absmax: torch.Tensor, block_size: int = 256) -> tuple[torch.Tensor, torch.Tensor, float]:
    offset = float(absmax.mean())
    centred = (absmax - offset).reshape(-1, block_size)
    amax = centred.abs().amax(dim=1)
    scales = torch.where(amax > 0, amax / 127, torch.ones_like(amax)).to(torch.float32)
    q = torch.clamp(torch.round(centred / scales[:, None]), -128, 127).to(torch.int8)
    return q.reshape(-1), scales, offset


def dequantize_absmax(q: torch.Tensor, scales: torch.Tensor, offset: float, block_size: int = 256) -> torch.Tensor:
    values = q.to(torch.float32).reshape(-1, block_size) * scales[:, None]
    return (values + offset).reshape(-1)


def bits_per_parameter(block_size: int = 64, double_quant: bool = False, dq_block_size: int = 256) -> float:
    if not double_quant:
        return 4 + 32 / block_size
    return 4 + 8 / block_size + 32 / (block_size * dq_block_size)


def nf4_roundtrip_mse(w: torch.Tensor, block_size: int = 64, double_quant: bool = False) -> float:
    codebook = nf4_codebook()
    codes, absmax = quantize_blockwise(w, codebook, block_size)
    if double_quant:
        q, scales, offset = double_quantize(absmax)
        absmax = dequantize_absmax(q, scales, offset)
    w_hat = dequantize_blockwise(codes, absmax, codebook, block_size, tuple(w.shape))
    return float(((w - w_hat) ** 2).mean())
