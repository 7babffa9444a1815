"""Exercise 1.3.1: unstructured, structured and 2:4 pruning, and what each does to a layer's size.

Unstructured pruning zeroes single weights: the tensor keeps its shape, so a GPU only gains if a sparse
kernel can skip the zeros. Structured pruning removes whole neurons: the layers get smaller and any dense
kernel runs faster. 2:4 ("semi-structured") sparsity sits in between: two of every four consecutive
weights are zero, a pattern that sparse tensor cores (NVIDIA Ampere and later) can skip.

Write the four functions below with basic tensor operations. Everything in ``torch.nn.utils.prune`` is
off-limits while your code runs: the grader uses it as the reference.

1. ``magnitude_prune(weight, sparsity) -> (pruned, mask)``: unstructured magnitude pruning. Zero the
   ``k = round(sparsity * weight.numel())`` entries with the smallest absolute value over the whole
   tensor (Python's ``round``; the tensor may have any number of dimensions). ``mask`` is a
   ``torch.bool`` tensor of the same shape, ``True`` where the weight is kept; ``pruned`` is
   ``weight * mask`` with the dtype of ``weight``. Do not modify ``weight``. The grader's weights have no
   ties in ``|w|``.

2. ``prune_hidden_units(fc1, fc2, n_keep) -> (new_fc1, new_fc2)``: structured pruning of the hidden layer
   of ``fc2(relu(fc1(x)))`` (both ``nn.Linear`` with a bias). Hidden unit ``j`` is row ``j`` of
   ``fc1.weight`` (with ``fc1.bias[j]``) and column ``j`` of ``fc2.weight``. Score each unit by the L2
   norm of its row of ``fc1.weight`` (the bias is not part of the score) and keep the ``n_keep`` units
   with the largest scores, in their original (ascending index) order. Return two NEW ``nn.Linear``
   modules: ``new_fc1`` of shape ``(n_keep, fc1.in_features)`` holding the kept rows and bias entries,
   ``new_fc2`` of shape ``(fc2.out_features, n_keep)`` holding the kept columns and all of ``fc2.bias``.
   Leave ``fc1`` and ``fc2`` unchanged. The pruned pair computes exactly what the original network
   computes when the removed units' activations are forced to zero.

3. ``semi_structured_mask(weight) -> mask``: 2:4 sparsity for a 2-D weight ``(out_features,
   in_features)``, ``in_features`` a multiple of 4. Split each row into consecutive groups of 4 along
   ``in_features`` (columns 0-3, 4-7, ...) and keep the 2 entries of largest ``|w|`` in each group.
   Return a ``torch.bool`` mask of the same shape (``True`` = kept).

4. ``semi_structured_bytes(rows, cols, elem_bytes) -> int``: the storage of a 2:4-sparse
   ``rows x cols`` matrix in the compressed format used by sparse tensor cores: the kept values (half of
   the entries, ``elem_bytes`` bytes each) plus 2 bits of metadata per kept value (its position 0-3 inside
   its group of 4). ``cols`` is a multiple of 16. (The dense matrix takes ``rows * cols * elem_bytes``.)

Tolerances: masks and byte counts must be exact; pruned weights and layer outputs are compared with
``rtol=1e-5, atol=1e-6``.
"""

from __future__ import annotations

import torch
from torch import nn


def magnitude_prune(weight: torch.Tensor, sparsity: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(weight * mask, mask)`` with the ``round(sparsity * numel)`` smallest-|w| entries zeroed."""
    raise NotImplementedError("write magnitude_prune")


def prune_hidden_units(fc1: nn.Linear, fc2: nn.Linear, n_keep: int) -> tuple[nn.Linear, nn.Linear]:
    """Return new, smaller ``(fc1, fc2)`` that keep the ``n_keep`` hidden units of largest row L2 norm."""
    raise NotImplementedError("write prune_hidden_units")


def semi_structured_mask(weight: torch.Tensor) -> torch.Tensor:
    """Return the 2:4 mask of a 2-D weight: the 2 largest |w| of every 4 consecutive entries in a row."""
    raise NotImplementedError("write semi_structured_mask")


def semi_structured_bytes(rows: int, cols: int, elem_bytes: int) -> int:
    """Return the bytes of a 2:4-compressed ``rows x cols`` matrix: kept values plus 2-bit indices."""
    raise NotImplementedError("write semi_structured_bytes")
