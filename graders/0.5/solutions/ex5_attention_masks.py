"""Reference solution for exercise 0.5.5 (shown by `tracker solution 0.5.5` after a pass)."""

from __future__ import annotations

import math

import torch


def causal_mask(T: int) -> torch.Tensor:
    return torch.ones(T, T, dtype=torch.bool).tril()


def padding_mask(lengths: torch.Tensor, T: int) -> torch.Tensor:
    return torch.arange(T, device=lengths.device)[None, :] < lengths[:, None]


def attention_mask(lengths: torch.Tensor, T: int, causal: bool) -> torch.Tensor:
    keep = padding_mask(lengths, T)[:, None, None, :]  # (B, 1, 1, T): masks keys, broadcasts over queries
    if causal:
        keep = keep & causal_mask(T).to(lengths.device)
    else:
        keep = keep.expand(-1, -1, T, -1)
    return keep


def masked_self_attention(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    lengths: torch.Tensor | None = None,
    causal: bool = False,
) -> torch.Tensor:
    B, T, _ = x.shape
    if lengths is None:
        lengths = torch.full((B,), T, dtype=torch.long, device=x.device)
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, T, T)
    keep = attention_mask(lengths, T, causal)[:, 0]
    weights = torch.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1)
    return weights @ v
