"""Reference solution for exercise 0.7.5 (shown by `tracker solution 0.7.5` after a pass)."""

from __future__ import annotations

import math

import torch
from torch import nn


def causal_attention_weights(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    T, hs = q.shape[-2], q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(hs)
    future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=q.device), diagonal=1)
    scores = scores.masked_fill(future, float("-inf"))
    return torch.softmax(scores, dim=-1)


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd: int, n_head: int):
        super().__init__()
        assert n_embd % n_head == 0
        self.n_head = n_head
        self.n_embd = n_embd
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, C = x.shape
        hs = C // self.n_head
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)
        att = causal_attention_weights(q, k)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y), att


def mean_attention_distance(att: torch.Tensor) -> torch.Tensor:
    T = att.shape[-1]
    t = torch.arange(T, dtype=att.dtype, device=att.device)
    distance = t[:, None] - t[None, :]  # t - s
    per_query = (att * distance).sum(dim=-1)  # (B, H, T)
    return per_query.mean(dim=(0, 2))
