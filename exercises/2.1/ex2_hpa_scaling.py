"""Exercise 2.1.2: how the Kubernetes HorizontalPodAutoscaler (HPA) sizes an inference deployment.

Kubernetes scales a Deployment of model servers from a metric (CPU or GPU utilization, queue length,
requests per second per pod). Re-implement the HPA controller's arithmetic, as the Kubernetes
documentation and controller describe it:

1. The ratio: ``ratio = current_metric / target_metric`` (Python floats).
2. The tolerance: if ``abs(1.0 - ratio) <= tolerance`` (default 0.1, i.e. within 10 %), the controller
   keeps ``current_replicas``. Otherwise ``desired = math.ceil(ratio * current_replicas)``, computed as
   exactly that expression.
3. The bounds: the result is always clamped to ``[min_replicas, max_replicas]`` (also when the tolerance
   kept the current count).

Resource utilization: for a "Utilization" target, the current metric is
``sum(usage) * 100 // sum(request)`` over the pods, in integer arithmetic (millicores in, a whole percentage
out: the controller truncates it), not the mean of each pod's own percentage.

Several metrics: the controller computes a desired count for each metric separately (each with its own
tolerance check) and takes the largest; then it clamps.

Scale-down stabilization (the default ``behavior``: no window for scaling up, 300 s for scaling down):
given the new recommendation ``desired`` (already computed and clamped) and the earlier recommendations
``history`` as ``(timestamp_s, replicas)`` pairs:

* if ``desired > current_replicas``, scale up at once: return ``desired``;
* otherwise return ``min(current_replicas, highest)``, where ``highest`` is the largest of ``desired`` and
  every recommendation in ``history`` whose timestamp is strictly after ``now - window_s``.

All counts are Python ints and are compared exactly. No routine is off-limits.
"""

from __future__ import annotations


def desired_replicas(
    current_replicas: int,
    current_metric: float,
    target_metric: float,
    min_replicas: int,
    max_replicas: int,
    tolerance: float = 0.1,
) -> int:
    """Steps 1 to 3 for a single metric."""
    raise NotImplementedError("write desired_replicas")


def utilization_percent(usages_millicores: list[int], requests_millicores: list[int]) -> int:
    """The pods' resource utilization as the HPA computes it (``usages[i]`` and ``requests[i]`` belong to
    pod ``i``)."""
    raise NotImplementedError("write utilization_percent")


def desired_replicas_multi(
    current_replicas: int,
    metrics: list[tuple[float, float]],
    min_replicas: int,
    max_replicas: int,
    tolerance: float = 0.1,
) -> int:
    """``metrics`` is a list of ``(current_metric, target_metric)`` pairs; combine them as the HPA does."""
    raise NotImplementedError("write desired_replicas_multi")


def stabilized_replicas(
    current_replicas: int,
    desired: int,
    history: list[tuple[float, int]],
    now: float,
    window_s: float = 300.0,
) -> int:
    """The replica count after the scale-down stabilization window."""
    raise NotImplementedError("write stabilized_replicas")
