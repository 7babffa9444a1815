"""Grader for exercise 1.6.4: roofline of a quantized LLM decode step, plus host-side step latency.

The reference is the closed-form model of the stub, written here independently, on realistic shapes
(an 8B model with grouped-query attention, a 70B model) and datasheet peaks (H100 SXM: 989 TFLOP/s dense
BF16, 3.35 TB/s; A100: 624 TOP/s INT8, 2.039 TB/s). The minimum compute-bound batch is checked against a
brute-force scan over batches. Probes: bits used as bytes, one FLOP per multiply-add, weights re-read
per sequence, d_model used for the KV width, K without V, the KV cache forgotten, max in place of min or
no cap at the peak, the classification inverted, and the launch and host times added instead of overlapped
or forgotten, or CUDA graphs not applied.
"""

from __future__ import annotations

from gradelib import GradeFailure, check_number, check_true

H100 = (989e12, 3.35e12)
A100_INT8 = (624e12, 2.039e12)
M8B = dict(n_params=8.0e9, n_layers=32, d_model=4096, kv_dim=1024)
M70B = dict(n_params=70e9, n_layers=80, d_model=8192, kv_dim=1024)

RTOL = 1e-9


def _ref(n_params, n_layers, d_model, kv_dim, batch, context_len, weight_bits, kv_bits, peak_flops, peak_bandwidth,
         *, bits_as_bytes=False, one_flop_per_mac=False, weights_per_seq=False, kv_width_dmodel=False, k_only=False,
         no_kv=False, no_cap=False):
    mac = 1 if one_flop_per_mac else 2
    flops = mac * n_params * batch + 2 * mac * batch * n_layers * context_len * d_model
    div = 1 if bits_as_bytes else 8
    weight_bytes = n_params * weight_bits / div * (batch if weights_per_seq else 1)
    width = d_model if kv_width_dmodel else kv_dim
    kv_bytes = 0.0 if no_kv else (1 if k_only else 2) * batch * n_layers * context_len * width * kv_bits / div
    total = weight_bytes + kv_bytes
    intensity = flops / total
    attainable = intensity * peak_bandwidth if no_cap else min(peak_flops, intensity * peak_bandwidth)
    return {
        "flops": flops,
        "weight_bytes": weight_bytes,
        "kv_bytes": kv_bytes,
        "bytes": total,
        "intensity": intensity,
        "attainable_flops": attainable,
        "time_s": flops / attainable,
        "bound": "compute" if intensity >= peak_flops / peak_bandwidth else "memory",
    }


MISTAKES = {
    "using bits where bytes are needed (forgetting / 8)": {"bits_as_bytes": True},
    "counting one FLOP per multiply-add instead of two": {"one_flop_per_mac": True},
    "reading the weights once per sequence instead of once per step": {"weights_per_seq": True},
    "sizing the KV cache with d_model instead of kv_dim (grouped-query attention)": {"kv_width_dmodel": True},
    "counting K but not V in the KV cache": {"k_only": True},
    "leaving the KV cache out of the bytes": {"no_kv": True},
    "not capping attainable FLOP/s at the peak (intensity * bandwidth alone)": {"no_cap": True},
}


def _check_step(learner, model, batch, context_len, weight_bits, kv_bits, gpu, what):
    args = dict(**model, batch=batch, context_len=context_len, weight_bits=weight_bits, kv_bits=kv_bits,
                peak_flops=gpu[0], peak_bandwidth=gpu[1])
    got = learner.decode_step(**args)
    check_true(isinstance(got, dict), f"decode_step should return a dict, got {type(got).__name__}")
    exp = _ref(**args)
    wrongs = {desc: _ref(**args, **kw) for desc, kw in MISTAKES.items()}
    for key in ("flops", "weight_bytes", "kv_bytes", "bytes", "intensity", "attainable_flops", "time_s"):
        check_true(key in got, f"decode_step's dict lacks the key {key!r}")
        mistakes = {desc: w[key] for desc, w in wrongs.items() if w[key] != exp[key]}
        check_number(got[key], exp[key], name=f"{key} for {what}", rtol=RTOL, mistakes=mistakes)
    tie = " At a tie the step is compute-bound: intensity >= ridge, not >." if exp["intensity"] == gpu[0] / gpu[1] else ""
    check_true(got.get("bound") == exp["bound"],
               f"bound for {what}: got {got.get('bound')!r}, expected {exp['bound']!r} (intensity "
               f"{exp['intensity']:.4g} FLOP/B vs ridge {gpu[0] / gpu[1]:.4g} FLOP/B).{tie}")


