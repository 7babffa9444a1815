"""Grader for exercise 0.1.1: PCA by eigendecomposition of the sample covariance.

The reference is the SVD of the centred data (``Vt`` rows are the components, ``S**2 / (n - 1)`` the
explained variances) and scikit-learn's ``PCA`` on iris. Eigenvectors are defined up to sign, so every
row (or projection column) is flipped to agree with the reference before comparing, and the known-wrong
answers get the same treatment. Probes: no centering, eigenvalues left in eigh's ascending order (the
smallest k, or the largest k in the wrong order), eigenvector rows taken for columns, components returned
as columns, the covariance of the rows (n x n), dividing by n instead of n - 1, and projecting the
uncentred data.
"""

from __future__ import annotations

import numpy as np
import sklearn.datasets
from gradelib import GradeFailure, check_close, check_true, to_tensor
from sklearn.decomposition import PCA

FORBIDDEN = [
    "numpy.linalg.svd",
    "torch.linalg.svd",
    "torch.linalg.svdvals",
    "torch.svd",
    "torch.svd_lowrank",
    "torch.pca_lowrank",
    "scipy.linalg.svd",
    "scipy.sparse.linalg.svds",
    "sklearn.decomposition.PCA",
    "sklearn.decomposition.TruncatedSVD",
    "sklearn.utils.extmath.randomized_svd",
]

# Captured before any learner code runs.
_svd = np.linalg.svd
_eigh = np.linalg.eigh
_PCA = PCA

N, D, K = 120, 5, 3


def _data(seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((D, D)))
    z = rng.standard_normal((N, D)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5])
    return z @ q.T + np.array([10.0, -4.0, 7.0, 3.0, 20.0])  # far from the origin: centering matters


def _array(value, name: str) -> np.ndarray:
    return to_tensor(value, name).numpy().astype(np.float64)


def _call(learner, X: np.ndarray, k: int):
    out = learner.pca(X.copy(), k)
    if not (isinstance(out, tuple) and len(out) == 3):
        raise GradeFailure(f"pca should return a tuple (components, explained_variance, projection), got {type(out).__name__}")
    return out


def _align_rows(rows: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Flip each row of ``rows`` so that it points the same way as the matching row of ``ref``."""
    if rows.shape != ref.shape:
        return rows
    signs = np.where(np.sum(rows * ref, axis=1) < 0, -1.0, 1.0)
    return rows * signs[:, None]


def _reference(X: np.ndarray, k: int):
    centred = X - X.mean(axis=0)
    _, s, vt = _svd(centred, full_matrices=False)
    return vt[:k], (s**2 / (len(X) - 1))[:k], centred


def _components(learner_rows, X: np.ndarray, k: int) -> np.ndarray:
    n, d = X.shape
    got = _array(learner_rows, "components")
    if got.shape == (d, k) and d != k:
        raise GradeFailure(
            f"components has shape {got.shape}, expected {(k, d)}: eigh returns eigenvectors as columns; "
            "return them as rows (one component per row)"
        )
    if got.shape == (k, n) and n != d:
        raise GradeFailure(
            f"components has shape {got.shape}, expected {(k, d)}: this is what the covariance of the rows "
            "(an n x n matrix, X @ X.T) gives; the covariance is over features, X.T @ X, (d, d)"
        )
    if got.shape != (k, d):
        raise GradeFailure(f"components has shape {got.shape}, expected {(k, d)}")
    return got


def test_components_are_orthonormal_rows(learner):
    """components has shape (k, d) with orthonormal rows"""
    X = _data()
    comps = _components(_call(learner, X, K)[0], X, K)
    check_close(comps @ comps.T, np.eye(K), name="components @ components.T", atol=1e-4, rtol=0)


def test_components_match_svd(learner):
    """components are the top-k covariance eigenvectors, sorted by decreasing eigenvalue"""
    X = _data()
    ref, _, centred = _reference(X, K)
    comps = _components(_call(learner, X, K)[0], X, K)
    vals, vecs = _eigh(centred.T @ centred / (N - 1))
    raw = X.T @ X / (N - 1)
    raw_vecs = _eigh(raw)[1]
    mistakes = {
        "skipping the centering (the eigenvectors of X.T @ X point towards the mean)": raw_vecs[:, ::-1][:, :K].T,
        "keeping eigh's ascending order (the k smallest eigenvalues)": vecs[:, :K].T,
        "taking the k largest eigenvalues but leaving them in ascending order": vecs[:, -K:].T,
        "taking rows of the eigenvector matrix (eigh returns eigenvectors as its columns)": vecs[np.argsort(vals)[::-1][:K], :],
    }
    mistakes = {what: _align_rows(value, ref) for what, value in mistakes.items()}
    check_close(_align_rows(comps, ref), ref, name="the components (each row up to sign)", atol=1e-4, rtol=0, mistakes=mistakes)


def test_explained_variance(learner):
    """explained variance: the k largest eigenvalues of the n-1 covariance, in decreasing order"""
    X = _data(seed=3)
    _, expected, centred = _reference(X, K)
    got = _array(_call(learner, X, K)[1], "explained_variance")
    all_vals = np.sort(_eigh(centred.T @ centred / (N - 1))[0])
    raw_vals = np.sort(_eigh(X.T @ X / (N - 1))[0])
    check_close(
        got.reshape(-1) if got.size == K else got,
        expected,
        name="explained_variance",
        rtol=1e-4,
        atol=0,
        mistakes={
            "dividing by n instead of n - 1 (the population covariance)": expected * (N - 1) / N,
            "keeping eigh's ascending order (the k smallest eigenvalues)": all_vals[:K],
            "taking the k largest eigenvalues but leaving them in ascending order": all_vals[-K:],
            "skipping the centering": raw_vals[::-1][:K],
        },
    )


def test_projection(learner):
    """projection is (X - mean) @ components.T with your components"""
    X = _data(seed=5)
    comps, _, proj = _call(learner, X, K)
    comps = _components(comps, X, K)
    got = _array(proj, "projection")
    centred = X - X.mean(axis=0)
    check_close(
        got,
        centred @ comps.T,
        name="the projection",
        atol=1e-4,
        rtol=1e-6,
        mistakes={
            "projecting X without subtracting its mean": X @ comps.T,
            "dividing the projection by the standard deviation (whitening)": centred @ comps.T / np.sqrt(
                np.var(centred @ comps.T, axis=0, ddof=1)
            ),
        },
    )


def test_iris_2d_matches_sklearn(learner):
    """iris projected onto 2 components matches sklearn's PCA (up to the sign of each column)"""
    X = sklearn.datasets.load_iris().data.astype(np.float64)
    ref_model = _PCA(n_components=2, svd_solver="full").fit(X)
    ref_proj = ref_model.transform(X)
    _, var, proj = _call(learner, X, 2)
    got = _array(proj, "the iris projection")
    check_true(got.shape == ref_proj.shape, f"the iris projection has shape {got.shape}, expected {ref_proj.shape}")
    check_close(
        _align_rows(got.T, ref_proj.T).T,
        ref_proj,
        name="the 2-D iris projection (each column up to sign)",
        atol=1e-4,
        rtol=0,
        mistakes={"projecting X without subtracting its mean": _align_rows((X @ ref_model.components_.T).T, ref_proj.T).T},
    )
    check_close(
        _array(var, "explained_variance").reshape(-1),
        ref_model.explained_variance_,
        name="the iris explained variance",
        rtol=1e-4,
        atol=0,
        mistakes={"dividing by n instead of n - 1": ref_model.explained_variance_ * (len(X) - 1) / len(X)},
    )
