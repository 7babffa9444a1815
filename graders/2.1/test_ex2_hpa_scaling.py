"""Grader for exercise 2.1.2: the Kubernetes HPA replica formula with tolerance, bounds, utilization,
several metrics, and the scale-down stabilization window.

The reference is the algorithm of the Kubernetes HPA controller (replica calculator and
``stabilizeRecommendationWithBehaviors`` with the default behavior), written here from its documented
semantics. Inputs avoid exact tolerance boundaries and inexact products that land near an integer, so any
correct evaluation order gives the same integer. Probes: no tolerance band, round or floor in place of
ceil, the ratio inverted, bounds not applied (or not applied when the tolerance keeps the count), the mean
of per-pod percentages or an untruncated percentage, the smallest or an averaged proposal over several
metrics, scaling down at once (or to the lowest recommendation of the window), a window that includes old
or boundary recommendations, a window applied to scale-ups, and a result above the current count.
"""

from __future__ import annotations

import math

from gradelib import check_number


def _ref(cur, metric, target, lo, hi, tol=0.1, *, no_tol=False, rounding=math.ceil, inverted=False, clamp=True,
         clamp_in_tol=True):
    ratio = target / metric if inverted else metric / target
    if not no_tol and abs(1.0 - ratio) <= tol:
        return max(lo, min(hi, cur)) if clamp_in_tol and clamp else cur
    n = rounding(ratio * cur)
    return max(lo, min(hi, n)) if clamp else n


def _mistakes(cur, metric, target, lo, hi, tol=0.1):
    return {
        "scaling without the tolerance band (|1 - ratio| <= 0.1 keeps the current count)":
            _ref(cur, metric, target, lo, hi, tol, no_tol=True),
        "rounding to the nearest integer instead of taking the ceiling": _ref(cur, metric, target, lo, hi, tol, rounding=round),
        "flooring instead of taking the ceiling": _ref(cur, metric, target, lo, hi, tol, rounding=math.floor),
        "inverting the ratio (target / current)": _ref(cur, metric, target, lo, hi, tol, inverted=True),
        "not clamping to [min_replicas, max_replicas]": _ref(cur, metric, target, lo, hi, tol, clamp=False),
        "skipping the bounds when the tolerance keeps the current count":
            _ref(cur, metric, target, lo, hi, tol, clamp_in_tol=False),
    }


def _check(learner, cur, metric, target, lo, hi, tol=None):
    args = (cur, metric, target, lo, hi) + (() if tol is None else (tol,))
    exp = _ref(*args)
    wrong = {d: v for d, v in _mistakes(*args).items() if v != exp}
    check_number(learner.desired_replicas(*args), exp, rtol=0, mistakes=wrong,
                 name=f"desired_replicas(current={cur}, metric={metric}, target={target}, min={lo}, max={hi}"
                      + ("" if tol is None else f", tolerance={tol}") + ")")


def test_scale_up_and_down(learner):
    """ceil(current x metric / target) when the ratio leaves the tolerance band"""
    _check(learner, 4, 90, 50, 1, 20)
    _check(learner, 5, 33, 50, 1, 20)
    _check(learner, 10, 23, 50, 1, 20)
    _check(learner, 7, 130, 100, 1, 50)


def test_tolerance_band(learner):
    """within 10 % of the target nothing changes; a custom tolerance is honoured"""
    _check(learner, 10, 54, 50, 1, 20)
    _check(learner, 20, 46, 50, 1, 40)
    _check(learner, 10, 56, 50, 1, 20)
    _check(learner, 10, 54, 50, 1, 20, tol=0.05)
    _check(learner, 20, 46, 50, 1, 40, tol=0.02)


def test_bounds(learner):
    """the result is clamped to [min, max], also when the tolerance keeps the count"""
    _check(learner, 4, 200, 50, 1, 10)
    _check(learner, 3, 5, 50, 2, 10)
    _check(learner, 12, 51, 50, 1, 10)


def test_utilization_percent(learner):
    """utilization is sum(usage) * 100 // sum(request), truncated"""
    for usages, requests in (([905, 310, 201], [1000, 500, 250]), ([120, 980, 455, 61], [500, 1000, 500, 250]),
                             ([1999], [2000])):
        exp = sum(usages) * 100 // sum(requests)
        per_pod = sum(u * 100 / r for u, r in zip(usages, requests)) / len(usages)
        exact = sum(usages) * 100 / sum(requests)
        check_number(learner.utilization_percent(usages, requests), exp, rtol=0,
                     name=f"utilization_percent({usages}, {requests})",
                     mistakes={"the mean of each pod's own percentage instead of total usage / total request": per_pod,
                               "the mean of per-pod percentages, truncated": math.floor(per_pod),
                               "not truncating the percentage to an integer": exact,
                               "rounding the percentage instead of truncating it": round(exact)})


