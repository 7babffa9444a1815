"""Grader for exercise 0.1.5: logistic regression with L2, L1 and elastic-net penalties.

Losses come from a closed form, gradients from autograd (float64; autograd's ``|w|`` has gradient 0 at
0, the stub's ``sign(0) = 0``) and from finite differences of the learner's own loss, a few ISTA steps
from a replay of the stub's algorithm, and fitted optima from scikit-learn's ``LogisticRegression``
(lbfgs for L2, saga for L1 and elastic net, ``C = 1 / (n * lam)``). Probes: an unstable cross-entropy
(log of a sigmoid that rounded to 1), a penalised bias, a sum over samples, the L2 term without its 1/2,
l1_ratio on the wrong term, a flipped residual, subgradient steps instead of soft-thresholding (no exact
zeros), and a threshold of lam instead of lr * lam.
"""

from __future__ import annotations

import warnings

import numpy as np
import sklearn.linear_model
import torch
from gradelib import GradeFailure, as_float, check_close, check_defaults, check_true, to_tensor
from gradelib import check_number as _check_number
from threadpoolctl import threadpool_limits

FORBIDDEN = ["sklearn.linear_model.LogisticRegression"]


def check_number(actual, expected, **kwargs):
    """gradelib's check_number, also accepting 0-d and one-element NumPy arrays (which it rejects)."""
    if isinstance(actual, np.ndarray) and actual.size == 1:
        actual = actual.item()
    _check_number(actual, expected, **kwargs)


_LogisticRegression = sklearn.linear_model.LogisticRegression
N, D = 200, 10
RELEVANT = 3


