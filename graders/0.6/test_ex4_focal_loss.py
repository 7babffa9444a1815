"""Grader for exercise 0.6.4: focal loss (softmax and sigmoid) and class imbalance.

Form: the catalogue's. With gamma = 0 the multi-class loss must equal ``F.cross_entropy`` (with and
without class weights, for every reduction); with gamma > 0 it is compared with a float64 closed form
built on ``log_softmax`` (values and gradients). The binary loss is compared with the RetinaNet formula
built on ``F.binary_cross_entropy_with_logits``. Two behavioural checks make the point of the loss: easy
examples are down-weighted by exactly (1 - p_t) ** gamma relative to cross-entropy, and on an imbalanced
batch the minority class's share of the loss grows.

Probes: p_t ** gamma for (1 - p_t) ** gamma, the plain mean for the weighted mean, class weights ignored,
an unstable log(softmax) / log(sigmoid) (non-finite values at large logits), the modulating factor
detached from the graph, alpha weighing the negatives, and p_t ignoring the target in the binary loss.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_defaults, check_true
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

RTOL, ATOL = 1e-4, 1e-6

_cross_entropy = F.cross_entropy
_bce_logits = F.binary_cross_entropy_with_logits



@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

def _batch(n=24, c=4, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=g) * scale
    targets = torch.randint(0, c, (n,), generator=g)
    return logits, targets


ALPHA = torch.tensor([0.25, 1.0, 2.0, 0.5])


def _focal(logits, targets, gamma, alpha=None, reduction="mean", *, pt_power=False, plain_mean=False,
           ignore_alpha=False, detach_factor=False):
    """float64 closed form; the knobs reproduce the classic mistakes."""
    log_pt = torch.log_softmax(logits.double(), -1).gather(1, targets[:, None]).squeeze(1)
    pt = log_pt.exp()
    factor = pt**gamma if pt_power else (1 - pt) ** gamma
    if detach_factor:
        factor = factor.detach()
    loss = -factor * log_pt
    w = torch.ones_like(loss) if alpha is None or ignore_alpha else alpha.double()[targets]
    loss = w * loss
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if plain_mean else loss.sum() / w.sum()


def _sfocal(logits, targets, gamma, alpha, reduction="mean", *, alpha_swapped=False, pt_is_p=False):
    x, t = logits.double(), targets.double()
    p = torch.sigmoid(x)
    ce = _bce_logits(x, t, reduction="none")
    p_t = p if pt_is_p else p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha is not None:
        a_t = alpha * (1 - t) + (1 - alpha) * t if alpha_swapped else alpha * t + (1 - alpha) * (1 - t)
        loss = a_t * loss
    return {"none": loss, "sum": loss.sum(), "mean": loss.mean()}[reduction]


def _as_tensor(value, name: str, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise GradeFailure(f"{name} should return a tensor, got {type(value).__name__}")
    if shape is not None and tuple(value.shape) != shape:
        raise GradeFailure(f"{name} returned shape {tuple(value.shape)}; with this reduction it is {shape} "
                           "(a scalar is shape ())")
    return value


def test_gamma_zero_is_cross_entropy(learner):
    """gamma = 0 reproduces F.cross_entropy for every reduction, with and without class weights"""
    logits, targets = _batch(seed=1)
    for reduction in ("none", "sum", "mean"):
        got = _as_tensor(learner.focal_loss(logits, targets, 0.0, None, reduction), "focal_loss")
        check_close(
            got,
            _cross_entropy(logits, targets, reduction=reduction),
            name=f"focal_loss(gamma=0, alpha=None, reduction={reduction!r})",
            rtol=RTOL,
            atol=ATOL,
            mistakes={"summing instead of averaging": _cross_entropy(logits, targets, reduction="sum")},
        )
    for reduction in ("none", "sum", "mean"):
        got = _as_tensor(learner.focal_loss(logits, targets, 0.0, ALPHA, reduction), "focal_loss")
        check_close(
            got,
            _cross_entropy(logits, targets, weight=ALPHA, reduction=reduction),
            name=f"focal_loss(gamma=0, alpha=[0.25, 1, 2, 0.5], reduction={reduction!r})",
            rtol=RTOL,
            atol=ATOL,
            mistakes={
                "the plain mean (divide by sum(alpha[targets]) to get the weighted mean)": _focal(
                    logits, targets, 0.0, ALPHA, reduction, plain_mean=True
                ),
                "ignoring alpha": _cross_entropy(logits, targets, reduction=reduction),
            },
        )


def test_focal_loss_values(learner):
    """gamma = 2 scales each example's cross-entropy by (1 - p_t) ** 2"""
    logits, targets = _batch(seed=2)
    for alpha in (None, ALPHA):
        for reduction in ("none", "mean"):
            got = _as_tensor(learner.focal_loss(logits, targets, 2.0, alpha, reduction), "focal_loss")
            label = "None" if alpha is None else "[0.25, 1, 2, 0.5]"
            check_close(
                got,
                _focal(logits, targets, 2.0, alpha, reduction),
                name=f"focal_loss(gamma=2, alpha={label}, reduction={reduction!r})",
                rtol=RTOL,
                atol=ATOL,
                mistakes={
                    "p_t ** gamma instead of (1 - p_t) ** gamma (that up-weights the easy examples)": _focal(
                        logits, targets, 2.0, alpha, reduction, pt_power=True
                    ),
                    "the plain mean (divide by sum(alpha[targets]) to get the weighted mean)": _focal(
                        logits, targets, 2.0, alpha, reduction, plain_mean=True
                    ),
                    "ignoring alpha": _focal(logits, targets, 2.0, alpha, reduction, ignore_alpha=True),
                    "leaving out the modulating factor (that is cross-entropy)": _focal(
                        logits, targets, 0.0, alpha, reduction
                    ),
                },
            )
    got = _as_tensor(learner.focal_loss(logits, targets, 0.5, None, "none"), "focal_loss")
    check_close(got, _focal(logits, targets, 0.5, None, "none"), name="focal_loss(gamma=0.5, reduction='none')",
                rtol=RTOL, atol=ATOL)


