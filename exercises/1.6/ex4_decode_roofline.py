"""Exercise 1.6.4: the roofline of a quantized LLM decode step, and the time spent outside kernels.

One decode step generates one new token for each of ``batch`` sequences. Every weight is read from GPU
memory once per step (all sequences of the batch share it), and each sequence reads its own KV cache.
Quantizing the weights (``weight_bits``) or the KV cache (``kv_bits``) shrinks the bytes; the FLOPs stay
the same. Compare the arithmetic intensity with the GPU's ridge point to know what limits the step.

The model (the grader holds you to exactly this; all inputs are Python ints or floats):

* ``flops = 2 * n_params * batch + 4 * batch * n_layers * context_len * d_model``
  (a multiply and an add per weight per token; attention scores ``q . k`` and the weighted sum of ``v``
  each cost ``2 * context_len * d_model`` per token per layer).
* ``weight_bytes = n_params * weight_bits / 8``: read once per step, whatever the batch.
* ``kv_bytes = 2 * batch * n_layers * context_len * kv_dim * kv_bits / 8``: K and V of every cached token.
  ``kv_dim = n_kv_heads * head_dim``, which is smaller than ``d_model`` with grouped-query attention.
* ``bytes = weight_bytes + kv_bytes`` (activations, logits and the KV write of the new token are ignored).
* ``intensity = flops / bytes`` (FLOP per byte); ``ridge = peak_flops / peak_bandwidth``.
* ``attainable_flops = min(peak_flops, intensity * peak_bandwidth)`` (FLOP/s).
* ``time_s = flops / attainable_flops`` (which equals ``max(flops / peak_flops, bytes / peak_bandwidth)``).
* ``bound = "compute"`` if ``intensity >= ridge``, else ``"memory"``.

Beyond the kernels, a step also pays host-side costs: the CPU launches ``n_kernels`` kernels, each costing
``launch_overhead_s`` of CPU time, while the GPU runs them asynchronously; after the last kernel the CPU
samples the next tokens (``host_time_s``) while the GPU waits. Model the step as
``step_s = max(cpu_launch_s, kernel_time_s) + host_time_s`` with ``cpu_launch_s = n_kernels * launch_overhead_s``,
or ``cpu_launch_s = launch_overhead_s`` (one launch of the whole graph) with CUDA graphs.

Floats are compared with a relative tolerance of 1e-9; strings and ints exactly. No routine is off-limits.
"""

from __future__ import annotations


def ridge_point(peak_flops: float, peak_bandwidth: float) -> float:
    """The arithmetic intensity (FLOP/byte) at which the roofline bends."""
    raise NotImplementedError("write ridge_point")


def attainable_flops(intensity: float, peak_flops: float, peak_bandwidth: float) -> float:
    """The roofline: ``min(peak_flops, intensity * peak_bandwidth)``."""
    raise NotImplementedError("write attainable_flops")


def decode_step(
    n_params: float,
    n_layers: int,
    d_model: int,
    kv_dim: int,
    batch: int,
    context_len: int,
    weight_bits: int,
    kv_bits: int,
    peak_flops: float,
    peak_bandwidth: float,
) -> dict:
    """Return a dict with keys ``"flops"``, ``"weight_bytes"``, ``"kv_bytes"``, ``"bytes"``,
    ``"intensity"``, ``"attainable_flops"``, ``"time_s"`` (floats) and ``"bound"`` (``"memory"`` or
    ``"compute"``), following the model above."""
    raise NotImplementedError("write decode_step")


def min_batch_for_compute_bound(
    n_params: float,
    n_layers: int,
    d_model: int,
    kv_dim: int,
    context_len: int,
    weight_bits: int,
    kv_bits: int,
    peak_flops: float,
    peak_bandwidth: float,
    max_batch: int = 4096,
) -> int | None:
    """The smallest ``batch`` in ``[1, max_batch]`` for which ``decode_step(...)["bound"] == "compute"``,
    or ``None`` if there is none (the KV cache grows with the batch too, so with long contexts the step
    can stay memory-bound at any batch)."""
    raise NotImplementedError("write min_batch_for_compute_bound")


def step_latency(
    kernel_time_s: float,
    n_kernels: int,
    launch_overhead_s: float,
    host_time_s: float,
    cuda_graph: bool = False,
) -> dict:
    """Return ``{"step_s": float, "gpu_idle_fraction": float, "launch_bound": bool}`` where
    ``gpu_idle_fraction = 1 - kernel_time_s / step_s`` and ``launch_bound`` is ``cpu_launch_s > kernel_time_s``."""
    raise NotImplementedError("write step_latency")
