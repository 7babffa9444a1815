"""Reference solution for exercise 0.6.3 (shown by `tracker solution 0.6.3` after a pass)."""

from __future__ import annotations

import math

import torch


def cosine_warm_restarts_lr(step, base_lr, T_0, T_mult=1, eta_min=0.0):
    t_cur, t_i = step, T_0
    while t_cur >= t_i:  # walk through the finished cycles; integer arithmetic, no log() rounding
        t_cur -= t_i
        t_i *= T_mult
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2


def warmup_cosine_lr(step, base_lr, warmup_steps, T_0, T_mult=1, eta_min=0.0, start_factor=0.1):
    if step < warmup_steps:
        return base_lr * (start_factor + (1 - start_factor) * step / warmup_steps)
    return cosine_warm_restarts_lr(step - warmup_steps, base_lr, T_0, T_mult, eta_min)


class WarmupCosineRestarts:
    def __init__(self, optimizer, warmup_steps, T_0, T_mult=1, eta_min=0.0, start_factor=0.1):
        self.optimizer = optimizer
        self.settings = dict(warmup_steps=warmup_steps, T_0=T_0, T_mult=T_mult, eta_min=eta_min, start_factor=start_factor)
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.step_count = 0
        self._apply()

    def _apply(self) -> None:
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = warmup_cosine_lr(self.step_count, base, **self.settings)

    def step(self) -> None:
        self.step_count += 1
        self._apply()

    def get_last_lr(self):
        return [group["lr"] for group in self.optimizer.param_groups]
