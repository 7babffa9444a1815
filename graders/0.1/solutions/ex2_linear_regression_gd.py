"""Reference solution for exercise 0.1.2 (shown by `tracker solution 0.1.2` after a pass).

With r = X w + b - y, L = r.r / n, so dL/dw = (2 / n) X^T r and dL/db = (2 / n) sum(r). The Hessian is
H = (2 / n) A^T A with A = [X, 1]; a gradient step multiplies the error along each eigenvector of H by
(1 - lr * lambda), which shrinks for every eigenvalue exactly when lr < 2 / lambda_max.
"""

from __future__ import annotations

import numpy as np


def mse_loss(X, y, w, b):
    residual = X @ w + b - y
    return float(np.mean(residual**2))


def mse_grad(X, y, w, b):
    n = X.shape[0]
    residual = X @ w + b - y
    grad_w = 2.0 / n * (X.T @ residual)
    grad_b = 2.0 / n * float(np.sum(residual))
    return grad_w, grad_b


def fit_linear_gd(X, y, lr, steps):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(steps):
        losses.append(mse_loss(X, y, w, b))
        grad_w, grad_b = mse_grad(X, y, w, b)
        w = w - lr * grad_w
        b = b - lr * grad_b
    return w, b, losses


def _design(X):
    return np.hstack([X, np.ones((X.shape[0], 1))])


def closed_form(X, y):
    A = _design(X)
    theta = np.linalg.solve(A.T @ A, A.T @ y)
    return theta[:-1], float(theta[-1])


def max_stable_lr(X):
    A = _design(X)
    hessian = 2.0 / X.shape[0] * (A.T @ A)
    return float(2.0 / np.linalg.eigvalsh(hessian)[-1])
