"""Exercise 1.3.5: distillation across architectures, a CNN student learning from a ViT-like teacher.

Logit distillation (exercise 1.3.2) works between any two architectures that share the label space. To
also transfer what the teacher's hidden layers know ("hints", FitNets, Romero et al. 2015), the student's
features must first be mapped into the teacher's feature space: here a CNN student with a feature map of
shape ``(B, C_s, H_s, W_s)`` learns from a transformer-like teacher whose features are patch tokens of
shape ``(B, N, D_t)``. A learned 1x1 convolution (the projector) maps the student's ``C_s`` channels to
``D_t``; average pooling maps its ``H_s x W_s`` grid onto the teacher's ``Ht x Wt`` patch grid; flattening
the grid gives one token per patch. The projector goes on the STUDENT side: a learned map on the teacher's
side could shrink the teacher's features towards whatever is easiest to match.

Write three functions:

1. ``student_tokens(student_feat, projector, grid) -> tokens``: ``student_feat`` is ``(B, C_s, H_s, W_s)``,
   ``projector`` an ``nn.Conv2d(C_s, D_t, kernel_size=1)``, ``grid = (Ht, Wt)`` with ``H_s = k * Ht`` and
   ``W_s = k * Wt`` for an integer ``k``. Apply the projector, average-pool non-overlapping ``k x k``
   windows down to ``(Ht, Wt)`` (``F.avg_pool2d`` or ``F.adaptive_avg_pool2d``; the two steps are linear
   and commute, so either order is fine), and return ``(B, Ht * Wt, D_t)`` tokens in row-major patch order:
   ``tokens[b, n, :] = pooled[b, :, n // Wt, n % Wt]``.

2. ``feature_distillation_loss(student_feat, teacher_tokens, projector, grid) -> loss``: the mean squared
   error between ``student_tokens(student_feat, projector, grid)`` and ``teacher_tokens`` (``(B, N, D_t)``),
   averaged over all ``B * N * D_t`` elements, as a 0-dim tensor. The teacher is a fixed target: no
   gradient may flow into ``teacher_tokens``.

3. ``distill(student, teacher, projector, X, grid, steps, lr) -> list[float]``: hint training.
   ``student(X)`` returns the student's feature map and ``teacher(X)`` the teacher's tokens. Freeze the
   teacher (no gradient, its parameters must not change; call ``teacher.eval()``; computing its tokens
   under ``torch.no_grad()`` is enough, ``requires_grad_(False)`` on its parameters is up to you). Train
   the student AND the projector with ONE ``torch.optim.SGD(list(student.parameters()) +
   list(projector.parameters()), lr=lr)`` (plain SGD) for ``steps`` full-batch steps: loss, ``zero_grad``,
   ``backward``, ``step``.
   Return the ``steps`` loss values as Python floats, each computed before that step's update.

The grader runs your code with the modules and data on its device (a GPU when there is one): keep every
tensor there (no ``.cpu()`` on the teacher's tokens), and never hard-code ``"cuda"``.

Tolerances: tokens and losses ``rtol=1e-5, atol=1e-6``; the loss curve of ``distill`` ``rtol=1e-4`` of the
reference run (same modules, data and order of operations).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: F401  (pooling, MSE)
from torch import nn


def student_tokens(student_feat: torch.Tensor, projector: nn.Module, grid: tuple[int, int]) -> torch.Tensor:
    """Project, pool to ``grid`` and flatten the student's feature map to ``(B, Ht * Wt, D_t)`` tokens."""
    raise NotImplementedError("write student_tokens")


def feature_distillation_loss(
    student_feat: torch.Tensor,
    teacher_tokens: torch.Tensor,
    projector: nn.Module,
    grid: tuple[int, int],
) -> torch.Tensor:
    """Return the MSE between the projected student tokens and the (detached) teacher tokens."""
    raise NotImplementedError("write feature_distillation_loss")


def distill(
    student: nn.Module,
    teacher: nn.Module,
    projector: nn.Module,
    X: torch.Tensor,
    grid: tuple[int, int],
    steps: int,
    lr: float,
) -> list[float]:
    """Train student and projector to match the frozen teacher's tokens; return the loss of each step."""
    raise NotImplementedError("write distill")
