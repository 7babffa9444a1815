"""Exercise 0.6.5: mixup and CutMix batch augmentation, with labels mixed to match.

Both augmentations pair every example with another example of the same batch (a random permutation)
and blend them with ONE mixing weight ``lam`` for the whole batch, drawn from ``Beta(alpha, alpha)``.
The one-hot labels are blended with exactly the same weight as the inputs, so the target says how much
of each image is in the blend. Train on the result with a soft-target cross-entropy.

Randomness comes only from the ``numpy.random.Generator`` passed in as ``rng`` (the grader seeds it and
replays the same draws). Make exactly these draws, in this order, and no others:

* ``mixup``: ``lam = rng.beta(alpha, alpha)`` then ``perm = rng.permutation(n)``;
* ``cutmix``: ``lam = rng.beta(alpha, alpha)``, ``perm = rng.permutation(n)``, ``cy = rng.integers(H)``,
  ``cx = rng.integers(W)``.

(``n`` is the batch size; use ``perm`` as a torch index, e.g. ``torch.as_tensor(perm)``.)

Functions:

1. ``one_hot(y, num_classes) -> Tensor``: float32 ``(n, num_classes)``.

2. ``mixup(x, y, num_classes, alpha, rng) -> (x_mix, y_mix, lam)``
   ``x`` is float ``(n, ...)``, ``y`` int64 class indices ``(n,)``.
   ``x_mix = lam * x + (1 - lam) * x[perm]`` and ``y_mix = lam * Y + (1 - lam) * Y[perm]`` where
   ``Y = one_hot(y, num_classes)``. ``lam`` is returned as a Python ``float``.

3. ``cutmix_box(H, W, lam, cy, cx) -> (y0, y1, x0, x1)``, Python ints, the box of the original CutMix
   code: ``r = sqrt(1 - lam)``, ``cut_h = int(H * r)``, ``cut_w = int(W * r)`` (``int`` truncates), then
   ``y0 = clip(cy - cut_h // 2, 0, H)``, ``y1 = clip(cy + cut_h // 2, 0, H)``,
   ``x0 = clip(cx - cut_w // 2, 0, W)``, ``x1 = clip(cx + cut_w // 2, 0, W)``. The box covers rows
   ``y0 .. y1 - 1`` and columns ``x0 .. x1 - 1``. Rows are the height axis ``H``, columns the width ``W``.

4. ``cutmix(x, y, num_classes, alpha, rng) -> (x_mix, y_mix, lam)``
   ``x`` is float ``(n, C, H, W)``. Draw as above; get the box from ``cutmix_box(H, W, lam, cy, cx)``;
   ``x_mix`` is a copy of ``x`` whose box (all channels) is replaced by the same box of ``x[perm]``
   (do not modify ``x`` itself). Because the box may be clipped at the border, the mixing weight is
   recomputed from its actual area: ``lam = 1 - (y1 - y0) * (x1 - x0) / (H * W)``, the fraction of each
   image that is still its own. ``y_mix = lam * Y + (1 - lam) * Y[perm]`` with that recomputed ``lam``,
   which is also the one returned (Python ``float``).

5. ``soft_cross_entropy(logits, soft_targets) -> Tensor``: the mean over the batch of
   ``-sum_k soft_targets[i, k] * log_softmax(logits)[i, k]`` (a 0-dim tensor). With mixed labels it
   equals ``lam * CE(logits, y) + (1 - lam) * CE(logits, y[perm])``.

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=y.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Tolerance: ``rtol=1e-5, atol=1e-6``; box coordinates exactly.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """float32 one-hot labels ``(n, num_classes)``."""
    raise NotImplementedError("write one_hot")


def mixup(x: torch.Tensor, y: torch.Tensor, num_classes: int, alpha: float, rng: np.random.Generator):
    """Return ``(x_mix, y_mix, lam)``: one ``lam ~ Beta(alpha, alpha)`` for the whole batch."""
    raise NotImplementedError("write mixup")


def cutmix_box(H: int, W: int, lam: float, cy: int, cx: int) -> tuple[int, int, int, int]:
    """Return ``(y0, y1, x0, x1)``: the CutMix box of side ratio ``sqrt(1 - lam)`` centred at ``(cy, cx)``."""
    raise NotImplementedError("write cutmix_box")


def cutmix(x: torch.Tensor, y: torch.Tensor, num_classes: int, alpha: float, rng: np.random.Generator):
    """Return ``(x_mix, y_mix, lam)`` with ``lam`` recomputed from the clipped box's area."""
    raise NotImplementedError("write cutmix")


def soft_cross_entropy(logits: torch.Tensor, soft_targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against soft (mixed) targets, averaged over the batch."""
    raise NotImplementedError("write soft_cross_entropy")
