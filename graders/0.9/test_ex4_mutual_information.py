"""Grader for exercise 0.9.4: mutual information by binning, against known joint distributions.

The discrete MI is compared with H(X) + H(Y) - H(X, Y) computed by the grader (a different formula) on an
independent table (MI 0), a diagonal table (MI = H(X)), and tables with zeros. The histogram is compared
with ``np.histogram2d`` (counts exactly, maxima included); the binned estimate with the plug-in MI of
``np.histogram2d``'s counts. Statistical checks: 20,000 samples from a known 4 x 4 joint distribution
(within 0.02 nats of its MI), a correlated Gaussian (rho 0.8, 30 bins, within 0.05 of -0.5 ln(1 - rho^2))
and independent variables (below 0.01). Probes: bits instead of nats, NaN from 0 ln 0, the joint entropy
instead of the MI, marginals taken along the wrong axes, the maximum dropped from the last bin, a
transposed histogram, and normalising by N - 1.
"""

from __future__ import annotations

import math

import numpy as np
from gradelib import GradeFailure, as_float, check_close, check_number, check_true

FORBIDDEN = [
    "numpy.histogram",
    "numpy.histogram2d",
    "numpy.histogramdd",
]

_histogram2d = np.histogram2d


def _entropy(p):
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def _mi(joint):
    joint = np.asarray(joint, dtype=np.float64)
    return _entropy(joint.sum(axis=1)) + _entropy(joint.sum(axis=0)) - _entropy(joint.ravel())


def _wrong_axes(joint):
    p = np.asarray(joint, dtype=np.float64)
    px, py = p.sum(axis=1), p.sum(axis=0)
    q = py[:, None] * px[None, :]
    m = p > 0
    return float((p[m] * np.log(p[m] / q[m])).sum())


def _number(value, name):
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, (float, int, np.floating)) and math.isnan(float(value)):
        raise GradeFailure(f"{name} is NaN: terms with p(x, y) = 0 must count as 0 (0 ln 0 = 0); skip them")
    return value


def _binned_mi(value) -> float:
    return as_float(_number(value, "the binned MI"), "the binned MI")


JOINT = np.array(
    [
        [0.20, 0.05, 0.00, 0.05],
        [0.02, 0.15, 0.03, 0.00],
        [0.00, 0.03, 0.12, 0.10],
        [0.05, 0.00, 0.05, 0.15],
    ]
)


def test_mutual_information_discrete(learner):
    """I(X;Y) of known tables: independent (0), diagonal (H(X)), and a table with zeros"""
    px, py = np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.5, 0.25, 0.25])
    diag = np.diag([0.1, 0.2, 0.3, 0.4])
    rect = np.array([[0.1, 0.0, 0.2, 0.05, 0.05], [0.0, 0.3, 0.0, 0.1, 0.0], [0.05, 0.05, 0.0, 0.0, 0.1]])
    cases = (
        ("a 4 x 4 table with zeros", JOINT),
        ("a diagonal table (Y = X)", diag),
        ("an independent table p(x) p(y)", np.outer(px, py)),
        ("a 3 x 5 table with zeros", rect),
    )
    for label, joint in cases:
        expected = _mi(joint)
        got = _number(learner.mutual_information_discrete(joint.copy()), f"the MI of {label}")
        mistakes = {
            "log base 2 (bits) instead of the natural log": expected / math.log(2),
            "the joint entropy H(X, Y) instead of the mutual information": _entropy(joint.ravel()),
        }
        if joint.shape[0] == joint.shape[1]:
            mistakes["the marginals taken along the wrong axes (p(y) for p(x))"] = _wrong_axes(joint)
        check_number(got, expected, name=f"the MI of {label}", rtol=1e-9, atol=1e-12, mistakes=mistakes)


def _sample_xy(n=997, seed=0):
    g = np.random.default_rng(seed)
    x = g.normal(size=n)
    y = x**2 + 0.3 * g.normal(size=n)
    x = np.concatenate([x, [x.max(), x.max(), x.min()]])
    y = np.concatenate([y, [y.min(), y.max(), y.max()]])
    return x, y


def test_histogram2d_matches_numpy(learner):
    """counts and edges equal np.histogram2d, the maximum included in the last bin"""
    x, y = _sample_xy()
    for bins in (7, 1, 16):
        counts, xe, ye = _histogram2d(x, y, bins)
        out = learner.histogram2d(x.copy(), y.copy(), bins)
        check_true(isinstance(out, tuple) and len(out) == 3, "histogram2d should return (counts, x_edges, y_edges)")
        got, gxe, gye = (np.asarray(v) for v in out)
        check_close(gxe, xe, name=f"the x edges ({bins} bins)", rtol=1e-12, atol=0)
        check_close(gye, ye, name=f"the y edges ({bins} bins)", rtol=1e-12, atol=0)
        at_max = (x == x.max()) | (y == y.max())
        dropped, _, _ = _histogram2d(x[~at_max], y[~at_max], [xe, ye])
        check_close(
            got,
            counts,
            name=f"the counts ({bins} bins, {len(x)} points)",
            rtol=0,
            atol=0,
            mistakes={
                "leaving the maximum out of the last bin (it is closed: edges[-2] <= v <= edges[-1])": dropped,
                "the transposed histogram (counts[i, j] is x-bin i, y-bin j)": counts.T,
            },
        )
        check_true(int(got.sum()) == len(x), f"the counts add up to {int(got.sum())}, not to the {len(x)} points")


