"""Grader for exercise 0.10.2: the Transformer's learning-rate schedule and label smoothing.

The schedule is compared with the closed form of section 5.3 (and with a real optimizer driven by the
learner's scheduler, where LambdaLR's 0-based counter causes the classic off-by-one); label smoothing is
compared with ``F.cross_entropy(label_smoothing=..., ignore_index=...)`` captured before the learner's
code runs, value and gradient. Probes: no d_model^-0.5, a warm-up slope of step/warmup, max for min,
the schedule shifted by one step, spreading epsilon over the C-1 wrong classes, KL divergence for
cross-entropy, forgetting the (1 - epsilon) factor or the 1/C, padding counted in the mean, a sum.
"""

from __future__ import annotations

import pytest
import torch
import torch._dynamo  # noqa: F401  (building an optimizer imports it: ~2 s, better spent at import than in a test)
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device

FORBIDDEN = [
    "torch.nn.functional.cross_entropy",
    "torch.nn.functional.nll_loss",
    "torch.nn.CrossEntropyLoss",
    "torch.nn.NLLLoss",
]

_cross_entropy = F.cross_entropy


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def _lr(step: float, d: int, w: int) -> float:
    return d**-0.5 * min(step**-0.5, step * w**-1.5)


def _lr_mistakes(step: int, d: int, w: int) -> dict[str, float]:
    out = {
        "leaving out the d_model ** -0.5 factor": min(step**-0.5, step * w**-1.5),
        "a warm-up slope of step / warmup_steps instead of step * warmup_steps ** -1.5": d**-0.5
        * min(step**-0.5, step / w),
        "max instead of min of the two branches": d**-0.5 * max(step**-0.5, step * w**-1.5),
        "counting steps from 0 (transformer_lr(step + 1))": _lr(step + 1, d, w),
    }
    if step > 1:
        out["the schedule one step late (transformer_lr(step - 1))"] = _lr(step - 1, d, w)
    return out


def test_schedule_values(learner):
    """transformer_lr follows d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)"""
    for d, w in ((512, 4000), (64, 10)):
        for step in (1, 2, 7, w - 1, w, w + 1, 3 * w, 100 * w):
            got = learner.transformer_lr(step, d, w)
            check_number(
                got,
                _lr(step, d, w),
                name=f"transformer_lr({step}, d_model={d}, warmup_steps={w})",
                rtol=1e-9,
                mistakes=_lr_mistakes(step, d, w),
            )


def test_schedule_defaults_and_peak(learner):
    """defaults are d_model=512, warmup=4000, and the peak is at step == warmup_steps"""
    check_number(learner.transformer_lr(4000), 512**-0.5 * 4000**-0.5, name="transformer_lr(4000) with defaults", rtol=1e-9)
    steps = range(1, 41)
    values = [learner.transformer_lr(s, 64, 10) for s in steps]
    best = max(steps, key=lambda s: values[s - 1])
    check_true(best == 10, f"with warmup_steps=10 the learning rate should peak at step 10, it peaks at step {best}")


def _run_scheduler(learner, d: int, w: int, steps: int, base_lr: float) -> list[float]:
    param = torch.nn.Parameter(torch.zeros(3))
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler = learner.make_scheduler(optimizer, d, w)
    check_true(
        isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler),
        f"make_scheduler should return a torch LR scheduler, got {type(scheduler).__name__}",
    )
    seen = []
    for _ in range(steps):
        seen.append(float(optimizer.param_groups[0]["lr"]))
        param.grad = torch.ones(3)
        optimizer.step()
        scheduler.step()
    return seen


def _f64(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def test_scheduler_drives_optimizer(learner):
    """the k-th optimizer.step() uses base_lr * transformer_lr(k) (k from 1)"""
    d, w, steps = 64, 10, 40
    for base_lr in (1.0, 0.5):
        seen = _run_scheduler(learner, d, w, steps, base_lr)
        expected = [base_lr * _lr(k, d, w) for k in range(1, steps + 1)]
        check_close(
            torch.tensor(seen, dtype=torch.float64),
            torch.tensor(expected, dtype=torch.float64),
            name=f"the learning rate of steps 1..{steps} (base lr {base_lr})",
            rtol=1e-9,
            atol=0,
            mistakes={
                "calling transformer_lr with LambdaLR's 0-based counter (the schedule starts one step late)": _f64(
                    [base_lr * (_lr(k - 1, d, w) if k > 1 else 0.0) for k in range(1, steps + 1)]
                ),
                "the schedule one step behind (transformer_lr(max(counter, 1)) with LambdaLR's 0-based counter: "
                "steps 1 and 2 share a rate; pass counter + 1)": _f64(
                    [base_lr * _lr(max(k - 1, 1), d, w) for k in range(1, steps + 1)]
                ),
                "the schedule one step early (transformer_lr(k + 1) for the k-th step)": _f64(
                    [base_lr * _lr(k + 1, d, w) for k in range(1, steps + 1)]
                ),
                "ignoring the optimizer's base learning rate": _f64([_lr(k, d, w) for k in range(1, steps + 1)]),
            },
        )


def _batch(seed: int, n: int = 24, c: int = 7, pad: int = -100, n_pad: int = 6):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=g) * 2
    target = torch.randint(0, c, (n,), generator=g)
    idx = torch.randperm(n, generator=g)[:n_pad]
    target[idx] = pad
    return logits, target


