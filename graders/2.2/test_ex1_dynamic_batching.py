"""Grader for exercise 2.2.1: a dynamic batcher (max batch size, max queue delay) with one instance.

The form departs from the catalogue's title (Triton's backend system) only in focus: the "meta-server"
idea is stated in the stub, and the hands-on part is Triton's dynamic batching scheduler, whose exact
event semantics the stub gives. The reference simulator below is parametrized so that each classic
mistake can be named when the learner's batches equal it: no size trigger (waiting out the delay even
with a full batch), a timer restarted by each arrival, a request arriving exactly at dispatch left out,
batches dispatched while the instance is still busy, and batches larger than max_batch_size. Statistics
probe latency without queueing, an interpolated p99, and throughput measured from time 0.
"""

from __future__ import annotations

import math
import random

from gradelib import GradeFailure, check_number, check_true


def _simulate(arr, bs, delay, base, per, *, size_trigger=True, sliding_timer=False, strict=False,
              ignore_busy=False, unbounded=False):
    n, out, free, i = len(arr), [], 0, 0
    while i < n:
        ready = arr[i] + delay
        if sliding_timer:
            j = i + 1
            while j < n and j - i < bs and arr[j] <= ready:
                ready = arr[j] + delay
                j += 1
        if size_trigger and i + bs - 1 < n:
            ready = min(ready, arr[i + bs - 1])
        start = ready if ignore_busy else max(ready, free)
        j = i
        while j < n and (unbounded or j - i < bs) and (arr[j] < start if strict else arr[j] <= start):
            j += 1
        j = max(j, i + 1)
        end = start + base + per * (j - i)
        out.append((start, end, tuple(range(i, j))))
        free, i = end, j
    return out


MISTAKES = {
    "waiting out the whole queue delay even when max_batch_size requests are already waiting": {"size_trigger": False},
    "restarting the delay timer at every new arrival (the delay counts from the oldest request)": {"sliding_timer": True},
    "leaving out a request that arrives exactly at the dispatch time (use <=)": {"strict": True},
    "dispatching a batch while the instance is still busy with the previous one": {"ignore_busy": True},
    "taking every waiting request, beyond max_batch_size": {"unbounded": True},
}


def _normalize(batches):
    if not isinstance(batches, (list, tuple)):
        raise GradeFailure(f"simulate_dynamic_batching should return a list of dicts, got {type(batches).__name__}")
    out = []
    for k, b in enumerate(batches):
        if not isinstance(b, dict) or not {"start_us", "end_us", "requests"} <= set(b):
            raise GradeFailure(f"batch {k} should be a dict with start_us, end_us and requests, got {str(b)[:120]}")
        out.append((b["start_us"], b["end_us"], tuple(int(r) for r in b["requests"])))
    return out


def _check(learner, arr, bs, delay, base, per, what):
    got = _normalize(learner.simulate_dynamic_batching(list(arr), bs, delay, base, per))
    exp = _simulate(arr, bs, delay, base, per)
    if got == exp:
        return
    k = next((k for k, (g, e) in enumerate(zip(got, exp)) if g != e), min(len(got), len(exp)))
    shown = got[k] if k < len(got) else "nothing"
    why = ""
    for desc, kw in MISTAKES.items():
        if got == _simulate(arr, bs, delay, base, per, **kw):
            why = f" This is what {desc} gives."
            break
    raise GradeFailure(f"{what}: {len(got)} batches, expected {len(exp)}; the first difference is batch {k}: got "
                       f"(start, end, requests) = {shown}, expected {exp[k] if k < len(exp) else 'nothing'}.{why}")


HAND = [0, 10, 20, 30, 35, 200, 300, 300, 1000]


def test_hand_trace(learner):
    """a full batch goes at once; a lone request waits the full delay; an arrival at dispatch time joins"""
    _check(learner, HAND, 4, 100, 50, 10, "the 9-request trace (max_batch_size 4, delay 100 us)")


def test_delay_counts_from_oldest(learner):
    """the queue delay counts from the oldest waiting request, not the newest"""
    arr = [0, 60, 120, 180, 240, 900]
    _check(learner, arr, 8, 100, 40, 5, "requests 60 us apart (max_batch_size 8, delay 100 us)")


def _poisson(seed, n, mean_gap, start=500):
    rng = random.Random(seed)
    t, out = start, []
    for _ in range(n):
        out.append(t)
        gap = int(rng.expovariate(1 / mean_gap))
        t += gap if rng.random() > 0.1 else 0  # some simultaneous arrivals
    return out


