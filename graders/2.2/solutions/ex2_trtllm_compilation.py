"""Answers for exercise 2.2.2 (shown by `tracker solution 2.2.2` after a pass).

Compilation buys speed (fused kernels, tactics tuned for the GPU, no Python in the loop, in-flight
batching and FP8 where the hardware has it) with rigidity: a build step, limits fixed at build time, and
engines tied to one GPU type and one parallel layout. Eager frameworks keep full flexibility (any shape,
edit-and-run, easy debugging) at the cost of per-operation overhead, which torch.compile partly recovers.
"""

Q1_STYLE = {
    "a": "compiled",
    "b": "dynamic",
    "c": "compiled",
    "d": "compiled",
    "e": "dynamic",
    "f": "compiled",
    "g": "dynamic",
    "h": "compiled",
}

Q2_TRUE_FALSE = {"a": True, "b": False, "c": True, "d": False, "e": True, "f": False}

Q3_BUILD_COMMAND = "trtllm-build"

Q4_TRITON_BACKEND = "tensorrtllm"
