"""Grader for exercise 0.6.1: batch, layer, group and instance normalization.

Form: the catalogue's. Outputs, running statistics and gradients are compared with the
``torch.nn.functional`` routines (captured before the learner's code runs) on seeded data. The
"training dynamics" half of the check is graded through autograd: the learner's layers must give the
same gradients as PyTorch's (so that training with them follows the same trajectory), and batch norm must
switch between batch statistics (training) and running statistics (inference) as PyTorch does.

Probes: the unbiased variance used to normalize, the biased one fed to the running variance, eps outside
the square root, momentum applied the wrong way round, batch statistics in eval mode, reducing over the
wrong dimensions (batch only, everything, one channel at a time, the last dimension only), interleaved
instead of consecutive channel groups, and mean/variance detached from the graph.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_defaults, check_true
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.nn.functional.batch_norm",
    "torch.nn.functional.layer_norm",
    "torch.nn.functional.group_norm",
    "torch.nn.functional.instance_norm",
    "torch.batch_norm",
    "torch.layer_norm",
    "torch.group_norm",
    "torch.instance_norm",
    "torch.native_batch_norm",
    "torch.native_layer_norm",
    "torch.native_group_norm",
    "torch.nn.BatchNorm1d",
    "torch.nn.BatchNorm2d",
    "torch.nn.BatchNorm3d",
    "torch.nn.LayerNorm",
    "torch.nn.GroupNorm",
    "torch.nn.InstanceNorm1d",
    "torch.nn.InstanceNorm2d",
    "torch.nn.InstanceNorm3d",
]

# Captured before any learner code runs.
_batch_norm = F.batch_norm
_layer_norm = F.layer_norm
_group_norm = F.group_norm
_instance_norm = F.instance_norm

RTOL, ATOL = 1e-4, 1e-5



@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

def _data(*shape: int, seed: int, scale: float = 1.0, shift: float = 0.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g) * scale + shift


def _affine(c, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shape = c if isinstance(c, tuple) else (c,)
    return 1 + 0.5 * torch.randn(*shape, generator=g), 0.3 * torch.randn(*shape, generator=g)


def _pshape(x: torch.Tensor) -> tuple[int, ...]:
    return (1, x.shape[1]) + (1,) * (x.dim() - 2)


def _norm(x, dims, eps=1e-5, unbiased=False, eps_outside=False, detach=False):
    """Normalize over ``dims`` (no affine); the knobs reproduce the classic mistakes."""
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, unbiased=unbiased, keepdim=True)
    if detach:
        mean, var = mean.detach(), var.detach()
    if eps_outside:
        return (x - mean) / (var.sqrt() + eps)
    return (x - mean) / torch.sqrt(var + eps)


def _bn_affine(y, x, w, b):
    return y * w.reshape(_pshape(x)) + b.reshape(_pshape(x))


def _result(value, name: str, like: torch.Tensor) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise GradeFailure(f"{name} should return a tensor, got {type(value).__name__}")
    if value.shape != like.shape:
        raise GradeFailure(f"{name} returned shape {tuple(value.shape)}, expected {tuple(like.shape)} (same as x)")
    return value


def test_batch_norm_training_output(learner):
    """batch norm (training) normalizes each channel over batch and space with the biased variance"""
    # Small activations: var ~ 1.6e-5 is comparable to eps, so where eps goes matters.
    x = _data(4, 3, 5, 6, seed=1, scale=0.004, shift=0.01)
    w, b = _affine(3, seed=2)
    y = _result(learner.batch_norm(x, torch.zeros(3), torch.ones(3), w, b, True, 0.1, 1e-5), "batch_norm", x)
    expected = _batch_norm(x, torch.zeros(3), torch.ones(3), w, b, training=True, momentum=0.1, eps=1e-5)
    dims = [0, 2, 3]
    check_close(
        y,
        expected,
        name="batch_norm(x, training=True) on a (4, 3, 5, 6) input",
        rtol=RTOL,
        atol=1e-4,  # tiny activations: float32 cancellation in x - mean costs a few 1e-6
        mistakes={
            "adding eps outside the square root, (x - mean) / (sqrt(var) + eps),": _bn_affine(
                _norm(x, dims, eps_outside=True), x, w, b
            ),
            "normalizing with the unbiased variance (divide by n - 1)": _bn_affine(_norm(x, dims, unbiased=True), x, w, b),
            "reducing over the batch dimension only (one statistic per channel AND position)": _bn_affine(
                _norm(x, [0]), x, w, b
            ),
            "reducing over every dimension (one statistic for the whole tensor)": _bn_affine(
                _norm(x, [0, 1, 2, 3]), x, w, b
            ),
            "reducing over space only (that is instance norm)": _bn_affine(_norm(x, [2, 3]), x, w, b),
        },
    )
    # A 2-D input (N, C): the batch is the only reduced dimension, and n - 1 = 3 makes the variance choice loud.
    x2 = _data(4, 5, seed=3, scale=2.0)
    w2, b2 = _affine(5, seed=4)
    y2 = _result(learner.batch_norm(x2, torch.zeros(5), torch.ones(5), w2, b2, True, 0.1, 1e-5), "batch_norm", x2)
    expected2 = _batch_norm(x2, torch.zeros(5), torch.ones(5), w2, b2, training=True, momentum=0.1, eps=1e-5)
    check_close(
        y2,
        expected2,
        name="batch_norm(x, training=True) on a (4, 5) input",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "normalizing with the unbiased variance (divide by n - 1)": _bn_affine(_norm(x2, [0], unbiased=True), x2, w2, b2),
        },
    )


def test_batch_norm_running_statistics(learner):
    """running mean/variance: (1 - momentum) * old + momentum * batch, unbiased variance, in place"""
    x = _data(6, 4, 3, seed=5, scale=1.5, shift=0.7)
    w, b = _affine(4, seed=6)
    init_mean, init_var = _data(4, seed=7) * 0.1, 1 + _data(4, seed=8).abs()
    rm, rv = init_mean.clone(), init_var.clone()
    learner.batch_norm(x, rm, rv, w, b, True, 0.3, 1e-5)
    erm, erv = init_mean.clone(), init_var.clone()
    _batch_norm(x, erm, erv, w, b, training=True, momentum=0.3, eps=1e-5)
    check_true(
        not torch.equal(rm, init_mean) or not torch.equal(rv, init_var),
        "batch_norm(training=True) left running_mean and running_var unchanged: update them in place "
        "(running_mean.mul_(1 - momentum).add_(momentum * mean)), do not rebind the names",
    )
    bmean = x.mean(dim=(0, 2))
    bvar_u, bvar_b = x.var(dim=(0, 2), unbiased=True), x.var(dim=(0, 2), unbiased=False)
    check_close(
        rm,
        erm,
        name="running_mean after one training step (momentum=0.3)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "momentum applied the wrong way round, momentum * old + (1 - momentum) * batch,": 0.3 * init_mean + 0.7 * bmean,
            "replacing the running mean with the batch mean": bmean,
        },
    )
    check_close(
        rv,
        erv,
        name="running_var after one training step (momentum=0.3)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "feeding the BIASED batch variance to the running variance (PyTorch uses the unbiased one there)": 0.7
            * init_var
            + 0.3 * bvar_b,
            "momentum applied the wrong way round, momentum * old + (1 - momentum) * batch,": 0.3 * init_var + 0.7 * bvar_u,
            "feeding the batch standard deviation instead of the variance": 0.7 * init_var + 0.3 * bvar_u.sqrt(),
        },
    )
    # A second step keeps accumulating into the same tensors.
    x_next = _data(6, 4, 3, seed=9)
    learner.batch_norm(x_next, rm, rv, w, b, True, 0.3, 1e-5)
    _batch_norm(x_next, erm, erv, w, b, training=True, momentum=0.3, eps=1e-5)
    check_close(rm, erm, name="running_mean after two training steps", rtol=RTOL, atol=ATOL)
    check_close(rv, erv, name="running_var after two training steps", rtol=RTOL, atol=ATOL)


def test_batch_norm_eval_mode(learner):
    """batch norm (eval) uses the running statistics and leaves them unchanged"""
    x = _data(5, 3, 4, 4, seed=10, scale=2.0, shift=1.0)
    w, b = _affine(3, seed=11)
    rmean, rvar = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([0.25, 4.0, 1.5])
    rm, rv = rmean.clone(), rvar.clone()
    y = _result(learner.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-5), "batch_norm", x)
    expected = _batch_norm(x, rmean.clone(), rvar.clone(), w, b, training=False, momentum=0.1, eps=1e-5)
    check_close(
        y,
        expected,
        name="batch_norm(x, training=False)",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "normalizing with the batch statistics in eval mode (use running_mean/running_var)": _bn_affine(
                _norm(x, [0, 2, 3]), x, w, b
            ),
            "dividing by running_var + eps instead of sqrt(running_var + eps)": _bn_affine(
                (x - rmean.reshape(1, 3, 1, 1)) / (rvar.reshape(1, 3, 1, 1) + 1e-5), x, w, b
            ),
        },
    )
    check_true(
        torch.equal(rm, rmean) and torch.equal(rv, rvar),
        "batch_norm(training=False) changed running_mean/running_var: inference must not update them",
    )


def _grads(fn, x, w, b, seed: int):
    x, w, b = (t.detach().clone().requires_grad_(True) for t in (x, w, b))
    y = fn(x, w, b)
    if not isinstance(y, torch.Tensor) or not y.requires_grad:
        raise GradeFailure(
            "the output does not require grad: build it from differentiable tensor operations "
            "(no .item(), .numpy(), .detach() or torch.no_grad() around the normalization)"
        )
    r = _data(*y.shape, seed=seed)
    (y * r).sum().backward()
    for name, t in (("x", x), ("weight", w), ("bias", b)):
        if t.grad is None:
            raise GradeFailure(f"no gradient reached {name}: it must be used through differentiable operations")
    return x.grad, w.grad, b.grad


def test_batch_norm_gradients(learner):
    """batch norm back-propagates like F.batch_norm (the batch statistics are part of the graph)"""
    x = _data(4, 3, 5, seed=12, scale=1.3)
    w, b = _affine(3, seed=13)
    got = _grads(lambda x, w, b: learner.batch_norm(x, torch.zeros(3), torch.ones(3), w, b, True, 0.1, 1e-5), x, w, b, 14)
    exp = _grads(lambda x, w, b: _batch_norm(x, torch.zeros(3), torch.ones(3), w, b, training=True), x, w, b, 14)
    detached = _grads(lambda x, w, b: _bn_affine(_norm(x, [0, 2], detach=True), x, w, b), x, w, b, 14)
    check_close(
        got[0],
        exp[0],
        name="the gradient of batch_norm with respect to x",
        rtol=RTOL,
        atol=ATOL,
        mistakes={"detaching the batch mean and variance (treating them as constants)": detached[0]},
    )
    check_close(got[1], exp[1], name="the gradient with respect to weight", rtol=RTOL, atol=ATOL)
    check_close(got[2], exp[2], name="the gradient with respect to bias", rtol=RTOL, atol=ATOL)


def test_layer_norm(learner):
    """layer norm normalizes each sample over the last len(normalized_shape) dimensions"""
    x = _data(3, 5, 8, seed=15, scale=2.0, shift=-1.0)
    w, b = _affine((8,), seed=16)
    y = _result(learner.layer_norm(x, (8,), w, b, 1e-5), "layer_norm", x)
    check_close(
        y,
        _layer_norm(x, (8,), w, b, 1e-5),
        name="layer_norm(x, (8,)) on a (3, 5, 8) input",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "normalizing with the unbiased variance (divide by n - 1)": _norm(x, [2], unbiased=True) * w + b,
            "normalizing over the batch dimension (that is batch norm's axis)": _norm(x, [0]) * w + b,
            "normalizing over every dimension but the batch": _norm(x, [1, 2]) * w + b,
        },
    )
    w2, b2 = _affine((5, 8), seed=17)
    y2 = _result(learner.layer_norm(x, (5, 8), w2, b2, 1e-5), "layer_norm", x)
    check_close(
        y2,
        _layer_norm(x, (5, 8), w2, b2, 1e-5),
        name="layer_norm(x, (5, 8)) on a (3, 5, 8) input",
        rtol=RTOL,
        atol=ATOL,
        mistakes={"normalizing over the last dimension only, whatever normalized_shape says": _norm(x, [2]) * w2 + b2},
    )


def test_group_norm(learner):
    """group norm normalizes groups of consecutive channels per sample, affine per channel"""
    x = _data(2, 6, 4, 4, seed=18, scale=1.5)
    # Give each channel its own offset and spread so that the grouping matters.
    x = x * torch.arange(1, 7).reshape(1, 6, 1, 1) + torch.arange(6.0).reshape(1, 6, 1, 1)
    w, b = _affine(6, seed=19)
    y = _result(learner.group_norm(x, 3, w, b, 1e-5), "group_norm", x)
    interleaved = x.reshape(2, 2, 3, 4, 4).transpose(1, 2)  # groups {0, 3}, {1, 4}, {2, 5}
    interleaved = _norm(interleaved, [2, 3, 4]).transpose(1, 2).reshape(x.shape)
    check_close(
        y,
        _group_norm(x, 3, w, b, 1e-5),
        name="group_norm(x, num_groups=3) on a (2, 6, 4, 4) input",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "interleaving the groups (channel c in group c % G) instead of consecutive channels": _bn_affine(
                interleaved, x, w, b
            ),
            "normalizing each channel separately (that is instance norm)": _bn_affine(_norm(x, [2, 3]), x, w, b),
            "normalizing all channels together (that is layer norm, num_groups=1)": _bn_affine(_norm(x, [1, 2, 3]), x, w, b),
            "normalizing with the unbiased variance (divide by n - 1)": _bn_affine(
                _norm(x.reshape(2, 3, -1), [2], unbiased=True).reshape(x.shape), x, w, b
            ),
        },
    )
    x1 = _data(3, 4, 7, seed=20)
    w1, b1 = _affine(4, seed=21)
    check_close(
        _result(learner.group_norm(x1, 2, w1, b1, 1e-5), "group_norm", x1),
        _group_norm(x1, 2, w1, b1, 1e-5),
        name="group_norm(x, num_groups=2) on a (3, 4, 7) input",
        rtol=RTOL,
        atol=ATOL,
    )


def test_instance_norm(learner):
    """instance norm normalizes each sample and channel over its spatial positions"""
    x = _data(3, 4, 5, 5, seed=22, scale=2.0, shift=0.5)
    w, b = _affine(4, seed=23)
    y = _result(learner.instance_norm(x, w, b, 1e-5), "instance_norm", x)
    check_close(
        y,
        _instance_norm(x, weight=w, bias=b, eps=1e-5),
        name="instance_norm on a (3, 4, 5, 5) input",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "reducing over the batch too (that is batch norm)": _bn_affine(_norm(x, [0, 2, 3]), x, w, b),
            "normalizing with the unbiased variance (divide by n - 1)": _bn_affine(_norm(x, [2, 3], unbiased=True), x, w, b),
            "reducing over the channels too (that is layer norm)": _bn_affine(_norm(x, [1, 2, 3]), x, w, b),
        },
    )
    x1 = _data(2, 3, 6, seed=24)
    w1, b1 = _affine(3, seed=25)
    check_close(
        _result(learner.instance_norm(x1, w1, b1, 1e-5), "instance_norm", x1),
        _instance_norm(x1, weight=w1, bias=b1, eps=1e-5),
        name="instance_norm on a (2, 3, 6) input",
        rtol=RTOL,
        atol=ATOL,
    )


OUTSIDE = "adding eps outside the square root, (x - mean) / (sqrt(var) + eps),"


def test_eps_inside_the_square_root(learner):
    """layer, group and instance norm add eps inside the square root, and default to eps = 1e-5"""
    x = _data(2, 4, 6, seed=40, scale=0.5)
    w, b = _affine(4, seed=41)
    wl, bl = _affine((6,), seed=42)
    for eps in (0.5, None):
        kw = {} if eps is None else {"eps": eps}
        e = 1e-5 if eps is None else eps
        # With the default eps, tiny activations (variance near eps) make its place matter.
        xs = x if eps is not None else x * 3e-3
        said = f"eps={eps}" if eps is not None else "the default eps"
        cases = [
            (f"layer_norm(x, (6,), {said}) on a (2, 4, 6) input", lambda: learner.layer_norm(xs, (6,), wl, bl, **kw),
             _layer_norm(xs, (6,), wl, bl, e), _norm(xs, [2], eps=e, eps_outside=True) * wl + bl,
             _layer_norm(xs, (6,), wl, bl, 1e-5)),
            (f"group_norm(x, 2, {said}) on a (2, 4, 6) input", lambda: learner.group_norm(xs, 2, w, b, **kw),
             _group_norm(xs, 2, w, b, e),
             _bn_affine(_norm(xs.reshape(2, 2, -1), [2], eps=e, eps_outside=True).reshape(xs.shape), xs, w, b),
             _group_norm(xs, 2, w, b, 1e-5)),
            (f"instance_norm(x, {said}) on a (2, 4, 6) input", lambda: learner.instance_norm(xs, w, b, **kw),
             _instance_norm(xs, weight=w, bias=b, eps=e), _bn_affine(_norm(xs, [2], eps=e, eps_outside=True), xs, w, b),
             _instance_norm(xs, weight=w, bias=b, eps=1e-5)),
        ]
        for name, run, expected, outside, fixed in cases:
            mistakes = {OUTSIDE: outside}
            if eps is not None:
                mistakes["ignoring the eps argument (always 1e-5)"] = fixed
            check_close(_result(run(), name.split("(")[0], xs), expected, name=name, rtol=RTOL, atol=ATOL,
                        mistakes=mistakes)


def test_layer_group_instance_gradients(learner):
    """layer, group and instance norm back-propagate like their torch.nn.functional versions"""
    x = _data(2, 4, 3, 3, seed=26, scale=1.7)
    w4, b4 = _affine(4, seed=27)
    cases = [
        ("layer_norm", lambda x, w, b: learner.layer_norm(x, (3, 3), w, b, 1e-5),
         lambda x, w, b: _layer_norm(x, (3, 3), w, b, 1e-5), _affine((3, 3), seed=28)),
        ("group_norm", lambda x, w, b: learner.group_norm(x, 2, w, b, 1e-5),
         lambda x, w, b: _group_norm(x, 2, w, b, 1e-5), (w4, b4)),
        ("instance_norm", lambda x, w, b: learner.instance_norm(x, w, b, 1e-5),
         lambda x, w, b: _instance_norm(x, weight=w, bias=b, eps=1e-5), (w4, b4)),
    ]
    for name, mine, ref, (w, b) in cases:
        got = _grads(mine, x, w, b, 29)
        exp = _grads(ref, x, w, b, 29)
        for which, g_got, g_exp in zip(("x", "weight", "bias"), got, exp):
            check_close(g_got, g_exp, name=f"the gradient of {name} with respect to {which}", rtol=RTOL, atol=ATOL)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: no tensor made off the input's device, values equal a float64 CPU reference"""
    x = _data(4, 6, 5, seed=50, scale=2.0, shift=1.0)
    w, b = _affine(6, seed=51)
    wl, bl = _affine((5,), seed=52)
    rm, rv = torch.zeros(6), torch.ones(6)
    cases = [
        ("batch_norm", learner.batch_norm, (x, rm.clone(), rv.clone(), w, b, True, 0.1, 1e-5),
         lambda x, rm, rv, w, b: _batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5)),
        ("layer_norm", learner.layer_norm, (x, (5,), wl, bl, 1e-5),
         lambda x, w, b: _layer_norm(x, (5,), w, b, 1e-5)),
        ("group_norm", learner.group_norm, (x, 3, w, b, 1e-5), lambda x, w, b: _group_norm(x, 3, w, b, 1e-5)),
        ("instance_norm", learner.instance_norm, (x, w, b, 1e-5),
         lambda x, w, b: _instance_norm(x, weight=w, bias=b, eps=1e-5)),
    ]
    for name, fn, args, reference in cases:
        check_follows_device(fn, *args)
        got = _result(fn(*to_device(args, device)), name, x)
        check_true(got.device.type == device.type, f"{name}'s output is on {got.device.type}, x on {device.type}")
        tensors = [a for a in args if isinstance(a, torch.Tensor)]
        check_close(got, trusted(reference, *tensors), name=f"{name} on {device.type}", **tolerance(device))


def test_defaults(learner):
    """the default arguments the stub states (momentum=0.1, eps=1e-5)"""
    check_defaults(learner.batch_norm, "batch_norm", momentum=0.1, eps=1e-5)
    for name in ("layer_norm", "group_norm", "instance_norm"):
        check_defaults(getattr(learner, name), name, eps=1e-5)
