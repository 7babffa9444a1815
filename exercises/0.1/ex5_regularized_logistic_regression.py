"""Exercise 0.1.5: binary logistic regression with L2, L1 and elastic-net regularisation.

Data: ``X`` is a NumPy ``float64`` array ``(n, d)``, ``y`` a float array ``(n,)`` of 0s and 1s. Model:
``z = X @ w + b`` (logits), ``p = sigmoid(z)``. The objective is

    J(w, b) = (1/n) * sum_i [ log(1 + exp(z_i)) - y_i * z_i ]  +  R(w)

(the mean binary cross-entropy, written in terms of the logits) with the penalty ``R``:

* ``"l2"``:          ``R(w) = lam / 2 * sum(w ** 2)``
* ``"l1"``:          ``R(w) = lam * sum(|w|)``
* ``"elasticnet"``:  ``R(w) = lam * (l1_ratio * sum(|w|) + (1 - l1_ratio) / 2 * sum(w ** 2))``

The bias ``b`` is never penalised. (With ``lam = 1 / (n * C)`` these are exactly the objectives of
scikit-learn's ``LogisticRegression(C=C, l1_ratio=...)``, which the grader uses as the reference.)

Write:

* ``loss(X, y, w, b, penalty, lam, l1_ratio=0.5) -> float``: ``J(w, b)``. Compute the cross-entropy
  from the logits in a numerically stable way (``np.logaddexp(0, z)`` is ``log(1 + exp(z))``): the
  grader uses logits of size 50, where ``sigmoid`` rounds to exactly 1.0 and ``log(1 - p)`` is ``-inf``.
* ``gradient(X, y, w, b, penalty, lam, l1_ratio=0.5) -> (grad_w, grad_b)``: the gradient of ``J``.
  For the ``|w|`` terms use the subgradient ``sign(w)``, with ``sign(0) = 0``.
* ``fit(X, y, penalty, lam, l1_ratio=0.5, lr=1.0, steps=500) -> (w, b)``: proximal gradient descent
  (ISTA), starting from ``w = zeros(d)``, ``b = 0.0``. Each step:

  1. take the gradient ``(g_w, g_b)`` of the *smooth* part only, at the current parameters: the mean
     cross-entropy plus the squared-norm part of ``R`` (``lam * w`` for ``"l2"``,
     ``lam * (1 - l1_ratio) * w`` for ``"elasticnet"``, nothing for ``"l1"``);
  2. ``w = w - lr * g_w`` and ``b = b - lr * g_b``;
  3. soft-threshold the weights (not the bias): ``w = sign(w) * max(|w| - t, 0)`` with
     ``t = lr * lam`` for ``"l1"``, ``t = lr * lam * l1_ratio`` for ``"elasticnet"`` and ``t = 0`` for
     ``"l2"``.

  The soft-threshold is what makes L1 weights *exactly* zero; plain subgradient steps only jiggle
  around zero.

Off-limits while your code runs: ``sklearn.linear_model.LogisticRegression`` (the grader's reference).
Return NumPy arrays or floats (torch tensors are accepted too). Tolerances: losses and gradients within
``rtol=1e-6, atol=1e-9``; a few ISTA steps within ``rtol=1e-6, atol=1e-9`` of the grader's replay;
fitted weights within ``atol=1e-5`` of scikit-learn's optimum; "exactly zero" means ``== 0.0``.
"""

from __future__ import annotations

import numpy as np


def loss(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, penalty: str, lam: float, l1_ratio: float = 0.5) -> float:
    """The regularised mean cross-entropy ``J(w, b)``."""
    raise NotImplementedError("write loss")


def gradient(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, penalty: str, lam: float, l1_ratio: float = 0.5
) -> tuple[np.ndarray, float]:
    """``(dJ/dw, dJ/db)``, with ``sign(w)`` (``sign(0) = 0``) for the ``|w|`` terms."""
    raise NotImplementedError("write gradient")


def fit(
    X: np.ndarray,
    y: np.ndarray,
    penalty: str,
    lam: float,
    l1_ratio: float = 0.5,
    lr: float = 1.0,
    steps: int = 500,
) -> tuple[np.ndarray, float]:
    """Proximal gradient descent (ISTA) from zeros; return ``(w, b)``."""
    raise NotImplementedError("write fit")
