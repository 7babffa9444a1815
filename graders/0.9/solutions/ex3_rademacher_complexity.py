"""Reference solution for exercise 0.9.3 (shown by `tracker solution 0.9.3` after a pass)."""

from __future__ import annotations

import itertools
import math

import numpy as np


def _sups(sigmas: np.ndarray, X: np.ndarray, B: float, norm: str) -> np.ndarray:
    """sup over the class for each row of sigmas: B * ||sum_i sigma_i x_i||_dual / n."""
    v = sigmas @ X  # (draws, d)
    if norm == "l2":
        dual = np.linalg.norm(v, axis=1)
    elif norm == "l1":
        dual = np.abs(v).max(axis=1)  # the dual of l1 is l_inf
    else:
        raise ValueError(f"unknown norm {norm!r}")
    return B * dual / X.shape[0]


def rademacher_exact(X: np.ndarray, B: float, norm: str = "l2") -> float:
    X = np.asarray(X, dtype=np.float64)
    sigmas = np.array(list(itertools.product([-1.0, 1.0], repeat=X.shape[0])))
    return float(_sups(sigmas, X, B, norm).mean())


def rademacher_mc(
    X: np.ndarray, B: float, n_draws: int, norm: str = "l2", rng: np.random.Generator | None = None
) -> float:
    X = np.asarray(X, dtype=np.float64)
    rng = np.random.default_rng() if rng is None else rng
    sigmas = rng.choice([-1.0, 1.0], size=(n_draws, X.shape[0]))
    return float(_sups(sigmas, X, B, norm).mean())


def rademacher_bound(X: np.ndarray, B: float, norm: str = "l2") -> float:
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    if norm == "l2":
        return float(B * math.sqrt(float((X**2).sum())) / n)
    if norm == "l1":
        return float(B * float(np.sqrt((X**2).sum(axis=0)).max()) * math.sqrt(2 * math.log(2 * d)) / n)
    raise ValueError(f"unknown norm {norm!r}")
