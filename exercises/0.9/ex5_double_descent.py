"""Exercise 0.9.5: double descent with min-norm random-features regression.

Fit a regression with p random ReLU features and the MINIMUM-NORM least-squares solution. As p grows the
test error first falls, then rises sharply as p approaches the number of training points n (the
interpolation threshold: the model can just barely fit the noise, with a huge norm), then falls again for
p > n, where among all interpolating solutions the minimum-norm one is smoother the more features there
are: the double-descent curve.

Use NumPy (float64). Off-limits while your code runs: ``numpy.linalg.pinv``, ``numpy.linalg.lstsq``,
``scipy.linalg.pinv``, ``scipy.linalg.lstsq``, ``torch.linalg.pinv`` and ``torch.linalg.lstsq`` (the
grader uses ``np.linalg.pinv`` as the reference). ``np.linalg.svd`` and ``np.linalg.solve`` are allowed.

* ``relu_features(X, W) -> np.ndarray (n, p)``: ``max(X @ W, 0)`` for X (n, d) and W (d, p).
* ``min_norm_least_squares(Phi, y) -> np.ndarray (p,)``: the minimum-norm minimiser of
  ``||Phi @ beta - y||_2`` for Phi of ANY shape (n, p) and rank: fewer, as many, or more features than
  rows, and rank-deficient Phi too. That is ``pinv(Phi) @ y``: with the SVD ``Phi = U diag(s) V^T``,
  ``beta = V diag(1/s) U^T y`` over the singular values ``s > 1e-10 * s.max()`` (treat the others as 0).
  No regularisation (no ridge term).
* ``double_descent_curve(X_train, y_train, X_test, y_test, widths, rng) -> (train_mse, test_mse)``:
  for each p in ``widths``, IN ORDER, draw ``W = rng.standard_normal((d, p)) / np.sqrt(d)`` from the
  given ``np.random.Generator`` (one draw per width, consecutively from the same generator), build the
  features of the training and test inputs with the same W, fit ``beta`` by ``min_norm_least_squares`` on
  the training features, and record the mean squared errors on the training and on the test set. Return
  two 1-D float arrays of length ``len(widths)``.

Tolerances: features with rtol=1e-12; ``min_norm_least_squares`` against ``np.linalg.pinv(Phi, rcond=1e-10)
@ y`` with rtol=1e-6 (atol=1e-8); the curves against the grader's (same draws) with rtol=1e-5. On the
grader's data (n = 40 training points, noisy labels, widths 5, 10, ..., 200) the test error must peak at a
width between 32 and 50, the training error must be 0 (below 1e-10) for every p >= n, and the peak must
be at least twice the test error at the smallest and at the largest width.
"""

from __future__ import annotations

import numpy as np


def relu_features(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    raise NotImplementedError("write relu_features")


def min_norm_least_squares(Phi: np.ndarray, y: np.ndarray) -> np.ndarray:
    raise NotImplementedError("write min_norm_least_squares")


def double_descent_curve(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    widths: list[int],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    raise NotImplementedError("write double_descent_curve")
