"""Reference solution for exercise 0.7.4 (shown by `tracker solution 0.7.4` after a pass)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def receptive_field(n_layers: int, kernel_size: int = 2) -> int:
    field = 1
    for layer in range(n_layers):
        field += (kernel_size - 1) * 2**layer
    return field


class CausalConv1d(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int = 1):
        super().__init__()
        self.left_pad = (kernel_size - 1) * dilation
        self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, (self.left_pad, 0)))


class WaveNetStack(nn.Module):
    def __init__(self, channels: int, n_layers: int, kernel_size: int = 2):
        super().__init__()
        self.layers = nn.ModuleList(
            CausalConv1d(channels, channels, kernel_size, dilation=2**layer) for layer in range(n_layers)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for layer in self.layers:
            h = h + torch.tanh(layer(h))
        return h
