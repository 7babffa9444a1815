"""Reference solution for exercise 0.5.3 (shown by `tracker solution 0.5.3` after a pass)."""

from __future__ import annotations

import math

import torch
from torch import nn


def _frequencies(d_model: int) -> torch.Tensor:
    """omega_i = 10000 ** (-2i / d_model) for i = 0 .. d_model/2 - 1, in float64."""
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    return torch.exp(-math.log(10000.0) * two_i / d_model)


def sinusoidal_encoding(max_len: int, d_model: int) -> torch.Tensor:
    positions = torch.arange(max_len, dtype=torch.float64)[:, None]
    angles = positions * _frequencies(d_model)[None, :]  # (max_len, d_model / 2)
    pe = torch.empty(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe.to(torch.float32)


class SinusoidalPositionalEncoding(nn.Module):
    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pe[: x.shape[1]]


class LearnedPositionalEmbedding(nn.Module):
    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.max_len = max_len
        self.weight = nn.Parameter(torch.randn(max_len, d_model) * 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = x.shape[1]
        if T > self.max_len:
            raise ValueError(f"sequence length {T} exceeds max_len {self.max_len}")
        return x + self.weight[:T]


def relative_shift_matrix(k: int, d_model: int) -> torch.Tensor:
    angles = k * _frequencies(d_model)
    c, s = torch.cos(angles), torch.sin(angles)
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    even = torch.arange(0, d_model, 2)
    # [sin(a + b), cos(a + b)] = [[cos b, sin b], [-sin b, cos b]] @ [sin a, cos a]
    m[even, even] = c
    m[even, even + 1] = s
    m[even + 1, even] = -s
    m[even + 1, even + 1] = c
    return m.to(torch.float32)
