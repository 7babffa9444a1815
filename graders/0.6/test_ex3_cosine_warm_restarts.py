"""Grader for exercise 0.6.3: cosine annealing with warm restarts, linear warm-up, and a scheduler class.

Form: the catalogue's. Rates are compared step by step with PyTorch's ``CosineAnnealingWarmRestarts``
and, for the warm-up, ``SequentialLR(LinearLR, CosineAnnealingWarmRestarts)`` (captured before the
learner's code runs), each driven through a real SGD optimizer. The scheduler class is graded on the rates
it actually leaves in the optimizer's param groups (two groups with different base rates) before each
optimizer step.

Probes: dividing by T_i - 1, restarting one step late, (1 - cos) for (1 + cos), eta_min ignored or not
subtracted from the amplitude, cycles that never grow by T_mult, a warm-up from zero or one step ahead,
the cosine not restarted after the warm-up, one base rate for every group, and a scheduler one step ahead
of or behind the optimizer.
"""

from __future__ import annotations

import math
import warnings

import pytest
import torch
import torch._dynamo  # noqa: F401  (building an optimizer imports it, and it rewraps torch.manual_seed)
from gradelib import GradeFailure, check_close
from torch.optim import lr_scheduler

FORBIDDEN = [
    "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts",
    "torch.optim.lr_scheduler.CosineAnnealingLR",
    "torch.optim.lr_scheduler.SequentialLR",
    "torch.optim.lr_scheduler.LinearLR",
]

# Captured before any learner code runs.
_CAWR = lr_scheduler.CosineAnnealingWarmRestarts
_Sequential = lr_scheduler.SequentialLR
_Linear = lr_scheduler.LinearLR
_SGD = torch.optim.SGD

RTOL, ATOL = 1e-6, 1e-9



@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

def _optimizer(base_lrs) -> torch.optim.Optimizer:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in base_lrs]
    return _SGD(groups, lr=base_lrs[0])


def _torch_rates(n, base_lrs, T_0, T_mult=1, eta_min=0.0, warmup_steps=0, start_factor=0.1) -> torch.Tensor:
    """The rates torch's schedulers set before each of ``n`` optimizer steps: shape (n, groups)."""
    opt = _optimizer(base_lrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if warmup_steps:
            sched = _Sequential(
                opt,
                [
                    _Linear(opt, start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps),
                    _CAWR(opt, T_0=T_0, T_mult=T_mult, eta_min=eta_min),
                ],
                milestones=[warmup_steps],
            )
        else:
            sched = _CAWR(opt, T_0=T_0, T_mult=T_mult, eta_min=eta_min)
        rows = []
        for _ in range(n):
            rows.append([g["lr"] for g in opt.param_groups])
            opt.step()
            sched.step()
    return torch.tensor(rows, dtype=torch.float64)


def _sgdr(step, base, T_0, T_mult=1, eta_min=0.0, *, late=False, denom_minus_one=False, minus_cos=False,
          no_eta_min=False, eta_min_added=False, no_growth=False):
    """A configurable SGDR, used only to produce what each classic mistake gives."""
    t_cur, t_i = step, T_0
    while t_cur > t_i if late else t_cur >= t_i:
        t_cur -= t_i
        t_i = t_i if no_growth else t_i * T_mult
    period = t_i - 1 if denom_minus_one else t_i
    c = math.cos(math.pi * t_cur / period)
    shape = (1 - c) / 2 if minus_cos else (1 + c) / 2
    if no_eta_min:
        return base * shape
    if eta_min_added:
        return eta_min + base * shape
    return eta_min + (base - eta_min) * shape


def _warm(step, base, W, T_0, T_mult, eta_min, sf, *, from_zero=False, ahead=False, no_shift=False,
          minus_one=False):
    if step < W:
        if from_zero:
            return base * step / W
        if minus_one:
            return base * (sf + (1 - sf) * step / (W - 1))
        return base * (sf + (1 - sf) * (step + (1 if ahead else 0)) / W)
    return _sgdr(step if no_shift else step - W, base, T_0, T_mult, eta_min)


def _column(values, name: str) -> torch.Tensor:
    out = []
    for v in values:
        if isinstance(v, torch.Tensor) and v.numel() == 1:
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise GradeFailure(f"{name} should return a Python float, got {type(v).__name__}: {v!r}")
        out.append(float(v))
    return torch.tensor(out, dtype=torch.float64)


def test_cosine_restarts_fixed_period(learner):
    """SGDR with T_mult=1 equals CosineAnnealingWarmRestarts over 30 steps"""
    n, base, T_0, eta_min = 30, 0.1, 6, 0.001
    got = _column([learner.cosine_warm_restarts_lr(s, base, T_0, 1, eta_min) for s in range(n)], "cosine_warm_restarts_lr")
    expected = _torch_rates(n, [base], T_0, 1, eta_min)[:, 0]
    check_close(
        got,
        expected,
        name="the rates for steps 0..29 (base_lr=0.1, T_0=6, T_mult=1, eta_min=0.001)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "dividing by T_i - 1 (the rate must not reach eta_min inside a cycle)": [
                _sgdr(s, base, T_0, 1, eta_min, denom_minus_one=True) for s in range(n)
            ],
            "restarting one step late (T_cur > T_i instead of T_cur >= T_i)": [
                _sgdr(s, base, T_0, 1, eta_min, late=True) for s in range(n)
            ],
            "(1 - cos) / 2 instead of (1 + cos) / 2 (each cycle must start at base_lr)": [
                _sgdr(s, base, T_0, 1, eta_min, minus_cos=True) for s in range(n)
            ],
            "ignoring eta_min": [_sgdr(s, base, T_0, 1, eta_min, no_eta_min=True) for s in range(n)],
            "adding eta_min without taking it out of the amplitude (use base_lr - eta_min)": [
                _sgdr(s, base, T_0, 1, eta_min, eta_min_added=True) for s in range(n)
            ],
        },
    )


