"""Grader for lib.dpo_loss: sequence log-probabilities and the DPO loss with detached rewards.

The reference is written with ``F.logsigmoid`` and ``F.log_softmax`` in float64 inside the grader. Probes:
a per-token mean instead of a sum, an ignored mask, the reference model left out, chosen and rejected
swapped, beta forgotten, a sum over the batch, ``log(sigmoid(.))`` that overflows, and gradients flowing
into the frozen reference.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true

_logsigmoid = F.logsigmoid


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _logps(device, seed, B=6):
    g = torch.Generator().manual_seed(seed)
    return [(-torch.rand(B, generator=g) * 40 - 5).to(device) for _ in range(4)]


def _dpo(pc, pr, rc, rr, beta, ref=True, swap=False, use_beta=True, reduce="mean"):
    chosen, rejected = (pc - rc, pr - rr) if ref else (pc, pr)
    margin = (rejected - chosen) if swap else (chosen - rejected)
    losses = -_logsigmoid((beta if use_beta else 1.0) * margin)
    return losses.mean() if reduce == "mean" else losses.sum()


def _call(learner, *args):
    result = learner.dpo_loss(*args)
    if not (isinstance(result, tuple) and len(result) == 3):
        raise GradeFailure("dpo_loss should return a tuple (loss, chosen_rewards, rejected_rewards)")
    return result


def test_sequence_logps(learner, device):
    """sequence_logps sums log_softmax(logits)[token] over the masked positions of each row"""
    g = torch.Generator().manual_seed(0)
    B, T, V = 3, 7, 9
    logits = (torch.randn(B, T, V, generator=g) * 2).to(device)
    tokens = torch.randint(0, V, (B, T), generator=g).to(device)
    mask = torch.tensor([[0, 0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 0], [0, 1, 1, 1, 0, 0, 0]]).float().to(device)
    picked = F.log_softmax(logits, -1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
    got = learner.sequence_logps(logits, tokens, mask)
    check_close(got, (picked * mask).sum(-1), name="sequence_logps", mistakes={
        "a per-token mean instead of the sum over tokens": (picked * mask).sum(-1) / mask.sum(-1),
        "ignoring the mask (summing the prompt too)": picked.sum(-1),
    })


def test_loss_and_rewards(learner, device):
    """loss = -mean(logsigmoid(beta * margin)); rewards are beta * (policy - reference), detached"""
    pc, pr, rc, rr = _logps(device, 1)
    beta = 0.1
    loss, chosen, rejected = _call(learner, pc, pr, rc, rr, beta)
    check_close(loss, _dpo(pc, pr, rc, rr, beta), name="the DPO loss", mistakes={
        "leaving out the reference model": _dpo(pc, pr, rc, rr, beta, ref=False),
        "swapping chosen and rejected": _dpo(pc, pr, rc, rr, beta, swap=True),
        "forgetting beta": _dpo(pc, pr, rc, rr, beta, use_beta=False),
        "summing over the batch instead of the mean": _dpo(pc, pr, rc, rr, beta, reduce="sum"),
    })
    check_close(chosen, beta * (pc - rc), name="chosen_rewards", mistakes={"leaving out the reference model": beta * pc})
    check_close(rejected, beta * (pr - rr), name="rejected_rewards")


def test_gradients(learner, device):
    """gradients reach the policy's log-probabilities, never the reference's, and rewards are detached"""
    pc, pr, rc, rr = (t.clone().requires_grad_(True) for t in _logps(device, 2))
    loss, chosen, rejected = _call(learner, pc, pr, rc, rr, 0.5)
    check_true(isinstance(loss, torch.Tensor) and loss.requires_grad,
               "the loss must stay differentiable with respect to the policy's log-probabilities")
    check_true(not chosen.requires_grad and not rejected.requires_grad,
               "chosen_rewards and rejected_rewards must be detached (they are for logging)")
    loss.backward()
    check_true(rc.grad is None and rr.grad is None, "gradient flowed into the reference log-probabilities: detach them")
    pc2, pr2 = pc.detach().clone().requires_grad_(True), pr.detach().clone().requires_grad_(True)
    _dpo(pc2, pr2, rc.detach(), rr.detach(), 0.5).backward()
    check_close(pc.grad, pc2.grad, name="d loss / d policy_chosen")


def test_large_margins_stay_finite(learner, device):
    """a margin of -1000 gives a finite loss: use logsigmoid, not log(sigmoid(.))"""
    pc = torch.tensor([-1000.0, -5.0], device=device)
    zeros = torch.zeros(2, device=device)
    loss, _, _ = _call(learner, pc, zeros, zeros, zeros, 1.0)
    check_true(bool(torch.isfinite(torch.as_tensor(loss)).all()),
               f"the loss is {float(loss)} for a margin of -1000: log(sigmoid(x)) underflows; use F.logsigmoid")
    check_close(loss, _dpo(pc, zeros, zeros, zeros, 1.0), name="the loss for a margin of -1000")
