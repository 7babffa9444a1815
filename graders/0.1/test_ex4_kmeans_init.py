"""Grader for exercise 0.1.4: K-means with random and k-means++ initialisation.

The stub fixes how the seeded ``numpy.random.Generator`` is used, so the grader replays the learner's
initial centres exactly; Lloyd's iterations are compared with scikit-learn's ``KMeans`` (``lloyd``,
``tol=0``, one run) started from the same centres, and a k-means++ run must reach within 5% of
scikit-learn's best-of-10 inertia on well-separated blobs. Probes: sampling with replacement, D instead
of D^2 weighting, uniform later centres, the farthest point instead of a draw, distances to the last
centre instead of the nearest, NaN centres and clusters left empty, and an inertia that is not the sum
of squared distances.
"""

from __future__ import annotations

import numpy as np
import scipy.cluster.vq  # noqa: F401  (imported at collection, so forbidding it costs no test time)
from gradelib import GradeFailure, check_close, check_defaults, check_true, to_tensor
from gradelib import check_number as _check_number
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from threadpoolctl import threadpool_limits

FORBIDDEN = [
    "sklearn.cluster.KMeans",
    "sklearn.cluster.k_means",
    "sklearn.cluster.kmeans_plusplus",
    "scipy.cluster.vq.kmeans",
    "scipy.cluster.vq.kmeans2",
]


def check_number(actual, expected, **kwargs):
    """gradelib's check_number, also accepting 0-d and one-element NumPy arrays (which it rejects)."""
    if isinstance(actual, np.ndarray) and actual.size == 1:
        actual = actual.item()
    _check_number(actual, expected, **kwargs)


_KMeans = KMeans


def _blobs():
    X, _ = make_blobs(n_samples=300, centers=4, cluster_std=1.2, random_state=3)
    return X.astype(np.float64)


def _arr(value, name: str) -> np.ndarray:
    return to_tensor(value, name).numpy()


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _pp(X, k, rng, *, weight="d2", nearest=True):
    """k-means++ as the stub describes it, or with one classic mistake."""
    n = len(X)
    centres = [X[rng.integers(n)]]
    d2 = ((X - centres[0]) ** 2).sum(1)
    for _ in range(1, k):
        if weight == "d2":
            idx = rng.choice(n, p=d2 / d2.sum())
        elif weight == "d":
            idx = rng.choice(n, p=np.sqrt(d2) / np.sqrt(d2).sum())
        elif weight == "uniform":
            idx = rng.choice(n)
        else:  # farthest
            idx = int(np.argmax(d2))
        centres.append(X[idx])
        new = ((X - X[idx]) ** 2).sum(1)
        d2 = np.minimum(d2, new) if nearest else new
    return np.array(centres)


# One thread: scikit-learn's OpenMP threads are slow on a busy machine and buy nothing on 300 points.
def _sk_from(X, centres):
    with threadpool_limits(1):
        return _KMeans(n_clusters=len(centres), init=centres, n_init=1, algorithm="lloyd", tol=0.0, max_iter=300).fit(X)


def _sk_best(X) -> float:
    with threadpool_limits(1):
        return float(_KMeans(n_clusters=4, n_init=10, random_state=0).fit(X).inertia_)


def _run(learner, X, k, init, rng=None):
    out = learner.kmeans(X.copy(), k, init, rng)
    if not (isinstance(out, tuple) and len(out) == 3):
        raise GradeFailure("kmeans should return a tuple (centres, labels, inertia)")
    centres, labels, inertia = out
    centres = _arr(centres, "centres").astype(np.float64)
    labels = _arr(labels, "labels")
    if np.isnan(centres).any():
        raise GradeFailure(
            "kmeans returned NaN centres: an empty cluster's mean is 0/0; re-seed it on the farthest point"
        )
    check_true(centres.shape == (k, X.shape[1]), f"centres has shape {centres.shape}, expected {(k, X.shape[1])}")
    check_true(labels.shape == (len(X),), f"labels has shape {labels.shape}, expected {(len(X),)}")
    return centres, labels, inertia


def test_init_random_draws(learner):
    """init_random picks k distinct rows with rng.choice(n, size=k, replace=False)"""
    X = _blobs()
    k = 6
    expected = X[_rng(5).choice(len(X), size=k, replace=False)]
    got = _arr(learner.init_random(X.copy(), k, _rng(5)), "init_random")
    check_close(
        got,
        expected,
        name="the random initial centres",
        rtol=0,
        atol=0,
        mistakes={
            "sampling with replacement (rng.choice(n, size=k)), which can repeat a point": X[_rng(5).choice(len(X), size=k)],
            "rng.integers(n, size=k) (with replacement, and not the stated call)": X[_rng(5).integers(len(X), size=k)],
            "rng.permutation(n)[:k] (not the stated call)": X[_rng(5).permutation(len(X))[:k]],
        },
    )


