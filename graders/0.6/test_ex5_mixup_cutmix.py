"""Grader for exercise 0.6.5: mixup and CutMix.

Form: the catalogue's, made deterministic by passing a seeded ``numpy.random.Generator`` and fixing the
order of the draws in the stub; the grader replays the same draws. Inputs, mixed labels and lambda are
compared exactly (up to float rounding); the CutMix box is compared as integers on non-square images with
boxes that are clipped at the border. The soft-target cross-entropy is compared with ``F.cross_entropy``
with probability targets and with lam * CE(y) + (1 - lam) * CE(y[perm]).

Probes: one lambda per sample instead of per batch, a uniform lambda, the draws in the wrong order, labels
left unmixed, labels mixed with swapped weights, a second permutation for the labels, the sampled lambda
kept for CutMix instead of the box's area (or its complement), height and width swapped, a box twice as
large (cut // 2 forgotten), a side ratio of sqrt(lam), pasting from the image itself, modifying the input
in place, and summing the soft cross-entropy over the batch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device

RTOL, ATOL = 1e-5, 1e-6
_cross_entropy = F.cross_entropy



@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def _onehot(y, c):
    return torch.eye(c)[y]


def _batch(shape, n_classes, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g), torch.randint(0, n_classes, (shape[0],), generator=g)


def _mixup_ref(x, y, c, alpha, seed, *, per_sample=False, uniform=False, perm_first=False, no_label_mix=False,
               swapped_labels=False, two_perms=False, swapped_inputs=False):
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    if perm_first:
        perm = torch.as_tensor(rng.permutation(n))
        lam = float(rng.beta(alpha, alpha))
    else:
        if per_sample:
            lam = torch.as_tensor(rng.beta(alpha, alpha, size=n), dtype=torch.float32)
        else:
            lam = float(rng.random() if uniform else rng.beta(alpha, alpha))
        perm = torch.as_tensor(rng.permutation(n))
    perm_y = torch.as_tensor(rng.permutation(n)) if two_perms else perm
    lam_x = lam.reshape(-1, *([1] * (x.dim() - 1))) if per_sample else lam
    lam_y = lam.reshape(-1, 1) if per_sample else lam
    x_mix = (1 - lam_x) * x + lam_x * x[perm] if swapped_inputs else lam_x * x + (1 - lam_x) * x[perm]
    Y = _onehot(y, c)
    if no_label_mix:
        y_mix = Y
    elif swapped_labels:
        y_mix = (1 - lam_y) * Y + lam_y * Y[perm_y]
    else:
        y_mix = lam_y * Y + (1 - lam_y) * Y[perm_y]
    return x_mix, y_mix, lam


def _box(H, W, lam, cy, cx, *, swap=False, full=False, sqrt_lam=False):
    r = math.sqrt(lam) if sqrt_lam else math.sqrt(1 - lam)
    cut_h, cut_w = int(H * r), int(W * r)
    if swap:
        cut_h, cut_w = cut_w, cut_h
    hh, hw = (cut_h, cut_w) if full else (cut_h // 2, cut_w // 2)
    clip = lambda v, hi: int(min(max(v, 0), hi))  # noqa: E731
    return clip(cy - hh, H), clip(cy + hh, H), clip(cx - hw, W), clip(cx + hw, W)


def _cutmix_ref(x, y, c, alpha, seed, *, lam_mode="area", same_image=False, label_lam="area"):
    rng = np.random.default_rng(seed)
    n, _, H, W = x.shape
    lam0 = float(rng.beta(alpha, alpha))
    perm = torch.as_tensor(rng.permutation(n))
    cy, cx = int(rng.integers(H)), int(rng.integers(W))
    y0, y1, x0, x1 = _box(H, W, lam0, cy, cx)
    x_mix = x.clone()
    src = x if same_image else x[perm]
    x_mix[:, :, y0:y1, x0:x1] = src[:, :, y0:y1, x0:x1]
    area = (y1 - y0) * (x1 - x0) / (H * W)
    lam = {"area": 1 - area, "sampled": lam0, "fraction": area}[lam_mode]
    ll = {"area": 1 - area, "sampled": lam0}[label_lam]
    Y = _onehot(y, c)
    return x_mix, ll * Y + (1 - ll) * Y[perm], lam, (lam0, (y0, y1, x0, x1))


def _triple(value, name):
    if not (isinstance(value, tuple) and len(value) == 3):
        raise GradeFailure(f"{name} should return a tuple (x_mix, y_mix, lam), got {type(value).__name__}")
    x_mix, y_mix, lam = value
    if isinstance(lam, torch.Tensor) and lam.numel() == 1:
        lam = lam.item()
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.floating)):
        raise GradeFailure(f"{name} should return lam as a Python float (one weight for the batch), got {lam!r}")
    return x_mix, y_mix, float(lam)


def test_one_hot(learner):
    """one_hot gives float32 (n, num_classes) rows with a single 1"""
    y = torch.tensor([2, 0, 4, 4, 1])
    got = learner.one_hot(y, 6)
    check_close(got, torch.eye(6)[y], name="one_hot([2, 0, 4, 4, 1], 6)", rtol=0, atol=0, dtype=torch.float32)


def test_mixup(learner):
    """mixup: one lam ~ Beta(alpha, alpha) per batch; inputs and one-hot labels mixed with the same lam"""
    x, y = _batch((8, 3, 4), 5, seed=1)
    x_orig = x.clone()
    seed, alpha = 12, 0.4
    x_mix, y_mix, lam = _triple(learner.mixup(x, y, 5, alpha, np.random.default_rng(seed)), "mixup")
    ex, ey, elam = _mixup_ref(x, y, 5, alpha, seed)
    check_true(torch.equal(x, x_orig), "mixup modified its input x in place; return a new tensor")
    rng = np.random.default_rng(seed)
    check_number(
        lam,
        elam,
        name="lam",
        rtol=1e-9,
        mistakes={
            "a uniform lam (rng.random()) instead of Beta(alpha, alpha)": float(rng.random()),
            "drawing the permutation before lam (draw lam first, then the permutation)": _mixup_ref(
                x, y, 5, alpha, seed, perm_first=True
            )[2],
        },
    )
    check_close(
        x_mix,
        ex,
        name="x_mix",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "one lam per sample (rng.beta(alpha, alpha, size=n)); mixup uses ONE lam for the whole batch": _mixup_ref(
                x, y, 5, alpha, seed, per_sample=True
            )[0],
            "swapping the weights, (1 - lam) * x + lam * x[perm],": _mixup_ref(x, y, 5, alpha, seed, swapped_inputs=True)[0],
        },
    )
    check_close(
        y_mix,
        ey,
        name="y_mix (mixed one-hot labels)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "leaving the labels unmixed (they must be mixed exactly like the inputs)": _onehot(y, 5),
            "mixing the labels with swapped weights ((1 - lam) on y, lam on y[perm])": _mixup_ref(
                x, y, 5, alpha, seed, swapped_labels=True
            )[1],
            "a second permutation for the labels (pair each label with the same partner as its input)": _mixup_ref(
                x, y, 5, alpha, seed, two_perms=True
            )[1],
        },
    )
    check_close(y_mix.sum(dim=1), torch.ones(8), name="the row sums of y_mix", rtol=RTOL, atol=ATOL)


def test_mixup_other_batch(learner):
    """mixup on a 2-D batch with alpha = 1 (uniform lam) matches the same replayed draws"""
    x, y = _batch((10, 6), 3, seed=2)
    x_mix, y_mix, lam = _triple(learner.mixup(x, y, 3, 1.0, np.random.default_rng(99)), "mixup")
    ex, ey, elam = _mixup_ref(x, y, 3, 1.0, 99)
    check_number(lam, elam, name="lam", rtol=1e-9)
    check_close(x_mix, ex, name="x_mix", rtol=RTOL, atol=ATOL)
    check_close(y_mix, ey, name="y_mix", rtol=RTOL, atol=ATOL)


def test_cutmix_box(learner):
    """the CutMix box has sides int(H * sqrt(1 - lam)), int(W * sqrt(1 - lam)), centred and clipped"""
    cases = [(8, 12, 0.5, 4, 6), (8, 12, 0.3, 0, 11), (10, 6, 0.75, 9, 1), (16, 20, 0.1, 7, 3)]
    for H, W, lam, cy, cx in cases:
        got = learner.cutmix_box(H, W, lam, cy, cx)
        try:
            got = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            raise GradeFailure(f"cutmix_box should return four ints (y0, y1, x0, x1), got {got!r}") from None
        expected = _box(H, W, lam, cy, cx)
        if got == expected:
            continue
        mistakes = {
            "swapping height and width (rows follow H, columns follow W)": _box(H, W, lam, cy, cx, swap=True),
            "a box twice as large (the half-sides are cut_h // 2 and cut_w // 2)": _box(H, W, lam, cy, cx, full=True),
            "a side ratio of sqrt(lam) (the box's area should be about 1 - lam)": _box(H, W, lam, cy, cx, sqrt_lam=True),
        }
        why = next((f" This is what {k} gives." for k, v in mistakes.items() if v == got), "")
        raise GradeFailure(
            f"cutmix_box(H={H}, W={W}, lam={lam}, cy={cy}, cx={cx}) returned {got}, expected {expected}.{why}"
        )


def test_cutmix(learner):
    """CutMix pastes the box of x[perm] and mixes labels by the box's actual (clipped) area"""
    x, y = _batch((6, 2, 8, 12), 4, seed=3)
    x_orig = x.clone()
    seed, alpha = 5, 1.0
    x_mix, y_mix, lam = _triple(learner.cutmix(x, y, 4, alpha, np.random.default_rng(seed)), "cutmix")
    ex, ey, elam, (lam0, box) = _cutmix_ref(x, y, 4, alpha, seed)
    check_true(torch.equal(x, x_orig), "cutmix modified its input x in place; paste into a copy (x.clone())")
    check_close(
        x_mix,
        ex,
        name=f"x_mix (the box rows {box[0]}..{box[1] - 1}, columns {box[2]}..{box[3] - 1} come from x[perm])",
        rtol=RTOL,
        atol=ATOL,
        mistakes={"pasting the box from the image itself instead of x[perm]": _cutmix_ref(
            x, y, 4, alpha, seed, same_image=True)[0]},
    )
    check_number(
        lam,
        elam,
        name=f"lam (sampled {lam0:.4f}, box {box} of an 8 x 12 image)",
        rtol=1e-9,
        mistakes={
            "returning the sampled lam instead of 1 - box area / (H * W)": lam0,
            "returning the box's area fraction (the pasted part) instead of 1 minus it": 1 - elam,
        },
    )
    check_close(
        y_mix,
        ey,
        name="y_mix (mixed one-hot labels)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "mixing the labels with the sampled lam instead of the box's actual area": _cutmix_ref(
                x, y, 4, alpha, seed, label_lam="sampled"
            )[1],
            "leaving the labels unmixed (they must be mixed exactly like the inputs)": _onehot(y, 4),
        },
    )


