"""Grader for exercise 1.3.4: the cubic sparsity schedule and an iterative prune / fine-tune loop.

The schedule is checked against the closed form of Zhu & Gupta (2017). The loop is checked against a
reference run written here (same model, data, SGD and order of operations); alternative runs of the
classic mistakes name the one a wrong result matches. Probes: a linear or squared schedule, the cubic
bent the wrong way (slow first), no clamping after the end step, a global instead of layer-wise ranking,
biases pruned, pruned weights that grow back because the mask is not re-applied after each step,
fine-tuning before pruning, and one-shot pruning straight to the final sparsity.
"""

from __future__ import annotations

import pytest
import torch
import torch._dynamo  # noqa: F401
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_number, check_true
from gradelib.devices import check_follows_device, on_device
from torch import nn

TARGETS_SPEC = (0.0, 0.75, 0, 4)  # s_i, s_f, t0, t1: the loop prunes at t = 1, 2, 3, 4
STEPS, LR = 25, 0.05

# torch.optim imports torch._dynamo on first use, and that import rebinds torch.manual_seed; importing it
# here, before the sandbox snapshots the libraries, keeps the learner's optimizer from reading as tampering.


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is far faster than several on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device (the model is moved there and back); results come
    back to the CPU to be compared."""
    return on_device(learner, device)


def _cubic(t, si, sf, t0, t1):
    if t <= t0:
        return si
    if t >= t1:
        return sf
    return sf + (si - sf) * (1 - (t - t0) / (t1 - t0)) ** 3


def _targets() -> list[float]:
    si, sf, t0, t1 = TARGETS_SPEC
    return [_cubic(t, si, sf, t0, t1) for t in range(t0 + 1, t1 + 1)]


def _model(seed: int = 3) -> nn.Sequential:
    g = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    with torch.no_grad():
        model[0].weight.copy_(torch.randn(32, 8, generator=g) * 0.4)
        model[0].bias.copy_(torch.randn(32, generator=g) * 0.1)
        model[2].weight.copy_(torch.randn(4, 32, generator=g) * 2.0)  # larger scale: global != layer-wise
        model[2].bias.copy_(torch.randn(4, generator=g) * 0.1)
    return model


def _data(seed: int = 2):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(128, 8, generator=g)
    w1, w2 = torch.randn(8, 16, generator=g), torch.randn(16, 4, generator=g)
    y = torch.tanh(x @ w1) @ w2 * 0.5
    return x, y


def _bottom_k(w: torch.Tensor, k: int) -> torch.Tensor:
    mask = torch.ones(w.numel(), dtype=torch.bool)
    if k > 0:
        mask[torch.argsort(w.abs().reshape(-1))[:k]] = False
    return mask.reshape(w.shape)


def _ref_masks(model: nn.Module, sparsity: float, global_rank: bool = False) -> dict[str, torch.Tensor]:
    weights = {n: p.detach() for n, p in model.named_parameters() if n.endswith("weight")}
    if not global_rank:
        return {n: _bottom_k(w, round(sparsity * w.numel())) for n, w in weights.items()}
    flat = torch.cat([w.reshape(-1) for w in weights.values()])
    mask = _bottom_k(flat, round(sparsity * flat.numel()))
    out, i = {}, 0
    for n, w in weights.items():
        out[n] = mask[i : i + w.numel()].reshape(w.shape)
        i += w.numel()
    return out


def _apply(model, masks):
    params = dict(model.named_parameters())
    with torch.no_grad():
        for n, m in masks.items():
            params[n].mul_(m)


def _finetune(model, masks, x, y, steps, remask=True):
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()
        if remask:
            _apply(model, masks)


def _ref_run(mode: str = "right") -> nn.Sequential:
    model, (x, y) = _model(), _data()
    targets = _targets()
    if mode == "one_shot":
        masks = _ref_masks(model, targets[-1])
        _apply(model, masks)
        _finetune(model, masks, x, y, STEPS * len(targets))
        return model
    previous: dict[str, torch.Tensor] = {}
    for target in targets:
        if mode == "finetune_first":
            _finetune(model, previous, x, y, STEPS)
            previous = _ref_masks(model, target)
            _apply(model, previous)
            continue
        masks = _ref_masks(model, target)
        _apply(model, masks)
        _finetune(model, masks, x, y, STEPS, remask=(mode != "no_remask"))
    return model


def _flat(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def _check_masks(got, expected: dict[str, torch.Tensor], what: str, mistakes=None):
    if not isinstance(got, dict):
        raise GradeFailure(f"{what} should be a dict {{weight name: bool mask}}, got {type(got).__name__}")
    extra = sorted(set(got) - set(expected))
    if any(k.endswith("bias") for k in extra):
        raise GradeFailure(f"{what} has entries for biases ({extra}); biases are never pruned")
    check_true(
        set(got) == set(expected),
        f"{what} has keys {sorted(got)}, expected {sorted(expected)} (the names in model.named_parameters())",
    )
    for name, mask in expected.items():
        value = got[name]
        check_true(
            isinstance(value, torch.Tensor) and value.dtype == torch.bool,
            f"{what}[{name!r}] should be a torch.bool tensor",
        )
        wrong = {d: m[name] for d, m in (mistakes or {}).items()}
        check_close(value, mask, name=f"{what}[{name!r}]", rtol=0, atol=0, mistakes=wrong)


def test_schedule_values(learner):
    """the cubic schedule s_f + (s_i - s_f)(1 - (t - t0)/(t1 - t0))^3, clamped outside [t0, t1]"""
    for si, sf, t0, t1 in ((0.0, 0.8, 10, 110), (0.2, 0.9, 0, 40)):
        for t in (t0 - 5, t0, t0 + (t1 - t0) // 4, (t0 + t1) // 2, t1 - 3, t1, t1 + 50):
            p = min(max((t - t0) / (t1 - t0), 0.0), 1.0)
            raw = (t - t0) / (t1 - t0)
            side = "s_f after end_step" if t > t1 else "s_i before begin_step"
            check_number(
                learner.cubic_sparsity(t, si, sf, t0, t1),
                _cubic(t, si, sf, t0, t1),
                name=f"cubic_sparsity({t}, {si}, {sf}, {t0}, {t1})",
                atol=1e-9,
                mistakes={
                    "a linear ramp instead of the cubic": si + (sf - si) * p,
                    "the cubic bent the wrong way, s_i + (s_f - s_i) * progress**3 (slow first, fast last)": si
                    + (sf - si) * p**3,
                    "an exponent of 2 instead of 3": sf + (si - sf) * (1 - p) ** 2,
                    f"not holding {side} (the formula extrapolated)": sf + (si - sf) * (1 - raw) ** 3,
                },
            )


def test_schedule_front_loaded(learner):
    """the schedule prunes most of the way early: 7/8 of it by half time"""
    half = learner.cubic_sparsity(50, 0.0, 0.8, 0, 100)
    check_number(half, 0.7, name="the sparsity at half time", atol=1e-9)


def test_layer_masks(learner):
    """layer-wise masks: round(s * numel) smallest |w| of EACH nn.Linear weight, no biases"""
    model = _model(5)
    before = _flat(model).clone()
    got = learner.layer_masks(model, 0.6)
    _check_masks(
        got,
        _ref_masks(model, 0.6),
        "layer_masks(model, 0.6)",
        mistakes={"ranking all weights together (a global threshold) instead of layer by layer": _ref_masks(
            model, 0.6, global_rank=True
        )},
    )
    check_true(torch.equal(_flat(model), before), "layer_masks changed the model; it should only compute masks")
    for name, mask in got.items():
        numel = mask.numel()
        check_number(int((~mask).sum()), round(0.6 * numel), name=f"pruned entries of {name}")


def test_loop_keeps_pruned_weights_at_zero(learner):
    """after the loop the pruned weights are exactly zero: fine-tuning does not regrow them"""
    model, (x, y) = _model(), _data()
    masks = learner.iterative_prune(model, x, y, _targets(), STEPS, LR)
    params = dict(model.named_parameters())
    check_true(isinstance(masks, dict) and masks, "iterative_prune should return the last stage's masks (a dict)")
    for name, mask in masks.items():
        check_true(name in params, f"iterative_prune returned a mask for {name!r}, which is not a parameter")
        w = params[name].detach()
        regrown = int(((~mask) & (w != 0)).sum())
        if regrown:
            raise GradeFailure(
                f"{regrown} pruned weights of {name} are non-zero after fine-tuning: pruned weights grow back "
                "unless you set them to zero again after every optimizer step (or mask their gradients)"
            )
        check_number(
            int((~mask).sum()),
            round(_targets()[-1] * w.numel()),
            name=f"pruned entries of {name} after the last stage",
        )


def test_loop_matches_reference(learner):
    """prune then fine-tune at each stage: the final weights match the reference run"""
    model, (x, y) = _model(), _data()
    learner.iterative_prune(model, x, y, _targets(), STEPS, LR)
    check_close(
        _flat(model),
        _flat(_ref_run()),
        name="the model's parameters after iterative pruning",
        rtol=1e-4,
        atol=1e-4,
        mistakes={
            "not re-applying the masks after each optimizer step (pruned weights grow back)": _flat(
                _ref_run("no_remask")
            ),
            "fine-tuning BEFORE pruning at each stage (the last pruning is never fine-tuned)": _flat(
                _ref_run("finetune_first")
            ),
            "pruning once, straight to the final sparsity (one-shot), instead of following the targets": _flat(
                _ref_run("one_shot")
            ),
        },
    )


def test_fine_tuning_recovers(learner):
    """iterative pruning with fine-tuning ends with a lower loss than one-shot pruning without it"""
    x, y = _data()
    model = _model()
    learner.iterative_prune(model, x, y, _targets(), STEPS, LR)
    one_shot = _model()
    _apply(one_shot, _ref_masks(one_shot, _targets()[-1]))
    with torch.no_grad():
        iterative_loss = float(F.mse_loss(model(x), y))
        one_shot_loss = float(F.mse_loss(one_shot(x), y))
    check_true(
        iterative_loss < one_shot_loss,
        f"after iterative pruning the loss is {iterative_loss:.4g}, not below one-shot pruning without "
        f"fine-tuning ({one_shot_loss:.4g}); fine-tuning after each pruning step should recover accuracy",
    )


def test_layer_masks_single_weight(learner):
    """a sparsity that rounds to one weight of a layer prunes exactly that one"""
    torch.manual_seed(8)
    model = nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Linear(2, 1))
    got = learner.layer_masks(model, 0.125)  # round(0.125 * 8) = 1 and round(0.125 * 2) = 0
    _check_masks(got, _ref_masks(model, 0.125), "layer_masks(model, 0.125) of Linear(4, 2) and Linear(2, 1)",
                 mistakes={"pruning nothing when only one weight is due": {
                     "0.weight": torch.ones(2, 4, dtype=torch.bool), "2.weight": torch.ones(1, 2, dtype=torch.bool)}})


def test_masks_and_loop_stay_on_the_models_device(learner):
    """the masks and the fine-tuning loop make no tensor off the model's device"""
    model, (x, y) = _model(), _data()
    check_follows_device(learner.layer_masks, model, 0.6)
    check_follows_device(learner.iterative_prune, model, x, y, _targets()[:2], 2, LR)