def test_busy_instance(learner):
    """near saturation, batches wait for the instance and grow up to max_batch_size"""
    _check(learner, _poisson(1, 300, 40), 8, 200, 150, 20, "a 300-request trace near saturation")


def test_zero_delay_and_light_load(learner):
    """delay 0 sends what is queued when the instance is free; light load gives small batches"""
    arr = _poisson(2, 200, 300)
    _check(learner, arr, 8, 0, 150, 20, "a light trace with max_queue_delay_us = 0")
    _check(learner, arr, 4, 500, 150, 20, "a light trace with max_queue_delay_us = 500")


def _stats(arr, batches):
    lat = sorted(e - arr[r] for s, e, rs in batches for r in rs)
    n = len(lat)
    return lat, n


def test_summarize(learner):
    """mean and p99 latency (queueing included), mean batch size and throughput"""
    arr = _poisson(3, 250, 40)
    ref = _simulate(arr, 8, 200, 150, 20)
    as_dicts = [{"start_us": s, "end_us": e, "requests": list(rs)} for s, e, rs in ref]
    got = learner.summarize(list(arr), as_dicts)
    check_true(isinstance(got, dict), f"summarize should return a dict, got {type(got).__name__}")
    lat = [e - arr[r] for s, e, rs in ref for r in rs]
    service = [e - s for s, e, rs in ref for r in rs]
    n = len(lat)
    ordered = sorted(lat)
    rank = ordered[math.ceil(0.99 * n) - 1]
    pos = 0.99 * (n - 1)
    interp = ordered[int(pos)] + (ordered[min(int(pos) + 1, n - 1)] - ordered[int(pos)]) * (pos - int(pos))
    last = max(e for s, e, rs in ref)
    check_number(got.get("mean_latency_us"), sum(lat) / n, name="mean_latency_us", rtol=1e-9,
                 mistakes={"measuring latency from dispatch instead of arrival (queueing left out)": sum(service) / n})
    check_number(got.get("p99_latency_us"), rank, name="p99_latency_us", rtol=1e-9,
                 mistakes={"an interpolated percentile (numpy's default) instead of the nearest rank": interp,
                           "the element at index ceil(0.99 * n) (one too far)": ordered[min(math.ceil(0.99 * n), n - 1)],
                           "the latency measured from dispatch": sorted(service)[math.ceil(0.99 * n) - 1]})
    check_number(got.get("mean_batch_size"), n / len(ref), name="mean_batch_size", rtol=1e-9)
    check_number(got.get("throughput_rps"), n / ((last - arr[0]) / 1e6), name="throughput_rps", rtol=1e-9,
                 mistakes={"measuring the duration from time 0 instead of the first arrival": n / (last / 1e6),
                           "requests per microsecond instead of per second": n / (last - arr[0])})


def test_p99_when_099_n_is_whole(learner):
    """p99 of 200 latencies is the 198th smallest (index ceil(0.99 * 200) - 1 = 197), not the 199th"""
    rng = random.Random(7)
    latencies = rng.sample(range(1000, 9000, 7), 200)  # distinct, in no order
    arrivals = [10 * i for i in range(200)]
    batches = [{"start_us": a, "end_us": a + lat, "requests": [i]} for i, (a, lat) in enumerate(zip(arrivals, latencies))]
    got = learner.summarize(list(arrivals), batches)
    check_true(isinstance(got, dict), f"summarize should return a dict, got {type(got).__name__}")
    ordered = sorted(latencies)
    check_number(got.get("p99_latency_us"), ordered[197], name="p99_latency_us of 200 latencies", rtol=1e-9,
                 mistakes={"int(0.99 * n) as the index (the element after the nearest rank when 0.99 * n is whole)":
                           ordered[198],
                           "an interpolated percentile (numpy's default) instead of the nearest rank":
                           ordered[197] + (ordered[198] - ordered[197]) * (0.99 * 199 - 197),
                           "the largest latency": ordered[199]})


def test_free_at_time_zero_and_last_full_batch(learner):
    """the instance is free at time 0 (a request arriving at 0 with no delay starts at 0), and the trace's last
    requests still trigger a full batch when there are exactly max_batch_size of them left"""
    _check(learner, [0, 0, 7], 2, 0, 100, 10, "requests at 0, 0 and 7 us, max_queue_delay 0")
    _check(learner, [0, 10, 20], 3, 1000, 50, 5, "three requests at 0, 10 and 20 us, batches of 3, delay 1000 us")
    _check(learner, [0, 5000, 5010, 5020], 3, 1000, 50, 5,
           "one request at 0 then three at 5000-5020 us, batches of 3, delay 1000 us")
