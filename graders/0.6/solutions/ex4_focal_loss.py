"""Reference solution for exercise 0.6.4 (shown by `tracker solution 0.6.4` after a pass)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _reduce(loss: torch.Tensor, reduction: str, weights: torch.Tensor | None = None) -> torch.Tensor:
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weights.sum() if weights is not None else loss.mean()
    raise ValueError(f"unknown reduction {reduction!r}")


def focal_loss(logits, targets, gamma=2.0, alpha=None, reduction="mean"):
    log_probs = torch.log_softmax(logits, dim=-1)
    log_pt = log_probs.gather(1, targets.unsqueeze(1)).squeeze(1)
    pt = log_pt.exp()
    loss = -((1 - pt) ** gamma) * log_pt
    weights = None
    if alpha is not None:
        weights = alpha.to(logits.dtype)[targets]
        loss = weights * loss
    return _reduce(loss, reduction, weights)


def sigmoid_focal_loss(logits, targets, gamma=2.0, alpha=0.25, reduction="mean"):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return _reduce(loss, reduction)
