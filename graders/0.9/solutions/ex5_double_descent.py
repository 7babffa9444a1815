"""Reference solution for exercise 0.9.5 (shown by `tracker solution 0.9.5` after a pass)."""

from __future__ import annotations

import numpy as np


def relu_features(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    return np.maximum(X @ W, 0.0)


def min_norm_least_squares(Phi: np.ndarray, y: np.ndarray) -> np.ndarray:
    U, s, Vt = np.linalg.svd(Phi, full_matrices=False)
    keep = s > 1e-10 * s.max()
    return Vt[keep].T @ ((U[:, keep].T @ y) / s[keep])


def double_descent_curve(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    widths: list[int],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    d = X_train.shape[1]
    train_mse, test_mse = [], []
    for p in widths:
        W = rng.standard_normal((d, p)) / np.sqrt(d)
        beta = min_norm_least_squares(relu_features(X_train, W), y_train)
        train_mse.append(np.mean((relu_features(X_train, W) @ beta - y_train) ** 2))
        test_mse.append(np.mean((relu_features(X_test, W) @ beta - y_test) ** 2))
    return np.array(train_mse), np.array(test_mse)
