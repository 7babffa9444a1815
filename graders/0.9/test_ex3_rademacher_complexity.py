"""Grader for exercise 0.9.3: empirical Rademacher complexity of l2- and l1-bounded linear classes.

The exact value is computed by the grader by enumerating all 2**12 sign vectors; the Monte Carlo estimate
(20,000 draws) must be within 3% of it, and for n = 100 within 3% of the grader's 60,000-draw estimate;
the closed-form bounds (Jensen for l2, Massart for l1) are compared with their formulas, and every
estimate must lie below its bound. Rows of X have very different norms, so that the bound's
sqrt(sum ||x_i||^2) differs from sqrt(n) max ||x_i||. Probes: forgetting 1/n or B, signs in {0, 1}
instead of {-1, +1}, the l2 norm of v for the l1 class (the dual of l1 is l_inf), averaging sigma before
taking the sup (about 0), a bound with sqrt(n) max ||x_i||, 1/sqrt(n) in place of 1/n, Massart's
sqrt(2 ln d) without the factor 2 inside the log, and the max row norm instead of the max column norm.
"""

from __future__ import annotations

import itertools
import math

import functools

import numpy as np
from gradelib import GradeFailure, as_float, check_number, check_true


@functools.lru_cache(maxsize=None)
def _signs(n, signs):
    return np.array(list(itertools.product(signs, repeat=n)))


