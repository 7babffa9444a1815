"""Reference solution for exercise 1.6.4 (shown by `tracker solution 1.6.4` after a pass)."""

from __future__ import annotations

import math


def ridge_point(peak_flops: float, peak_bandwidth: float) -> float:
    return peak_flops / peak_bandwidth


def attainable_flops(intensity: float, peak_flops: float, peak_bandwidth: float) -> float:
    return min(peak_flops, intensity * peak_bandwidth)


def decode_step(n_params, n_layers, d_model, kv_dim, batch, context_len, weight_bits, kv_bits, peak_flops,
                peak_bandwidth) -> dict:
    flops = 2 * n_params * batch + 4 * batch * n_layers * context_len * d_model
    weight_bytes = n_params * weight_bits / 8
    kv_bytes = 2 * batch * n_layers * context_len * kv_dim * kv_bits / 8
    total = weight_bytes + kv_bytes
    intensity = flops / total
    attainable = attainable_flops(intensity, peak_flops, peak_bandwidth)
    return {
        "flops": float(flops),
        "weight_bytes": float(weight_bytes),
        "kv_bytes": float(kv_bytes),
        "bytes": float(total),
        "intensity": intensity,
        "attainable_flops": attainable,
        "time_s": flops / attainable,
        "bound": "compute" if intensity >= ridge_point(peak_flops, peak_bandwidth) else "memory",
    }


def min_batch_for_compute_bound(n_params, n_layers, d_model, kv_dim, context_len, weight_bits, kv_bits, peak_flops,
                                peak_bandwidth, max_batch: int = 4096):
    # intensity(b) >= ridge  <=>  b * (flops per sequence - ridge * kv bytes per sequence) >= ridge * weight bytes
    ridge = ridge_point(peak_flops, peak_bandwidth)
    flops_per_seq = 2 * n_params + 4 * n_layers * context_len * d_model
    kv_per_seq = 2 * n_layers * context_len * kv_dim * kv_bits / 8
    slope = flops_per_seq - ridge * kv_per_seq
    if slope <= 0:
        return None
    guess = max(1, math.ceil(ridge * n_params * weight_bits / 8 / slope))
    # Settle rounding at the boundary with the exact definition.
    for batch in range(max(1, guess - 2), min(max_batch, guess + 2) + 1):
        step = decode_step(n_params, n_layers, d_model, kv_dim, batch, context_len, weight_bits, kv_bits,
                           peak_flops, peak_bandwidth)
        if step["bound"] == "compute":
            return batch
    return None


def step_latency(kernel_time_s, n_kernels, launch_overhead_s, host_time_s, cuda_graph: bool = False) -> dict:
    cpu_launch = launch_overhead_s if cuda_graph else n_kernels * launch_overhead_s
    step = max(cpu_launch, kernel_time_s) + host_time_s
    return {
        "step_s": step,
        "gpu_idle_fraction": 1 - kernel_time_s / step,
        "launch_bound": cpu_launch > kernel_time_s,
    }
