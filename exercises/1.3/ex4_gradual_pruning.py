"""Exercise 1.3.4: a gradual (cubic) pruning schedule and an iterative prune / fine-tune loop.

Pruning a network to high sparsity in one shot destroys accuracy; pruning a little at a time and
fine-tuning in between lets the remaining weights take over the work of the removed ones. Zhu & Gupta
(2017, "To prune, or not to prune") raise the sparsity along a cubic curve: fast at first, while there are
many redundant weights, and slowly near the end.

Write three functions:

1. ``cubic_sparsity(step, initial_sparsity, final_sparsity, begin_step, end_step) -> float``:

       s(t) = s_f + (s_i - s_f) * (1 - (t - t0) / (t1 - t0)) ** 3      for t0 <= t <= t1

   with ``s_i = initial_sparsity``, ``s_f = final_sparsity``, ``t0 = begin_step``, ``t1 = end_step``;
   ``s_i`` before ``t0`` and ``s_f`` after ``t1``. Return a Python float.

2. ``layer_masks(model, sparsity) -> dict[str, torch.Tensor]``: layer-wise magnitude masks. For the
   weight of every ``nn.Linear`` in ``model``, prune the ``k = round(sparsity * weight.numel())``
   entries of smallest ``|w|`` OF THAT LAYER (each layer gets the same sparsity; no global ranking).
   Keys are the weights' names in ``model.named_parameters()`` (e.g. ``"0.weight"``), values
   ``torch.bool`` masks of the weight's shape, ``True`` = kept. Biases are never pruned and get no entry.
   Already-zero weights count as the smallest, so they stay pruned as the sparsity grows. This function
   only computes masks: it does not change the model.

3. ``iterative_prune(model, X, y, targets, steps, lr) -> dict[str, torch.Tensor]``: for each sparsity
   in ``targets``, in order:

   a. ``masks = layer_masks(model, target)`` and set the pruned weights to zero (in place);
   b. fine-tune for ``steps`` steps of plain SGD (``torch.optim.SGD(model.parameters(), lr=lr)``,
      no momentum, no weight decay) on the full batch: ``loss = F.mse_loss(model(X), y)``,
      ``zero_grad``, ``backward``, ``step``, and after EVERY step set the pruned weights back to exactly
      zero (or mask their gradients; with plain SGD both give the same result).

   Prune first, then fine-tune, at every stage. Modify ``model`` in place and return the masks of the
   last stage.

The grader runs your code with the model and data on its device (a GPU when there is one): make every
mask on the weight's device (``device=w.device`` or ``torch.ones_like``), and never hard-code ``"cuda"``.

Tolerances: the schedule to 1e-9; masks exactly; weights after the loop to ``atol=1e-4`` of the
reference run (same model, data and order of operations).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: F401  (for the loss)
from torch import nn


def cubic_sparsity(step: int, initial_sparsity: float, final_sparsity: float, begin_step: int, end_step: int) -> float:
    """Return the sparsity the cubic schedule prescribes at ``step``."""
    raise NotImplementedError("write cubic_sparsity")


def layer_masks(model: nn.Module, sparsity: float) -> dict[str, torch.Tensor]:
    """Return ``{weight name: bool mask}`` pruning ``round(sparsity * numel)`` weights in every nn.Linear."""
    raise NotImplementedError("write layer_masks")


def iterative_prune(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    targets: list[float],
    steps: int,
    lr: float,
) -> dict[str, torch.Tensor]:
    """Prune to each target in turn, fine-tuning ``steps`` SGD steps after each; return the last masks."""
    raise NotImplementedError("write iterative_prune")
