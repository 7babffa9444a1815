"""Exercise 0.10.2: the Transformer's learning-rate schedule and label smoothing (Vaswani et al., 2017).

Section 5.3 of the paper trains with Adam and varies the learning rate as

    lrate = d_model ** -0.5 * min(step ** -0.5, step * warmup_steps ** -1.5)

a linear warm-up for the first ``warmup_steps`` steps, then a decay proportional to the inverse square
root of the step number; both branches meet at ``step == warmup_steps``. Section 5.4 uses label
smoothing with epsilon_ls = 0.1.

Implement:

``transformer_lr(step, d_model=512, warmup_steps=4000) -> float``
    The formula above for ``step >= 1`` (steps are counted from 1: the first optimizer update is step 1).
    Return a Python float.

``make_scheduler(optimizer, d_model=512, warmup_steps=4000)``
    Return a ``torch.optim.lr_scheduler.LambdaLR`` (or any ``LRScheduler``) so that the learning rate the
    optimizer uses for its k-th ``optimizer.step()`` (k = 1, 2, ...) is ``base_lr * transformer_lr(k)``,
    where ``base_lr`` is the learning rate the optimizer was created with (the grader uses 1.0, so the
    schedule IS the learning rate). The grader runs the usual loop and reads the learning rate just
    before each update::

        scheduler = make_scheduler(optimizer, d_model, warmup_steps)
        for k in range(1, K + 1):
            lr_k = optimizer.param_groups[0]["lr"]   # must equal transformer_lr(k, ...)
            optimizer.step()
            scheduler.step()

    Mind that ``LambdaLR`` calls your function with 0 when it is created and with 1 after the first
    ``scheduler.step()``.

``label_smoothed_cross_entropy(logits, target, epsilon=0.1, ignore_index=-100) -> torch.Tensor``
    ``logits``: float tensor (N, C); ``target``: int64 tensor (N,) of class indices, where entries equal
    to ``ignore_index`` (padding) are ignored. The smoothed target distribution of a row with class y is
    ``q = (1 - epsilon) * onehot(y) + epsilon / C`` (the epsilon mass is spread uniformly over ALL C
    classes, the true one included, as ``torch.nn.functional.cross_entropy(label_smoothing=...)`` does).
    The loss of a row is the cross-entropy ``-sum_c q_c * log_softmax(logits)_c``; return the mean over
    the rows that are not ignored, as a 0-dim tensor that autograd can differentiate with respect to
    ``logits``. Compute log-probabilities stably (``torch.log_softmax`` is allowed).
    Off-limits: ``F.cross_entropy``, ``nn.CrossEntropyLoss``, ``F.nll_loss``, ``nn.NLLLoss``.

The grader runs the loss on its device (a GPU when there is one): create every tensor on the logits'
device (``device=logits.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Tolerances: learning rates rtol 1e-9 (they are plain floats); the loss and its gradient rtol 1e-5,
atol 1e-6 (float32 inputs).
"""

from __future__ import annotations

import torch


def transformer_lr(step: int, d_model: int = 512, warmup_steps: int = 4000) -> float:
    """d_model^-0.5 * min(step^-0.5, step * warmup_steps^-1.5) for step >= 1."""
    raise NotImplementedError("write transformer_lr")


def make_scheduler(optimizer: torch.optim.Optimizer, d_model: int = 512, warmup_steps: int = 4000):
    """A scheduler that makes the k-th optimizer step use base_lr * transformer_lr(k)."""
    raise NotImplementedError("write make_scheduler")


def label_smoothed_cross_entropy(
    logits: torch.Tensor, target: torch.Tensor, epsilon: float = 0.1, ignore_index: int = -100
) -> torch.Tensor:
    """Mean cross-entropy against (1 - epsilon) * onehot + epsilon / C over the non-ignored rows."""
    raise NotImplementedError("write label_smoothed_cross_entropy")