# A small model and GPU on which a decode step's intensity equals the ridge exactly (3 FLOP/B at batch 2).
M_TIE = dict(n_params=4096, n_layers=1, d_model=64, kv_dim=64)
TIE_GPU = (3e12, 1e12)


def test_tie_at_the_ridge(learner):
    """intensity exactly at the ridge point is compute-bound (>=), at batch 2 and as the minimum batch"""
    _check_step(learner, M_TIE, 2, 16, 8, 8, TIE_GPU, "a step whose intensity equals the ridge (3 FLOP/B)")
    got = learner.min_batch_for_compute_bound(**M_TIE, context_len=16, weight_bits=8, kv_bits=8,
                                              peak_flops=TIE_GPU[0], peak_bandwidth=TIE_GPU[1], max_batch=64)
    if got == 3:
        raise GradeFailure("min_batch_for_compute_bound on a tie: got 3, expected 2; at batch 2 the intensity equals "
                           "the ridge exactly, and a tie is compute-bound (intensity >= ridge, not >)")
    check_true(got == 2, f"min_batch_for_compute_bound where batch 2 reaches the ridge exactly: got {got!r}, expected 2")


def test_ridge_and_roofline(learner):
    """the ridge point and min(peak, intensity x bandwidth) on both sides of it"""
    check_number(learner.ridge_point(*H100), 989e12 / 3.35e12, name="the H100 ridge point (FLOP/byte)",
                 mistakes={"bandwidth / peak instead of peak / bandwidth": 3.35e12 / 989e12})
    for intensity in (2.0, 150.0, 295.0, 1000.0):
        exp = min(989e12, intensity * 3.35e12)
        check_number(learner.attainable_flops(intensity, *H100), exp,
                     name=f"attainable FLOP/s at intensity {intensity} on an H100", rtol=RTOL,
                     mistakes={"max instead of min": max(989e12, intensity * 3.35e12),
                               "not capping at the peak": intensity * 3.35e12})


def test_decode_batch_one(learner):
    """W4/KV16 8B model, batch 1, 1024-token context on an H100: memory-bound"""
    _check_step(learner, M8B, 1, 1024, 4, 16, H100, "an 8B W4 model, batch 1, context 1024, H100")


def test_decode_batch_64(learner):
    """batch 64: weights are read once per step, the KV cache once per sequence"""
    _check_step(learner, M8B, 64, 2048, 4, 8, H100, "an 8B W4/KV8 model, batch 64, context 2048, H100")
    _check_step(learner, M70B, 16, 4096, 8, 16, H100, "a 70B W8 model, batch 16, context 4096, H100")


def test_decode_compute_bound(learner):
    """a large batch with short contexts reaches the compute roof"""
    _check_step(learner, M8B, 512, 128, 8, 8, A100_INT8, "an 8B W8/KV8 model, batch 512, context 128, A100 INT8")


def _brute_min_batch(model, context_len, weight_bits, kv_bits, gpu, max_batch=4096, **kw):
    for b in range(1, max_batch + 1):
        if _ref(**model, batch=b, context_len=context_len, weight_bits=weight_bits, kv_bits=kv_bits,
                peak_flops=gpu[0], peak_bandwidth=gpu[1], **kw)["bound"] == "compute":
            return b
    return None


