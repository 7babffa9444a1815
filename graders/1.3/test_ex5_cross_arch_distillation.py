"""Grader for exercise 1.3.5: feature distillation from a ViT-like teacher into a CNN student.

The hands-on form of "is distillation across architectures feasible?": the student's feature map only
becomes comparable with the teacher's patch tokens after a learned projection (1x1 conv), pooling onto the
patch grid and flattening in the teacher's token order. Expected values are computed here with
``F.adaptive_avg_pool2d``, ``flatten(2).transpose(1, 2)`` and ``F.mse_loss``, and the training curve by a
reference run on copies of the same modules. Probes: tokens built with reshape instead of a transpose
(channels and positions mixed), column-major patch order, max instead of average pooling, a summed or
per-token squared error, a teacher that receives gradients or stays in training mode (dropout), a
projector left out of the optimizer, and losses recorded after the update.
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch._dynamo  # noqa: F401  (torch.optim imports it on first use; see 1.3.4's grader)
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_shape, check_true
from gradelib.devices import check_follows_device, on_device
from torch import nn

B, C_S, D_T, GRID, STEPS, LR = 16, 6, 12, (4, 4), 30, 0.2


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is far faster than several on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


class _PatchTeacher(nn.Module):
    """A ViT-like encoder in miniature: 2x2 patches embedded as tokens, normalised and mixed."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Conv2d(3, D_T, kernel_size=2, stride=2)
        self.norm = nn.LayerNorm(D_T)
        self.mix = nn.Linear(D_T, D_T)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        tokens = self.embed(x).flatten(2).transpose(1, 2)  # (B, 16, D_T), row-major patches
        return self.drop(self.mix(torch.tanh(self.norm(tokens))))


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device (the modules are moved there and back); results
    come back to the CPU to be compared."""
    return on_device(learner, device)


def _modules(seed: int = 0):
    torch.manual_seed(seed)
    student = nn.Sequential(nn.Conv2d(3, C_S, 3, padding=1), nn.ReLU(), nn.Conv2d(C_S, C_S, 3, padding=1))
    teacher = _PatchTeacher()
    projector = nn.Conv2d(C_S, D_T, kernel_size=1)
    return student, teacher, projector


def _images(seed: int = 1) -> torch.Tensor:
    return torch.randn(B, 3, 8, 8, generator=torch.Generator().manual_seed(seed))


def _feat(seed: int = 2, b: int = 3) -> torch.Tensor:
    return torch.randn(b, C_S, 8, 8, generator=torch.Generator().manual_seed(seed))


def _pooled(feat, projector, pool=F.adaptive_avg_pool2d):
    with torch.no_grad():
        return pool(projector(feat), GRID)


def _ref_tokens(feat, projector):
    return _pooled(feat, projector).flatten(2).transpose(1, 2)


def _ref_run(mode: str = "right") -> list[float]:
    student, teacher, projector = _modules()
    x = _images()
    teacher.eval()
    with torch.no_grad():
        target = teacher(x)
    params = list(student.parameters()) + ([] if mode == "no_projector" else list(projector.parameters()))
    opt = torch.optim.SGD(params, lr=LR)
    losses = []
    for _ in range(STEPS + 1):
        tokens = F.adaptive_avg_pool2d(projector(student(x)), GRID).flatten(2).transpose(1, 2)
        loss = F.mse_loss(tokens, target)
        losses.append(float(loss))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return losses[1:] if mode == "after_step" else losses[:-1]


def _loss_value(out) -> torch.Tensor:
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise GradeFailure(f"feature_distillation_loss should return a 0-dim tensor, got {type(out).__name__}")
    return out.reshape(())


def test_student_tokens(learner):
    """student tokens: 1x1 projection, average pooling to the patch grid, row-major (B, N, D_t)"""
    _, _, projector = _modules()
    feat = _feat()
    got = learner.student_tokens(feat, projector, GRID)
    n = GRID[0] * GRID[1]
    got = check_shape(got, (3, n, D_T), "student_tokens(...)")
    pooled = _pooled(feat, projector)
    check_close(
        got,
        pooled.flatten(2).transpose(1, 2),
        name="the student tokens",
        mistakes={
            "reshaping (B, D_t, Ht, Wt) straight to (B, N, D_t) without a transpose (mixes channels and "
            "positions)": pooled.reshape(3, n, D_T),
            "flattening the patch grid column by column instead of row by row": pooled.transpose(2, 3)
            .flatten(2)
            .transpose(1, 2),
            "max pooling instead of average pooling": _pooled(feat, projector, F.adaptive_max_pool2d)
            .flatten(2)
            .transpose(1, 2),
        },
    )


def test_token_order_matches_teacher(learner):
    """token n of the student covers the same image patch as the teacher's token n"""
    # A projector that copies channel 0 everywhere: then token n must be the mean of patch n of channel 0.
    projector = nn.Conv2d(C_S, D_T, kernel_size=1)
    with torch.no_grad():
        projector.weight.zero_()
        projector.weight[:, 0] = 1.0
        projector.bias.zero_()
    feat = torch.zeros(1, C_S, 8, 8)
    feat[0, 0] = torch.arange(64.0).reshape(8, 8)  # value grows along rows, then down
    got = check_shape(learner.student_tokens(feat, projector, GRID), (1, 16, D_T), "student_tokens(...)")
    means = F.avg_pool2d(feat[:, :1], 2).reshape(16)
    check_close(got[0, :, 0], means, name="channel 0 of the 16 tokens (patch means in row-major order)")


