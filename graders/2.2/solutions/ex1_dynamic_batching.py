"""Reference solution for exercise 2.2.1 (shown by `tracker solution 2.2.1` after a pass)."""

from __future__ import annotations

import math


def simulate_dynamic_batching(arrivals_us, max_batch_size, max_queue_delay_us, base_latency_us,
                              per_item_latency_us) -> list[dict]:
    n = len(arrivals_us)
    batches = []
    free_at = 0
    i = 0
    while i < n:
        ready = arrivals_us[i] + max_queue_delay_us
        if i + max_batch_size - 1 < n:
            ready = min(ready, arrivals_us[i + max_batch_size - 1])
        start = max(ready, free_at)
        j = i
        while j < n and j - i < max_batch_size and arrivals_us[j] <= start:
            j += 1
        end = start + base_latency_us + per_item_latency_us * (j - i)
        batches.append({"start_us": start, "end_us": end, "requests": list(range(i, j))})
        free_at = end
        i = j
    return batches


def summarize(arrivals_us, batches) -> dict:
    latencies = []
    for batch in batches:
        for r in batch["requests"]:
            latencies.append(batch["end_us"] - arrivals_us[r])
    n = len(latencies)
    ordered = sorted(latencies)
    last_end = max(batch["end_us"] for batch in batches)
    return {
        "mean_latency_us": sum(latencies) / n,
        "p99_latency_us": float(ordered[math.ceil(0.99 * n) - 1]),
        "mean_batch_size": n / len(batches),
        "throughput_rps": n / ((last_end - min(arrivals_us)) / 1e6),
    }
