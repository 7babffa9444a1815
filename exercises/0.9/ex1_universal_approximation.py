"""Exercise 0.9.1: universal approximation, constructively: a one-hidden-layer ReLU net within epsilon.

A one-hidden-layer ReLU network on scalars,

    N(x) = sum_j W2[j] * relu(W1[j] * x + b1[j]) + b2,

is a continuous piecewise-linear function with a kink wherever a unit switches on. So it can reproduce
the piecewise-linear interpolant of any f exactly, and for a twice-differentiable f with
``|f''| <= M`` on [a, b] the interpolant on a uniform grid of spacing h is within ``M * h**2 / 8`` of f.
Choosing h from epsilon gives an explicit network of known width that approximates f to epsilon: the
universal approximation theorem in one dimension, with a recipe.

Use NumPy (float64). Parameters are 1-D ``np.ndarray`` of shape (H,) for ``W1``, ``b1``, ``W2`` (H = the
hidden width) and a Python ``float`` for ``b2``. ``f`` is a vectorised Python callable: ``f(np.ndarray)``
returns an array of the same shape.

* ``relu_net(x, W1, b1, W2, b2) -> np.ndarray``: N evaluated at every point of the 1-D array x; returns an
  array of x's shape.
* ``interpolating_net(f, a, b, n_knots) -> (W1, b1, W2, b2)``: with knots ``x_k = a + k * (b - a) /
  (n_knots - 1)`` for k = 0..n_knots-1 (``np.linspace(a, b, n_knots)``; n_knots >= 2), a network whose
  restriction to [a, b] EQUALS the piecewise-linear interpolant of f through the points (x_k, f(x_k)):
  ``N(x_k) = f(x_k)`` and N is linear between consecutive knots. Use at most n_knots - 1 hidden units
  (one per linear piece is enough: a unit that switches on at a knot changes the slope there).
  Outside [a, b] N may do anything.
* ``knots_needed(a, b, eps, curvature_bound) -> int``: the smallest n_knots >= 2 for which the bound
  ``curvature_bound * h**2 / 8 <= eps`` holds, with h = (b - a) / (n_knots - 1).
* ``approximate(f, a, b, eps, curvature_bound) -> (W1, b1, W2, b2)``: a network with
  ``max over x in [a, b] of |N(x) - f(x)| <= eps`` for any f with ``|f''| <= curvature_bound`` on [a, b],
  built from the two functions above (hidden width at most ``knots_needed(...) - 1``).

Tolerances: ``relu_net`` and the interpolation property with atol=1e-9 (relative 1e-9 for large values);
``knots_needed`` exactly; ``approximate`` must be within eps of f on a grid of 20,001 points of [a, b]
and use at most ``knots_needed(a, b, eps, curvature_bound) - 1`` hidden units.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def relu_net(x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: float) -> np.ndarray:
    raise NotImplementedError("write relu_net")


def interpolating_net(
    f: Callable[[np.ndarray], np.ndarray], a: float, b: float, n_knots: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    raise NotImplementedError("write interpolating_net")


def knots_needed(a: float, b: float, eps: float, curvature_bound: float) -> int:
    raise NotImplementedError("write knots_needed")


def approximate(
    f: Callable[[np.ndarray], np.ndarray], a: float, b: float, eps: float, curvature_bound: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    raise NotImplementedError("write approximate")
