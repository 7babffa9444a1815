"""Grader for exercise 0.9.5: double descent with min-norm random-features regression.

``min_norm_least_squares`` is compared with ``np.linalg.pinv`` on under-, exactly- and over-determined
systems and on a rank-deficient one (a duplicated column, where only the minimum-norm solution splits the
weight evenly); the curves with the grader's own computation from the same generator draws. On noisy data
(n = 40, d = 8, widths 5..200) the test error must peak at the interpolation threshold (32..50), the
training error vanish for p >= n, and the peak stand at least twice above both ends. Probes: a ridge
term (it flattens the peak), the normal equations (they fail on rank-deficient and over-determined
systems), an arbitrary rather than minimum-norm interpolant, features without the ReLU, the training
error reported as the test error, and one W drawn for all widths.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg  # noqa: F401  (imported with the grader, so that FORBIDDEN can reach its pinv and lstsq)
from gradelib import GradeFailure, check_close, check_true, numbers, unpack

FORBIDDEN = [
    "numpy.linalg.pinv",
    "numpy.linalg.lstsq",
    "scipy.linalg.pinv",
    "scipy.linalg.lstsq",
    "torch.linalg.pinv",
    "torch.pinverse",
    "torch.linalg.lstsq",
    "scipy.linalg.pinvh",
    "scipy.sparse.linalg.lsqr",
    "scipy.sparse.linalg.lsmr",
]

_pinv = np.linalg.pinv
WIDTHS = list(range(5, 201, 5))
N_TRAIN = 40


def _data(seed=0, n_train=N_TRAIN, n_test=500, d=8, noise=0.3):
    g = np.random.default_rng(seed)
    a = g.normal(size=d) / np.sqrt(d)
    X = g.normal(size=(n_train + n_test, d))
    y = np.sin(2 * X @ a) + X @ a + noise * g.normal(size=n_train + n_test)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _ref_fit(Phi, y):
    return _pinv(Phi, rcond=1e-10) @ y


def _ridge(Phi, y, lam=1e-2):
    p = Phi.shape[1]
    return np.linalg.solve(Phi.T @ Phi + lam * np.eye(p), Phi.T @ y)


def _ref_curve(Xtr, ytr, Xte, yte, widths, seed, relu=True, fit=_ref_fit, one_draw=False):
    rng = np.random.default_rng(seed)
    d = Xtr.shape[1]
    act = (lambda z: np.maximum(z, 0.0)) if relu else (lambda z: z)
    train, test = [], []
    W_all = rng.standard_normal((d, max(widths))) / np.sqrt(d) if one_draw else None
    for p in widths:
        W = W_all[:, :p] if one_draw else rng.standard_normal((d, p)) / np.sqrt(d)
        F, Ft = act(Xtr @ W), act(Xte @ W)
        beta = fit(F, ytr)
        train.append(np.mean((F @ beta - ytr) ** 2))
        test.append(np.mean((Ft @ beta - yte) ** 2))
    return np.array(train), np.array(test)


def test_relu_features(learner):
    """features are max(X @ W, 0)"""
    g = np.random.default_rng(1)
    X, W = g.normal(size=(6, 3)), g.normal(size=(3, 5))
    check_close(
        np.asarray(learner.relu_features(X, W), dtype=np.float64),
        np.maximum(X @ W, 0),
        name="relu_features",
        rtol=1e-12,
        atol=0,
        mistakes={"features without the ReLU (a linear model: no double descent beyond p = d)": X @ W},
    )


def _systems():
    g = np.random.default_rng(2)
    dup = g.normal(size=(30, 8))
    dup = np.concatenate([dup, dup[:, :2]], axis=1)  # rank 8 with 10 columns
    return (
        ("an over-determined system (50 rows, 10 features)", g.normal(size=(50, 10))),
        ("a square system (30 x 30)", g.normal(size=(30, 30))),
        ("an under-determined system (20 rows, 60 features)", g.normal(size=(20, 60))),
        ("a rank-deficient system (a duplicated column)", dup),
    )


def test_min_norm_least_squares(learner):
    """min_norm_least_squares equals pinv(Phi) @ y for every shape and rank"""
    g = np.random.default_rng(3)
    for label, Phi in _systems():
        y = g.normal(size=Phi.shape[0])
        expected = _ref_fit(Phi, y)
        try:
            got = learner.min_norm_least_squares(Phi.copy(), y.copy())
        except np.linalg.LinAlgError as exc:
            raise GradeFailure(
                f"min_norm_least_squares raised LinAlgError ({exc}) on {label}: the normal equations "
                "(Phi^T Phi) beta = Phi^T y are singular when there are more features than rows or the rank is "
                "deficient; use the SVD"
            ) from None
        got = np.asarray(got, dtype=np.float64)
        mistakes = {"adding a ridge term (regularised, not the minimum-norm least-squares solution)": _ridge(Phi, y)}
        if Phi.shape[0] < Phi.shape[1]:
            other = expected + _null_direction(Phi)
            mistakes["an interpolating solution that is not the minimum-norm one"] = other
        try:
            check_close(got, expected, name=f"beta for {label}", rtol=1e-6, atol=1e-8, mistakes=mistakes)
        except GradeFailure as failure:
            if got.shape == expected.shape and np.linalg.norm(got) > 10 * np.linalg.norm(expected):
                raise GradeFailure(
                    f"{failure} Your beta has norm {np.linalg.norm(got):.3g}, the minimum-norm one "
                    f"{np.linalg.norm(expected):.3g}: this is what solving the normal equations (Phi^T Phi) beta = "
                    "Phi^T y gives when Phi^T Phi is singular (more features than rows, or deficient rank); use the SVD"
                ) from None
            raise


def _null_direction(Phi):
    _, _, Vt = np.linalg.svd(Phi)
    return Vt[-1]


def _curves(out, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The learner's (train_mse, test_mse): two sequences of one number per width."""
    pair = unpack(out, 2, "double_descent_curve", "train_mse, test_mse")
    curves = []
    for values, name in zip(pair, ("train_mse", "test_mse")):
        values = numbers(values, name).numpy()
        check_true(len(values) == count, f"{name} has {len(values)} values; expected one per width ({count})")
        curves.append(values)
    return curves[0], curves[1]


