"""Grader for exercise 0.1.3: Gaussian Naive Bayes against scikit-learn's GaussianNB.

Fitted parameters, probabilities, log-probabilities and labels are compared with ``GaussianNB`` on the
wine data (13 features on very different scales, imbalanced classes, labels renamed to 2/5/9), on points
far from all the data, and on a synthetic set with a feature that is constant within one class. Probes:
no log-sum-exp (far points give 0/0), no variance smoothing (a zero variance), unbiased variances,
uniform priors instead of class frequencies, and returning class indices instead of labels.
"""

from __future__ import annotations

import numpy as np
import sklearn.datasets
from gradelib import GradeFailure, check_close, check_true, to_tensor
from sklearn.naive_bayes import GaussianNB

FORBIDDEN = ["sklearn.naive_bayes.GaussianNB"]

_GaussianNB = GaussianNB
LABELS = np.array([2, 5, 9])


def _wine():
    data = sklearn.datasets.load_wine()
    return data.data.astype(np.float64), LABELS[data.target]


def _far_points(X: np.ndarray, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(6, X.shape[1]))
    return X.mean(axis=0) + 1000 * X.std(axis=0) * signs * rng.uniform(0.5, 1.5, size=(6, X.shape[1]))


def _arr(value, name: str) -> np.ndarray:
    return to_tensor(value, name).numpy()


def _fit(learner, X, y):
    model = learner.GaussianNaiveBayes()
    out = model.fit(X.copy(), y.copy())
    if out is not model:
        raise GradeFailure("fit should return self (the fitted model)")
    return model


def _alt_jll(X, y, Xq, *, ddof=0, smoothing=True, priors=True):
    """The joint log-likelihood that a model with one of the classic mistakes computes."""
    classes = np.unique(y)
    eps = 1e-9 * np.var(X, axis=0).max() if smoothing else 0.0
    theta = np.stack([X[y == c].mean(0) for c in classes])
    var = np.stack([X[y == c].var(0, ddof=ddof) for c in classes]) + eps
    prior = np.array([np.mean(y == c) for c in classes]) if priors else np.full(len(classes), 1 / len(classes))
    with np.errstate(all="ignore"):
        return (
            np.log(prior)
            - 0.5 * np.log(2 * np.pi * var).sum(1)
            - 0.5 * (((Xq[:, None, :] - theta) ** 2) / var).sum(2)
        )


