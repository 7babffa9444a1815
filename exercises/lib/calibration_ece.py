"""Library exercise lib.calibration_ece: expected calibration error (Guo et al., 2017), for trustworthy AI.

A classifier is calibrated when its confidence means what it says: of all predictions made with
confidence 0.8, about 80% are right. The expected calibration error measures the gap, binned by confidence.

``expected_calibration_error(probs, labels, n_bins=10) -> float``:

* ``probs``: ``(N, C)`` predicted class probabilities (rows sum to 1); ``labels``: ``(N,)`` int64 true classes;
* a prediction's confidence is its LARGEST probability and its prediction the argmax (ties: the lowest index);
* split ``(0, 1]`` into ``n_bins`` equal-width bins, right-closed: bin ``i`` holds confidences in
  ``(i / n_bins, (i + 1) / n_bins]`` (a confidence of exactly 0.5 with 10 bins falls in bin 4, ``(0.4, 0.5]``);
* for each non-empty bin ``b``: ``acc_b`` the fraction of its predictions that are right, ``conf_b`` its mean
  confidence;
* ``ECE = sum_b (|b| / N) * |acc_b - conf_b|``: each bin weighted by its share of ALL samples;
* return a Python float (or a 0-dim tensor).

Also write ``reliability_bins(probs, labels, n_bins=10) -> (counts, accuracy, confidence)``: three ``(n_bins,)``
tensors with each bin's number of samples, its accuracy and its mean confidence (0 for an empty bin).

Tensors may be on any device; write it with basic tensor operations (no calibration library).
Tolerance: ``rtol=1e-6, atol=1e-7`` (float64).
"""

from __future__ import annotations

import torch


def reliability_bins(probs: torch.Tensor, labels: torch.Tensor, n_bins: int = 10):
    """Per-bin (counts, accuracy, mean confidence), each (n_bins,)."""
    raise NotImplementedError("write reliability_bins")


def expected_calibration_error(probs: torch.Tensor, labels: torch.Tensor, n_bins: int = 10) -> float:
    """sum over bins of (|b| / N) * |acc_b - conf_b|."""
    raise NotImplementedError("write expected_calibration_error")