def test_init_kmeans_plus_plus_draws(learner):
    """k-means++ draws each later centre with probability proportional to D^2 to the nearest centre"""
    X = _blobs()
    k = 5
    for seed in (0, 11):
        expected = _pp(X, k, _rng(seed))
        got = _arr(learner.init_kmeans_plus_plus(X.copy(), k, _rng(seed)), "init_kmeans_plus_plus")
        check_close(
            got,
            expected,
            name=f"the k-means++ centres (seed {seed})",
            rtol=0,
            atol=1e-12,
            mistakes={
                "weighting by the distance D instead of its square D^2": _pp(X, k, _rng(seed), weight="d"),
                "drawing later centres uniformly (no D^2 weighting)": _pp(X, k, _rng(seed), weight="uniform"),
                "taking the farthest point instead of drawing with D^2 probabilities": _pp(X, k, _rng(seed), weight="far"),
                "using the distance to the last chosen centre instead of the nearest chosen centre": _pp(
                    X, k, _rng(seed), nearest=False
                ),
            },
        )


def test_lloyd_matches_sklearn(learner):
    """from the same start, centres, labels and inertia equal scikit-learn's KMeans"""
    X = _blobs()
    start = _pp(X, 4, _rng(2))
    ref = _sk_from(X, start)
    centres, labels, inertia = _run(learner, X, 4, start.copy())
    check_close(centres, ref.cluster_centers_, name="the final centres", rtol=1e-6, atol=1e-8)
    check_close(labels, ref.labels_, name="the final labels", rtol=0, atol=0)
    d2 = ((X - ref.cluster_centers_[ref.labels_]) ** 2).sum(1)
    check_number(
        inertia,
        ref.inertia_,
        name="the inertia",
        rtol=1e-6,
        mistakes={
            "summing distances instead of squared distances": float(np.sqrt(d2).sum()),
            "averaging the squared distances instead of summing them": float(d2.mean()),
        },
    )


def test_random_init_run(learner):
    """kmeans(init='random') starts from init_random(X, k, rng) and then matches scikit-learn"""
    X = _blobs()
    for seed in (0, 1):  # seed 1 lands in a poor local optimum: that is random init's weakness
        start = X[_rng(seed).choice(len(X), size=4, replace=False)]
        ref = _sk_from(X, start)
        centres, labels, inertia = _run(learner, X, 4, "random", _rng(seed))
        check_close(centres, ref.cluster_centers_, name=f"the centres of the random-init run (seed {seed})", rtol=1e-6, atol=1e-8,
                    mistakes={"starting from k-means++ seeding although init='random' (start from init_random(X, k, rng))":
                              _sk_from(X, _pp(X, 4, _rng(seed))).cluster_centers_})
        check_number(inertia, ref.inertia_, name=f"the inertia of the random-init run (seed {seed})", rtol=1e-6)


def test_kmeans_plus_plus_quality(learner):
    """a k-means++ run reaches within 5% of scikit-learn's best inertia on blobs"""
    X = _blobs()
    best = _sk_best(X)
    for seed in (0, 2):
        centres, labels, inertia = _run(learner, X, 4, "k-means++", _rng(seed))
        check_true(
            float(inertia) <= 1.05 * best,
            f"the k-means++ run (seed {seed}) has inertia {float(inertia):.6g}, more than 5% above scikit-learn's "
            f"best {best:.6g}",
        )
        d2 = ((X - centres[labels]) ** 2).sum(1)
        check_number(inertia, float(d2.sum()), name="the inertia of your returned centres and labels", rtol=1e-6)


def test_empty_cluster_is_reseeded(learner):
    """an empty cluster is re-seeded: no NaN, no empty cluster at the end"""
    X = _blobs()
    start = np.array([X[0], X[1], X[2], [60.0, 60.0]])  # the last centre is far from every point
    best = _sk_best(X)
    with np.errstate(all="ignore"):
        centres, labels, inertia = _run(learner, X, 4, start.copy())
    sizes = np.bincount(labels.astype(np.int64), minlength=4)
    empty = [j for j in range(4) if sizes[j] == 0]
    check_true(
        not empty,
        f"cluster {empty[0] if empty else 0} is still empty at the end: an empty cluster must be moved onto the "
        "farthest point, not left in place",
    )
    check_true(
        float(inertia) <= 1.05 * best,
        f"after re-seeding the empty cluster the inertia is {float(inertia):.6g}, more than 5% above scikit-learn's "
        f"best {best:.6g}: move it onto the point farthest from its nearest centre",
    )


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.kmeans, "kmeans", init='k-means++', max_iter=100)
