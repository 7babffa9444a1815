"""Grader for exercise 1.2.2: fake quantization with a straight-through estimator.

Reference: ``torch.fake_quantize_per_tensor_affine`` (captured before the learner's code runs), whose
backward is exactly the clipped STE: the gradient passes where the rounded code lies in [qmin, qmax].
Scales are powers of two so that ``x / scale`` is exact and ties are real ties. Besides forward values
and gradients on points that straddle the range's edges, a short QAT run (a linear model with
fake-quantized weights, plain SGD) must follow the run made with the reference, which shows the STE
is what lets the weights learn. Probes: integer codes returned instead of dequantized values, no
clamp, flooring, the zero gradient of round (no STE), an unclipped identity gradient, clipping on the
unrounded value, ones instead of grad_output, a gradient scaled by 1/scale.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_true, grad_of, learner_tensor
from gradelib.devices import check_follows_device, on_device

FORBIDDEN = [
    "torch.fake_quantize_per_tensor_affine",
    "torch.fake_quantize_per_channel_affine",
    "torch._fake_quantize_learnable_per_tensor_affine",
    "torch._fake_quantize_learnable_per_channel_affine",
    "torch._fake_quantize_per_tensor_affine_cachemask_tensor_qparams",
    "torch.fused_moving_avg_obs_fake_quant",
    "torch.quantize_per_tensor",
]

_fake_quant = torch.fake_quantize_per_tensor_affine


def _points(scale: float, zp: int, qmin: int, qmax: int) -> torch.Tensor:
    """Values inside, outside, and on both sides of each edge (in code units, then scaled)."""
    codes = [
        qmin - 5.0, qmin - 0.6, qmin - 0.5, qmin - 0.4, qmin, qmin + 0.5, -3.5, -1.2, 0.0, 0.4, 0.5,
        1.5, 2.5, 7.7, qmax - 0.5, qmax, qmax + 0.3, qmax + 0.5, qmax + 0.6, qmax + 9.0,
    ]
    return (torch.tensor(codes) - zp) * scale


def _codes(x, scale, zp):
    return torch.round(x / scale) + zp


@pytest.fixture(scope="module")
def learner(learner, device):
    """The learner's functions run on the grading device; results come back to the CPU to be compared."""
    return on_device(learner, device)


def test_is_autograd_function(learner):
    """FakeQuantSTE is a torch.autograd.Function and fake_quantize goes through it"""
    check_true(
        isinstance(learner.FakeQuantSTE, type) and issubclass(learner.FakeQuantSTE, torch.autograd.Function),
        "FakeQuantSTE should subclass torch.autograd.Function",
    )
    x = torch.linspace(-1, 1, 9, requires_grad=True)
    y = learner.fake_quantize(x, 0.125)
    check_true(isinstance(y, torch.Tensor), f"fake_quantize should return a tensor, got {type(y).__name__}")
    name = type(y.grad_fn).__name__ if y.grad_fn is not None else "None"
    check_true(
        "FakeQuantSTE" in name,
        f"fake_quantize's output has grad_fn {name}: it should come from FakeQuantSTE.apply "
        "(so that autograd uses your backward)",
    )


def test_forward_values(learner):
    """forward returns the dequantized values of torch.fake_quantize_per_tensor_affine"""
    for scale, zp, qmin, qmax, dtype in ((0.25, 0, -128, 127, torch.float32), (0.0625, 100, 0, 255, torch.float64)):
        x = _points(scale, zp, qmin, qmax).to(dtype)
        got = learner.FakeQuantSTE.apply(x, scale, zp, qmin, qmax)
        expected = _fake_quant(x.float(), scale, zp, qmin, qmax).to(dtype)
        check_true(isinstance(got, torch.Tensor), f"forward should return a tensor, got {type(got).__name__}")
        check_true(got.dtype == dtype, f"forward returned dtype {got.dtype} for a {dtype} input; keep the input's dtype")
        c = _codes(x, scale, zp)
        check_close(
            got,
            expected,
            name=f"the fake-quantized values (scale {scale}, zero-point {zp}, range [{qmin}, {qmax}])",
            rtol=1e-6,
            atol=1e-7,
            mistakes={
                "returning the integer codes instead of dequantizing them": torch.clamp(c, qmin, qmax),
                "leaving out the clamp to [qmin, qmax]": (c - zp) * scale,
                "flooring instead of rounding": (torch.clamp(torch.floor(x / scale) + zp, qmin, qmax) - zp) * scale,
                "rounding halves up (floor(v + 0.5)) instead of to even, as torch.round does":
                (torch.clamp(torch.floor(x / scale + 0.5) + zp, qmin, qmax) - zp) * scale,
                "rounding halves away from zero instead of to even, as torch.round does":
                (torch.clamp(torch.sign(x / scale) * torch.floor((x / scale).abs() + 0.5) + zp, qmin, qmax) - zp) * scale,
                "dequantizing without subtracting the zero-point": torch.clamp(c, qmin, qmax) * scale,
            },
        )


