"""Reference solution for exercise 0.5.2 (shown by `tracker solution 0.5.2` after a pass)."""

from __future__ import annotations

import math

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim: int, num_heads: int):
        super().__init__()
        assert embed_dim % num_heads == 0, "embed_dim must be divisible by num_heads"
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, E) -> (B, num_heads, T, head_dim): head h takes features [h * head_dim, (h + 1) * head_dim)."""
        B, T, _ = x.shape
        return x.view(B, T, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        causal: bool = False,
        average_attn_weights: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        B, L, E = query.shape
        S = key.shape[1]
        w_q, w_k, w_v = self.in_proj_weight.chunk(3, dim=0)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3, dim=0)
        q = self._split_heads(query @ w_q.T + b_q)
        k = self._split_heads(key @ w_k.T + b_k)
        v = self._split_heads(value @ w_v.T + b_v)

        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (B, H, L, S)
        keep = torch.ones(B, 1, L, S, dtype=torch.bool, device=query.device)
        if key_padding_mask is not None:
            keep = keep & ~key_padding_mask[:, None, None, :]
        if causal:
            keep = keep & torch.ones(L, S, dtype=torch.bool, device=query.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
        weights = torch.softmax(scores, dim=-1)

        heads = weights @ v  # (B, H, L, head_dim)
        out = self.out_proj(heads.transpose(1, 2).reshape(B, L, E))
        if average_attn_weights:
            return out, weights.mean(dim=1)
        return out, weights
