"""Reference solution for exercise 1.3.3 (shown by `tracker solution 1.3.3` after a pass)."""

from __future__ import annotations

import math

import torch
from torch import nn


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, device=base.weight.device))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, device=base.weight.device))
        self.scaling = alpha / r

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scaling * ((x @ self.lora_A.T) @ self.lora_B.T)

    def merged(self) -> nn.Linear:
        out = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None,
                        device=self.base.weight.device)
        with torch.no_grad():
            out.weight.copy_(self.base.weight + self.scaling * (self.lora_B @ self.lora_A))
            if self.base.bias is not None:
                out.bias.copy_(self.base.bias)
        return out


def lora_parameter_counts(d_in: int, d_out: int, r: int) -> tuple[int, int]:
    full = d_in * d_out
    lora = r * d_in + d_out * r
    return full, lora


FULL_PARAMS = 2048 * 8192  # 16,777,216
LORA_PARAMS = 16 * (2048 + 8192)  # 163,840
REDUCTION_FACTOR = FULL_PARAMS / LORA_PARAMS  # 102.4