def test_cutmix_other_seeds(learner):
    """CutMix matches the replayed draws on more seeds, boxes clipped at the border included"""
    x, y = _batch((5, 3, 10, 7), 3, seed=4)
    for seed in (0, 1, 2, 3, 21):
        x_mix, y_mix, lam = _triple(learner.cutmix(x, y, 3, 0.7, np.random.default_rng(seed)), "cutmix")
        ex, ey, elam, (_, box) = _cutmix_ref(x, y, 3, 0.7, seed)
        check_number(lam, elam, name=f"lam with seed {seed} (box {box} of a 10 x 7 image)", rtol=1e-9)
        check_close(x_mix, ex, name=f"x_mix with seed {seed}", rtol=RTOL, atol=ATOL)
        check_close(y_mix, ey, name=f"y_mix with seed {seed}", rtol=RTOL, atol=ATOL)


def test_soft_cross_entropy(learner):
    """soft-target cross-entropy equals lam * CE(y) + (1 - lam) * CE(y[perm])"""
    g = torch.Generator().manual_seed(7)
    logits = torch.randn(8, 5, generator=g) * 2
    y = torch.randint(0, 5, (8,), generator=g)
    perm = torch.randperm(8, generator=g)
    lam = 0.3
    soft = lam * _onehot(y, 5) + (1 - lam) * _onehot(y[perm], 5)
    got = learner.soft_cross_entropy(logits, soft)
    expected = lam * _cross_entropy(logits, y) + (1 - lam) * _cross_entropy(logits, y[perm])
    check_close(
        got,
        _cross_entropy(logits, soft),
        name="soft_cross_entropy(logits, mixed labels)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={"summing over the batch instead of averaging": _cross_entropy(logits, soft, reduction="sum")},
    )
    check_close(got, expected, name="soft_cross_entropy vs lam * CE(y) + (1 - lam) * CE(y[perm])", rtol=1e-4, atol=1e-5)


def test_tensors_stay_on_the_inputs_device(learner):
    """one_hot, mixup, cutmix and the soft cross-entropy keep every tensor on the input's device"""
    x, y = _batch((4, 2, 6, 5), 3, seed=8)
    check_follows_device(learner.one_hot, y, 3)
    check_follows_device(learner.mixup, x, y, 3, 0.4, np.random.default_rng(1))
    check_follows_device(learner.cutmix, x, y, 3, 0.7, np.random.default_rng(2))
    check_follows_device(learner.soft_cross_entropy, x[:, 0, 0, :3], _onehot(y, 3))
