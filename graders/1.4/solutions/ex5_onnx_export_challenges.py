"""Reference answers for exercise 1.4.5 (shown by `tracker solution 1.4.5` after a pass).

Tracing freezes data-dependent control flow, torch.export refuses it, static shapes are baked in unless
marked dynamic, and anything outside the graph (preprocessing, custom kernels) needs its own answer.
"""

TRACED_BRANCH = "b"
EXPORT_BRANCH = "c"
FIXED_BATCH = "b"
DYNAMIC_AXES_ARG = "dynamic_axes"
DYNAMIC_SHAPES_ARG = "dynamic_shapes"
PROTOBUF_LIMIT_GB = 2
TRUE_STATEMENTS = {"A", "C", "E"}
