"""Grader for lib.calibration_ece: reliability bins and the expected calibration error.

The reference is computed in the grader with a plain loop over bins in float64. Confidences include
values exactly on bin edges (0.25, 0.5, 0.75 are exact in binary) so that left-closed bins differ. Probes:
bins weighted equally, the true class's probability as the confidence, squared gaps, left-closed bins.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_number


def _probs(device, seed=0, N=200, C=4):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(N, C, generator=g, dtype=torch.float64) * 2
    probs = torch.softmax(logits, 1)
    # Rows whose confidence sits exactly on an edge of 4 (or 8) bins.
    probs[:6] = torch.tensor([0.5, 0.25, 0.25, 0.0], dtype=torch.float64)
    probs[6:10] = torch.tensor([0.25, 0.75, 0.0, 0.0], dtype=torch.float64)
    labels = torch.randint(0, C, (N,), generator=g)
    labels[:3] = 0
    return probs.to(device), labels.to(device)


def _reference(probs, labels, n_bins, confidence="max", left_closed=False, weighted=True, power=1):
    probs, labels = probs.cpu(), labels.cpu()
    pred = probs.argmax(1)
    conf = probs.max(1).values if confidence == "max" else probs.gather(1, labels.unsqueeze(1)).squeeze(1)
    right = (pred == labels).double()
    total, gaps, counts = 0.0, [], []
    for i in range(n_bins):
        lo, hi = i / n_bins, (i + 1) / n_bins
        if left_closed:
            inside = (conf >= lo) & ((conf < hi) if i < n_bins - 1 else (conf <= hi))
        else:
            inside = (conf > lo) & (conf <= hi) if i else (conf <= hi)
        if inside.sum() == 0:
            counts.append(0.0)
            continue
        gap = abs(float(right[inside].mean()) - float(conf[inside].mean())) ** power
        gaps.append(gap)
        counts.append(float(inside.sum()))
        total += float(inside.sum()) / len(conf) * gap
    return total if weighted else sum(gaps) / len(gaps)


def _mistakes(probs, labels, n_bins):
    return {
        "weighting every non-empty bin equally (weight each by its share of samples)":
            _reference(probs, labels, n_bins, weighted=False),
        "using the probability of the true class as the confidence (use the largest probability)":
            _reference(probs, labels, n_bins, confidence="true"),
        "squared gaps (ECE uses |acc - conf|)": _reference(probs, labels, n_bins, power=2),
        "left-closed bins [lo, hi) (bins are right-closed: (lo, hi])": _reference(probs, labels, n_bins, left_closed=True),
    }


@pytest.mark.parametrize("n_bins", [4, 8])
def test_ece(learner, device, n_bins):
    """ECE = sum over bins of (|b| / N) * |acc_b - conf_b| with right-closed equal-width bins"""
    probs, labels = _probs(device, seed=n_bins)
    got = learner.expected_calibration_error(probs, labels, n_bins=n_bins)
    check_number(got, _reference(probs, labels, n_bins), name=f"the ECE with {n_bins} bins", rtol=1e-6, atol=1e-7,
                 mistakes=_mistakes(probs, labels, n_bins))


def test_reliability_bins(learner, device):
    """reliability_bins gives each bin's count, accuracy and mean confidence (a 0.5 confidence falls in (0.25, 0.5])"""
    probs, labels = _probs(device, seed=5)
    result = learner.reliability_bins(probs, labels, n_bins=4)
    if not (isinstance(result, tuple) and len(result) == 3):
        raise GradeFailure("reliability_bins should return a tuple (counts, accuracy, confidence)")
    conf, pred = probs.cpu().max(1)
    right = (pred == labels.cpu()).double()
    index = torch.clamp(torch.ceil(conf * 4).long() - 1, 0, 3)
    left = torch.clamp(torch.floor(conf * 4).long(), 0, 3)
    counts = torch.bincount(index, minlength=4).double()
    check_close(result[0], counts, name="the bin counts", mistakes={
        "left-closed bins [lo, hi) (bins are right-closed: (lo, hi])": torch.bincount(left, minlength=4).double()})
    safe = counts.clamp(min=1)
    check_close(result[1], torch.bincount(index, right, minlength=4) / safe, name="the bin accuracies", rtol=1e-6, atol=1e-7)
    check_close(result[2], torch.bincount(index, conf, minlength=4) / safe, name="the bin mean confidences", rtol=1e-6, atol=1e-7)


def test_perfectly_calibrated(learner, device):
    """a classifier whose confidence is always 1 and always right has an ECE of 0"""
    labels = torch.arange(5, device=device) % 3
    probs = torch.nn.functional.one_hot(labels, 3).double()
    check_number(learner.expected_calibration_error(probs, labels, n_bins=10), 0.0, name="the ECE of a perfect classifier", atol=1e-9)
