"""Grader for exercise 0.9.1: a one-hidden-layer ReLU net constructed to approximate f to epsilon.

The grader evaluates the learner's parameters with its own forward pass. The constructed net must equal
the piecewise-linear interpolant (``np.interp``) of f through the uniform knots on a dense grid, with at
most n_knots - 1 hidden units; ``knots_needed`` must equal the smallest count allowed by the interpolation
bound M h^2 / 8 <= eps; and ``approximate`` must be within eps of f on 20,001 points with at most that
width, for several functions (sin 3x, exp x, a cubic, a linear function with M = 0). Probes: a forward pass
without the ReLU or without b2, the pieces' slopes used as output weights instead of the changes of slope,
n_knots + 1 knots, a missing b2 = f(a), counting pieces instead of knots, floor instead of ceil, and the
bound without its 1/8.
"""

from __future__ import annotations

import math

import numpy as np
from gradelib import GradeFailure, check_close, check_number, check_true


def _forward(x, W1, b1, W2, b2):
    return np.maximum(0.0, np.multiply.outer(x, W1) + b1) @ W2 + b2


def _params(value, what):
    if not (isinstance(value, tuple) and len(value) == 4):
        raise GradeFailure(f"{what} should return a tuple (W1, b1, W2, b2), got {type(value).__name__}")
    W1, b1, W2, b2 = (np.asarray(v, dtype=np.float64) for v in value)
    if not (W1.ndim == b1.ndim == W2.ndim == 1 and W1.shape == b1.shape == W2.shape):
        raise GradeFailure(
            f"{what}: W1, b1, W2 should be 1-D arrays of the same length H, got shapes "
            f"{W1.shape}, {b1.shape}, {W2.shape}"
        )
    if b2.ndim != 0:
        raise GradeFailure(f"{what}: b2 should be a number, got an array of shape {b2.shape}")
    return W1, b1, W2, float(b2)


def _curve_tol(values):
    return 1e-9 * max(1.0, float(np.abs(values).max()))


FUNCTIONS = {
    "sin(3x) on [-2, 2]": (lambda x: np.sin(3 * x), -2.0, 2.0, 9.0),
    "exp(x) on [0, 2]": (np.exp, 0.0, 2.0, math.exp(2.0)),
    "x**3 - x on [-1, 1.5]": (lambda x: x**3 - x, -1.0, 1.5, 9.0),
    "cos(5x) + x on [0, 1]": (lambda x: np.cos(5 * x) + x, 0.0, 1.0, 25.0),
}


def test_relu_net_forward(learner):
    """relu_net computes sum_j W2[j] relu(W1[j] x + b1[j]) + b2"""
    g = np.random.default_rng(0)
    W1, b1, W2 = g.normal(size=7), g.normal(size=7), g.normal(size=7)
    b2 = 0.37
    x = np.linspace(-3, 3, 50)
    got = learner.relu_net(x, W1, b1, W2, b2)
    expected = _forward(x, W1, b1, W2, b2)
    check_close(
        np.asarray(got, dtype=np.float64),
        expected,
        name="relu_net on 50 points",
        rtol=1e-9,
        atol=1e-9,
        mistakes={
            "the network without the ReLU (a purely linear function)": (np.multiply.outer(x, W1) + b1) @ W2 + b2,
            "leaving out b2": expected - b2,
            "applying the ReLU to the output instead of the hidden units": np.maximum(
                0.0, (np.multiply.outer(x, W1) + b1) @ W2 + b2
            ),
        },
    )


