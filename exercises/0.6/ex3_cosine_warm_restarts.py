"""Exercise 0.6.3: cosine annealing with warm restarts (SGDR), with a linear warm-up, as a scheduler.

The grader compares your learning rates with PyTorch's ``CosineAnnealingWarmRestarts`` (and, for the
warm-up, ``SequentialLR`` of ``LinearLR`` then ``CosineAnnealingWarmRestarts``), so those classes,
``CosineAnnealingLR``, ``LinearLR`` and ``SequentialLR`` (all in ``torch.optim.lr_scheduler``) are
off-limits while your code runs. Plain ``math`` is all you need.

Steps are integers counted from 0: step 0 is the learning rate used by the first optimizer step.

1. ``cosine_warm_restarts_lr(step, base_lr, T_0, T_mult=1, eta_min=0.0) -> float``

   Cycle ``i`` (``i = 0, 1, 2, ...``) lasts ``T_i = T_0 * T_mult**i`` steps; cycle 0 covers steps
   ``0 .. T_0 - 1``, cycle 1 the next ``T_0 * T_mult`` steps, and so on. With ``T_cur`` the position of
   ``step`` inside its cycle (0 on the first step of every cycle, i.e. at each restart):

       lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

   So the rate is ``base_lr`` at every restart and never quite reaches ``eta_min`` inside a cycle.
   ``T_0`` and ``T_mult`` are positive integers; ``eta_min`` is an absolute rate.

2. ``warmup_cosine_lr(step, base_lr, warmup_steps, T_0, T_mult=1, eta_min=0.0, start_factor=0.1) -> float``

   A linear warm-up, then the schedule above started afresh:

   * ``step < warmup_steps``: ``lr = base_lr * (start_factor + (1 - start_factor) * step / warmup_steps)``
     (so step 0 uses ``start_factor * base_lr``, and the rate climbs by equal increments);
   * ``step >= warmup_steps``: ``lr = cosine_warm_restarts_lr(step - warmup_steps, base_lr, T_0, T_mult, eta_min)``
     (the first step after the warm-up uses ``base_lr``).

   ``warmup_steps = 0`` means no warm-up.

3. ``class WarmupCosineRestarts`` drives a ``torch.optim`` optimizer with that schedule, one call per
   optimizer step, the way PyTorch schedulers do:

   * ``__init__(self, optimizer, warmup_steps, T_0, T_mult=1, eta_min=0.0, start_factor=0.1)`` records
     each param group's CURRENT ``"lr"`` as that group's base rate, and immediately sets every group's
     ``"lr"`` to its step-0 rate;
   * ``step(self)`` advances to the next step and sets every group's ``"lr"`` (each group from its OWN
     base rate; ``eta_min`` is the same absolute floor for all groups);
   * ``get_last_lr(self) -> list[float]``: the rates now set, one per group, in group order.

   The grader's loop is ``optimizer.step(); scheduler.step()``, repeated.

Tolerance: every rate is compared with ``rtol=1e-6, atol=1e-9``.
"""

from __future__ import annotations

import math

import torch


def cosine_warm_restarts_lr(step: int, base_lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0) -> float:
    """The SGDR learning rate at integer ``step`` (0-based)."""
    raise NotImplementedError("write cosine_warm_restarts_lr")


def warmup_cosine_lr(
    step: int,
    base_lr: float,
    warmup_steps: int,
    T_0: int,
    T_mult: int = 1,
    eta_min: float = 0.0,
    start_factor: float = 0.1,
) -> float:
    """Linear warm-up from ``start_factor * base_lr``, then cosine annealing with warm restarts."""
    raise NotImplementedError("write warmup_cosine_lr")


class WarmupCosineRestarts:
    """Sets the optimizer's learning rates to the warm-up + SGDR schedule, one ``step()`` per optimizer step."""

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        warmup_steps: int,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        start_factor: float = 0.1,
    ):
        raise NotImplementedError("write WarmupCosineRestarts.__init__")

    def step(self) -> None:
        raise NotImplementedError("write WarmupCosineRestarts.step")

    def get_last_lr(self) -> list[float]:
        raise NotImplementedError("write WarmupCosineRestarts.get_last_lr")
