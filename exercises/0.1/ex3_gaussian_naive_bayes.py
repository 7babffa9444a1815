"""Exercise 0.1.3: Gaussian Naive Bayes from scratch, checked against scikit-learn's GaussianNB.

Write the class ``GaussianNaiveBayes``. Inputs ``X`` are NumPy ``float64`` arrays of shape ``(n, d)``;
labels ``y`` are a 1-D integer array whose values need not be ``0..C-1`` (the grader uses labels such
as ``[2, 5, 9]``).

``fit(X, y)`` returns ``self`` and sets, exactly as scikit-learn's ``GaussianNB`` does:

* ``classes_``: the sorted unique labels, shape ``(C,)``;
* ``class_prior_``: the fraction of training rows in each class, shape ``(C,)``;
* ``theta_``: the per-class mean of each feature, shape ``(C, d)``;
* ``var_``: the per-class *biased* variance of each feature (divide by the class count, not count - 1)
  plus a smoothing term ``epsilon = var_smoothing * max_j var(X[:, j])``, where ``var(X[:, j])`` is the
  biased variance of feature ``j`` over the whole training set; shape ``(C, d)``. The smoothing keeps a
  feature that is constant within a class from dividing by zero.

The model: ``log p(c | x) = log prior_c + sum_j log N(x_j; theta_cj, var_cj) - log Z(x)`` with
``log N(v; m, s2) = -0.5 * log(2 * pi * s2) - (v - m) ** 2 / (2 * s2)``.

* ``predict_log_proba(X)``: shape ``(n, C)``, columns in the order of ``classes_``. Normalise with the
  log-sum-exp trick (subtract each row's maximum before exponentiating): points far from all the
  training data have joint log-likelihoods around ``-1e6``, whose plain ``exp`` is 0 for every class.
* ``predict_proba(X)``: ``exp`` of the above; rows sum to 1.
* ``predict(X)``: shape ``(n,)``, the *label* (from ``classes_``, not its index) of the most probable
  class; ties go to the first class in ``classes_`` order (``argmax``).

``sklearn.naive_bayes.GaussianNB`` is off-limits while your code runs (the grader uses it).
``scipy.special.logsumexp`` is allowed. Return NumPy arrays (torch tensors are accepted too).
Tolerances: ``theta_``, ``var_``, ``class_prior_`` and probabilities within ``rtol=1e-6, atol=1e-9``;
log-probabilities within ``rtol=1e-6, atol=1e-6``; predicted labels exactly.
"""

from __future__ import annotations

import numpy as np


class GaussianNaiveBayes:
    def __init__(self, var_smoothing: float = 1e-9):
        self.var_smoothing = var_smoothing

    def fit(self, X: np.ndarray, y: np.ndarray) -> "GaussianNaiveBayes":
        """Estimate ``classes_``, ``class_prior_``, ``theta_`` and ``var_``; return ``self``."""
        raise NotImplementedError("write GaussianNaiveBayes.fit")

    def predict_log_proba(self, X: np.ndarray) -> np.ndarray:
        """Log posterior of each class, shape ``(n, C)``, normalised with log-sum-exp."""
        raise NotImplementedError("write GaussianNaiveBayes.predict_log_proba")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Posterior probabilities, shape ``(n, C)``."""
        raise NotImplementedError("write GaussianNaiveBayes.predict_proba")

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most probable label for each row, shape ``(n,)``."""
        raise NotImplementedError("write GaussianNaiveBayes.predict")
