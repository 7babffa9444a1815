"""Exercise 0.1.1: PCA from scratch by eigendecomposition of the covariance matrix.

Write ``pca(X, k)``. ``X`` is a NumPy ``float64`` array of shape ``(n, d)``: one sample per row, one
feature per column. Return a tuple ``(components, explained_variance, projection)``:

* ``components``: shape ``(k, d)``. Row ``i`` is the unit-length eigenvector of the sample covariance
  matrix of ``X`` with the ``i``-th largest eigenvalue, so rows are sorted by decreasing eigenvalue (the
  layout of scikit-learn's ``PCA.components_``). The sign of each row is up to you: the grader accepts
  ``v`` or ``-v``.
* ``explained_variance``: shape ``(k,)``, those ``k`` largest eigenvalues in decreasing order. The
  covariance is the *sample* covariance: centre each column on its mean and divide by ``n - 1``.
* ``projection``: shape ``(n, k)``, the centred data expressed in the components,
  ``(X - mean) @ components.T``, using *your* components (so its column signs follow your rows' signs).

Steps: centre the columns, form the ``(d, d)`` covariance, take its eigendecomposition (a symmetric
matrix: ``np.linalg.eigh`` or ``torch.linalg.eigh`` are allowed and return eigenvalues in *ascending*
order), sort, keep ``k``, project.

Off-limits while your code runs (the grader uses them as the reference): ``np.linalg.svd``,
``torch.linalg.svd``, ``torch.svd``, ``torch.pca_lowrank`` and ``sklearn.decomposition.PCA``.

You may return NumPy arrays (preferred) or torch tensors. Tolerance: components (up to sign) and the
projection within ``atol=1e-4``; explained variances within ``rtol=1e-4``. Work in float64.

The grader also projects the iris data set (4 features) onto its first two components, the classic
2-D picture of PCA, and compares with scikit-learn.
"""

from __future__ import annotations

import numpy as np


def pca(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(components (k, d), explained_variance (k,), projection (n, k))`` of ``X`` (n, d)."""
    raise NotImplementedError("write pca")
