"""Reference solution for exercise 0.5.1 (shown by `tracker solution 0.5.1` after a pass)."""

from __future__ import annotations

import math

import torch


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    is_causal: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    L, S = scores.shape[-2], scores.shape[-1]
    if is_causal:
        mask = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
    if mask is not None:
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask
    weights = torch.softmax(scores, dim=-1)
    # A query whose keys are all masked has only -inf scores, and its softmax is NaN: make it zeros.
    fully_masked = torch.isneginf(scores).all(dim=-1, keepdim=True)
    weights = weights.masked_fill(fully_masked, 0.0)
    return weights @ v, weights
