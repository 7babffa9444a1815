"""Grader for exercise 0.2.4: inverted dropout.

Random masks have no bit-exact reference (``F.dropout`` draws from the global RNG), so the learner's own
draws are checked for their properties: the drop rate and the mean of the output on 200,000 elements
(10-sigma margins), independence per element, values exactly 0 or x / (1 - p), reproducibility from the
generator alone, identity in eval mode and at p = 0, zeros at p = 1, and a masked gradient (by autograd
through the forward and by ``dropout_backward``). The seed's "demonstrate the regularisation effect" is
a training experiment too noisy to grade in 3 s; the solution's docstring explains the effect instead.
Probes: no rescaling (standard dropout), keep probability p instead of 1 - p, dividing by p, rescaling
at evaluation time, one draw per row, the global RNG, and an unmasked backward pass.
"""

from __future__ import annotations

import math

import pytest
import torch
from gradelib import GradeFailure, check_close, check_true, learner_tensor, to_tensor
from gradelib.devices import check_follows_device, to_device

FORBIDDEN = [
    "torch.nn.functional.dropout",
    "torch.dropout",
    "torch.dropout_",
    "torch.native_dropout",
    "torch.nn.Dropout",
]

ROWS, COLS = 400, 500
N = ROWS * COLS


@pytest.fixture(autouse=True)
def _one_thread():
    """Elementwise kernels on 200,000 elements fan out to OpenMP threads, which crawl on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _run(learner, x, p, training, seed):
    out = learner.dropout(x, p, training, _gen(seed))
    if not (isinstance(out, tuple) and len(out) == 2):
        raise GradeFailure("dropout should return a tuple (out, mask)")
    y, mask = to_tensor(out[0], "out"), to_tensor(out[1], "mask")
    check_true(tuple(y.shape) == tuple(x.shape), f"out has shape {tuple(y.shape)}, expected {tuple(x.shape)}")
    check_true(tuple(mask.shape) == tuple(x.shape), f"mask has shape {tuple(mask.shape)}, expected {tuple(x.shape)}")
    return y, mask


def _sigma_margin(q: float) -> float:
    return 10 * math.sqrt(q * (1 - q) / N)


def test_drop_rate(learner):
    """about a fraction p of the elements is dropped (p = 0.3 and p = 0.75)"""
    x = torch.ones(ROWS, COLS)
    for p, seed in ((0.3, 1), (0.75, 2)):
        out, _ = _run(learner, x, p, True, seed)
        dropped = float((out == 0).double().mean())
        margin = _sigma_margin(p)
        if abs(dropped - (1 - p)) <= margin:
            raise GradeFailure(
                f"with p = {p} a fraction {dropped:.4f} of the elements was dropped: this is keeping each element "
                "with probability p instead of 1 - p (p is the drop probability)"
            )
        check_true(
            abs(dropped - p) <= margin,
            f"with p = {p} a fraction {dropped:.4f} of the elements was dropped; expected {p} +- {margin:.4f}",
        )


def test_mean_is_preserved(learner):
    """kept elements are scaled by 1 / (1 - p), so the mean of the output stays the mean of the input"""
    x = torch.ones(ROWS, COLS)
    for p, seed in ((0.3, 3), (0.75, 4)):
        out, _ = _run(learner, x, p, True, seed)
        mean = float(out.double().mean())
        margin = 10 * math.sqrt(p / (1 - p) / N)
        if abs(mean - (1 - p)) <= 0.02:
            raise GradeFailure(
                f"with p = {p} the output's mean is {mean:.4f} for an input of ones: this is what forgetting to divide "
                "the kept values by (1 - p) gives (standard, not inverted, dropout)"
            )
        if abs(mean - (1 - p) / p) <= 0.05:
            raise GradeFailure(f"with p = {p} the output's mean is {mean:.4f}: this is what dividing by p instead of (1 - p) gives")
        check_true(abs(mean - 1.0) <= margin, f"with p = {p} the output's mean is {mean:.4f}; expected 1 +- {margin:.4f}")


def test_values_and_mask(learner):
    """each element is either 0 or x / (1 - p), and out = x * mask"""
    g = _gen(5)
    x = torch.randn(50, 40, generator=g, dtype=torch.float64) + 3  # no zeros in x
    p = 0.4
    out, mask = _run(learner, x.clone(), p, True, 6)
    check_true(mask.dtype == x.dtype, f"mask has dtype {mask.dtype}, expected {x.dtype} (the scaled mask, not booleans)")
    kept = out != 0
    check_true(bool(kept.any()) and bool((~kept).any()), "with p = 0.4 some elements should be kept and some dropped")
    check_close(out[kept], x[kept] / (1 - p), name="the kept values", rtol=1e-6, atol=0,
                mistakes={"leaving kept values unscaled": x[kept], "dividing by p instead of (1 - p)": x[kept] / p})
    check_close(mask, kept.to(x.dtype) / (1 - p), name="mask (0 or 1 / (1 - p))", rtol=1e-6, atol=0,
                mistakes={"returning the 0/1 keep mask instead of the scaled mask": kept.to(x.dtype)})
    check_close(out, x * mask, name="out against x * mask", rtol=1e-6, atol=0)


def test_elements_dropped_independently(learner):
    """every element gets its own draw (no mask shared along a row or a column)"""
    x = torch.ones(ROWS, COLS)
    out, _ = _run(learner, x, 0.3, True, 7)
    dropped = out == 0
    rows_uniform = int((dropped.all(1) | (~dropped).all(1)).sum())
    cols_uniform = int((dropped.all(0) | (~dropped).all(0)).sum())
    check_true(
        rows_uniform == 0,
        f"{rows_uniform} of {ROWS} rows are entirely dropped or entirely kept: the mask looks shared along a row; "
        "draw one random number per element",
    )
    check_true(
        cols_uniform == 0,
        f"{cols_uniform} of {COLS} columns are entirely dropped or entirely kept: the mask looks shared along a "
        "column; draw one random number per element",
    )


def test_generator_controls_the_mask(learner):
    """the same generator seed repeats the mask (whatever the global RNG), a different seed changes it"""
    x = torch.ones(100, 100)
    torch.manual_seed(123)
    _, first = _run(learner, x, 0.3, True, 42)
    torch.manual_seed(456)
    _, again = _run(learner, x, 0.3, True, 42)
    check_true(
        bool(torch.equal(first, again)),
        "the same generator seed gave two different masks: draw from the generator argument "
        "(torch.rand(..., generator=generator)), not from the global RNG",
    )
    _, other = _run(learner, x, 0.3, True, 43)
    check_true(not bool(torch.equal(first, other)), "two different generator seeds gave the same mask")


def test_identity_in_eval_and_at_p_zero(learner):
    """evaluation mode (any p) and p = 0 leave x unchanged, with a mask of ones"""
    x = torch.randn(30, 20, generator=_gen(8))
    for p, training in ((0.3, False), (0.9, False), (0.0, True)):
        out, mask = _run(learner, x.clone(), p, training, 9)
        check_close(
            out,
            x,
            name=f"out with p = {p}, training = {training}",
            rtol=1e-6,
            atol=0,
            mistakes={"multiplying by (1 - p) at evaluation time (that is standard dropout; inverted dropout scales while training)": x * (1 - p)},
        )
        check_close(mask, torch.ones_like(x), name=f"mask with p = {p}, training = {training}", rtol=0, atol=0)


def test_p_one_drops_everything(learner):
    """p = 1 in training gives zeros, not NaN"""
    x = torch.randn(10, 10, generator=_gen(10))
    out, mask = _run(learner, x.clone(), 1.0, True, 11)
    check_true(not bool(torch.isnan(out).any()), "p = 1 gives NaN: 0 / (1 - p) divides by zero; return zeros for p = 1")
    check_close(out, torch.zeros_like(x), name="out with p = 1", rtol=0, atol=0)
    check_close(mask, torch.zeros_like(x), name="mask with p = 1", rtol=0, atol=0)


def test_gradient_is_masked(learner):
    """the gradient reaches only the kept elements, scaled by 1 / (1 - p) (autograd and dropout_backward)"""
    x = torch.randn(60, 30, generator=_gen(12), dtype=torch.float64).requires_grad_(True)
    result = learner.dropout(x, 0.4, True, _gen(13))
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradeFailure("dropout should return a tuple (out, mask)")
    out, mask = result
    out = learner_tensor(out, "dropout's out", shape=tuple(x.shape), grad=True)
    (grad,) = torch.autograd.grad(out.sum(), x)
    mask = to_tensor(mask, "mask")
    check_close(grad, mask, name="autograd's gradient of out.sum() with respect to x", rtol=1e-6, atol=0)
    dout = torch.randn(60, 30, generator=_gen(14), dtype=torch.float64)
    check_close(
        learner.dropout_backward(dout.clone(), mask.clone()),
        dout * mask,
        name="dropout_backward",
        rtol=1e-6,
        atol=0,
        mistakes={
            "passing the gradient through unmasked": dout,
            "masking without the 1 / (1 - p) scale": dout * (mask != 0).to(dout.dtype),
        },
    )


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: the mask is drawn there (from a generator on that device), out = x * mask"""
    x = torch.randn(50, 40, generator=_gen(30), dtype=torch.float64) + 3  # no zeros in x
    for p, training in ((0.4, True), (0.4, False), (1.0, True)):
        check_follows_device(learner.dropout, x, p, training, _gen(31))
    check_follows_device(learner.dropout_backward, x, (x > 3).to(x.dtype) / 0.6)
    xd = to_device(x, device)
    result = learner.dropout(xd, 0.4, True, torch.Generator(device=device).manual_seed(31))
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradeFailure("dropout should return a tuple (out, mask)")
    out, mask = to_tensor(result[0], "out"), to_tensor(result[1], "mask")
    for what, t in (("out", out), ("mask", mask)):
        check_true(t.device.type == device.type, f"{what} is on {t.device.type}, x on {device.type}")
        check_true(tuple(t.shape) == tuple(x.shape), f"{what} has shape {tuple(t.shape)}, expected {tuple(x.shape)}")
    kept = mask != 0
    check_true(bool(kept.any()) and bool((~kept).any()), f"with p = 0.4 on {device.type} some elements should be kept and some dropped")
    check_close(mask[kept], torch.full((int(kept.sum()),), 1 / 0.6, dtype=x.dtype), name=f"the kept mask values on {device.type}", rtol=1e-6, atol=0)
    check_close(out, x * mask.cpu(), name=f"out against x * mask on {device.type}", rtol=1e-6, atol=0)
