"""Reference solution for exercise 1.3.1 (shown by `tracker solution 1.3.1` after a pass)."""

from __future__ import annotations

import torch
from torch import nn


def magnitude_prune(weight: torch.Tensor, sparsity: float) -> tuple[torch.Tensor, torch.Tensor]:
    n = weight.numel()
    k = round(sparsity * n)
    mask = torch.ones(n, dtype=torch.bool, device=weight.device)
    if k > 0:
        smallest = torch.argsort(weight.detach().abs().reshape(-1))[:k]
        mask[smallest] = False
    mask = mask.reshape(weight.shape)
    return weight * mask, mask


def prune_hidden_units(fc1: nn.Linear, fc2: nn.Linear, n_keep: int) -> tuple[nn.Linear, nn.Linear]:
    scores = fc1.weight.detach().norm(p=2, dim=1)
    keep = torch.topk(scores, n_keep).indices.sort().values
    new_fc1 = nn.Linear(fc1.in_features, n_keep)
    new_fc2 = nn.Linear(n_keep, fc2.out_features)
    with torch.no_grad():
        new_fc1.weight.copy_(fc1.weight[keep])
        new_fc1.bias.copy_(fc1.bias[keep])
        new_fc2.weight.copy_(fc2.weight[:, keep])
        new_fc2.bias.copy_(fc2.bias)
    return new_fc1, new_fc2


def semi_structured_mask(weight: torch.Tensor) -> torch.Tensor:
    rows, cols = weight.shape
    groups = weight.detach().abs().reshape(rows, cols // 4, 4)
    top2 = groups.topk(2, dim=-1).indices
    mask = torch.zeros(groups.shape, dtype=torch.bool, device=weight.device)
    mask.scatter_(-1, top2, True)
    return mask.reshape(rows, cols)


def semi_structured_bytes(rows: int, cols: int, elem_bytes: int) -> int:
    kept = rows * cols // 2
    values = kept * elem_bytes
    metadata = kept * 2 // 8
    return values + metadata
