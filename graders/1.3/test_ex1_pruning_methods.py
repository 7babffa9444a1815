"""Grader for exercise 1.3.1: magnitude (unstructured), hidden-unit (structured) and 2:4 pruning.

Masks are compared with ``torch.nn.utils.prune`` (``L1Unstructured`` for magnitude pruning,
``LnStructured(n=2, dim=0)`` for the hidden units), captured before the learner's code runs; the 2:4 mask
and the compressed size come from closed forms (PyTorch's own semi-structured sparse tensor needs a CUDA
GPU; its compression factors, 9/16 for 16-bit and 10/16 for 8-bit values, match the formula here).
Probes: pruning by signed value, pruning the keep fraction, flooring or ceiling k, L1 scores, the bias in
the score, scoring by fc2's columns, keeping the smallest units, kept units out of order, forgetting to
slice fc2 or the bias, 2:4 groups down the columns, keeping the smallest of a group, and metadata counted
wrongly or not at all.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.utils.prune as _prune
from gradelib import GradeFailure, check_close, check_number, check_shape, check_true
from gradelib.devices import on_device
from torch import nn

FORBIDDEN = [
    "torch.nn.utils.prune.l1_unstructured",
    "torch.nn.utils.prune.random_unstructured",
    "torch.nn.utils.prune.ln_structured",
    "torch.nn.utils.prune.global_unstructured",
    "torch.nn.utils.prune.L1Unstructured",
    "torch.nn.utils.prune.LnStructured",
]

# Captured before any learner code runs.
_L1Unstructured = _prune.L1Unstructured
_LnStructured = _prune.LnStructured


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is far faster than several on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _ref_magnitude_mask(w: torch.Tensor, sparsity: float) -> torch.Tensor:
    return _L1Unstructured(amount=sparsity).compute_mask(w, default_mask=torch.ones_like(w)).bool()


def _ref_unit_mask(w1: torch.Tensor, n_prune: int) -> torch.Tensor:
    # One row of the returned mask per hidden unit; a unit is kept when its row is all ones.
    mask = _LnStructured(amount=n_prune, n=2, dim=0).compute_mask(w1, default_mask=torch.ones_like(w1))
    return mask.bool().all(dim=1)


def _bottom_k_mask(scores: torch.Tensor, k: int) -> torch.Tensor:
    mask = torch.ones(scores.numel(), dtype=torch.bool)
    mask[torch.argsort(scores.reshape(-1))[:k]] = False
    return mask.reshape(scores.shape)


def _result_pair(value, name: str):
    if not (isinstance(value, tuple) and len(value) == 2):
        raise GradeFailure(f"{name} should return a tuple of two items, got {type(value).__name__}")
    return value


def _mask_of(value, shape, name: str) -> torch.Tensor:
    mask = check_shape(value, shape, name)
    check_true(mask.dtype == torch.bool, f"{name} should be a torch.bool tensor, got dtype {mask.dtype}")
    return mask


def _weight(seed: int, *shape: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g)


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_magnitude_mask_matches_reference(learner):
    """magnitude pruning zeroes the round(s * n) weights of smallest |w| (as torch's L1Unstructured)"""
    w = _weight(1, 24, 40)
    sparsity = 0.6
    before = w.clone()
    pruned, mask = _result_pair(learner.magnitude_prune(w, sparsity), "magnitude_prune")
    mask = _mask_of(mask, w.shape, "the magnitude mask")
    expected = _ref_magnitude_mask(w, sparsity)
    k = round(sparsity * w.numel())
    check_close(
        mask,
        expected,
        name="the magnitude mask (True = kept)",
        rtol=0,
        atol=0,
        mistakes={
            "ranking by the signed value instead of |w| (large negative weights are pruned)": _bottom_k_mask(w, k),
            "keeping the smallest weights and pruning the largest": ~expected,
            "pruning the fraction 1 - sparsity (sparsity is the fraction REMOVED)": _ref_magnitude_mask(
                w, 1 - sparsity
            ),
        },
    )
    check_true(torch.equal(w, before), "magnitude_prune modified its input weight; return a new tensor instead")
    check_true(
        isinstance(pruned, torch.Tensor) and pruned.dtype == w.dtype,
        f"the pruned weight should be a tensor of dtype {w.dtype}",
    )
    check_close(pruned, w * expected, name="the pruned weight (weight * mask)")


def test_magnitude_exact_count(learner):
    """exactly k = round(sparsity * numel) weights are pruned (not floor, not ceil)"""
    w = _weight(2, 10, 10)
    for sparsity in (0.257, 0.253):
        _, mask = _result_pair(learner.magnitude_prune(w, sparsity), "magnitude_prune")
        mask = _mask_of(mask, w.shape, "the magnitude mask")
        pruned = int((~mask).sum())
        n = w.numel()
        check_number(
            pruned,
            round(sparsity * n),
            name=f"the number of pruned weights of 100 at sparsity {sparsity}",
            mistakes={
                "int(sparsity * numel), which floors": int(sparsity * n),
                "math.ceil(sparsity * numel)": math.ceil(sparsity * n),
            },
        )


def test_magnitude_any_shape(learner):
    """magnitude pruning works on a 4-D conv weight, over the whole tensor"""
    w = _weight(3, 8, 3, 3, 3)
    pruned, mask = _result_pair(learner.magnitude_prune(w, 0.5), "magnitude_prune")
    mask = _mask_of(mask, w.shape, "the mask of a conv weight")
    expected = _ref_magnitude_mask(w, 0.5)
    per_filter = torch.zeros_like(expected)
    for i in range(w.shape[0]):
        per_filter[i] = _ref_magnitude_mask(w[i], 0.5)
    check_close(
        mask,
        expected,
        name="the conv-weight mask",
        rtol=0,
        atol=0,
        mistakes={"ranking within each filter (or row) instead of over the whole tensor": per_filter},
    )
    check_close(pruned, w * expected, name="the pruned conv weight")


def _mlp(seed: int) -> tuple[nn.Linear, nn.Linear]:
    g = torch.Generator().manual_seed(seed)
    fc1, fc2 = nn.Linear(12, 20), nn.Linear(20, 5)
    with torch.no_grad():
        w1 = torch.randn(20, 12, generator=g) * (0.3 + torch.rand(20, 1, generator=g))
        spikes = torch.arange(0, 20, 3)
        w1[spikes] = 0.05 * torch.randn(len(spikes), 12, generator=g)
        w1[spikes, spikes % 12] = 1.6 + torch.rand(len(spikes), generator=g)  # one large entry: L1 and L2 disagree
        fc1.weight.copy_(w1)
        fc1.bias.copy_(3 * torch.randn(20, generator=g))
        fc2.weight.copy_(torch.randn(5, 20, generator=g) * 2 * torch.rand(1, 20, generator=g))
        fc2.bias.copy_(torch.randn(5, generator=g))
    return fc1, fc2


N_KEEP = 8


def _pruned_pair(learner, fc1, fc2):
    new1, new2 = _result_pair(learner.prune_hidden_units(fc1, fc2, N_KEEP), "prune_hidden_units")
    for name, layer in (("new_fc1", new1), ("new_fc2", new2)):
        check_true(isinstance(layer, nn.Linear), f"{name} should be an nn.Linear, got {type(layer).__name__}")
    return new1, new2


def test_hidden_unit_shapes(learner):
    """structured pruning returns smaller layers: fc1 (n_keep, in), fc2 (out, n_keep)"""
    fc1, fc2 = _mlp(4)
    new1, new2 = _pruned_pair(learner, fc1, fc2)
    w1 = new1.weight.detach()
    if w1.dim() == 2 and w1.shape[0] == 20:
        raise GradeFailure(
            f"new_fc1.weight has shape {tuple(w1.shape)}, expected {(N_KEEP, 12)}: a hidden unit is a ROW of "
            "fc1.weight (one output feature), so remove rows of fc1, not columns"
        )
    check_shape(w1, (N_KEEP, 12), "new_fc1.weight")
    if new1.bias is None or tuple(new1.bias.shape) != (N_KEEP,):
        got = None if new1.bias is None else tuple(new1.bias.shape)
        raise GradeFailure(f"new_fc1.bias has shape {got}, expected {(N_KEEP,)}: slice the bias with the same units")
    w2 = new2.weight.detach()
    if tuple(w2.shape) == (5, 20):
        raise GradeFailure(
            "new_fc2.weight still has 20 input columns: removing a hidden unit also removes its COLUMN of "
            f"fc2.weight, so new_fc2.weight should have shape {(5, N_KEEP)}"
        )
    check_shape(w2, (5, N_KEEP), "new_fc2.weight")
    check_shape(new2.bias.detach(), (5,), "new_fc2.bias")
    params_before = sum(p.numel() for p in (*fc1.parameters(), *fc2.parameters()))
    params_after = sum(p.numel() for p in (*new1.parameters(), *new2.parameters()))
    check_number(params_after, N_KEEP * 12 + N_KEEP + 5 * N_KEEP + 5, name="parameters after pruning")
    check_true(params_after < params_before, "structured pruning should make the layers smaller")


def test_hidden_unit_selection(learner):
    """the kept units are those with the largest L2 row norm of fc1.weight, in index order"""
    fc1, fc2 = _mlp(4)
    w1, b1, w2 = fc1.weight.detach(), fc1.bias.detach(), fc2.weight.detach()
    new1, _ = _pruned_pair(learner, fc1, fc2)
    got = check_shape(new1.weight.detach(), (N_KEEP, 12), "new_fc1.weight")
    keep = torch.nonzero(_ref_unit_mask(w1, 20 - N_KEEP)).reshape(-1)

    def rows(scores, largest=True):
        return w1[torch.topk(scores, N_KEEP, largest=largest).indices.sort().values]

    l2 = w1.norm(dim=1)
    check_close(
        got,
        w1[keep],
        name="the kept rows of fc1.weight",
        mistakes={
            "scoring units by the L1 norm instead of the L2 norm": rows(w1.abs().sum(dim=1)),
            "including the bias in the score": rows(torch.cat([w1, b1[:, None]], dim=1).norm(dim=1)),
            "scoring units by their column of fc2.weight": rows(w2.norm(dim=0)),
            "keeping the units of SMALLEST norm": rows(l2, largest=False),
            "keeping the right units but in order of score instead of their original order": w1[
                torch.topk(l2, N_KEEP).indices
            ],
        },
    )
    check_close(new1.bias.detach(), b1[keep], name="the kept entries of fc1.bias")


def test_hidden_unit_outputs(learner):
    """the pruned network equals the original with the removed units' activations set to zero"""
    fc1, fc2 = _mlp(5)
    x = _weight(6, 16, 12)
    new1, new2 = _pruned_pair(learner, fc1, fc2)
    keep = _ref_unit_mask(fc1.weight.detach(), 20 - N_KEEP)
    with torch.no_grad():
        expected = fc2(torch.relu(fc1(x)) * keep)
        weights_only = fc2(torch.relu(nn.functional.linear(x, fc1.weight * keep[:, None], fc1.bias)))
        got = new2(torch.relu(new1(x)))
    check_close(
        got,
        expected,
        name="the pruned network's output",
        mistakes={"zeroing fc1's rows but keeping their biases (the unit is still alive)": weights_only},
    )


def test_hidden_units_leave_originals(learner):
    """prune_hidden_units returns new layers and leaves fc1 and fc2 unchanged"""
    fc1, fc2 = _mlp(7)
    before = [p.detach().clone() for p in (*fc1.parameters(), *fc2.parameters())]
    new1, new2 = _pruned_pair(learner, fc1, fc2)
    after = [p.detach() for p in (*fc1.parameters(), *fc2.parameters())]
    check_true(
        all(torch.equal(a, b) for a, b in zip(before, after)) and fc1.out_features == 20,
        "prune_hidden_units changed fc1 or fc2; build new nn.Linear modules instead",
    )
    check_true(new1 is not fc1 and new2 is not fc2, "return NEW nn.Linear modules, not fc1 and fc2 themselves")


def _ref_2_4(w: torch.Tensor, dim: int = 1, largest: bool = True) -> torch.Tensor:
    if dim == 0:
        return _ref_2_4(w.t(), 1, largest).t()
    rows, cols = w.shape
    groups = w.abs().reshape(rows, cols // 4, 4)
    idx = groups.topk(2, dim=-1, largest=largest).indices
    return torch.zeros(groups.shape, dtype=torch.bool).scatter_(-1, idx, True).reshape(rows, cols)


def _ref_2_4_signed(w: torch.Tensor) -> torch.Tensor:
    rows, cols = w.shape
    groups = w.reshape(rows, cols // 4, 4)
    idx = groups.topk(2, dim=-1).indices
    return torch.zeros(groups.shape, dtype=torch.bool).scatter_(-1, idx, True).reshape(rows, cols)


def test_2_4_mask(learner):
    """2:4 keeps the 2 largest |w| of every 4 consecutive weights along a row"""
    w = _weight(8, 16, 32)
    mask = _mask_of(learner.semi_structured_mask(w), w.shape, "the 2:4 mask")
    check_close(
        mask,
        _ref_2_4(w),
        name="the 2:4 mask (True = kept)",
        rtol=0,
        atol=0,
        mistakes={
            "grouping 4 consecutive entries down a COLUMN instead of along a row": _ref_2_4(w, dim=0),
            "keeping the 2 smallest |w| of each group": _ref_2_4(w, largest=False),
            "ranking by the signed value instead of |w|": _ref_2_4_signed(w),
        },
    )


def test_2_4_exact_pattern(learner):
    """every group of 4 has exactly 2 kept weights, so the sparsity is exactly 50%"""
    w = _weight(9, 8, 64) * torch.linspace(0.1, 3, 64)  # magnitudes grow along the row
    mask = _mask_of(learner.semi_structured_mask(w), w.shape, "the 2:4 mask")
    per_group = mask.reshape(8, 16, 4).sum(dim=-1)
    check_true(
        bool((per_group == 2).all()),
        f"some groups of 4 keep {sorted(set(per_group.reshape(-1).tolist()) - {2})} weights instead of exactly 2; "
        "2:4 sparsity needs exactly 2 kept weights in EVERY group of 4 (ranking over the whole row is not 2:4)",
    )
    check_close(mask, _ref_2_4(w), name="the 2:4 mask", rtol=0, atol=0)


def test_2_4_storage(learner):
    """2:4 storage is half the values plus 2 bits of metadata per kept value"""
    for rows, cols, elem in ((4096, 4096, 2), (1024, 512, 1), (64, 48, 4)):
        kept = rows * cols // 2
        dense = rows * cols * elem
        check_number(
            learner.semi_structured_bytes(rows, cols, elem),
            kept * elem + kept // 4,
            name=f"semi_structured_bytes({rows}, {cols}, {elem})",
            mistakes={
                "forgetting the metadata (half the dense size)": dense // 2,
                "counting 2 bits of metadata per DENSE entry instead of per kept value": kept * elem + rows * cols // 4,
                "counting 4 bits of metadata per kept value": kept * elem + kept // 2,
                "counting metadata in bits, not bytes (2 per kept value)": kept * elem + kept * 2,
                "the dense size": dense,
            },
        )
    check_number(
        learner.semi_structured_bytes(4096, 4096, 2) / (4096 * 4096 * 2),
        9 / 16,
        name="the 2:4 FP16 compressed size as a fraction of dense",
    )


def test_magnitude_prunes_a_single_weight(learner):
    """a sparsity that rounds to exactly one weight prunes that one (the smallest |w|), not none"""
    w = _weight(9, 4, 5)
    out = _result_pair(learner.magnitude_prune(w.clone(), 0.05), "magnitude_prune")
    mask = _mask_of(out[1], (4, 5), "the mask of magnitude_prune(w, 0.05)")
    check_close(mask, _ref_magnitude_mask(w, 0.05), name="the mask of a 4x5 weight at sparsity 0.05 (1 weight)",
                rtol=0, atol=0, mistakes={"pruning nothing when only one weight is due": torch.ones(4, 5, dtype=torch.bool)})
