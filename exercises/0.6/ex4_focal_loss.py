"""Exercise 0.6.4: focal loss, multi-class (softmax) and binary (sigmoid), for class imbalance.

Focal loss (Lin et al., 2017) scales each example's cross-entropy by ``(1 - p_t) ** gamma``, where
``p_t`` is the probability the model gives to the TRUE class: well-classified ("easy") examples, with
``p_t`` near 1, are down-weighted, so the many easy majority-class examples stop dominating the loss.
With ``gamma = 0`` it is (weighted) cross-entropy again.

Everything must be differentiable (the grader back-propagates through your loss) and numerically
stable: logits as large as +-200 must give finite losses and gradients, so take the log-probabilities
from ``torch.log_softmax`` / ``F.logsigmoid`` / ``F.binary_cross_entropy_with_logits`` /
``F.cross_entropy(..., reduction="none")`` rather than ``log(softmax(...))``. Those routines are all allowed.

1. ``focal_loss(logits, targets, gamma=2.0, alpha=None, reduction="mean")``

   * ``logits``: float tensor ``(N, C)``; ``targets``: int64 class indices ``(N,)``.
   * ``alpha``: ``None`` (no weighting) or a float tensor ``(C,)`` of per-CLASS weights; example ``i``
     gets the weight ``w_i = alpha[targets[i]]`` (``w_i = 1`` when ``alpha`` is ``None``).
   * ``log_p_t = log_softmax(logits)[i, targets[i]]``, ``p_t = exp(log_p_t)`` and
     ``loss_i = -w_i * (1 - p_t) ** gamma * log_p_t``.
   * ``reduction``: ``"none"`` returns the ``(N,)`` vector of ``loss_i``; ``"sum"`` their sum;
     ``"mean"`` the WEIGHTED mean ``sum_i loss_i / sum_i w_i`` (the convention of ``F.cross_entropy``
     with ``weight=``, so that ``gamma = 0`` reproduces ``F.cross_entropy(logits, targets, weight=alpha)``
     for every reduction; without ``alpha`` it is the plain mean).

2. ``sigmoid_focal_loss(logits, targets, gamma=2.0, alpha=0.25, reduction="mean")`` (binary, as in
   RetinaNet; every element is its own binary problem)

   * ``logits`` and ``targets`` have the same shape; ``targets`` are floats in ``{0, 1}``.
   * ``p = sigmoid(logits)``, ``ce = binary cross-entropy of (logits, targets)`` elementwise,
     ``p_t = p * targets + (1 - p) * (1 - targets)`` and ``loss = ce * (1 - p_t) ** gamma``.
   * ``alpha``: ``None`` for no weighting, else multiply by
     ``alpha_t = alpha * targets + (1 - alpha) * (1 - targets)`` (``alpha`` weighs the POSITIVES).
   * ``reduction``: ``"none"`` (same shape as ``logits``), ``"sum"``, or ``"mean"`` (plain mean over all
     elements).

Return tensors (0-dimensional for ``"sum"``/``"mean"``). Tolerance: ``rtol=1e-4, atol=1e-6`` for losses
and gradients (float32 inputs).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def focal_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    gamma: float = 2.0,
    alpha: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """Multi-class focal loss from logits ``(N, C)`` and class indices ``(N,)``."""
    raise NotImplementedError("write focal_loss")


def sigmoid_focal_loss(
    logits: torch.Tensor,
    targets: torch.Tensor,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    reduction: str = "mean",
) -> torch.Tensor:
    """Binary (sigmoid) focal loss, elementwise over ``logits`` and 0/1 ``targets`` of the same shape."""
    raise NotImplementedError("write sigmoid_focal_loss")
