"""Reference solution for exercise 0.5.4 (shown by `tracker solution 0.5.4` after a pass)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class SelfAttention(nn.Module):
    """Multi-head self-attention with the parameter names of nn.MultiheadAttention (as in exercise 0.5.2)."""

    def __init__(self, d_model: int, nhead: int):
        super().__init__()
        self.nhead = nhead
        self.head_dim = d_model // nhead
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d_model, d_model))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d_model))
        self.out_proj = nn.Linear(d_model, d_model)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        B, T, E = x.shape
        qkv = x @ self.in_proj_weight.T + self.in_proj_bias
        q, k, v = (t.view(B, T, self.nhead, self.head_dim).transpose(1, 2) for t in qkv.chunk(3, dim=-1))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        weights = torch.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1)
        return self.out_proj((weights @ v).transpose(1, 2).reshape(B, T, E))


class TransformerBlock(nn.Module):
    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int,
        norm_first: bool = False,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
    ):
        super().__init__()
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation must be 'relu' or 'gelu', got {activation!r}")
        self.norm_first = norm_first
        self.activation = F.relu if activation == "relu" else F.gelu
        self.self_attn = SelfAttention(d_model, nhead)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)

    def _sa(self, h: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        return self.self_attn(h, keep)

    def _ff(self, h: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.activation(self.linear1(h)))

    def forward(
        self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None, causal: bool = False
    ) -> torch.Tensor:
        B, T, _ = x.shape
        keep = torch.ones(B, 1, T, T, dtype=torch.bool, device=x.device)  # True = may attend
        if key_padding_mask is not None:
            keep = keep & ~key_padding_mask[:, None, None, :]
        if causal:
            keep = keep & torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        if self.norm_first:
            x = x + self._sa(self.norm1(x), keep)
            x = x + self._ff(self.norm2(x))
        else:
            x = self.norm1(x + self._sa(x, keep))
            x = self.norm2(x + self._ff(x))
        return x
