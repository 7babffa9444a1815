"""Reference solution for exercise 0.1.1 (shown by `tracker solution 0.1.1` after a pass)."""

from __future__ import annotations

import numpy as np


def pca(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    mean = X.mean(axis=0)
    centred = X - mean
    cov = centred.T @ centred / (n - 1)
    eigenvalues, eigenvectors = np.linalg.eigh(cov)  # ascending order, eigenvectors in columns
    order = np.argsort(eigenvalues)[::-1][:k]
    components = eigenvectors[:, order].T
    explained_variance = eigenvalues[order]
    projection = centred @ components.T
    return components, explained_variance, projection