def _backward(out, upstream=None) -> None:
    """``out.backward(upstream)`` through FakeQuantSTE, whose wrong outputs or gradients are the learner's."""
    out = learner_tensor(out, "the output of FakeQuantSTE.apply", grad=True)
    try:
        out.backward(upstream)
    except RuntimeError as exc:
        hint = ""
        if "incorrect number of gradients" in str(exc):
            hint = ("; backward returns one gradient per input of forward (x, scale, zero_point, qmin, qmax): "
                    "the gradient for x, then None for each of the other four")
        raise GradeFailure(f"backpropagating through FakeQuantSTE failed: {exc}{hint}") from None


def _grads(fn, x, upstream):
    leaf = x.clone().requires_grad_(True)
    _backward(fn(leaf), upstream)
    return leaf.grad


def test_backward_is_clipped_ste(learner):
    """the gradient is grad_output where the rounded code is inside [qmin, qmax], 0 where clamped"""
    for scale, zp, qmin, qmax in ((0.25, 0, -128, 127), (0.0625, 100, 0, 255)):
        x = _points(scale, zp, qmin, qmax)
        g = torch.Generator().manual_seed(1)
        upstream = torch.rand(x.shape, generator=g) + 0.5  # not all ones, so grad_output must be used
        got = _grads(lambda t: learner.FakeQuantSTE.apply(t, scale, zp, qmin, qmax), x, upstream)
        if got is None:
            raise GradeFailure("no gradient reached x: backward must return a gradient for x first")
        expected = _grads(lambda t: _fake_quant(t, scale, zp, qmin, qmax), x, upstream)
        c = _codes(x, scale, zp)
        raw = x / scale + zp
        inside = ((c >= qmin) & (c <= qmax)).float()
        check_close(
            got,
            expected,
            name=f"d out / d x (scale {scale}, range [{qmin}, {qmax}])",
            rtol=1e-6,
            atol=1e-7,
            mistakes={
                "the true derivative of round (zero almost everywhere): the STE must pass the gradient through": torch.zeros_like(x),
                "passing the gradient everywhere (no clipping outside [qmin, qmax])": upstream,
                "clipping on the unrounded value x / scale + zero_point instead of the rounded code": upstream
                * ((raw >= qmin) & (raw <= qmax)).float(),
                "ignoring grad_output (ones times the mask)": inside,
                "dividing the gradient by the scale": upstream * inside / scale,
                "multiplying the gradient by the scale": upstream * inside * scale,
            },
        )


def test_defaults(learner):
    """fake_quantize defaults to the signed int8 range [-128, 127] with zero-point 0"""
    x = _points(0.5, 0, -128, 127)
    check_close(learner.fake_quantize(x, 0.5), _fake_quant(x, 0.5, 0, -128, 127), name="fake_quantize(x, 0.5)", rtol=1e-6, atol=1e-7)


def _qat_run(fq, steps: int = 25) -> torch.Tensor:
    g = torch.Generator().manual_seed(7)
    x = torch.randn(64, 8, generator=g)
    w_true = torch.randn(8, 1, generator=g)
    y = x @ w_true
    w = torch.zeros(8, 1, requires_grad=True)
    history = []
    for _ in range(steps):
        quantized = learner_tensor(fq(w), "the output of FakeQuantSTE.apply", shape=tuple(w.shape))
        _backward(((x @ quantized - y) ** 2).mean())
        with torch.no_grad():
            w -= 0.1 * grad_of(w, "the weights")
            w.grad = None
        history.append(w.detach().clone().reshape(-1))
    return torch.stack(history)


def test_qat_learns(learner):
    """weights behind fake quantization still learn: 25 SGD steps follow the reference run"""
    scale = 2.0**-4  # int4-like range [-8, 7] * scale clips large weights
    got = _qat_run(lambda w: learner.FakeQuantSTE.apply(w, scale, 0, -8, 7))
    expected = _qat_run(lambda w: _fake_quant(w, scale, 0, -8, 7))
    if float(got.abs().max()) == 0.0:
        raise GradeFailure("the weights never moved from zero: no gradient flows through your fake quantization")
    check_close(
        got,
        expected,
        name="the weights after each QAT step (row k = after step k + 1)",
        rtol=1e-5,
        atol=1e-6,
        mistakes={
            "passing the gradient everywhere (no clipping)": _qat_run(
                lambda w: w + (_fake_quant(w.detach(), scale, 0, -8, 7) - w.detach())
            ),
        },
    )


def test_tensors_stay_on_the_inputs_device(learner):
    """every tensor the code creates lives on the input's device (checked without a GPU)"""
    x = torch.linspace(-3, 3, 25)
    check_follows_device(learner.fake_quantize, x, 0.125)
    check_follows_device(learner.fake_quantize, x, 0.0625, 100, 0, 255)
