"""Grader for exercise 0.1.2: linear regression by gradient descent.

References: autograd (float64) and central finite differences for the gradient, ``np.linalg.lstsq`` for
the least-squares optimum, ``np.linalg.eigvalsh`` of the Hessian for the step-size bound, and a plain
loop for the exact trajectory. The "mathematical proof" of the seed is checked through its consequence,
``max_stable_lr``: the learner must find the Hessian (factor 2, the bias column) to get it right. Probes:
sum or half in the loss, missing factor 2 or 1/n in the gradient, a flipped sign, no bias gradient, a
bias that never moves, losses logged after the update, no intercept in the closed form, 1/L in place
of 2/L and a Hessian without its bias column.
"""

from __future__ import annotations

import numpy as np
import sklearn.linear_model  # noqa: F401  (imported at collection, so forbidding it costs no test time)
import torch
from gradelib import GradeFailure, as_float, check_close, check_true, to_tensor, unpack
from gradelib import check_number as _check_number

FORBIDDEN = [
    "numpy.linalg.lstsq",
    "numpy.linalg.pinv",
    "torch.linalg.lstsq",
    "torch.linalg.pinv",
    "sklearn.linear_model.LinearRegression",
]


def check_number(actual, expected, **kwargs):
    """gradelib's check_number, also accepting 0-d and one-element NumPy arrays (which it rejects)."""
    if isinstance(actual, np.ndarray) and actual.size == 1:
        actual = actual.item()
    _check_number(actual, expected, **kwargs)


_lstsq = np.linalg.lstsq


def _data(seed: int = 1, n: int = 100):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3)) * np.array([1.0, 1.5, 0.7]) + np.array([0.5, -1.0, 0.3])
    y = X @ np.array([2.0, -1.0, 0.5]) + 3.0 + 0.1 * rng.standard_normal(n)
    return X, y


def _arr(value, name: str) -> np.ndarray:
    return to_tensor(value, name).numpy().astype(np.float64)


def _losses(value) -> np.ndarray:
    return _arr(list(value) if isinstance(value, (list, tuple)) else value, "losses").reshape(-1)


def _design(X):
    return np.hstack([X, np.ones((len(X), 1))])


def _ref_grad(X, y, w, b):
    r = X @ w + b - y
    return 2 / len(X) * X.T @ r, 2 / len(X) * r.sum()


def _ref_fit(X, y, lr, steps, *, update_bias=True, log_after=False):
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for _ in range(steps):
        if not log_after:
            losses.append(np.mean((X @ w + b - y) ** 2))
        gw, gb = _ref_grad(X, y, w, b)
        w, b = w - lr * gw, (b - lr * gb if update_bias else b)
        if log_after:
            losses.append(np.mean((X @ w + b - y) ** 2))
    return w, b, np.array(losses)


def _pair(value, name: str):
    if not (isinstance(value, (tuple, list)) and len(value) >= 2):
        raise GradeFailure(f"{name} should return a tuple, got {type(value).__name__}")
    return value


def test_loss(learner):
    """mse_loss is the mean of the squared residuals"""
    X, y = _data()
    w, b = np.array([0.5, 0.2, -0.3]), 1.0
    r = X @ w + b - y
    check_number(
        learner.mse_loss(X, y, w.copy(), b),
        float(np.mean(r**2)),
        name="mse_loss",
        mistakes={
            "summing instead of averaging": float(np.sum(r**2)),
            "halving the mean (the 1/2 convention is not this exercise's loss)": float(np.mean(r**2) / 2),
            "taking the root (RMSE)": float(np.sqrt(np.mean(r**2))),
            "forgetting the bias": float(np.mean((X @ w - y) ** 2)),
        },
    )


def test_gradient_matches_autograd(learner):
    """mse_grad equals autograd's gradient of the MSE (weights and bias)"""
    X, y = _data(seed=2)
    w, b = np.array([0.3, -0.7, 1.1]), -0.4
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = ((torch.from_numpy(X) @ wt + bt - torch.from_numpy(y)) ** 2).mean()
    loss.backward()
    gw, gb = _pair(learner.mse_grad(X, y, w.copy(), b), "mse_grad")
    exp_w, exp_b = wt.grad.numpy(), float(bt.grad)
    r = X @ w + b - y
    check_close(
        _arr(gw, "grad_w").reshape(-1) if np.size(gw) == 3 else _arr(gw, "grad_w"),
        exp_w,
        name="grad_w",
        rtol=1e-6,
        atol=1e-9,
        mistakes={
            "dropping the factor 2 of d(r**2)/dr": exp_w / 2,
            "summing instead of averaging (no 1/n)": exp_w * len(X),
            "a flipped sign (the residual taken as y - y_hat)": -exp_w,
        },
    )
    check_number(
        gb,
        exp_b,
        name="grad_b",
        rtol=1e-6,
        atol=1e-9,
        mistakes={
            "no gradient for the bias": 0.0,
            "dropping the factor 2 of d(r**2)/dr": exp_b / 2,
            "summing instead of averaging (no 1/n)": exp_b * len(X),
            "the mean residual without the factor 2": float(r.mean()),
            "a flipped sign (the residual taken as y - y_hat)": -exp_b,
        },
    )


