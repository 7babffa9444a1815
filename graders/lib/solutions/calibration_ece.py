"""Reference solution for lib.calibration_ece (shown by `tracker solution lib.calibration_ece` after a pass)."""

from __future__ import annotations

import math

import torch


def reliability_bins(probs, labels, n_bins=10):
    confidence, prediction = probs.max(dim=1)
    correct = (prediction == labels).to(probs.dtype)
    # Right-closed bins (i/n, (i+1)/n]: ceil(c * n) - 1.
    index = torch.clamp(torch.ceil(confidence * n_bins).long() - 1, 0, n_bins - 1)
    counts = torch.zeros(n_bins, dtype=probs.dtype, device=probs.device).index_add_(0, index, torch.ones_like(confidence))
    right = torch.zeros_like(counts).index_add_(0, index, correct)
    conf = torch.zeros_like(counts).index_add_(0, index, confidence)
    safe = counts.clamp(min=1)
    return counts, right / safe, conf / safe


def expected_calibration_error(probs, labels, n_bins=10):
    counts, accuracy, confidence = reliability_bins(probs, labels, n_bins)
    gaps = (accuracy - confidence).abs()
    return float((counts / counts.sum() * gaps).sum())
