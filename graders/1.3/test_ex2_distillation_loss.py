"""Grader for exercise 1.3.2: soft targets and the distillation loss with temperature and T^2 scaling.

The reference is ``F.kl_div(log_q, log_p, log_target=True, reduction="batchmean")`` and
``F.cross_entropy``, captured before the learner's code runs; the gradient is checked against its closed
form ``alpha * T * (q - p) / B + (1 - alpha) * (softmax(s) - onehot) / B``. Probes: a missing T^2 (or T
instead of T^2), reduction "mean" over all elements, the KL direction reversed, cross-entropy at
temperature T, alpha on the wrong term, softmax over the batch axis, multiplying by T, a teacher that is
not detached, and NaN from log(0) when teacher probabilities underflow.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true
from gradelib.devices import on_device

FORBIDDEN = [
    "torch.nn.functional.kl_div",
    "torch.nn.functional.cross_entropy",
    "torch.nn.functional.nll_loss",
    "torch.nn.KLDivLoss",
    "torch.nn.CrossEntropyLoss",
    "torch.nn.NLLLoss",
]

# Captured before any learner code runs.
_kl_div = F.kl_div
_cross_entropy = F.cross_entropy


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is far faster than several on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _batch(seed: int, b: int = 8, c: int = 10, teacher_scale: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(b, c, generator=g) * 2
    t = torch.randn(b, c, generator=g) * teacher_scale
    y = torch.randint(0, c, (b,), generator=g)
    return s, t, y


def _kl(s, t, T, reduction="batchmean"):
    return _kl_div(F.log_softmax(s / T, dim=-1), F.log_softmax(t / T, dim=-1), log_target=True, reduction=reduction)


def _reference(s, t, y, T, alpha):
    return alpha * T**2 * _kl(s, t, T) + (1 - alpha) * _cross_entropy(s, y)


def _mistakes(s, t, y, T, alpha) -> dict[str, float]:
    kl, ce = _kl(s, t, T), _cross_entropy(s, y)
    reversed_kl = _kl_div(F.log_softmax(t / T, -1), F.log_softmax(s / T, -1), log_target=True, reduction="batchmean")
    batch_axis = _kl_div(F.log_softmax(s / T, 0), F.log_softmax(t / T, 0), log_target=True, reduction="batchmean")
    return {
        "forgetting the T**2 factor": float(alpha * kl + (1 - alpha) * ce),
        "multiplying by T instead of T**2": float(alpha * T * kl + (1 - alpha) * ce),
        'averaging the KL over every element (reduction="mean") instead of over the batch ("batchmean")': float(
            alpha * T**2 * _kl(s, t, T, "mean") + (1 - alpha) * ce
        ),
        "reversing the KL direction: KL(q_student || p_teacher)": float(alpha * T**2 * reversed_kl + (1 - alpha) * ce),
        "computing the hard-label cross-entropy at temperature T": float(
            alpha * T**2 * kl + (1 - alpha) * _cross_entropy(s / T, y)
        ),
        "putting alpha on the cross-entropy and 1 - alpha on the KL term": float(
            (1 - alpha) * T**2 * kl + alpha * ce
        ),
        "taking the softmax over the batch axis (dim=0) instead of the classes": float(
            alpha * T**2 * batch_axis + (1 - alpha) * ce
        ),
    }


def _loss(learner, s, t, y, T, alpha) -> torch.Tensor:
    out = learner.distillation_loss(s, t, y, T, alpha)
    if not isinstance(out, torch.Tensor):
        raise GradeFailure(
            f"distillation_loss should return a 0-dim torch tensor (so that it can be backpropagated), "
            f"got {type(out).__name__}"
        )
    if out.numel() != 1:
        raise GradeFailure(f"distillation_loss should return one number (a 0-dim tensor), got shape {tuple(out.shape)}")
    return out.reshape(())


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_soft_targets(learner):
    """soft targets are softmax(logits / T) over the classes"""
    s, _, _ = _batch(1)
    for T in (1.0, 4.0):
        got = learner.soft_targets(s, T)
        check_close(
            got,
            torch.softmax(s / T, dim=-1),
            name=f"soft_targets at T={T}",
            mistakes={
                "multiplying the logits by T instead of dividing": torch.softmax(s * T, dim=-1),
                "dividing the probabilities by T instead of the logits": torch.softmax(s, dim=-1) / T,
                "taking the softmax over the batch axis (dim=0)": torch.softmax(s / T, dim=0),
            },
        )


def test_soft_targets_soften(learner):
    """a higher temperature gives softer targets (higher entropy), the same argmax"""
    s, _, _ = _batch(2)
    p1, p4 = learner.soft_targets(s, 1.0), learner.soft_targets(s, 4.0)
    entropy = lambda p: float(-(p * torch.log(p)).sum(dim=-1).mean())  # noqa: E731
    check_true(entropy(p4) > entropy(p1), "soft_targets at T=4 should have a higher entropy than at T=1")
    check_true(torch.equal(p1.argmax(-1), p4.argmax(-1)), "the temperature must not change the most likely class")


def test_loss_matches_reference(learner):
    """the loss equals alpha*T^2*KL(batchmean) + (1-alpha)*CE for several T and alpha"""
    for seed, T, alpha in ((3, 4.0, 0.7), (4, 1.0, 0.5), (5, 2.5, 1.0), (6, 3.0, 0.0), (7, 8.0, 0.9)):
        s, t, y = _batch(seed)
        expected = float(_reference(s, t, y, T, alpha))
        got = _loss(learner, s, t, y, T, alpha)
        check_close(
            got,
            torch.tensor(expected),
            name=f"the distillation loss at T={T}, alpha={alpha}",
            mistakes=_mistakes(s, t, y, T, alpha),
        )


def test_gradient(learner):
    """the gradient wrt the student logits is alpha*T*(q - p)/B + (1-alpha)*(softmax(s) - onehot)/B"""
    s, t, y = _batch(8)
    T, alpha = 4.0, 0.6
    s = s.clone().requires_grad_(True)
    loss = _loss(learner, s, t, y, T, alpha)
    check_true(loss.requires_grad, "the loss does not depend on student_logits through autograd: stay in torch ops")
    loss.backward()
    check_true(s.grad is not None, "no gradient reached student_logits")
    b = s.shape[0]
    p, q = torch.softmax(t / T, -1), torch.softmax(s.detach() / T, -1)
    hard = (torch.softmax(s.detach(), -1) - F.one_hot(y, s.shape[1]).float()) / b
    check_close(
        s.grad,
        alpha * T * (q - p) / b + (1 - alpha) * hard,
        name="d loss / d student_logits",
        mistakes={
            "forgetting the T**2 factor (soft-target gradients shrink as 1/T**2)": alpha * (q - p) / (T * b)
            + (1 - alpha) * hard
        },
    )


def test_teacher_gets_no_gradient(learner):
    """the teacher is a fixed target: no gradient flows into teacher_logits"""
    s, t, y = _batch(9)
    s = s.clone().requires_grad_(True)
    t = t.clone().requires_grad_(True)
    _loss(learner, s, t, y, 2.0, 0.5).backward()
    leaked = t.grad is not None and bool(t.grad.abs().sum() > 0)
    check_true(
        not leaked,
        "a gradient reached teacher_logits: the teacher's soft targets are fixed, so detach them "
        "(teacher_logits.detach()) before building the loss",
    )


def test_confident_teacher_stays_finite(learner):
    """teacher probabilities that underflow to 0 give a finite loss, not NaN"""
    s, t, y = _batch(10, teacher_scale=80.0)  # softmax(t) underflows to exactly 0 in float32 for some classes
    T, alpha = 1.0, 0.8
    check_true(bool((torch.softmax(t / T, -1) == 0).any()), "grader data check: expected underflow")
    got = _loss(learner, s, t, y, T, alpha)
    if not bool(torch.isfinite(got)):
        raise GradeFailure(
            f"the loss is {float(got)} for a very confident teacher: some p_c underflow to 0 and log(0) = -inf; "
            "compute log p with torch.log_softmax instead of torch.log(softmax(...))"
        )
    check_close(got, _reference(s, t, y, T, alpha), name="the loss for a very confident teacher")