def test_loss(learner):
    """the loss is the mean squared error over all B*N*D_t elements"""
    _, _, projector = _modules()
    feat = _feat(3)
    teacher = torch.randn(3, 16, D_T, generator=torch.Generator().manual_seed(4))
    got = _loss_value(learner.feature_distillation_loss(feat, teacher, projector, GRID))
    diff = _ref_tokens(feat, projector) - teacher
    mse = (diff**2).mean()
    check_close(
        got,
        mse,
        name="the feature distillation loss",
        mistakes={
            "summing the squared errors instead of averaging": (diff**2).sum(),
            "a per-token squared distance (summed over D_t) averaged over tokens": (diff**2).sum(-1).mean(),
            "summing over tokens and features, averaging over the batch only": (diff**2).sum() / 3,
        },
    )


def test_gradients(learner):
    """the projector and the student features get gradients; the teacher tokens none"""
    _, _, projector = _modules()
    feat = _feat(5).requires_grad_(True)
    teacher = torch.randn(3, 16, D_T, generator=torch.Generator().manual_seed(6)).requires_grad_(True)
    _loss_value(learner.feature_distillation_loss(feat, teacher, projector, GRID)).backward()
    check_true(
        projector.weight.grad is not None and float(projector.weight.grad.abs().sum()) > 0,
        "the projector received no gradient: it must be part of the computation of the loss",
    )
    check_true(feat.grad is not None and float(feat.grad.abs().sum()) > 0, "no gradient reached the student features")
    check_true(
        teacher.grad is None or float(teacher.grad.abs().sum()) == 0,
        "a gradient reached the teacher tokens: the teacher is a fixed target, so detach them",
    )


def test_distill_curve(learner):
    """hint training: student and projector learn, the loss curve matches the reference run"""
    student, teacher, projector = _modules()
    teacher_before = [p.detach().clone() for p in teacher.parameters()]
    proj_before = projector.weight.detach().clone()
    losses = learner.distill(student, teacher, projector, _images(), GRID, STEPS, LR)
    check_true(
        isinstance(losses, (list, tuple)) and len(losses) == STEPS,
        f"distill should return a list of {STEPS} floats, got {type(losses).__name__} of length "
        f"{len(losses) if hasattr(losses, '__len__') else '?'}",
    )
    check_true(
        all(torch.equal(a, b.detach()) for a, b in zip(teacher_before, teacher.parameters())),
        "the teacher's parameters changed: freeze the teacher and keep it out of the optimizer",
    )
    check_true(
        all(p.grad is None or float(p.grad.abs().sum()) == 0 for p in teacher.parameters()),
        "the teacher's parameters received gradients: compute its tokens under torch.no_grad() (or detach them)",
    )
    if teacher.training:
        raise GradeFailure("the teacher is still in training mode: call teacher.eval() so that its dropout is off")
    check_true(
        not torch.equal(proj_before, projector.weight.detach()),
        "the projector did not change: this is what leaving the projector out of the optimizer gives "
        "(it must learn together with the student)",
    )
    check_close(
        torch.tensor([float(v) for v in losses]),
        torch.tensor(_ref_run()),
        name="the loss curve",
        rtol=1e-4,
        atol=1e-6,
        mistakes={
            "recording each loss after the update instead of before it": torch.tensor(_ref_run("after_step")),
            "leaving the projector out of the optimizer": torch.tensor(_ref_run("no_projector")),
        },
    )
    check_true(losses[-1] < 0.7 * losses[0], f"the loss should fall during hint training, got {losses[0]:.4g} -> {losses[-1]:.4g}")


def test_tokens_loss_and_training_stay_on_the_inputs_device(learner):
    """tokens, loss and the training loop make no tensor off the inputs' device"""
    student, teacher, projector = _modules()
    feat = _feat(7)
    target = torch.randn(3, 16, D_T, generator=torch.Generator().manual_seed(8))
    check_follows_device(learner.student_tokens, feat, projector, GRID)
    check_follows_device(learner.feature_distillation_loss, feat, target, projector, GRID)
    check_follows_device(learner.distill, student, teacher, projector, _images()[:4], GRID, 2, LR)
