"""Exercise 0.8.2: checkpoint and resume training so that the resumed run is bit-for-bit the same.

A checkpoint that holds only the model's weights does not resume a training run: momentum buffers, the
learning-rate schedule's position and the random number generators (data shuffling, dropout,
augmentation) all carry state too. Write the two functions below so that

    train 3 epochs -> save_checkpoint -> (new process: fresh objects, other seeds) -> load_checkpoint -> train 3 more

gives EXACTLY the same per-batch losses as 6 uninterrupted epochs. The grader's training loop uses a
model with dropout, ``torch.optim.SGD`` with momentum, a ``torch.optim.lr_scheduler.StepLR`` stepped once
per epoch, ``torch.randperm`` for shuffling, and NumPy's and Python's global random generators
(``np.random.*`` and ``random.*``) for augmentation.

1. ``save_checkpoint(path, model, optimizer, scheduler, epoch) -> None``

   Write ONE file at ``path`` (``torch.save`` of a dict) holding: ``model.state_dict()``,
   ``optimizer.state_dict()``, ``scheduler.state_dict()``, ``epoch`` (the number of epochs COMPLETED),
   and the state of every random generator the loop uses: ``torch.get_rng_state()`` (plus
   ``torch.cuda.get_rng_state_all()`` when CUDA is available), ``np.random.get_state()`` and
   ``random.getstate()``. Saving must not change the training objects or consume random numbers.

2. ``load_checkpoint(path, model, optimizer, scheduler) -> int``

   ``model``, ``optimizer`` and ``scheduler`` are freshly built (other initial weights, no momentum, the
   schedule at its start) exactly as they were built for the original run, and the global generators hold
   unrelated states. Restore all of them IN PLACE (``load_state_dict``, ``torch.set_rng_state``,
   ``np.random.set_state``, ``random.setstate``, and the CUDA states when present) and return the
   number of completed epochs stored in the file, so that training continues with
   ``for epoch in range(start, total_epochs)``.

   Note: since PyTorch 2.6 ``torch.load`` defaults to ``weights_only=True``, which refuses the NumPy
   array inside NumPy's RNG state; this is your own trusted file, so pass ``weights_only=False``.
   Load onto the CPU (``map_location="cpu"``).

Tolerance: none. Restored tensors and the resumed losses must equal the uninterrupted run exactly.
"""

from __future__ import annotations

import random

import numpy as np
import torch


def save_checkpoint(path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler, epoch: int) -> None:
    """Save everything needed to resume after ``epoch`` completed epochs into the single file ``path``."""
    raise NotImplementedError("write save_checkpoint")


def load_checkpoint(path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler) -> int:
    """Restore model, optimizer, scheduler and RNG states from ``path``; return the completed epochs."""
    raise NotImplementedError("write load_checkpoint")
