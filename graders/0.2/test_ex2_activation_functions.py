"""Grader for exercise 0.2.2: activation functions and their derivatives.

Values are compared with PyTorch's own activations and derivatives with autograd through them, in
float64 (tight) and float32, on a grid that includes 0 and on +-20, +-100, +-1000 where naive formulas
overflow. Probes: relu'(0) = 1, leaky slope on the wrong side or 1 at 0, sigmoid' = s, tanh' = 1 - t,
overflowing sigmoid/tanh (inf / inf), exact and tanh GELU swapped, GELU' without the x * pdf(x) term,
and the tanh-GELU derivative without the derivative of its cubic inner function.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from gradelib import GradeFailure, check_close, check_true, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.relu",
    "torch.relu_",
    "torch.sigmoid",
    "torch.sigmoid_",
    "torch.tanh",
    "torch.tanh_",
    "torch.special.expit",
    "torch.Tensor.relu",
    "torch.Tensor.relu_",
    "torch.Tensor.sigmoid",
    "torch.Tensor.sigmoid_",
    "torch.Tensor.tanh",
    "torch.Tensor.tanh_",
    "torch.nn.functional.relu",
    "torch.nn.functional.leaky_relu",
    "torch.nn.functional.sigmoid",
    "torch.nn.functional.tanh",
    "torch.nn.functional.gelu",
    "torch.Tensor.backward",
    "torch.autograd.grad",
]

# Captured before any learner code runs.
_relu, _sigmoid, _tanh = torch.relu, torch.sigmoid, torch.tanh
_leaky, _gelu = F.leaky_relu, F.gelu
_grad = torch.autograd.grad

TOL = {torch.float64: (1e-7, 1e-10), torch.float32: (1e-5, 1e-5)}  # float32: 1 + tanh(u) cancels near -1
EXTREMES = [-1000.0, -100.0, -20.0, 20.0, 100.0, 1000.0]


def _grid(dtype: torch.dtype) -> torch.Tensor:
    base = torch.linspace(-6, 6, 97, dtype=torch.float64)
    return torch.cat([base, torch.tensor([0.0, 1e-4, -1e-4, 3.3, -7.5])]).to(dtype)


def _derivative(fn, x: torch.Tensor) -> torch.Tensor:
    leaf = x.detach().clone().requires_grad_(True)
    (g,) = _grad(fn(leaf).sum(), leaf)
    return g


def _check(got, expected, name, dtype, mistakes=None):
    got_t = to_tensor(got, name)
    check_true(got_t.dtype == dtype, f"{name} returned dtype {got_t.dtype} for a {dtype} input")
    rtol, atol = TOL[dtype]
    if torch.isnan(got_t).any() or torch.isinf(got_t).any() and not torch.isinf(to_tensor(expected)).any():
        bad = got_t[torch.isnan(got_t) | torch.isinf(got_t)]
        raise GradeFailure(
            f"{name} returns {bad[0].item()} where {to_tensor(expected)[torch.isnan(got_t) | torch.isinf(got_t)][0].item():.6g} "
            "is expected: probably an exp overflowed to inf (inf / inf is NaN); only exponentiate -|x|"
        )
    check_close(got_t, expected, name=name, rtol=rtol, atol=atol, mistakes=mistakes)


def test_relu(learner):
    """relu and relu_grad (0 at x = 0) equal PyTorch's"""
    for dtype in (torch.float64, torch.float32):
        x = _grid(dtype)
        _check(learner.relu(x.clone()), _relu(x), f"relu ({dtype})", dtype)
        _check(
            learner.relu_grad(x.clone()),
            _derivative(_relu, x),
            f"relu_grad ({dtype})",
            dtype,
            mistakes={"a derivative of 1 at x = 0 (x >= 0 instead of x > 0)": (x >= 0).to(dtype)},
        )


def test_leaky_relu(learner):
    """leaky_relu and its derivative equal PyTorch's (default slope 0.01 and slope 0.2)"""
    for dtype in (torch.float64, torch.float32):
        x = _grid(dtype)
        for kwargs, slope in (({}, 0.01), ({"negative_slope": 0.2}, 0.2)):
            _check(
                learner.leaky_relu(x.clone(), **kwargs),
                _leaky(x, slope),
                f"leaky_relu(slope={slope}) ({dtype})",
                dtype,
                mistakes={"scaling the positive side instead of the negative side": torch.where(x > 0, slope * x, x)},
            )
            _check(
                learner.leaky_relu_grad(x.clone(), **kwargs),
                _derivative(lambda t: _leaky(t, slope), x),
                f"leaky_relu_grad(slope={slope}) ({dtype})",
                dtype,
                mistakes={
                    "a derivative of 1 at x = 0 (x >= 0 instead of x > 0)": torch.where(
                        x >= 0, torch.ones_like(x), torch.full_like(x, slope)
                    ),
                    "the slope on the positive side": torch.where(x > 0, torch.full_like(x, slope), torch.ones_like(x)),
                },
            )


def test_sigmoid(learner):
    """sigmoid and sigmoid_grad equal PyTorch's"""
    for dtype in (torch.float64, torch.float32):
        x = _grid(dtype)
        s = _sigmoid(x)
        _check(learner.sigmoid(x.clone()), s, f"sigmoid ({dtype})", dtype)
        _check(
            learner.sigmoid_grad(x.clone()),
            _derivative(_sigmoid, x),
            f"sigmoid_grad ({dtype})",
            dtype,
            mistakes={
                "returning sigmoid(x) itself, without the factor (1 - sigmoid(x))": s,
                "the derivative written as s * (1 + s)": s * (1 + s),
            },
        )