def test_gradient_matches_finite_differences(learner):
    """mse_grad agrees with central finite differences of mse_loss"""
    X, y = _data(seed=4, n=30)
    theta = np.array([0.2, 0.1, -0.5, 0.7])
    eps = 1e-6

    def loss(t):
        return as_float(learner.mse_loss(X, y, t[:3].copy(), float(t[3])), "mse_loss")

    fd = np.array(
        [(loss(theta + eps * e) - loss(theta - eps * e)) / (2 * eps) for e in np.eye(4)]
    )
    gw, gb = _pair(learner.mse_grad(X, y, theta[:3].copy(), float(theta[3])), "mse_grad")
    got = np.concatenate([_arr(gw, "grad_w").reshape(-1), _arr(gb, "grad_b").reshape(-1)])
    check_close(got, fd, name="(grad_w, grad_b) against finite differences of your mse_loss", rtol=1e-4, atol=1e-5)


def test_trajectory(learner):
    """fit_linear_gd follows the gradient-descent trajectory: losses logged before each update"""
    X, y = _data(seed=5)
    lr, steps = 0.05, 40
    w, b, losses = _ref_fit(X, y, lr, steps)
    out = unpack(learner.fit_linear_gd(X, y, lr, steps), 3, "fit_linear_gd", "w, b, losses")
    got_losses = _losses(out[2])
    check_close(
        got_losses,
        losses,
        name="losses",
        rtol=1e-6,
        atol=1e-9,
        mistakes={
            "logging the loss after each update instead of before it": _ref_fit(X, y, lr, steps, log_after=True)[2],
            "never updating the bias": _ref_fit(X, y, lr, steps, update_bias=False)[2],
        },
    )
    check_close(_arr(out[0], "w").reshape(-1), w, name="the final w", rtol=1e-6, atol=1e-9)
    check_number(out[1], b, name="the final b", rtol=1e-6, atol=1e-9, mistakes={"never updating the bias": 0.0})


def test_loss_non_increasing(learner):
    """with lr below the bound the loss never increases"""
    X, y = _data(seed=6)
    lr = 0.5 * 2 / np.linalg.eigvalsh(2 / len(X) * _design(X).T @ _design(X))[-1]
    losses = _losses(unpack(learner.fit_linear_gd(X, y, lr, 60), 3, "fit_linear_gd", "w, b, losses")[2])
    check_true(len(losses) == 60, f"losses has {len(losses)} entries for 60 steps")
    rises = np.nonzero(np.diff(losses) > 1e-12 * np.abs(losses[:-1]))[0]
    check_true(
        rises.size == 0,
        f"the loss rose from step {rises[0] if rises.size else 0} to the next "
        f"({losses[rises[0]] if rises.size else 0:.6g} -> {losses[rises[0] + 1] if rises.size else 0:.6g}) at a "
        "small learning rate: the gradient (or its sign) is wrong",
    )


def test_closed_form(learner):
    """closed_form equals the least-squares solution with an intercept"""
    X, y = _data(seed=7)
    theta = _lstsq(_design(X), y, rcond=None)[0]
    no_intercept = _lstsq(X, y, rcond=None)[0]
    w, b = _pair(learner.closed_form(X, y), "closed_form")
    check_close(
        _arr(w, "w").reshape(-1),
        theta[:3],
        name="the closed-form w",
        atol=1e-6,
        rtol=0,
        mistakes={"solving without an intercept column": no_intercept},
    )
    check_number(b, float(theta[3]), name="the closed-form b", atol=1e-6, rtol=0)


def test_gd_converges_to_closed_form(learner):
    """gradient descent converges to the least-squares optimum"""
    X, y = _data(seed=8)
    theta = _lstsq(_design(X), y, rcond=None)[0]
    lr = 1 / np.linalg.eigvalsh(2 / len(X) * _design(X).T @ _design(X))[-1]
    w, b, _ = unpack(learner.fit_linear_gd(X, y, lr, 400), 3, "fit_linear_gd", "w, b, losses")
    check_close(_arr(w, "w").reshape(-1), theta[:3], name="w after 400 steps", atol=1e-6, rtol=0)
    check_number(b, float(theta[3]), name="b after 400 steps", atol=1e-6, rtol=0)


def test_max_stable_lr(learner):
    """max_stable_lr is 2 / lambda_max of the Hessian (bias included)"""
    X, _ = _data(seed=9)
    A = _design(X)
    n = len(X)
    lam = np.linalg.eigvalsh(2 / n * A.T @ A)[-1]
    lam_no_bias = np.linalg.eigvalsh(2 / n * X.T @ X)[-1]
    check_number(
        learner.max_stable_lr(X.copy()),
        2 / lam,
        name="max_stable_lr",
        rtol=1e-6,
        mistakes={
            "1 / lambda_max instead of 2 / lambda_max": 1 / lam,
            "a Hessian without the factor 2 (that is the Hessian of the 1/2-MSE)": 4 / lam,
            "a Hessian without the bias column": 2 / lam_no_bias,
            "a Hessian without the 1/n": 2 / (lam * n),
        },
    )
