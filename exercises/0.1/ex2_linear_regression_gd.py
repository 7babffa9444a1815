"""Exercise 0.1.2: linear regression by gradient descent, derived by hand.

Model: ``y_hat = X @ w + b`` with ``X`` a NumPy ``float64`` array of shape ``(n, d)``, ``w`` of shape
``(d,)`` and a scalar bias ``b``. Loss: the mean squared error

    L(w, b) = (1 / n) * sum_i (x_i . w + b - y_i) ** 2        (a mean, no factor 1/2)

Derive its gradient on paper first, then write:

* ``mse_loss(X, y, w, b) -> float``: ``L(w, b)``.
* ``mse_grad(X, y, w, b) -> (grad_w, grad_b)``: the exact gradient of ``L``; ``grad_w`` has shape
  ``(d,)``, ``grad_b`` is a Python float (or a 0-d array).
* ``fit_linear_gd(X, y, lr, steps) -> (w, b, losses)``: plain full-batch gradient descent. Start from
  ``w = zeros(d)`` and ``b = 0.0``. At each of the ``steps`` iterations, first append the loss at the
  *current* parameters to ``losses``, then update both ``w`` and ``b`` with ``param -= lr * grad``
  (both gradients taken at the same, current parameters). So ``losses`` has length ``steps`` and
  ``losses[0]`` is the loss of the zero model; ``w`` and ``b`` are the parameters after the last update.
* ``closed_form(X, y) -> (w, b)``: the exact least-squares solution with an intercept, from the normal
  equations (append a column of ones to ``X``). ``np.linalg.solve`` is allowed; ``np.linalg.lstsq``,
  ``np.linalg.pinv``, their torch counterparts and ``sklearn.linear_model.LinearRegression`` are
  off-limits while your code runs (the grader uses them).
* ``max_stable_lr(X) -> float``: the largest learning rate for which gradient descent on this loss
  converges from any start, ``2 / lambda_max(H)`` where ``H`` is the Hessian of ``L`` with respect to
  ``(w, b)`` (it does not depend on ``y``; remember the bias). Gradient descent on a quadratic converges
  exactly when ``lr < 2 / lambda_max(H)``: write the one-line argument down for yourself.
  ``np.linalg.eigvalsh`` is allowed.

Return NumPy arrays or floats (torch tensors are accepted too). Tolerances: losses, gradients and
trajectories within ``rtol=1e-6`` (relative to each value, with ``atol=1e-9``); the closed form and the
converged gradient-descent solution within ``atol=1e-6``; ``max_stable_lr`` within ``rtol=1e-6``.
"""

from __future__ import annotations

import numpy as np


def mse_loss(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """Mean squared error of ``X @ w + b`` against ``y``."""
    raise NotImplementedError("write mse_loss")


def mse_grad(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """Gradient ``(dL/dw, dL/db)`` of the mean squared error."""
    raise NotImplementedError("write mse_grad")


def fit_linear_gd(X: np.ndarray, y: np.ndarray, lr: float, steps: int) -> tuple[np.ndarray, float, list[float]]:
    """Full-batch gradient descent from zeros; return ``(w, b, losses)``."""
    raise NotImplementedError("write fit_linear_gd")


def closed_form(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares ``(w, b)`` from the normal equations."""
    raise NotImplementedError("write closed_form")


def max_stable_lr(X: np.ndarray) -> float:
    """``2 / lambda_max`` of the Hessian of the MSE with respect to ``(w, b)``."""
    raise NotImplementedError("write max_stable_lr")
