"""Exercise 0.9.3: the empirical Rademacher complexity of a norm-bounded linear class, and its bound.

For a sample S = (x_1, ..., x_n) (the rows of X, shape (n, d)) and the class of linear functions
F_B = {x -> <w, x> : ||w|| <= B}, the empirical Rademacher complexity is

    R_S(F_B) = E_sigma [ sup_{f in F_B} (1/n) sum_i sigma_i f(x_i) ],

with sigma_1..sigma_n independent and uniform on {-1, +1}. It measures how well the class can correlate
with random signs, and it enters generalization bounds. For a linear class the sup has a closed form by
duality: ``sup_{||w|| <= B} <w, v> = B * ||v||_*`` with ``v = sum_i sigma_i x_i`` and ``||.||_*`` the dual
norm (the l2 norm is its own dual; the dual of l1 is l_inf). Two classes: ``norm="l2"`` (||w||_2 <= B)
and ``norm="l1"`` (||w||_1 <= B).

Use NumPy (float64). Return Python floats.

* ``rademacher_exact(X, B, norm="l2") -> float``: the exact expectation, averaging the sup over ALL
  2**n sign vectors (the grader uses n <= 14).
* ``rademacher_mc(X, B, n_draws, norm="l2", rng=None) -> float``: a Monte Carlo estimate: draw ``n_draws``
  independent sign vectors with the ``np.random.Generator`` ``rng`` (e.g. ``rng.choice([-1.0, 1.0],
  size=(n_draws, n))`` or ``2 * rng.integers(0, 2, size=(n_draws, n)) - 1``), compute the sup for each
  and average.
* ``rademacher_bound(X, B, norm="l2") -> float``: the closed-form upper bounds
    - l2: ``B * sqrt(sum_i ||x_i||_2**2) / n`` (Jensen: E||v||_2 <= sqrt(E||v||_2**2));
    - l1: ``B * max_j ||X[:, j]||_2 * sqrt(2 * ln(2 * d)) / n`` (Massart's lemma over the 2d vectors
      +-X[:, j]).

Tolerances: ``rademacher_exact`` and ``rademacher_bound`` with rtol=1e-9; ``rademacher_mc`` with
n_draws=20,000 within 3% of the exact value (n=12) or of the grader's 60,000-draw estimate (n=100); the
exact value must not exceed its bound, and no Monte Carlo estimate may exceed it by more than 1%.
"""

from __future__ import annotations

import numpy as np


def rademacher_exact(X: np.ndarray, B: float, norm: str = "l2") -> float:
    raise NotImplementedError("write rademacher_exact")


def rademacher_mc(
    X: np.ndarray, B: float, n_draws: int, norm: str = "l2", rng: np.random.Generator | None = None
) -> float:
    raise NotImplementedError("write rademacher_mc")


def rademacher_bound(X: np.ndarray, B: float, norm: str = "l2") -> float:
    raise NotImplementedError("write rademacher_bound")