def test_cosine_restarts_growing_period(learner):
    """SGDR with T_mult=2: cycles of 3, 6, 12, 24 steps, equal to CosineAnnealingWarmRestarts"""
    n, base, T_0, T_mult, eta_min = 46, 0.05, 3, 2, 0.005
    got = _column(
        [learner.cosine_warm_restarts_lr(s, base, T_0, T_mult, eta_min) for s in range(n)], "cosine_warm_restarts_lr"
    )
    expected = _torch_rates(n, [base], T_0, T_mult, eta_min)[:, 0]
    check_close(
        got,
        expected,
        name="the rates for steps 0..45 (base_lr=0.05, T_0=3, T_mult=2, eta_min=0.005)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "keeping every cycle T_0 long (the cycle length must grow by T_mult)": [
                _sgdr(s, base, T_0, T_mult, eta_min, no_growth=True) for s in range(n)
            ],
            "restarting one step late (T_cur > T_i instead of T_cur >= T_i)": [
                _sgdr(s, base, T_0, T_mult, eta_min, late=True) for s in range(n)
            ],
            "dividing by T_i - 1 (the rate must not reach eta_min inside a cycle)": [
                _sgdr(s, base, T_0, T_mult, eta_min, denom_minus_one=True) for s in range(n)
            ],
        },
    )
    n3 = 60
    got3 = _column([learner.cosine_warm_restarts_lr(s, 1.0, 2, 3, 0.0) for s in range(n3)], "cosine_warm_restarts_lr")
    check_close(
        got3,
        _torch_rates(n3, [1.0], 2, 3, 0.0)[:, 0],
        name="the rates for steps 0..59 (base_lr=1, T_0=2, T_mult=3: cycles of 2, 6, 18, 54 steps)",
        rtol=RTOL,
        atol=ATOL,
    )


def test_linear_warmup_then_restarts(learner):
    """linear warm-up from start_factor * base_lr, then SGDR restarted, equal to SequentialLR"""
    n, base, W, T_0, T_mult, eta_min, sf = 40, 0.2, 5, 4, 2, 0.002, 0.25
    got = _column(
        [learner.warmup_cosine_lr(s, base, W, T_0, T_mult, eta_min, sf) for s in range(n)], "warmup_cosine_lr"
    )
    expected = _torch_rates(n, [base], T_0, T_mult, eta_min, warmup_steps=W, start_factor=sf)[:, 0]
    check_close(
        got,
        expected,
        name="the rates for steps 0..39 (base_lr=0.2, warmup_steps=5, start_factor=0.25, T_0=4, T_mult=2)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "warming up from 0 (base_lr * step / warmup_steps, ignoring start_factor)": [
                _warm(s, base, W, T_0, T_mult, eta_min, sf, from_zero=True) for s in range(n)
            ],
            "a warm-up one step ahead ((step + 1) / warmup_steps)": [
                _warm(s, base, W, T_0, T_mult, eta_min, sf, ahead=True) for s in range(n)
            ],
            "a warm-up divided by warmup_steps - 1 (it reaches base_lr one step early)": [
                _warm(s, base, W, T_0, T_mult, eta_min, sf, minus_one=True) for s in range(n)
            ],
            "not restarting the cosine after the warm-up (pass step - warmup_steps to it)": [
                _warm(s, base, W, T_0, T_mult, eta_min, sf, no_shift=True) for s in range(n)
            ],
        },
    )
    got0 = _column([learner.warmup_cosine_lr(s, base, 0, 5, 1, 0.0, sf) for s in range(12)], "warmup_cosine_lr")
    check_close(
        got0,
        _torch_rates(12, [base], 5, 1, 0.0)[:, 0],
        name="the rates with warmup_steps=0 (no warm-up: plain SGDR)",
        rtol=RTOL,
        atol=ATOL,
    )


