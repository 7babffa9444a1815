"""Reference solution for exercise 2.1.2 (shown by `tracker solution 2.1.2` after a pass)."""

from __future__ import annotations

import math


def _unclamped(current_replicas: int, current_metric: float, target_metric: float, tolerance: float) -> int:
    ratio = current_metric / target_metric
    if abs(1.0 - ratio) <= tolerance:
        return current_replicas
    return math.ceil(ratio * current_replicas)


def _clamp(replicas: int, min_replicas: int, max_replicas: int) -> int:
    return max(min_replicas, min(max_replicas, replicas))


def desired_replicas(current_replicas, current_metric, target_metric, min_replicas, max_replicas, tolerance=0.1) -> int:
    return _clamp(_unclamped(current_replicas, current_metric, target_metric, tolerance), min_replicas, max_replicas)


def utilization_percent(usages_millicores, requests_millicores) -> int:
    return sum(usages_millicores) * 100 // sum(requests_millicores)


def desired_replicas_multi(current_replicas, metrics, min_replicas, max_replicas, tolerance=0.1) -> int:
    proposals = [_unclamped(current_replicas, cur, target, tolerance) for cur, target in metrics]
    return _clamp(max(proposals), min_replicas, max_replicas)


def stabilized_replicas(current_replicas, desired, history, now, window_s=300.0) -> int:
    if desired > current_replicas:
        return desired
    highest = desired
    for timestamp, replicas in history:
        if timestamp > now - window_s:
            highest = max(highest, replicas)
    return min(current_replicas, highest)