def test_min_batch_for_compute_bound(learner):
    """the smallest batch that makes decode compute-bound, or None when the KV cache keeps it memory-bound"""
    cases = [(M8B, 128, 4, 16, H100, 4096), (M70B, 512, 4, 8, H100, 4096), (M8B, 512, 8, 8, A100_INT8, 4096),
             (M8B, 2048, 4, 8, H100, 4096), (M8B, 128, 16, 16, H100, 400)]
    for model, ctx, wb, kb, gpu, max_batch in cases:
        name = "8B" if model is M8B else "70B"
        what = f"min_batch_for_compute_bound({name}, context {ctx}, W{wb}/KV{kb}, max_batch {max_batch})"
        got = learner.min_batch_for_compute_bound(**model, context_len=ctx, weight_bits=wb, kv_bits=kb,
                                                  peak_flops=gpu[0], peak_bandwidth=gpu[1], max_batch=max_batch)
        exp = _brute_min_batch(model, ctx, wb, kb, gpu, max_batch)
        if got == exp:
            continue
        no_kv = _brute_min_batch(model, ctx, wb, kb, gpu, max_batch, no_kv=True)
        why = ""
        if got == no_kv:
            why = " This is what leaving the KV cache out of the bytes gives: it grows with the batch too."
        elif exp is None and isinstance(got, int) and got > max_batch:
            why = f" The answer must not exceed max_batch={max_batch}."
        raise GradeFailure(f"{what}: got {got!r}, expected {exp!r}.{why}")


def _latency_ref(kernel, n, launch, host, graph=False, *, add=False, no_host=False, no_graph=False):
    cpu = launch if graph and not no_graph else n * launch
    step = (cpu + kernel if add else max(cpu, kernel)) + (0 if no_host else host)
    return {"step_s": step, "gpu_idle_fraction": 1 - kernel / step, "launch_bound": cpu > kernel}


def test_step_latency(learner):
    """600 kernel launches at 5 us starve a 1.2 ms step; a CUDA graph fixes it"""
    for args in ((1.2e-3, 600, 5e-6, 0.3e-3, False), (1.2e-3, 600, 5e-6, 0.3e-3, True),
                 (8e-3, 600, 5e-6, 0.5e-3, False)):
        got = learner.step_latency(*args)
        check_true(isinstance(got, dict) and {"step_s", "gpu_idle_fraction", "launch_bound"} <= set(got),
                   f"step_latency should return a dict with step_s, gpu_idle_fraction, launch_bound; got {got!r}")
        exp = _latency_ref(*args)
        what = f"step_latency(kernel {args[0] * 1e3:g} ms, {args[1]} launches of {args[2] * 1e6:g} us, host " \
               f"{args[3] * 1e3:g} ms, cuda_graph={args[4]})"
        wrong = {
            "adding CPU launch time and GPU kernel time (they overlap: take the max)": _latency_ref(*args, add=True),
            "forgetting the host time after the last kernel": _latency_ref(*args, no_host=True),
            "ignoring the CUDA graph (one launch for the whole step)": _latency_ref(*args, no_graph=True),
        }
        for key in ("step_s", "gpu_idle_fraction"):
            check_number(got[key], exp[key], name=f"{key} of {what}", rtol=RTOL,
                         mistakes={d: w[key] for d, w in wrong.items() if w[key] != exp[key]})
        check_true(got["launch_bound"] is exp["launch_bound"] or got["launch_bound"] == exp["launch_bound"],
                   f"launch_bound of {what}: got {got['launch_bound']!r}, expected {exp['launch_bound']!r}")


def test_signature_defaults(learner):
    """the stub's defaults: max_batch=4096 for the search, no CUDA graph for step_latency"""
    from gradelib import check_defaults

    check_defaults(learner.min_batch_for_compute_bound, "min_batch_for_compute_bound", max_batch=4096)
    check_defaults(learner.step_latency, "step_latency", cuda_graph=False)
