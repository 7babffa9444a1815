"""Reference solution for exercise 0.1.4 (shown by `tracker solution 0.1.4` after a pass)."""

from __future__ import annotations

import numpy as np


def _sq_dists(X, centres):
    return ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)  # (n, k)


def init_random(X, k, rng):
    idx = rng.choice(len(X), size=k, replace=False)
    return X[idx].copy()


def init_kmeans_plus_plus(X, k, rng):
    n = len(X)
    centres = [X[rng.integers(n)]]
    d2 = ((X - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        idx = rng.choice(n, p=d2 / d2.sum())
        centres.append(X[idx])
        d2 = np.minimum(d2, ((X - X[idx]) ** 2).sum(axis=1))
    return np.array(centres)


def _update(X, labels, centres):
    k = len(centres)
    new = centres.copy()
    empty = []
    for j in range(k):
        members = X[labels == j]
        if len(members):
            new[j] = members.mean(axis=0)
        else:
            empty.append(j)
    if empty:
        # Re-seed each empty cluster on the point that is worst served by the current centres.
        far = np.argsort(-_sq_dists(X, centres).min(axis=1), kind="stable")
        for j, idx in zip(empty, far):
            new[j] = X[idx]
    return new


def kmeans(X, k, init="k-means++", rng=None, max_iter=100):
    X = np.asarray(X, dtype=np.float64)
    if isinstance(init, str) and init == "random":
        centres = init_random(X, k, rng)
    elif isinstance(init, str) and init == "k-means++":
        centres = init_kmeans_plus_plus(X, k, rng)
    else:
        centres = np.array(init, dtype=np.float64)
    labels = None
    for _ in range(max_iter):
        new_labels = np.argmin(_sq_dists(X, centres), axis=1)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        centres = _update(X, labels, centres)
    distances = _sq_dists(X, centres)
    labels = np.argmin(distances, axis=1)
    inertia = float(distances[np.arange(len(X)), labels].sum())
    return centres, labels, inertia