def _data(n, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.exp(rng.normal(scale=0.8, size=(n, 1)))  # very different row norms
    X[:, 0] *= 2.5  # one heavy column, so column norms differ
    return X


def _dual(v, norm):
    return np.linalg.norm(v, axis=1) if norm == "l2" else np.abs(v).max(axis=1)


def _exact(X, B, norm, signs=(-1.0, 1.0), dual=None):
    sigmas = _signs(X.shape[0], signs)
    return float(B * _dual(sigmas @ X, dual or norm).mean() / X.shape[0])


def _mc(X, B, norm, draws, seed):
    rng = np.random.default_rng(seed)
    total, done = 0.0, 0
    while done < draws:
        m = min(20_000, draws - done)
        sig = 2.0 * rng.integers(0, 2, size=(m, X.shape[0])) - 1.0
        total += float(_dual(sig @ X, norm).sum())
        done += m
    return B * total / draws / X.shape[0]


def _bound(X, B, norm):
    n, d = X.shape
    if norm == "l2":
        return B * math.sqrt(float((X**2).sum())) / n
    return B * float(np.sqrt((X**2).sum(axis=0)).max()) * math.sqrt(2 * math.log(2 * d)) / n


def _value_mistakes(X, B, norm):
    n = X.shape[0]
    exact = _exact(X, B, norm)
    out = {
        "forgetting the 1/n": exact * n,
        "forgetting the factor B": exact / B,
        "signs drawn from {0, 1} instead of {-1, +1}": _exact(X, B, norm, signs=(0.0, 1.0)),
    }
    if norm == "l1":
        out["the l2 norm of v = sum sigma_i x_i for the l1 class (the dual of l1 is l_inf)"] = _exact(
            X, B, norm, dual="l2"
        )
    else:
        out["the l_inf norm of v for the l2 class (the l2 norm is its own dual)"] = _exact(X, B, norm, dual="l1")
    return exact, out


def test_exact_by_enumeration(learner):
    """the exact value (all 2**12 sign vectors) for the l2 and l1 classes"""
    X = _data(12, 4, seed=0)
    for norm, B in (("l2", 2.0), ("l1", 3.0)):
        expected, mistakes = _value_mistakes(X, B, norm)
        check_number(
            learner.rademacher_exact(X.copy(), B, norm),
            expected,
            name=f"rademacher_exact for the {norm} class (n=12, d=4, B={B})",
            rtol=1e-9,
            mistakes=mistakes,
        )


def _check_mc(learner, X, B, norm, expected, label, mistakes=None):
    got = learner.rademacher_mc(X.copy(), B, 20_000, norm, np.random.default_rng(123))
    if isinstance(got, np.ndarray) and got.size == 1:
        got = float(got)
    check_true(
        isinstance(got, (float, int, np.floating)), f"rademacher_mc should return a float, got {type(got).__name__}"
    )
    got = float(got)
    if got < 0.3 * expected:
        raise GradeFailure(
            f"{label}: got {got:.4g}, expected about {expected:.4g}. This is what averaging sigma before taking the "
            "sup gives (the norm of the mean of v is about 0): take the sup for EACH sign vector, then average"
        )
    check_number(got, expected, name=label, rtol=0.03, mistakes=mistakes)


def test_monte_carlo_matches_exact(learner):
    """20,000-draw Monte Carlo is within 3% of the exact value (n=12)"""
    X = _data(12, 4, seed=0)
    for norm, B in (("l2", 2.0), ("l1", 3.0)):
        expected, mistakes = _value_mistakes(X, B, norm)
        _check_mc(learner, X, B, norm, expected, f"rademacher_mc for the {norm} class (n=12)", mistakes)


def test_monte_carlo_large_sample(learner):
    """for n=100 the Monte Carlo estimate is within 3% of a 60,000-draw estimate"""
    X = _data(100, 5, seed=1)
    for norm in ("l2", "l1"):
        expected = _mc(X, 1.5, norm, 60_000, seed=7)
        _check_mc(
            learner,
            X,
            1.5,
            norm,
            expected,
            f"rademacher_mc for the {norm} class (n=100)",
            {"forgetting the 1/n": expected * 100, "forgetting the factor B": expected / 1.5},
        )


def test_closed_form_bounds(learner):
    """the bounds B sqrt(sum ||x_i||^2) / n (l2) and Massart's (l1)"""
    X = _data(12, 4, seed=0)
    n, d = X.shape
    B = 2.0
    rows = np.linalg.norm(X, axis=1)
    check_number(
        learner.rademacher_bound(X.copy(), B, "l2"),
        _bound(X, B, "l2"),
        name="rademacher_bound for the l2 class",
        rtol=1e-9,
        mistakes={
            "B sqrt(n) max ||x_i|| / n (a looser bound than sqrt(sum ||x_i||^2))": B * math.sqrt(n) * rows.max() / n,
            "dividing by sqrt(n) instead of n": B * math.sqrt(float((X**2).sum())) / math.sqrt(n),
            "forgetting the 1/n": B * math.sqrt(float((X**2).sum())),
        },
    )
    cols = np.sqrt((X**2).sum(axis=0))
    check_number(
        learner.rademacher_bound(X.copy(), B, "l1"),
        _bound(X, B, "l1"),
        name="rademacher_bound for the l1 class",
        rtol=1e-9,
        mistakes={
            "sqrt(2 ln d) (Massart's lemma runs over the 2d vectors +-X[:, j]: sqrt(2 ln(2d)))": B
            * cols.max()
            * math.sqrt(2 * math.log(d))
            / n,
            "the largest ROW norm max_i ||x_i|| instead of the largest column norm": B
            * rows.max()
            * math.sqrt(2 * math.log(2 * d))
            / n,
        },
    )


def test_estimates_below_bounds(learner):
    """the exact value and the Monte Carlo estimate lie below the closed-form bound"""
    for n, d, seed in ((12, 4, 0), (12, 30, 2)):
        X = _data(n, d, seed)
        for norm in ("l2", "l1"):
            bound = as_float(learner.rademacher_bound(X.copy(), 1.0, norm), "rademacher_bound")
            exact = as_float(learner.rademacher_exact(X.copy(), 1.0, norm), "rademacher_exact")
            mc = as_float(learner.rademacher_mc(X.copy(), 1.0, 20_000, norm, np.random.default_rng(5)), "rademacher_mc")
            check_true(
                exact <= bound * (1 + 1e-9) and mc <= bound * 1.01,
                f"for the {norm} class (n={n}, d={d}) the estimates (exact {exact:.4g}, Monte Carlo {mc:.4g}) "
                f"exceed the bound {bound:.4g}: one of the three is wrong",
            )


def test_monte_carlo_draws_from_the_given_rng(learner):
    """rademacher_mc draws its signs from the rng passed in: the same seed gives the same estimate, and the
    caller's generator has moved on"""
    X = _data(12, 4, seed=2)
    first = as_float(learner.rademacher_mc(X.copy(), 2.0, 200, "l2", np.random.default_rng(11)), "rademacher_mc")
    rng = np.random.default_rng(11)
    second = as_float(learner.rademacher_mc(X.copy(), 2.0, 200, "l2", rng), "rademacher_mc")
    check_true(first == second,
               f"rademacher_mc gave {first:.6g} and then {second:.6g} for two generators seeded alike: draw the "
               "signs with the rng argument (a fresh default_rng() ignores the caller's seed)")
    check_true(rng.random() != np.random.default_rng(11).random(),
               "rademacher_mc did not draw from the rng it was given (the generator's state is unchanged)")
