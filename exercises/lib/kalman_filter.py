"""Library exercise lib.kalman_filter: one predict/update step of a linear Kalman filter, for physical AI.

A robot knows its motion model roughly and its sensors noisily; the Kalman filter keeps a Gaussian belief
``(x, P)`` (mean and covariance of the state) and alternates a PREDICT step (move the belief through the
motion model, uncertainty grows) and an UPDATE step (fold in a measurement, uncertainty shrinks).

Shapes: state ``n``, measurement ``m`` (``m < n`` in the grader). ``x`` is ``(n,)``, ``P`` ``(n, n)``.

1. ``kalman_predict(x, P, F, Q) -> (x_pred, P_pred)``: ``F`` ``(n, n)`` the motion model, ``Q`` ``(n, n)`` the
   process noise; ``x_pred = F x`` and ``P_pred = F P F^T + Q``.

2. ``kalman_update(x_pred, P_pred, z, H, R) -> (x, P)``: ``z`` ``(m,)`` the measurement, ``H`` ``(m, n)`` the
   measurement model, ``R`` ``(m, m)`` the measurement noise:
   innovation ``y = z - H x_pred``; its covariance ``S = H P_pred H^T + R``; gain ``K = P_pred H^T S^-1``;
   ``x = x_pred + K y``; ``P = (I - K H) P_pred``.

3. ``kalman_filter(x0, P0, zs, F, Q, H, R) -> (xs, Ps)``: run predict then update for each measurement in
   ``zs`` ``(T, m)``; return the filtered means ``(T, n)`` and covariances ``(T, n, n)``.

Tensors are float64 on the grader's device. Solve with ``torch.linalg.solve`` or ``torch.linalg.inv``.
Tolerance: ``rtol=1e-8, atol=1e-10``.
"""

from __future__ import annotations

import torch


def kalman_predict(x: torch.Tensor, P: torch.Tensor, F: torch.Tensor, Q: torch.Tensor):
    """Return (F x, F P F^T + Q)."""
    raise NotImplementedError("write kalman_predict")


def kalman_update(x_pred: torch.Tensor, P_pred: torch.Tensor, z: torch.Tensor, H: torch.Tensor, R: torch.Tensor):
    """Fold the measurement z into the predicted belief; return (x, P)."""
    raise NotImplementedError("write kalman_update")


def kalman_filter(x0, P0, zs, F, Q, H, R):
    """Predict and update for every measurement; return (xs (T, n), Ps (T, n, n))."""
    raise NotImplementedError("write kalman_filter")