def _smoothing_mistakes(logits: torch.Tensor, target: torch.Tensor, eps: float, pad: int) -> dict[str, torch.Tensor]:
    c = logits.shape[-1]
    keep = target != pad
    lp = torch.log_softmax(logits.double(), dim=-1)
    safe = target.clamp(min=0, max=c - 1)
    onehot = F.one_hot(safe, c).double()
    nll = -(onehot * lp).sum(-1)
    unif = -lp.mean(-1)
    q = (1 - eps) * onehot + eps / c
    q_k1 = (1 - eps) * onehot + eps / (c - 1) * (1 - onehot)
    ce = -(q * lp).sum(-1)
    kl = (q * (q.log() - lp)).sum(-1)
    mean = lambda v: v[keep].mean()  # noqa: E731
    return {
        "spreading epsilon over the C - 1 wrong classes only (epsilon / (C - 1))": mean(-(q_k1 * lp).sum(-1)),
        "the KL divergence to the smoothed target instead of the cross-entropy (they differ by its entropy)": mean(kl),
        "forgetting the (1 - epsilon) weight on the true class": mean(nll + eps * unif),
        "forgetting to divide epsilon by the number of classes": mean((1 - eps) * nll - eps * lp.sum(-1)),
        "averaging over every row, padding included": ce.masked_fill(~keep, 0).sum() / len(target),
        "summing instead of averaging": ce[keep].sum(),
        "no smoothing at all (plain cross-entropy)": mean(nll),
    }


def _loss(learner, logits, target, eps, pad):
    out = learner.label_smoothed_cross_entropy(logits, target, eps, pad)
    check_true(isinstance(out, torch.Tensor), f"the loss should be a tensor, got {type(out).__name__}")
    check_true(out.dim() == 0, f"the loss should be a 0-dim tensor, got shape {tuple(out.shape)}")
    return out


def test_label_smoothing_value(learner):
    """label-smoothed loss equals F.cross_entropy(label_smoothing=0.1)"""
    logits, target = _batch(0, n_pad=0)
    got = _loss(learner, logits, target, 0.1, -100)
    expected = _cross_entropy(logits, target, label_smoothing=0.1)
    check_close(got, expected, name="the smoothed loss (epsilon 0.1, no padding)", mistakes=_smoothing_mistakes(logits, target, 0.1, -100))


def test_label_smoothing_ignores_padding(learner):
    """rows whose target is ignore_index are left out of the mean"""
    for eps, pad in ((0.1, -100), (0.25, 0)):
        logits, target = _batch(3, pad=pad)
        if pad == 0:  # class 0 doubles as padding; keep some real rows of the other classes
            target = torch.where(target == 0, torch.ones_like(target), target)
            target[::5] = 0
        got = _loss(learner, logits, target, eps, pad)
        expected = _cross_entropy(logits, target, label_smoothing=eps, ignore_index=pad)
        check_close(
            got,
            expected,
            name=f"the smoothed loss (epsilon {eps}, ignore_index {pad})",
            mistakes=_smoothing_mistakes(logits, target, eps, pad),
        )


def test_label_smoothing_gradient(learner):
    """the gradient with respect to the logits matches, and is zero on padding rows"""
    logits, target = _batch(5)
    mine = logits.clone().requires_grad_(True)
    ref = logits.clone().requires_grad_(True)
    out = _loss(learner, mine, target, 0.1, -100)
    check_true(out.requires_grad, "the loss is detached from the graph: keep it a tensor computed from logits")
    out.backward()
    _cross_entropy(ref, target, label_smoothing=0.1).backward()
    if mine.grad is None:
        raise GradeFailure("no gradient reached the logits")
    check_close(mine.grad, ref.grad, name="d loss / d logits", rtol=1e-5, atol=1e-6)


def test_zero_epsilon_is_cross_entropy(learner):
    """epsilon = 0 gives the ordinary cross-entropy, stable for large logits"""
    logits, target = _batch(7, n_pad=3)
    logits = logits * 200  # exp overflows float32 without the log-sum-exp trick
    got = _loss(learner, logits, target, 0.0, -100)
    check_close(got, _cross_entropy(logits, target), name="the loss with epsilon 0 and logits up to ~1000", rtol=1e-5, atol=1e-4)


def test_stub_defaults(learner):
    """make_scheduler and transformer_lr default to d_model=512, warmup_steps=4000; the loss to epsilon=0.1,
    ignore_index=-100"""
    from gradelib import check_defaults

    check_defaults(learner.transformer_lr, "transformer_lr", d_model=512, warmup_steps=4000)
    check_defaults(learner.make_scheduler, "make_scheduler", d_model=512, warmup_steps=4000)
    check_defaults(learner.label_smoothed_cross_entropy, "label_smoothed_cross_entropy", epsilon=0.1,
                   ignore_index=-100)


def test_label_smoothing_stays_on_the_inputs_device(learner):
    """the label-smoothed loss makes no tensor off the logits' device"""
    logits, target = _batch(9)
    check_follows_device(learner.label_smoothed_cross_entropy, logits, target, 0.1, -100)
