"""Grader for lib.kalman_filter: predict, update and a filtered track of a constant-velocity target.

The reference is the textbook form written in the grader, in float64, with a 4-state (position and
velocity in 2-D) model measured in position only (m = 2 < n = 4). Probes: F P without F^T, the process
noise forgotten, the gain computed with S = R, and (I + K H) in the covariance update.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_true

RTOL, ATOL = 1e-8, 1e-10


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _model(device, dt=0.5):
    F = torch.eye(4, dtype=torch.float64)
    F[0, 2] = F[1, 3] = dt
    Q = torch.diag(torch.tensor([0.01, 0.02, 0.05, 0.03], dtype=torch.float64))
    Q[0, 2] = Q[2, 0] = 0.004
    H = torch.zeros(2, 4, dtype=torch.float64)
    H[0, 0] = H[1, 1] = 1.0
    R = torch.tensor([[0.3, 0.05], [0.05, 0.2]], dtype=torch.float64)
    return [t.to(device) for t in (F, Q, H, R)]


def _belief(device, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(4, generator=g, dtype=torch.float64)
    A = torch.randn(4, 4, generator=g, dtype=torch.float64)
    P = A @ A.T + 0.5 * torch.eye(4, dtype=torch.float64)
    return x.to(device), P.to(device)


def _predict(x, P, F, Q, transpose=True, noise=True):
    P_pred = (F @ P @ F.T if transpose else F @ P) + (Q if noise else 0)
    return F @ x, P_pred


def _update(x, P, z, H, R, full_s=True, sign=-1.0):
    S = H @ P @ H.T + R if full_s else R
    K = P @ H.T @ torch.linalg.inv(S)
    eye = torch.eye(P.shape[0], dtype=P.dtype, device=P.device)
    return x + K @ (z - H @ x), (eye + sign * K @ H) @ P


def _pair(result, what):
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradeFailure(f"{what} should return a tuple of two tensors")
    return result


def test_predict(learner, device):
    """predict: x = F x and P = F P F^T + Q"""
    F, Q, _, _ = _model(device)
    x, P = _belief(device)
    got_x, got_P = _pair(learner.kalman_predict(x, P, F, Q), "kalman_predict")
    want_x, want_P = _predict(x, P, F, Q)
    check_close(got_x, want_x, name="the predicted mean", rtol=RTOL, atol=ATOL)
    check_close(got_P, want_P, name="the predicted covariance", rtol=RTOL, atol=ATOL, mistakes={
        "F P without F^T": _predict(x, P, F, Q, transpose=False)[1],
        "forgetting the process noise Q": _predict(x, P, F, Q, noise=False)[1],
    })


def test_update(learner, device):
    """update: K = P H^T (H P H^T + R)^-1, x = x + K (z - H x), P = (I - K H) P"""
    _, _, H, R = _model(device)
    x, P = _belief(device, seed=1)
    z = torch.tensor([1.5, -0.7], dtype=torch.float64, device=device)
    got_x, got_P = _pair(learner.kalman_update(x, P, z, H, R), "kalman_update")
    want_x, want_P = _update(x, P, z, H, R)
    s_is_r = _update(x, P, z, H, R, full_s=False)
    check_close(got_x, want_x, name="the updated mean", rtol=RTOL, atol=ATOL, mistakes={
        "a gain computed with S = R (S = H P H^T + R)": s_is_r[0]})
    check_close(got_P, want_P, name="the updated covariance", rtol=RTOL, atol=ATOL, mistakes={
        "a gain computed with S = R (S = H P H^T + R)": s_is_r[1],
        "(I + K H) instead of (I - K H)": _update(x, P, z, H, R, sign=1.0)[1],
    })


def test_filter_tracks_a_target(learner, device):
    """filtering 20 noisy positions gives the reference track, and the covariance stays symmetric"""
    F, Q, H, R = _model(device)
    g = torch.Generator().manual_seed(7)
    truth = torch.stack([torch.tensor([0.1 * t, 0.05 * t * t]) for t in range(20)]).double()
    zs = (truth + torch.randn(20, 2, generator=g, dtype=torch.float64) * 0.4).to(device)
    x0, P0 = torch.zeros(4, dtype=torch.float64, device=device), torch.eye(4, dtype=torch.float64, device=device)
    result = _pair(learner.kalman_filter(x0, P0, zs, F, Q, H, R), "kalman_filter")

    def run(**knobs):
        x, P, xs, Ps = x0, P0, [], []
        for z in zs:
            x, P = _predict(x, P, F, Q, **{k: v for k, v in knobs.items() if k in ("transpose", "noise")})
            x, P = _update(x, P, z, H, R, **{k: v for k, v in knobs.items() if k in ("full_s", "sign")})
            xs.append(x)
            Ps.append(P)
        return torch.stack(xs), torch.stack(Ps)

    want_xs, want_Ps = run()
    check_close(result[0], want_xs, name="the filtered means", rtol=1e-7, atol=1e-9, mistakes={
        "F P without F^T": run(transpose=False)[0],
        "forgetting the process noise Q": run(noise=False)[0],
        "a gain computed with S = R (S = H P H^T + R)": run(full_s=False)[0],
        "(I + K H) instead of (I - K H)": run(sign=1.0)[0],
    })
    check_close(result[1], want_Ps, name="the filtered covariances", rtol=1e-7, atol=1e-9)
    Ps = result[1].detach()
    check_true(bool(torch.allclose(Ps, Ps.transpose(-1, -2), atol=1e-9)), "the filtered covariances are not symmetric")