def test_several_metrics(learner):
    """with several metrics the largest proposal wins"""
    for cur, metrics, lo, hi in ((4, [(90, 50), (30, 50), (52, 50)], 1, 20), (4, [(52, 50), (20, 50)], 1, 20),
                                 (6, [(10, 100), (35, 50)], 2, 20), (3, [(300, 100), (80, 20)], 1, 10)):
        props = [_ref(cur, m, t, 0, 10**9) for m, t in metrics]
        exp = max(lo, min(hi, max(props)))
        mean_ratio = sum(m / t for m, t in metrics) / len(metrics)
        check_number(learner.desired_replicas_multi(cur, metrics, lo, hi), exp, rtol=0,
                     name=f"desired_replicas_multi(current={cur}, metrics={metrics}, min={lo}, max={hi})",
                     mistakes={"taking the smallest proposal instead of the largest": max(lo, min(hi, min(props))),
                               "averaging the ratios into one metric": max(lo, min(hi, math.ceil(mean_ratio * cur)))})


def _stab_ref(cur, desired, history, now, window=300.0, *, immediate=False, include_old=False, inclusive=False,
              use_min=False, window_on_up=False, no_cap=False):
    if immediate or (desired > cur and not window_on_up):
        return desired
    picked = [r for t, r in history if include_old or t > now - window or (inclusive and t == now - window)]
    highest = min([desired] + picked) if use_min else max([desired] + picked)
    return highest if no_cap else min(cur, highest)


STAB_MISTAKES = {
    "scaling down at once (no stabilization window, or the lowest recommendation of the window instead of the "
    "highest)": {"immediate": True},
    "keeping recommendations older than the window": {"include_old": True},
    "keeping a recommendation made exactly window_s ago (the cutoff is strict)": {"inclusive": True},
    "delaying scale-ups too (the default scale-up window is 0)": {"window_on_up": True},
    "returning more than the current count on a scale-down": {"no_cap": True},
}


def test_scale_down_stabilization(learner):
    """scale down only to the highest recommendation of the last 300 s; scale up at once"""
    now = 1000.0
    cases = [
        (8, 3, [(now - 400, 9), (now - 300, 7), (now - 299, 6), (now - 100, 5), (now - 10, 4)], now, 300.0),
        (4, 7, [(now - 10, 2)], now, 300.0),
        (5, 3, [(now - 100, 9)], now, 300.0),
        (6, 2, [(now - 50, 3), (now - 70, 4)], now, 60.0),
        (6, 6, [], now, 300.0),
    ]
    for cur, desired, history, t, window in cases:
        exp = _stab_ref(cur, desired, history, t, window)
        wrong = {d: _stab_ref(cur, desired, history, t, window, **kw) for d, kw in STAB_MISTAKES.items()}
        check_number(learner.stabilized_replicas(cur, desired, history, t, window), exp, rtol=0,
                     name=f"stabilized_replicas(current={cur}, desired={desired}, history={history}, now={t}, "
                          f"window_s={window})",
                     mistakes={d: v for d, v in wrong.items() if v != exp})


def test_tolerance_tie_and_defaults(learner):
    """a ratio exactly on the tolerance (|1 - 0.75| = 0.25 with tolerance=0.25) keeps the replica count: the
    band is inclusive (<=); and the defaults are tolerance=0.1 and a 300 s window"""
    from gradelib import check_defaults

    check_defaults(learner.desired_replicas, "desired_replicas", tolerance=0.1)
    check_defaults(learner.desired_replicas_multi, "desired_replicas_multi", tolerance=0.1)
    check_defaults(learner.stabilized_replicas, "stabilized_replicas", window_s=300.0)
    check_number(learner.desired_replicas(4, 75.0, 100.0, 1, 10, tolerance=0.25), 4,
                 name="desired_replicas(4 replicas, metric 75 for target 100, tolerance=0.25)",
                 mistakes={"leaving the band out at its edge (|1 - ratio| < tolerance; the stub says <=)": 3})
    check_number(learner.desired_replicas_multi(4, [(75.0, 100.0), (50.0, 100.0)], 1, 10, tolerance=0.25), 4,
                 name="desired_replicas_multi(4 replicas, metrics 75/100 and 50/100, tolerance=0.25)",
                 mistakes={"leaving the band out at its edge (|1 - ratio| < tolerance; the stub says <=)": 3})