def test_curve_matches_reference(learner):
    """train and test MSE per width equal the grader's (same generator draws)"""
    Xtr, ytr, Xte, yte = _data()
    widths = [5, 20, 35, 40, 45, 80, 160]
    rng = np.random.default_rng(11)
    out = learner.double_descent_curve(Xtr.copy(), ytr.copy(), Xte.copy(), yte.copy(), widths, rng)
    train, test = _curves(out, len(widths))
    ref_train, ref_test = _ref_curve(Xtr, ytr, Xte, yte, widths, 11)
    check_close(
        test,
        ref_test,
        name="the test MSE per width",
        rtol=1e-5,
        atol=1e-10,
        mistakes={
            "the training error reported as the test error": ref_train,
            "a ridge fit instead of the minimum-norm one": _ref_curve(Xtr, ytr, Xte, yte, widths, 11, fit=_ridge)[1],
            "features without the ReLU": _ref_curve(Xtr, ytr, Xte, yte, widths, 11, relu=False)[1],
            "one W of the largest width for all widths (draw a fresh W per width, in order)": _ref_curve(
                Xtr, ytr, Xte, yte, widths, 11, one_draw=True
            )[1],
        },
    )
    check_close(train, ref_train, name="the training MSE per width", rtol=1e-5, atol=1e-10)


def test_double_descent_peak(learner):
    """the test error peaks at the interpolation threshold p = n and falls on both sides"""
    Xtr, ytr, Xte, yte = _data()
    out = learner.double_descent_curve(Xtr, ytr, Xte, yte, WIDTHS, np.random.default_rng(0))
    train, test = _curves(out, len(WIDTHS))
    peak = int(np.argmax(test))
    shown = ", ".join(f"p={p}: {e:.3g}" for p, e in zip(WIDTHS, test) if p in (5, 20, 30, 35, 40, 45, 50, 80, 200))
    if not 32 <= WIDTHS[peak] <= 50:
        raise GradeFailure(
            f"the test error peaks at p = {WIDTHS[peak]}, not near the interpolation threshold p = n = {N_TRAIN} "
            f"({shown}). A regularised fit (ridge, or a large SVD cutoff) smooths the peak away"
        )
    check_true(
        test[peak] >= 2 * test[0] and test[peak] >= 2 * test[-1],
        f"the test-error peak ({test[peak]:.3g} at p = {WIDTHS[peak]}) should be at least twice the error at p = 5 "
        f"({test[0]:.3g}) and at p = 200 ({test[-1]:.3g})",
    )
    over = [p for p in WIDTHS if p >= N_TRAIN]
    worst = max(train[WIDTHS.index(p)] for p in over)
    check_true(
        worst < 1e-10,
        f"for p >= n = {N_TRAIN} the min-norm fit interpolates, so the training MSE should be 0; it reaches "
        f"{worst:.3g}",
    )
    check_true(
        train[0] > 1e-2,
        f"with p = 5 features the fit cannot interpolate 40 noisy points, yet the training MSE is {train[0]:.3g}",
    )


def _scaled_columns(values, rows):
    """A rows x len(values) matrix with one nonzero per column (rows permuted): its singular values are
    exactly ``values``."""
    Phi = np.zeros((rows, len(values)))
    for j, row in enumerate(np.random.default_rng(4).permutation(rows)[: len(values)]):
        Phi[row, j] = values[j]
    return Phi


def test_min_norm_cutoff_is_relative_and_strict(learner):
    """singular values are kept when s > 1e-10 * s.max(), strictly: one exactly on the cutoff is dropped,
    one just above it kept, whatever the scale of Phi"""
    y = np.arange(1.0, 8.0)
    for values, label in (([1.0, 1e-10, 0.5], "singular values 1, 0.5 and 1e-10 (exactly on the cutoff)"),
                          ([1000.0, 3.0, 1.5e-7, 5e-8], "singular values 1000, 3, 1.5e-7 and 5e-8 (cutoff 1e-7)")):
        Phi = _scaled_columns(values, 7)
        expected = _ref_fit(Phi, y)
        got = numbers(learner.min_norm_least_squares(Phi.copy(), y.copy()), "min_norm_least_squares").numpy()
        s = np.array(values)
        keep = {"keeping s >= cutoff (the stub says s > 1e-10 * s.max())": s >= 1e-10 * s.max(),
                "an absolute or mis-scaled cutoff (the stub says s > 1e-10 * s.max())": s > 1e-10 / s.max(),
                "a cutoff of 2e-10 * s.max() (the stub says 1e-10)": s > 2e-10 * s.max()}
        mistakes = {}
        for text, kept in keep.items():
            mistakes[text] = _pinv(Phi * np.where(kept, 1.0, 0.0), rcond=1e-30) @ y
        check_close(got, expected, name=f"beta for Phi with {label}", rtol=1e-9, atol=1e-12, mistakes=mistakes)
