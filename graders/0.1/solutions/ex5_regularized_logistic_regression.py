"""Reference solution for exercise 0.1.5 (shown by `tracker solution 0.1.5` after a pass)."""

from __future__ import annotations

import numpy as np


def _split(penalty, lam, l1_ratio):
    """(weight of sum|w|, weight of sum w**2 / 2) for each penalty."""
    if penalty == "l2":
        return 0.0, lam
    if penalty == "l1":
        return lam, 0.0
    if penalty == "elasticnet":
        return lam * l1_ratio, lam * (1 - l1_ratio)
    raise ValueError(f"unknown penalty {penalty!r}")


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def loss(X, y, w, b, penalty, lam, l1_ratio=0.5):
    z = X @ w + b
    data = np.mean(np.logaddexp(0.0, z) - y * z)
    l1, l2 = _split(penalty, lam, l1_ratio)
    return float(data + l1 * np.sum(np.abs(w)) + l2 / 2 * np.sum(w**2))


def _smooth_grad(X, y, w, b, l2):
    residual = _sigmoid(X @ w + b) - y
    n = X.shape[0]
    return X.T @ residual / n + l2 * w, float(np.mean(residual))


def gradient(X, y, w, b, penalty, lam, l1_ratio=0.5):
    l1, l2 = _split(penalty, lam, l1_ratio)
    grad_w, grad_b = _smooth_grad(X, y, w, b, l2)
    return grad_w + l1 * np.sign(w), grad_b


def fit(X, y, penalty, lam, l1_ratio=0.5, lr=1.0, steps=500):
    l1, l2 = _split(penalty, lam, l1_ratio)
    w = np.zeros(X.shape[1])
    b = 0.0
    for _ in range(steps):
        grad_w, grad_b = _smooth_grad(X, y, w, b, l2)
        w = w - lr * grad_w
        b = b - lr * grad_b
        w = np.sign(w) * np.maximum(np.abs(w) - lr * l1, 0.0)
    return w, b
