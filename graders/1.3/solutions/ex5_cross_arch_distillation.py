"""Reference solution for exercise 1.3.5 (shown by `tracker solution 1.3.5` after a pass)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def student_tokens(student_feat: torch.Tensor, projector: nn.Module, grid: tuple[int, int]) -> torch.Tensor:
    projected = projector(student_feat)  # (B, D_t, H_s, W_s)
    pooled = F.adaptive_avg_pool2d(projected, grid)  # (B, D_t, Ht, Wt)
    return pooled.flatten(2).transpose(1, 2)  # (B, Ht * Wt, D_t)


def feature_distillation_loss(
    student_feat: torch.Tensor,
    teacher_tokens: torch.Tensor,
    projector: nn.Module,
    grid: tuple[int, int],
) -> torch.Tensor:
    tokens = student_tokens(student_feat, projector, grid)
    return F.mse_loss(tokens, teacher_tokens.detach())


def distill(
    student: nn.Module,
    teacher: nn.Module,
    projector: nn.Module,
    X: torch.Tensor,
    grid: tuple[int, int],
    steps: int,
    lr: float,
) -> list[float]:
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    with torch.no_grad():
        target = teacher(X)
    optimizer = torch.optim.SGD(list(student.parameters()) + list(projector.parameters()), lr=lr)
    losses = []
    for _ in range(steps):
        loss = feature_distillation_loss(student(X), target, projector, grid)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    return losses