def test_defaults(learner):
    """the defaults the stub states: T_mult=1, eta_min=0.0, start_factor=0.1"""
    base, W, T_0 = 0.3, 4, 5
    check_close(
        _column([learner.cosine_warm_restarts_lr(s, base, T_0) for s in range(12)], "cosine_warm_restarts_lr"),
        [_sgdr(s, base, T_0, 1, 0.0) for s in range(12)],
        name="cosine_warm_restarts_lr(step, 0.3, T_0=5) with the default T_mult and eta_min", rtol=RTOL, atol=ATOL,
    )
    check_close(
        _column([learner.warmup_cosine_lr(s, base, W, T_0) for s in range(14)], "warmup_cosine_lr"),
        [_warm(s, base, W, T_0, 1, 0.0, 0.1) for s in range(14)],
        name="warmup_cosine_lr(step, 0.3, warmup_steps=4, T_0=5) with the default T_mult, eta_min and start_factor",
        rtol=RTOL, atol=ATOL,
    )
    opt = _optimizer([base])
    sched = learner.WarmupCosineRestarts(opt, W, T_0)
    rows = []
    for _ in range(14):
        rows.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    check_close(_column(rows, "the group's lr"), [_warm(s, base, W, T_0, 1, 0.0, 0.1) for s in range(14)],
                name="WarmupCosineRestarts(optimizer, 4, 5) with the default T_mult, eta_min and start_factor",
                rtol=RTOL, atol=ATOL)


def test_scheduler_drives_optimizer(learner):
    """the scheduler sets each param group's lr from its own base rate, in step with the optimizer"""
    n, bases, W, T_0, T_mult, eta_min, sf = 30, [0.1, 0.02], 3, 4, 1, 0.001, 0.1
    opt = _optimizer(bases)
    sched = learner.WarmupCosineRestarts(opt, W, T_0, T_mult, eta_min, sf)
    rows, last = [], []
    for _ in range(n):
        rows.append([g["lr"] for g in opt.param_groups])
        last_lr = sched.get_last_lr()
        if not isinstance(last_lr, (list, tuple)) or len(last_lr) != len(bases):
            raise GradeFailure(f"get_last_lr() should return a list with one rate per group, got {last_lr!r}")
        last.append([float(v) for v in last_lr])
        opt.step()
        sched.step()
    got = torch.tensor(rows, dtype=torch.float64)
    expected = _torch_rates(n, bases, T_0, T_mult, eta_min, warmup_steps=W, start_factor=sf)

    def table(fn):
        return [[fn(s, b) for b in bases] for s in range(n)]

    check_close(
        got,
        expected,
        name="the param groups' lr before each optimizer step (rows: steps, columns: groups with base 0.1, 0.02)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "using the first group's base rate for every group": table(
                lambda s, b: _warm(s, bases[0], W, T_0, T_mult, eta_min, sf)
            ),
            "leaving the step-0 rate unset in __init__ (the first optimizer step ran at base_lr)": [
                bases if s == 0 else [_warm(s - 1, b, W, T_0, T_mult, eta_min, sf) for b in bases] for s in range(n)
            ],
            "a scheduler one step ahead of the optimizer": table(
                lambda s, b: _warm(s + 1, b, W, T_0, T_mult, eta_min, sf)
            ),
        },
    )
    check_close(
        torch.tensor(last, dtype=torch.float64),
        got,
        name="get_last_lr() (it must report the rates now set in the param groups)",
        rtol=RTOL,
        atol=ATOL,
    )
