"""Grader for lib.ppo_clip: the clipped surrogate loss, its gradient and the clip fraction.

The reference is written in the grader in float64. Ratios are spread on both sides of the clip range,
with positive and negative advantages, so that each probe differs: max instead of min, the objective not
negated, a ratio of log-probabilities, the advantage clipped instead of the ratio, and gradients flowing
into the old policy's log-probabilities.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _samples(device, seed=0, N=32):
    g = torch.Generator().manual_seed(seed)
    old = -torch.rand(N, generator=g) * 3 - 0.1
    new = old + torch.randn(N, generator=g) * 0.4
    adv = torch.randn(N, generator=g)
    return new.to(device), old.to(device), adv.to(device)


def _loss(new, old, adv, eps, combine=torch.min, ratio=None, clip_adv=False, sign=-1.0):
    r = torch.exp(new - old) if ratio is None else ratio
    clipped = r * torch.clamp(adv, 1 - eps, 1 + eps) if clip_adv else torch.clamp(r, 1 - eps, 1 + eps) * adv
    return sign * combine(r * adv, clipped).mean()


def _call(learner, *args):
    result = learner.ppo_clip_loss(*args)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradeFailure("ppo_clip_loss should return a tuple (loss, clip_fraction)")
    return result


def test_loss(learner, device):
    """loss = -mean(min(r A, clip(r, 1-eps, 1+eps) A)) with r = exp(logp_new - logp_old)"""
    new, old, adv = _samples(device)
    loss, _ = _call(learner, new, old, adv, 0.2)
    check_close(loss, _loss(new, old, adv, 0.2), name="the PPO loss", mistakes={
        "taking the max instead of the min (an optimistic bound)": _loss(new, old, adv, 0.2, combine=torch.max),
        "returning the objective instead of the loss (it must be negated to minimise)": _loss(new, old, adv, 0.2, sign=1.0),
        "a ratio of log-probabilities (logp_new / logp_old) instead of exp(logp_new - logp_old)":
            _loss(new, old, adv, 0.2, ratio=new / old),
        "clipping the advantage instead of the ratio": _loss(new, old, adv, 0.2, clip_adv=True),
    })


def test_clip_fraction(learner, device):
    """clip_fraction is the share of samples whose ratio lies outside [1 - eps, 1 + eps]"""
    new, old, adv = _samples(device, seed=1)
    _, fraction = _call(learner, new, old, adv, 0.1)
    ratio = torch.exp(new - old)
    check_number(fraction, float(((ratio - 1).abs() > 0.1).float().mean()), name="clip_fraction", atol=1e-6)


def test_gradient(learner, device):
    """the gradient reaches logp_new (zero where the clip is active) and never logp_old"""
    new, old, adv = _samples(device, seed=2)
    new, old = new.clone().requires_grad_(True), old.clone().requires_grad_(True)
    loss, _ = _call(learner, new, old, adv, 0.2)
    check_true(isinstance(loss, torch.Tensor) and loss.requires_grad, "the loss must be differentiable w.r.t. logp_new")
    loss.backward()
    check_true(old.grad is None or bool((old.grad == 0).all()),
               "gradient flowed into logp_old: the old policy is a fixed target, detach it")
    new2 = new.detach().clone().requires_grad_(True)
    _loss(new2, old.detach(), adv, 0.2).backward()
    check_close(new.grad, new2.grad, name="d loss / d logp_new")