def test_easy_examples_down_weighted(learner):
    """easy examples are down-weighted: focal / cross-entropy = (1 - p_t) ** gamma, tiny for p_t near 1"""
    # Example 0 is easy (p_t ~ 0.98), example 1 is hard (p_t ~ 0.02), example 2 is in between.
    logits = torch.tensor([[4.0, 0.0, 0.0], [0.0, 4.0, 0.0], [1.0, 0.5, 0.0]])
    targets = torch.tensor([0, 0, 1])
    got = _as_tensor(learner.focal_loss(logits, targets, 2.0, None, "none"), "focal_loss")
    ce = _cross_entropy(logits, targets, reduction="none")
    pt = torch.exp(-ce)
    check_close(
        got / ce,
        (1 - pt) ** 2,
        name="the ratio focal_loss / cross_entropy for an easy, a hard and a middling example",
        rtol=RTOL,
        atol=ATOL,
        mistakes={"p_t ** gamma instead of (1 - p_t) ** gamma (that up-weights the easy examples)": pt**2},
    )
    check_true(float(got[0] / ce[0]) < 0.01 and float(got[1] / ce[1]) > 0.9,
               "the easy example should keep under 1% of its cross-entropy and the hard one over 90%")


def test_imbalance_shifts_loss_to_minority(learner):
    """on an imbalanced batch, the minority class gets a larger share of the loss than with cross-entropy"""
    g = torch.Generator().manual_seed(5)
    # 90 majority examples the model already handles well, 10 minority examples it gets wrong.
    targets = torch.cat([torch.zeros(90, dtype=torch.long), torch.ones(10, dtype=torch.long)])
    margin = torch.cat([1.5 + 0.5 * torch.randn(90, generator=g), -0.5 + 0.5 * torch.randn(10, generator=g)])
    logits = torch.stack([margin * (1 - 2 * targets), torch.zeros(100)], dim=1)
    focal = _as_tensor(learner.focal_loss(logits, targets, 2.0, None, "none"), "focal_loss").detach()
    ce = _cross_entropy(logits, targets, reduction="none")
    share_focal = float(focal[90:].sum() / focal.sum())
    share_ce = float(ce[90:].sum() / ce.sum())
    expected = _focal(logits, targets, 2.0, None, "none")
    check_close(focal, expected, name="focal_loss(reduction='none') on the imbalanced batch", rtol=RTOL, atol=ATOL)
    check_true(
        share_focal > 1.5 * share_ce,
        f"the minority class's share of the loss is {share_focal:.3f} with focal loss vs {share_ce:.3f} with "
        "cross-entropy; focal loss should shift the loss towards the hard minority examples",
    )


def test_focal_loss_gradients(learner):
    """focal loss back-propagates through p_t as well as log(p_t)"""
    logits, targets = _batch(n=12, seed=3, scale=2.0)
    x = logits.clone().requires_grad_(True)
    loss = _as_tensor(learner.focal_loss(x, targets, 2.0, ALPHA, "mean"), "focal_loss", ())
    if not loss.requires_grad:
        raise GradeFailure("the loss does not require grad: build it from differentiable tensor operations")
    loss.backward()
    if x.grad is None:
        raise GradeFailure("no gradient reached the logits")
    ref_x = logits.double().requires_grad_(True)
    _focal(ref_x, targets, 2.0, ALPHA, "mean").backward()
    det_x = logits.double().requires_grad_(True)
    _focal(det_x, targets, 2.0, ALPHA, "mean", detach_factor=True).backward()
    check_close(
        x.grad,
        ref_x.grad,
        name="the gradient of focal_loss with respect to the logits",
        rtol=RTOL,
        atol=ATOL,
        mistakes={"detaching the modulating factor (1 - p_t) ** gamma from the graph": det_x.grad},
    )


