"""Exercise 1.3.2: soft targets and the knowledge-distillation loss (Hinton et al., 2015).

A hard label says only which class is right. A teacher's soft targets, its softmax at a temperature
``T > 1``, also say how wrong each wrong class is ("a 7 looks a bit like a 1"), which is what the student
learns from. Write two functions with basic tensor operations; ``torch.softmax`` and
``torch.log_softmax`` are allowed, but ``F.kl_div``, ``F.cross_entropy``, ``F.nll_loss`` and the
matching ``nn`` loss classes are off-limits while your code runs (the grader uses them as the reference).

1. ``soft_targets(logits, T) -> probs``: ``softmax(logits / T)`` over the last dimension.

2. ``distillation_loss(student_logits, teacher_logits, labels, T, alpha) -> loss``:
   ``student_logits`` and ``teacher_logits`` have shape ``(B, C)``, ``labels`` shape ``(B,)`` (int64 class
   indices). Return a 0-dim tensor

       loss = alpha * T**2 * KL(p || q)  +  (1 - alpha) * CE(student_logits, labels)

   * ``p = softmax(teacher_logits / T)`` and ``q = softmax(student_logits / T)``, over the classes;
   * ``KL(p || q) = sum_c p_c * (log p_c - log q_c)``, summed over the classes and AVERAGED OVER THE BATCH
     (what PyTorch calls ``reduction="batchmean"``);
   * ``CE`` is the usual cross-entropy of the student's logits at temperature 1 against the hard labels,
     averaged over the batch;
   * the ``T**2`` factor keeps the soft-target gradients (which scale as ``1/T**2``) comparable in size
     to the hard-label gradients when ``T`` changes;
   * the teacher is a fixed target: no gradient may flow into ``teacher_logits`` (they may arrive with
     ``requires_grad=True``);
   * the loss must be differentiable with respect to ``student_logits`` (stay in torch, no ``.item()``);
   * it must stay finite when some teacher probabilities underflow to 0 (very confident teachers): use
     log-probabilities (``torch.log_softmax``) rather than ``log`` of a probability.

Tolerances: ``rtol=1e-5, atol=1e-6`` on probabilities, losses and gradients (float32 inputs).
"""

from __future__ import annotations

import torch


def soft_targets(logits: torch.Tensor, T: float) -> torch.Tensor:
    """Return ``softmax(logits / T)`` over the last dimension."""
    raise NotImplementedError("write soft_targets")


def distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    labels: torch.Tensor,
    T: float,
    alpha: float,
) -> torch.Tensor:
    """Return ``alpha * T**2 * KL(p_teacher || q_student) + (1 - alpha) * CE`` as a 0-dim tensor."""
    raise NotImplementedError("write distillation_loss")