def test_sigmoid_stable_at_extremes(learner):
    """sigmoid and sigmoid_grad are finite and exact at +-20, +-100 and +-1000"""
    for dtype in (torch.float64, torch.float32):
        x = torch.tensor(EXTREMES, dtype=dtype)
        _check(learner.sigmoid(x.clone()), _sigmoid(x), f"sigmoid at {EXTREMES} ({dtype})", dtype)
        _check(learner.sigmoid_grad(x.clone()), _derivative(_sigmoid, x), f"sigmoid_grad at {EXTREMES} ({dtype})", dtype)


def test_tanh(learner):
    """tanh and tanh_grad equal PyTorch's"""
    for dtype in (torch.float64, torch.float32):
        x = _grid(dtype)
        t = _tanh(x)
        _check(learner.tanh(x.clone()), t, f"tanh ({dtype})", dtype)
        _check(
            learner.tanh_grad(x.clone()),
            _derivative(_tanh, x),
            f"tanh_grad ({dtype})",
            dtype,
            mistakes={
                "1 - tanh(x) instead of 1 - tanh(x)**2": 1 - t,
                "the sigmoid-style derivative t * (1 - t)": t * (1 - t),
            },
        )


def test_tanh_stable_at_extremes(learner):
    """tanh and tanh_grad are finite and exact at +-20, +-100 and +-1000"""
    for dtype in (torch.float64, torch.float32):
        x = torch.tensor(EXTREMES, dtype=dtype)
        _check(learner.tanh(x.clone()), _tanh(x), f"tanh at {EXTREMES} ({dtype})", dtype)
        _check(learner.tanh_grad(x.clone()), _derivative(_tanh, x), f"tanh_grad at {EXTREMES} ({dtype})", dtype)


def _phi(x):
    return torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2.0)))


def test_gelu_exact(learner):
    """exact GELU x * Phi(x) and its derivative Phi(x) + x * phi(x) equal PyTorch's"""
    for dtype in (torch.float64, torch.float32):
        x = torch.cat([_grid(dtype), torch.tensor(EXTREMES, dtype=dtype)])
        tanh_version = _gelu(x, approximate="tanh")
        _check(
            learner.gelu(x.clone()),
            _gelu(x),
            f"gelu ({dtype})",
            dtype,
            mistakes={"the tanh approximation where the exact GELU (erf) was asked for": tanh_version},
        )
        _check(
            learner.gelu_grad(x.clone()),
            _derivative(_gelu, x),
            f"gelu_grad ({dtype})",
            dtype,
            mistakes={
                "Phi(x) alone (the product rule's x * phi(x) term is missing)": _Phi(x),
                "the tanh approximation's derivative": _derivative(lambda t: _gelu(t, approximate="tanh"), x),
            },
        )


def test_gelu_tanh(learner):
    """tanh-approximate GELU and its derivative equal PyTorch's F.gelu(approximate='tanh')"""
    c = math.sqrt(2 / math.pi)
    for dtype in (torch.float64, torch.float32):
        x = torch.cat([_grid(dtype), torch.tensor(EXTREMES, dtype=dtype)])
        _check(
            learner.gelu(x.clone(), approximate="tanh"),
            _gelu(x, approximate="tanh"),
            f"gelu(approximate='tanh') ({dtype})",
            dtype,
            mistakes={"the exact (erf) GELU where the tanh approximation was asked for": _gelu(x)},
        )
        t = _tanh(c * (x + 0.044715 * x**3))
        _check(
            learner.gelu_grad(x.clone(), approximate="tanh"),
            _derivative(lambda v: _gelu(v, approximate="tanh"), x),
            f"gelu_grad(approximate='tanh') ({dtype})",
            dtype,
            mistakes={
                "leaving out the derivative of the inner x + 0.044715 x^3 (its 3 * 0.044715 x^2 term)": 0.5 * (1 + t)
                + 0.5 * x * (1 - t * t) * c,
                "0.5 * (1 + tanh(u)) alone (the product rule's second term is missing)": 0.5 * (1 + t),
                "the exact GELU's derivative": _derivative(_gelu, x),
            },
        )


def test_shape_and_dtype_preserved(learner):
    """every function keeps the input's shape and dtype (a 3-D float32 tensor)"""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 4, 5, generator=g)
    for name in ("relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "gelu", "gelu_grad"):
        out = to_tensor(getattr(learner, name)(x.clone()), name)
        check_true(tuple(out.shape) == (3, 4, 5), f"{name} returned shape {tuple(out.shape)} for a (3, 4, 5) input")
        check_true(out.dtype == torch.float32, f"{name} returned dtype {out.dtype} for a float32 input")


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: every function keeps its tensors there and equals a float64 CPU reference"""
    x = torch.cat([_grid(torch.float32), torch.tensor(EXTREMES)])
    xd = to_device(x, device)
    cases = [
        ("relu", {}, _relu), ("leaky_relu", {"negative_slope": 0.2}, lambda t: _leaky(t, 0.2)),
        ("sigmoid", {}, _sigmoid), ("tanh", {}, _tanh), ("gelu", {}, _gelu),
        ("gelu", {"approximate": "tanh"}, lambda t: _gelu(t, approximate="tanh")),
    ]
    for name, kwargs, reference in cases:
        for fn, expected in ((name, reference), (f"{name}_grad", lambda t, f=reference: _derivative(f, t))):
            check_follows_device(getattr(learner, fn), x, **kwargs)
            got = to_tensor(getattr(learner, fn)(xd.clone(), **kwargs), fn)
            check_true(got.device.type == device.type, f"{fn} returned a tensor on {got.device.type} for an input on {device.type}")
            check_close(got, trusted(expected, x), name=f"{fn}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) on {device.type}",
                        **tolerance(device, cpu=TOL[torch.float32]))