def test_focal_loss_stable(learner):
    """focal loss stays finite, in value and gradient, for logits of +-200"""
    logits = torch.tensor([[200.0, 0.0, -200.0], [-200.0, 200.0, 0.0], [0.0, 0.0, 0.0], [150.0, -150.0, 0.0]])
    targets = torch.tensor([0, 0, 2, 1])
    x = logits.clone().requires_grad_(True)
    loss = _as_tensor(learner.focal_loss(x, targets, 2.0, None, "none"), "focal_loss")
    check_true(
        bool(torch.isfinite(loss).all()),
        f"focal_loss gave {loss.detach().tolist()} for logits of +-200: log(softmax(x)) underflows to log(0); "
        "use torch.log_softmax (or F.cross_entropy(..., reduction='none')) for log p_t",
    )
    check_close(loss, _focal(logits, targets, 2.0, None, "none"), name="focal_loss at logits of +-200",
                rtol=RTOL, atol=ATOL)
    loss.sum().backward()
    check_true(x.grad is not None and bool(torch.isfinite(x.grad).all()),
               "the gradient of focal_loss is not finite for logits of +-200")


def test_sigmoid_focal_loss(learner):
    """binary focal loss: BCE * (1 - p_t) ** gamma * alpha_t, alpha weighing the positives"""
    g = torch.Generator().manual_seed(6)
    logits = torch.randn(6, 5, generator=g) * 3
    targets = (torch.rand(6, 5, generator=g) < 0.3).float()
    for gamma, alpha, reduction in ((2.0, 0.25, "none"), (2.0, 0.25, "mean"), (1.5, None, "sum"), (0.0, 0.75, "mean")):
        got = _as_tensor(learner.sigmoid_focal_loss(logits, targets, gamma, alpha, reduction), "sigmoid_focal_loss")
        mistakes = {
            "p_t = p whatever the target (use p for positives, 1 - p for negatives)": _sfocal(
                logits, targets, gamma, alpha, reduction, pt_is_p=True
            ),
            "summing instead of averaging": _sfocal(logits, targets, gamma, alpha, "sum"),
        }
        if alpha is not None:
            mistakes["alpha weighing the negatives (alpha_t = alpha for targets 1, 1 - alpha for 0)"] = _sfocal(
                logits, targets, gamma, alpha, reduction, alpha_swapped=True
            )
            mistakes["ignoring alpha"] = _sfocal(logits, targets, gamma, None, reduction)
        check_close(
            got,
            _sfocal(logits, targets, gamma, alpha, reduction),
            name=f"sigmoid_focal_loss(gamma={gamma}, alpha={alpha}, reduction={reduction!r})",
            rtol=RTOL,
            atol=ATOL,
            mistakes=mistakes,
        )


def test_sigmoid_focal_loss_stable_and_differentiable(learner):
    """binary focal loss stays finite at logits of +-200 and its gradient matches"""
    logits = torch.tensor([200.0, -200.0, 200.0, -200.0, 0.3, -1.2])
    targets = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    x = logits.clone().requires_grad_(True)
    loss = _as_tensor(learner.sigmoid_focal_loss(x, targets, 2.0, 0.25, "sum"), "sigmoid_focal_loss", ())
    check_true(
        bool(torch.isfinite(loss).all()),
        f"sigmoid_focal_loss gave {float(loss)} for logits of +-200: log(sigmoid(x)) underflows to log(0); "
        "use F.binary_cross_entropy_with_logits (or F.logsigmoid) for the cross-entropy",
    )
    check_close(loss, _sfocal(logits, targets, 2.0, 0.25, "sum"), name="sigmoid_focal_loss at logits of +-200",
                rtol=RTOL, atol=ATOL)
    if not loss.requires_grad:
        raise GradeFailure("the loss does not require grad: build it from differentiable tensor operations")
    loss.backward()
    ref = logits.double().requires_grad_(True)
    _sfocal(ref, targets, 2.0, 0.25, "sum").backward()
    check_close(x.grad, ref.grad, name="the gradient of sigmoid_focal_loss with respect to the logits",
                rtol=RTOL, atol=ATOL)


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.focal_loss, "focal_loss", gamma=2.0, alpha=None, reduction='mean')


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: no tensor made off the logits' device, the loss equals a float64 CPU reference"""
    logits, targets = _batch(n=10, seed=60)
    for reduction in ("mean", "none"):
        check_follows_device(learner.focal_loss, logits, targets, 2.0, ALPHA, reduction)
        got = learner.focal_loss(*to_device((logits, targets), device), 2.0, to_device(ALPHA, device), reduction)
        got = _as_tensor(got, "focal_loss", () if reduction == "mean" else (10,))
        check_true(got.device.type == device.type, f"the loss is on {got.device.type}, the logits on {device.type}")
        expected = trusted(lambda x, t, a: _focal(x, t, 2.0, a, reduction), logits, targets, ALPHA)
        check_close(got, expected, name=f"focal_loss(reduction={reduction!r}) on {device.type}", **tolerance(device))
