"""Exercise 0.1.4: K-means (Lloyd's algorithm) with random and k-means++ initialisation.

``X`` is a NumPy ``float64`` array of shape ``(n, d)``. Distances are squared Euclidean distances,
``((x - c) ** 2).sum()``. Randomness comes only from the ``rng`` argument, a
``numpy.random.Generator``; the grader replays your draws with the same seed, so use it *exactly* as
described (same calls, same order, nothing else drawn from it):

* ``init_random(X, k, rng)``: pick ``k`` distinct rows uniformly with ONE call
  ``idx = rng.choice(n, size=k, replace=False)`` and return ``X[idx]`` (shape ``(k, d)``, in that order).
* ``init_kmeans_plus_plus(X, k, rng)``: the first centre is ``X[rng.integers(n)]`` (one call). Then, for
  each further centre: let ``d2[i]`` be the squared distance from ``X[i]`` to the *nearest* centre chosen
  so far (shape ``(n,)``, computed as ``((X - c) ** 2).sum(axis=1)`` per centre, then the minimum), and
  draw the next index with ONE call ``rng.choice(n, p=d2 / d2.sum())``. Return the ``k`` centres in the
  order they were chosen, shape ``(k, d)``. (This is plain k-means++, D^2 weighting, without
  scikit-learn's extra "greedy" candidate trials.)
* ``kmeans(X, k, init, rng=None, max_iter=100)``: Lloyd's algorithm. ``init`` is ``"random"`` (start
  from ``init_random(X, k, rng)``), ``"k-means++"`` (start from ``init_kmeans_plus_plus(X, k, rng)``)
  or a ``(k, d)`` array of starting centres (then ``rng`` is unused). Repeat until the labels stop
  changing or ``max_iter`` iterations have run:

  1. assignment: each point gets the label of its nearest centre (ties go to the lowest index);
  2. update: each centre becomes the mean of the points labelled with it. A cluster with no points must
     not become ``NaN`` (the mean of nothing) and must not stay empty: move its centre onto the data
     point worst served by the centres of this iteration's assignment step, the one whose squared
     distance to its nearest centre is largest (if several clusters are empty, handle them in index
     order, each taking the worst-served point not yet taken). The grader checks the outcome (no NaN,
     no empty cluster, a good inertia), not which point you picked.

  Return ``(centres, labels, inertia)``: ``centres`` ``(k, d)`` float, ``labels`` ``(n,)`` integers in
  ``0..k-1`` that are the nearest-centre labels *of the returned centres*, and ``inertia``, a float, the
  *sum* of squared distances from each point to its centre.

Off-limits while your code runs (the grader uses them as the reference): ``sklearn.cluster.KMeans``,
``sklearn.cluster.k_means``, ``sklearn.cluster.kmeans_plusplus`` and ``scipy.cluster.vq.kmeans`` /
``kmeans2``.

Tolerances: initial centres exactly equal to the grader's replay; centres and inertia after Lloyd within
``rtol=1e-6`` of scikit-learn's ``KMeans`` started from the same centres; the inertia of a k-means++ run
within 5% of scikit-learn's best of 10 runs on well-separated blobs.
"""

from __future__ import annotations

import numpy as np


def init_random(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` distinct rows of ``X`` chosen uniformly: ``X[rng.choice(n, size=k, replace=False)]``."""
    raise NotImplementedError("write init_random")


def init_kmeans_plus_plus(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding with D^2 weighting, drawing from ``rng`` exactly as described above."""
    raise NotImplementedError("write init_kmeans_plus_plus")


def kmeans(
    X: np.ndarray,
    k: int,
    init="k-means++",
    rng: np.random.Generator | None = None,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Lloyd's algorithm; return ``(centres, labels, inertia)``."""
    raise NotImplementedError("write kmeans")
