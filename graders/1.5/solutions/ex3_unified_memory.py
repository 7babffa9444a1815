"""Reference answers for exercise 1.5.3 (shown by `tracker solution 1.5.3` after a pass).

Unified Memory trades control for convenience: the same bytes still cross the interconnect, but on demand
(page faults) unless you prefetch and advise. Explicit, pinned, asynchronous copies in streams keep the
transfers predictable and overlapped with compute.
"""

PREFETCH = "a"
FIRST_TOUCH = "b"
TRUE_STATEMENTS = {"B", "C", "E", "F"}
FAVOURS_EXPLICIT = "a"
PINNED_ALLOC = "cudaMallocHost"