def test_interpolating_net_equals_interpolant(learner):
    """the constructed net equals the piecewise-linear interpolant through the knots"""
    for (label, (f, a, b, _)), n_knots in zip(FUNCTIONS.items(), (9, 5, 2, 30)):
        W1, b1, W2, b2 = _params(learner.interpolating_net(f, a, b, n_knots), "interpolating_net")
        knots = np.linspace(a, b, n_knots)
        fk = f(knots)
        grid = np.linspace(a, b, 2001)
        got = _forward(grid, W1, b1, W2, b2)
        expected = np.interp(grid, knots, fk)
        slopes = np.diff(fk) / np.diff(knots)
        slope_weights = _forward(grid, np.ones(n_knots - 1), -knots[:-1], slopes, fk[0])
        more = np.linspace(a, b, n_knots + 1)
        tol = _curve_tol(expected)
        check_close(
            _forward(knots, W1, b1, W2, b2),
            fk,
            name=f"N at the {n_knots} knots of {label}",
            rtol=1e-9,
            atol=tol,
            mistakes={
                "leaving out b2 = f(a)": fk - fk[0],
                "using each piece's slope as the output weight instead of the CHANGE of slope at its knot": _forward(
                    knots, np.ones(n_knots - 1), -knots[:-1], slopes, fk[0]
                ),
                "n_knots + 1 knots (np.linspace(a, b, n_knots + 1))": np.interp(knots, more, f(more)),
            },
        )
        check_close(
            got,
            expected,
            name=f"N between the knots of {label} (n_knots={n_knots})",
            rtol=1e-9,
            atol=tol,
            mistakes={
                "using each piece's slope as the output weight instead of the CHANGE of slope at its knot": (
                    slope_weights
                ),
                "n_knots + 1 knots (np.linspace(a, b, n_knots + 1))": np.interp(grid, more, f(more)),
            },
        )
        check_true(
            W1.shape[0] <= n_knots - 1,
            f"interpolating_net({label}, n_knots={n_knots}) uses {W1.shape[0]} hidden units; {n_knots - 1} are enough",
        )


CASES = [  # a, b, eps, M
    (-2.0, 2.0, 1e-3, 9.0),
    (0.0, 2.0, 1e-4, math.exp(2.0)),
    (0.0, 1.0, 0.05, 25.0),
    (-1.0, 1.5, 2e-3, 9.0),
    (0.0, 10.0, 0.3, 1.0),
]


def _knots(a, b, eps, M, c=8.0, rounding=math.ceil, plus=1):
    return max(1, rounding((b - a) * math.sqrt(M / (c * eps)))) + plus


def test_knots_needed(learner):
    """knots_needed is the smallest n_knots with M h^2 / 8 <= eps, h = (b - a) / (n_knots - 1)"""
    for a, b, eps, M in CASES:
        expected = _knots(a, b, eps, M)
        h = (b - a) / (expected - 1)
        assert M * h * h / 8 <= eps and M * ((b - a) / (expected - 2)) ** 2 / 8 > eps
        check_number(
            learner.knots_needed(a, b, eps, M),
            expected,
            name=f"knots_needed(a={a}, b={b}, eps={eps}, M={M:.4g})",
            rtol=0,
            mistakes={
                "counting pieces instead of knots (n_knots - 1 intervals between n_knots knots), or rounding "
                "(b - a) sqrt(M / (8 eps)) down instead of up": expected - 1,
                "the bound M h^2 / 2 (the interpolation error bound has 1/8)": _knots(a, b, eps, M, c=2.0),
            },
        )
    check_number(
        learner.knots_needed(0.0, 1.0, 1e-6, 0.0),
        2,
        name="knots_needed for a linear function (curvature_bound = 0)",
        rtol=0,
    )


def test_approximate_within_eps(learner):
    """approximate() is within eps of f on [a, b] with at most knots_needed - 1 hidden units"""
    grid_cases = list(FUNCTIONS.items()) + [("2x + 1 on [-1, 1] (M = 0)", (lambda x: 2 * x + 1, -1.0, 1.0, 0.0))]
    for (label, (f, a, b, M)), eps in zip(grid_cases, (1e-3, 1e-4, 2e-3, 0.05, 1e-9)):
        W1, b1, W2, b2 = _params(learner.approximate(f, a, b, eps, M), "approximate")
        width = _knots(a, b, eps, M) - 1
        check_true(
            W1.shape[0] <= width,
            f"approximate({label}, eps={eps}) uses {W1.shape[0]} hidden units; the bound allows it with {width}",
        )
        grid = np.linspace(a, b, 20001)
        err = np.abs(_forward(grid, W1, b1, W2, b2) - f(grid))
        worst = int(np.argmax(err))
        check_true(
            err[worst] <= eps,
            f"approximate({label}, eps={eps}): |N(x) - f(x)| reaches {err[worst]:.3g} at x = {grid[worst]:.4f}, more "
            "than eps",
        )