def _data(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    w_true = np.array([2.0, -1.5, 1.0] + [0.0] * (D - RELEVANT))
    y = (rng.random(N) < 1 / (1 + np.exp(-(X @ w_true + 0.3)))).astype(np.float64)
    return X, y


def _split(penalty, lam, r):
    return {"l2": (0.0, lam), "l1": (lam, 0.0), "elasticnet": (lam * r, lam * (1 - r))}[penalty]


def _arr(value, name: str) -> np.ndarray:
    return to_tensor(value, name).numpy().astype(np.float64)


def _J(X, y, w, b, l1, l2, *, bias=False, total=False, half=True):
    z = X @ w + b
    data = np.logaddexp(0, z) - y * z
    data = data.sum() if total else data.mean()
    theta2 = np.sum(w**2) + (b**2 if bias else 0.0)
    theta1 = np.sum(np.abs(w)) + (abs(b) if bias else 0.0)
    return float(data + l1 * theta1 + (l2 / 2 if half else l2) * theta2)


def _pair(value, name):
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise GradeFailure(f"{name} should return a tuple (w-part, b-part), got {type(value).__name__}")
    return value


def test_loss_values(learner):
    """loss is the mean cross-entropy plus the penalty (bias not penalised), for all three penalties"""
    X, y = _data(1)
    w = np.linspace(-0.8, 0.9, D)
    b = 0.7
    for penalty, lam, r in [("l2", 0.3, 0.5), ("l1", 0.2, 0.5), ("elasticnet", 0.25, 0.3)]:
        l1, l2 = _split(penalty, lam, r)
        swapped = _split(penalty, lam, 1 - r)
        check_number(
            learner.loss(X, y, w.copy(), b, penalty, lam, r),
            _J(X, y, w, b, l1, l2),
            name=f"the {penalty} loss",
            rtol=1e-6,
            atol=1e-9,
            mistakes={
                "penalising the bias too": _J(X, y, w, b, l1, l2, bias=True),
                "summing the cross-entropy over samples instead of averaging": _J(X, y, w, b, l1, l2, total=True),
                "an L2 term of lam * sum(w**2) (without the 1/2)": _J(X, y, w, b, l1, l2, half=False),
                "l1_ratio applied to the squared term instead of the |w| term": _J(X, y, w, b, *swapped),
            },
        )


def test_loss_is_stable_for_large_logits(learner):
    """the loss stays finite and exact for logits of size 50 (cross-entropy from logits)"""
    X = np.array([[50.0, 0.0], [-50.0, 0.0], [2.0, 1.0], [0.0, -1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])  # two confidently wrong points
    w, b = np.array([1.0, 0.5]), 0.0
    with np.errstate(all="ignore"):
        got = as_float(learner.loss(X, y, w.copy(), b, "l2", 0.1), "loss")
    expected = _J(X, y, w, b, 0.0, 0.1)
    if not np.isfinite(float(got)):
        raise GradeFailure(
            f"the loss is {float(got)} for logits of +-50: sigmoid(50) rounds to exactly 1.0 so log(1 - p) is "
            "-inf; compute log(1 + exp(z)) - y * z with np.logaddexp(0, z)"
        )
    p = np.clip(1 / (1 + np.exp(-(X @ w + b))), 1e-15, 1 - 1e-15)
    clipped = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.05 * np.sum(w**2))
    check_number(
        got,
        expected,
        name="the loss with logits of +-50",
        rtol=1e-6,
        atol=1e-9,
        mistakes={"clipping p to [1e-15, 1 - 1e-15] before taking logs (a cap of 34.5 per point)": clipped},
    )


def _autograd(X, y, w, b, l1, l2):
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    z = torch.from_numpy(X) @ wt + bt
    yt = torch.from_numpy(y)
    J = (torch.logaddexp(torch.zeros_like(z), z) - yt * z).mean() + l1 * wt.abs().sum() + l2 / 2 * (wt**2).sum()
    J.backward()
    return wt.grad.numpy(), float(bt.grad)


def test_gradient_matches_autograd(learner):
    """gradient equals autograd for l2, l1 and elastic net (sign(0) = 0 where a weight is 0)"""
    X, y = _data(2)
    w = np.linspace(-0.6, 0.6, D)
    w[[2, 6]] = 0.0
    b = -0.3
    for penalty, lam, r in [("l2", 0.3, 0.5), ("l1", 0.2, 0.5), ("elasticnet", 0.25, 0.3)]:
        l1, l2 = _split(penalty, lam, r)
        exp_w, exp_b = _autograd(X, y, w, b, l1, l2)
        data_w, data_b = _autograd(X, y, w, b, 0.0, 0.0)
        gw, gb = _pair(learner.gradient(X, y, w.copy(), b, penalty, lam, r), "gradient")
        swapped = _split(penalty, lam, 1 - r)
        check_close(
            _arr(gw, "grad_w").reshape(-1),
            exp_w,
            name=f"the {penalty} grad_w",
            rtol=1e-6,
            atol=1e-9,
            mistakes={
                "a flipped residual (y - p instead of p - y)": -data_w + l1 * np.sign(w) + l2 * w,
                "summing over samples instead of averaging": data_w * N + l1 * np.sign(w) + l2 * w,
                "an L2 gradient of 2 * lam * w (the penalty has a 1/2)": data_w + l1 * np.sign(w) + 2 * l2 * w,
                "l1_ratio applied to the squared term instead of the |w| term": data_w
                + swapped[0] * np.sign(w)
                + swapped[1] * w,
                "sign(0) = 1 for the |w| subgradient (the stub asks for 0)": data_w + l1 * np.where(w >= 0, 1.0, -1.0) + l2 * w,
            },
        )
        check_number(
            gb,
            exp_b,
            name=f"the {penalty} grad_b",
            rtol=1e-6,
            atol=1e-9,
            mistakes={
                "penalising the bias too": exp_b + l2 * b + l1 * np.sign(b),
                "a flipped residual (y - p instead of p - y)": -data_b,
            },
        )


def test_gradient_matches_finite_differences(learner):
    """gradient agrees with central finite differences of your loss"""
    X, y = _data(3)
    w = np.linspace(-0.5, 0.7, D) + 0.05  # no weight at 0, where |w| has a kink
    b = 0.2
    eps = 1e-6
    for penalty in ("l2", "elasticnet"):
        theta = np.append(w, b)

        def J(t):
            return as_float(learner.loss(X, y, t[:-1].copy(), float(t[-1]), penalty, 0.2, 0.4), "loss")

        fd = np.array([(J(theta + eps * e) - J(theta - eps * e)) / (2 * eps) for e in np.eye(D + 1)])
        gw, gb = _pair(learner.gradient(X, y, w.copy(), b, penalty, 0.2, 0.4), "gradient")
        got = np.append(_arr(gw, "grad_w").reshape(-1), as_float(gb, "grad_b"))
        check_close(got, fd, name=f"the {penalty} gradient against finite differences of your loss", rtol=1e-4, atol=1e-6)


def _ista(X, y, penalty, lam, r, lr, steps, *, prox=True, threshold_scale=None, bias=False):
    l1, l2 = _split(penalty, lam, r)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(steps):
        res = 1 / (1 + np.exp(-(X @ w + b))) - y
        gw = X.T @ res / len(X) + l2 * w + (0.0 if prox else l1 * np.sign(w))
        gb = res.mean() + (l2 * b if bias else 0.0)
        w, b = w - lr * gw, b - lr * gb
        if prox:
            t = lr * l1 if threshold_scale is None else threshold_scale * l1
            w = np.sign(w) * np.maximum(np.abs(w) - t, 0.0)
    return w, b


def test_ista_steps(learner):
    """fit follows the stub's ISTA steps (gradient step, then soft-threshold by lr * lam)"""
    X, y = _data(4)
    for penalty, lam, r in [("l1", 0.08, 0.5), ("elasticnet", 0.08, 0.5), ("l2", 0.3, 0.5)]:
        lr, steps = 0.5, 6
        w, b = _ista(X, y, penalty, lam, r, lr, steps)
        gw, gb = _pair(learner.fit(X, y, penalty, lam, r, lr, steps), "fit")
        check_close(
            _arr(gw, "w").reshape(-1),
            w,
            name=f"w after {steps} {penalty} steps (lr={lr})",
            rtol=1e-6,
            atol=1e-9,
            mistakes={
                "subgradient steps on |w| instead of the soft-threshold": _ista(X, y, penalty, lam, r, lr, steps, prox=False)[0],
                "a threshold of lam instead of lr * lam": _ista(X, y, penalty, lam, r, lr, steps, threshold_scale=1.0)[0],
                "penalising the bias too": _ista(X, y, penalty, lam, r, lr, steps, bias=True)[0],
            },
        )
        check_number(
            gb,
            b,
            name=f"b after {steps} {penalty} steps",
            rtol=1e-6,
            atol=1e-9,
            mistakes={"penalising the bias too": _ista(X, y, penalty, lam, r, lr, steps, bias=True)[1]},
        )


def _sklearn(X, y, lam, r, solver):
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _LogisticRegression(C=1 / (len(X) * lam), l1_ratio=r, solver=solver, tol=1e-12, max_iter=20000)
        model.fit(X, y)
    return model.coef_[0], float(model.intercept_[0])


def test_l2_optimum_matches_sklearn(learner):
    """the L2 fit reaches scikit-learn's optimum (C = 1 / (n * lam))"""
    X, y = _data(0)
    w_ref, b_ref = _sklearn(X, y, 0.05, 0.0, "lbfgs")
    w, b = _pair(learner.fit(X, y, "l2", 0.05, 0.5, 1.0, 500), "fit")
    check_close(
        _arr(w, "w").reshape(-1),
        w_ref,
        name="the L2-regularised weights",
        atol=1e-5,
        rtol=0,
        mistakes={"penalising the bias too": _ista(X, y, "l2", 0.05, 0.5, 1.0, 500, bias=True)[0]},
    )
    check_number(b, b_ref, name="the L2-regularised bias", atol=1e-5, rtol=0)


def test_l1_zeroes_irrelevant_features(learner):
    """the L1 fit sets the irrelevant weights exactly to 0 and matches scikit-learn's optimum"""
    X, y = _data(0)
    w_ref, b_ref = _sklearn(X, y, 0.08, 1.0, "saga")
    w, b = _pair(learner.fit(X, y, "l1", 0.08, 0.5, 1.0, 500), "fit")
    w = _arr(w, "w").reshape(-1)
    irrelevant = w[RELEVANT:]
    if np.any(irrelevant != 0) and np.all(np.abs(irrelevant) < 0.05):
        raise GradeFailure(
            f"the irrelevant L1 weights are small but not exactly 0 (largest |w| {np.abs(irrelevant).max():.3g}): "
            "subgradient steps oscillate around 0; soft-threshold after each gradient step"
        )
    check_true(
        np.all(irrelevant == 0),
        f"the L1 fit should zero the {D - RELEVANT} irrelevant weights; got {np.round(irrelevant, 4).tolist()}",
    )
    check_true(np.all(w[:RELEVANT] != 0), f"the relevant L1 weights should stay non-zero; got {np.round(w[:RELEVANT], 4).tolist()}")
    check_close(w, w_ref, name="the L1-regularised weights", atol=1e-5, rtol=0)
    check_number(b, b_ref, name="the L1-regularised bias", atol=1e-5, rtol=0)


def test_elasticnet_optimum_matches_sklearn(learner):
    """the elastic-net fit matches scikit-learn's optimum, zeros included"""
    X, y = _data(0)
    w_ref, b_ref = _sklearn(X, y, 0.08, 0.7, "saga")
    w, b = _pair(learner.fit(X, y, "elasticnet", 0.08, 0.7, 1.0, 500), "fit")
    w = _arr(w, "w").reshape(-1)
    check_close(
        w,
        w_ref,
        name="the elastic-net weights (l1_ratio = 0.7)",
        atol=1e-5,
        rtol=0,
        mistakes={
            "l1_ratio applied to the squared term instead of the |w| term": _ista(X, y, "elasticnet", 0.08, 0.3, 1.0, 500)[0],
            "penalising the bias too": _ista(X, y, "elasticnet", 0.08, 0.7, 1.0, 500, bias=True)[0],
        },
    )
    zeros_ref = w_ref == 0
    check_true(
        np.array_equal(w == 0, zeros_ref),
        f"the elastic-net weights should be exactly 0 at {np.nonzero(zeros_ref)[0].tolist()}, got zeros at "
        f"{np.nonzero(w == 0)[0].tolist()}",
    )
    check_number(b, b_ref, name="the elastic-net bias", atol=1e-5, rtol=0)


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.fit, "fit", l1_ratio=0.5, lr=1.0, steps=500)
