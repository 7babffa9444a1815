"""Answers for exercise 2.1.1 (shown by `tracker solution 2.1.1` after a pass).

Bottom to top: GPU hardware; Kubernetes managing containers on it; the inference engine that runs the
model (batching, kernels, memory); the KV cache, the attention state that the engine keeps and reuses;
and orchestration and routing, which decides where each request goes (payload-aware routing makes the KV
cache pay off by sending shared prefixes to the same replica).
"""

Q1_LAYER = {
    "a": "hardware",
    "b": "infrastructure",
    "c": "infrastructure",
    "d": "engine",
    "e": "engine",
    "f": "kv_cache",
    "g": "kv_cache",
    "h": "routing",
    "i": "routing",
    "j": "hardware",
    "k": "infrastructure",
    "l": "routing",
}

Q2_ORDER = ["hardware", "infrastructure", "engine", "kv_cache", "routing"]

# 1,540 tokens = 96 full blocks (1,536 tokens) + 4; prompt = 2,052 tokens; 2,052 - 1,536 = 516.
Q3_PREFILL = 516

Q4_TRUE_FALSE = {"a": True, "b": False, "c": True, "d": False, "e": True}
