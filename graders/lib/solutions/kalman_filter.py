"""Reference solution for lib.kalman_filter (shown by `tracker solution lib.kalman_filter` after a pass)."""

from __future__ import annotations

import torch


def kalman_predict(x, P, F, Q):
    return F @ x, F @ P @ F.T + Q


def kalman_update(x_pred, P_pred, z, H, R):
    y = z - H @ x_pred
    S = H @ P_pred @ H.T + R
    K = P_pred @ H.T @ torch.linalg.inv(S)
    x = x_pred + K @ y
    eye = torch.eye(P_pred.shape[0], dtype=P_pred.dtype, device=P_pred.device)
    P = (eye - K @ H) @ P_pred
    return x, P


def kalman_filter(x0, P0, zs, F, Q, H, R):
    x, P = x0, P0
    xs, Ps = [], []
    for z in zs:
        x, P = kalman_predict(x, P, F, Q)
        x, P = kalman_update(x, P, z, H, R)
        xs.append(x)
        Ps.append(P)
    return torch.stack(xs), torch.stack(Ps)