def _softmax(jll):
    z = jll - jll.max(1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(1, keepdims=True)


def _naive_proba(jll):
    with np.errstate(all="ignore"):
        return np.exp(jll) / np.exp(jll).sum(1, keepdims=True)


def _proba_mistakes(X, y, Xq):
    return {
        "uniform priors instead of the class frequencies": _softmax(_alt_jll(X, y, Xq, priors=False)),
        "unbiased (n - 1) variances": _softmax(_alt_jll(X, y, Xq, ddof=1)),
        "leaving out the variance smoothing epsilon": _softmax(_alt_jll(X, y, Xq, smoothing=False)),
        "exponentiating the joint log-likelihoods before normalising (no log-sum-exp)": _naive_proba(
            _alt_jll(X, y, Xq)
        ),
    }


def test_fitted_parameters(learner):
    """classes_, class_prior_, theta_ and var_ equal GaussianNB's"""
    X, y = _wine()
    ref = _GaussianNB().fit(X, y)
    model = _fit(learner, X, y)
    check_close(_arr(model.classes_, "classes_"), ref.classes_, name="classes_", rtol=0, atol=0)
    check_close(
        _arr(model.class_prior_, "class_prior_"),
        ref.class_prior_,
        name="class_prior_",
        rtol=1e-6,
        atol=1e-9,
        mistakes={"uniform priors instead of the class frequencies": np.full(3, 1 / 3)},
    )
    check_close(_arr(model.theta_, "theta_"), ref.theta_, name="theta_ (per-class means)", rtol=1e-6, atol=1e-9)
    eps = ref.epsilon_
    raw = ref.var_ - eps
    check_close(
        _arr(model.var_, "var_"),
        ref.var_,
        name="var_ (per-class variances + epsilon)",
        rtol=1e-6,
        atol=1e-9,
        mistakes={
            "leaving out the variance smoothing epsilon": raw,
            "unbiased (n - 1) variances": np.stack([X[y == c].var(0, ddof=1) for c in LABELS]) + eps,
            "an epsilon scaled by the largest per-class variance instead of the largest overall variance": raw
            + 1e-9 * raw.max(),
        },
    )


def test_predict_proba(learner):
    """predict_proba equals GaussianNB's on the wine data"""
    X, y = _wine()
    ref = _GaussianNB().fit(X, y)
    got = _arr(_fit(learner, X, y).predict_proba(X), "predict_proba")
    check_close(got, ref.predict_proba(X), name="predict_proba", rtol=1e-6, atol=1e-9, mistakes=_proba_mistakes(X, y, X))


def test_predict_log_proba(learner):
    """predict_log_proba equals GaussianNB's on the wine data"""
    X, y = _wine()
    ref = _GaussianNB().fit(X, y)
    got = _arr(_fit(learner, X, y).predict_log_proba(X), "predict_log_proba")
    expected = ref.predict_log_proba(X)
    jll = _alt_jll(X, y, X)
    check_close(
        got,
        expected,
        name="predict_log_proba",
        rtol=1e-6,
        atol=1e-6,
        mistakes={
            "the joint log-likelihood without subtracting log Z (not normalised)": jll,
            "uniform priors instead of the class frequencies": np.log(_softmax(_alt_jll(X, y, X, priors=False))),
        },
    )


def test_predict_returns_labels(learner):
    """predict returns labels from classes_ (here 2, 5, 9), equal to GaussianNB's"""
    X, y = _wine()
    ref = _GaussianNB().fit(X, y)
    expected = ref.predict(X)
    got = _arr(_fit(learner, X, y).predict(X), "predict")
    check_close(
        got,
        expected,
        name="predict",
        rtol=0,
        atol=0,
        mistakes={"returning the class index (argmax) instead of the label classes_[argmax]": np.searchsorted(LABELS, expected)},
    )


def test_far_points_use_log_sum_exp(learner):
    """points far from the data get finite probabilities (log-sum-exp), equal to GaussianNB's"""
    X, y = _wine()
    far = _far_points(X)
    ref = _GaussianNB().fit(X, y)
    model = _fit(learner, X, y)
    got = _arr(model.predict_proba(far), "predict_proba of far points")
    mistakes = _proba_mistakes(X, y, far)
    if not np.isfinite(got).all():
        raise GradeFailure(
            "predict_proba of points far from the data is NaN or inf: their joint log-likelihoods are about "
            f"{_alt_jll(X, y, far).max():.3g}, whose exp is 0 for every class (0/0); subtract each row's "
            "maximum before exponentiating (log-sum-exp)"
        )
    check_close(got, ref.predict_proba(far), name="predict_proba of far points", rtol=1e-6, atol=1e-9, mistakes=mistakes)
    log_got = _arr(model.predict_log_proba(far), "predict_log_proba of far points")
    check_true(
        not np.isnan(log_got).any() and not np.isposinf(log_got).any(),
        "predict_log_proba of far points is NaN or +inf: normalise with log-sum-exp",
    )
    check_close(
        log_got, ref.predict_log_proba(far), name="predict_log_proba of far points", rtol=1e-6, atol=1e-6
    )
    check_close(_arr(model.predict(far), "predict of far points"), ref.predict(far), name="predict of far points", rtol=0, atol=0)


def test_zero_variance_feature(learner):
    """a feature constant within a class is smoothed, not divided by zero"""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 3)) + np.repeat(np.array([[0.0, 0.0, 0.0], [2.0, 1.0, -1.0]]), 30, axis=0)
    X[:30, 1] = 4.0  # constant inside class 0
    y = np.repeat(np.array([0, 1]), 30)
    Xq = np.vstack([X[::7], [[0.5, 4.0, 0.2], [1.0, 4.1, 0.0]]])
    ref = _GaussianNB().fit(X, y)
    with np.errstate(all="ignore"):
        got = _arr(_fit(learner, X, y).predict_proba(Xq), "predict_proba")
    if not np.isfinite(got).all():
        raise GradeFailure(
            "predict_proba is NaN or inf when a feature is constant within a class: its variance is 0; "
            "add epsilon = var_smoothing * (largest feature variance) to every variance"
        )
    check_close(got, ref.predict_proba(Xq), name="predict_proba with a constant feature", rtol=1e-6, atol=1e-9)