def _counts_by(x, y, bins, index):
    xe, ye = np.linspace(x.min(), x.max(), bins + 1), np.linspace(y.min(), y.max(), bins + 1)
    counts = np.zeros((bins, bins), dtype=np.int64)
    np.add.at(counts, (np.clip(index(x, xe), 0, bins - 1), np.clip(index(y, ye), 0, bins - 1)), 1)
    return counts


def test_values_on_interior_edges(learner):
    """values exactly on an interior edge land in the bin above it, as in numpy"""
    # Ranges where floor((v - lo) / width) misplaces some edges; every edge is also a data value.
    bins, g = 11, np.random.default_rng(4)
    xe, ye = np.linspace(0.7, 3.9, bins + 1), np.linspace(0.7, 2.8, bins + 1)
    x = np.concatenate([xe, g.uniform(0.7, 3.9, 40)])
    y = np.concatenate([ye[::-1], g.uniform(0.7, 2.8, 40)])
    counts, _, _ = _histogram2d(x, y, bins)
    out = learner.histogram2d(x.copy(), y.copy(), bins)
    check_true(isinstance(out, tuple) and len(out) == 3, "histogram2d should return (counts, x_edges, y_edges)")
    check_close(np.asarray(out[0]), counts, name=f"the counts of {len(x)} points, 24 of them on edges", rtol=0, atol=0,
                mistakes={
                    "putting a value that sits exactly on an interior edge in the bin below (edges[i] < v <= "
                    "edges[i + 1])": _counts_by(x, y, bins, lambda v, e: np.searchsorted(e, v, side="left") - 1),
                    "an index floor((v - lo) / width) not corrected with the edges (rounding puts some edge values "
                    "one bin low)": _counts_by(x, y, bins, lambda v, e: np.floor((v - e[0]) / ((e[-1] - e[0]) / bins))
                                               .astype(np.int64)),
                })


def _plugin(x, y, bins, ddof=0):
    counts, _, _ = _histogram2d(x, y, bins)
    p = counts / (counts.sum() - ddof)
    px, py = p.sum(axis=1, keepdims=True), p.sum(axis=0, keepdims=True)
    m = p > 0
    return float((p[m] * np.log(p[m] / (px * py)[m])).sum())


def test_binned_mi_equals_plugin(learner):
    """the binned estimate is the plug-in MI of the 2-D histogram"""
    x, y = _sample_xy(n=2000, seed=1)
    for bins in (12, 3):
        expected = _plugin(x, y, bins)
        got = _number(learner.mutual_information_binned(x.copy(), y.copy(), bins), "the binned MI")
        check_number(
            got,
            expected,
            name=f"the binned MI with {bins} bins",
            rtol=0,
            atol=1e-9,
            mistakes={
                "log base 2 (bits) instead of the natural log": expected / math.log(2),
                "normalising the counts by N - 1 instead of N": _plugin(x, y, bins, ddof=1),
            },
        )


def test_known_discrete_joint(learner):
    """20,000 samples of a known 4 x 4 joint: the binned MI is within 0.02 nats of the true MI"""
    g = np.random.default_rng(3)
    flat = g.choice(16, size=20_000, p=JOINT.ravel())
    x, y = (flat // 4).astype(np.float64), (flat % 4).astype(np.float64)
    truth = _mi(JOINT)
    got = _binned_mi(learner.mutual_information_binned(x, y, 4))
    check_true(
        abs(got - truth) <= 0.02,
        f"the binned MI of 20,000 samples of the known 4 x 4 joint is {got:.4f} nats, its true MI is {truth:.4f}",
    )


def test_gaussian_and_independent(learner):
    """a Gaussian with rho 0.8 is within 0.05 of -0.5 ln(1 - rho^2); independent variables give < 0.01"""
    g = np.random.default_rng(4)
    z = g.normal(size=(50_000, 2))
    rho = 0.8
    y = rho * z[:, 0] + math.sqrt(1 - rho**2) * z[:, 1]
    truth = -0.5 * math.log(1 - rho**2)
    got = _binned_mi(learner.mutual_information_binned(z[:, 0].copy(), y, 30))
    check_true(
        abs(got - truth) <= 0.05,
        f"the binned MI of a bivariate Gaussian with rho = 0.8 (30 bins, 50,000 samples) is {got:.4f} nats, the true "
        f"MI is {truth:.4f}",
    )
    indep = _binned_mi(learner.mutual_information_binned(z[:, 0].copy(), z[:, 1].copy(), 30))
    check_true(
        -1e-12 <= indep <= 0.01,
        f"the binned MI of two independent Gaussians (30 bins, 50,000 samples) is {indep:.4f} nats; it should be "
        "between 0 and 0.01 (plug-in MI is never negative, and its bias here is about 0.004)",
    )
