"""Answers for the paper quiz paper.gptq (shown by `tracker solution paper.gptq` after a pass).

Source: the abstract, Section 3 (Background: layer-wise quantization and Optimal Brain Quantization)
and Section 4 (The GPTQ Algorithm: arbitrary order, lazy batch-updates, Cholesky reformulation).
"""

# Section 3: GPTQ starts from OBQ (Frantar & Alistarh, 2022), which quantizes weights one at a time
# and updates the remaining ones to compensate, following Optimal Brain Surgeon.
LINEAGE = "a"

# Section 4, Step 1: quantizing all rows in the same (arbitrary) order works about as well as OBQ's
# greedy order on large layers, and H^-1 then depends only on the inputs, so it is shared by all rows.
ORDER = "b"

# Section 4: OBQ costs O(d_row * d_col^3); with one shared order, H^-1 is updated d_col times instead
# of d_row * d_col times, which gives O(max(d_row * d_col^2, d_col^3)).
COMPLEXITY = "b"

# The abstract: GPTQ quantizes 175B-parameter models in about four GPU hours, to 3 or 4 bits per weight
# with negligible accuracy degradation; 2-bit and ternary are explored as an extreme regime.
GPU_HOURS_175B = 4
BIT_WIDTHS = {3, 4}

# 1: Step 2 (Lazy Batch-Updates). 2 and 6: Step 3 (Cholesky Reformulation; dampening of 1% of the
# average diagonal). 4: Section 3. Not 3: weight-only. Not 5: one-shot, layer by layer.
TRUE_STATEMENTS = {1, 2, 4, 6}
