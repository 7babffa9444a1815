"""Answers for the paper quiz paper.smoothquant (shown by `tracker solution paper.smoothquant` after a pass).

Source: the abstract, Section 3 (Review of Quantization Difficulty) and Section 4 (SmoothQuant).
"""

# Sections 3 and 4: weights are easy to quantize and activations hard (outlier channels), so a
# mathematically equivalent per-channel scaling moves part of the difficulty from activations to weights.
DIRECTION = "a"

# The abstract: SmoothQuant enables 8-bit weight, 8-bit activation (W8A8) quantization, so that INT8
# matrix multiplications can be used (up to 1.56x speedup and 2x memory reduction).
PRECISION = "a"

# Section 4: s_j = max|X_j|^alpha / max|W_j|^(1 - alpha). X is divided by s (activations shrink) and W
# is multiplied by it (weights grow).
SMOOTHING_FACTOR = 16**0.75 / 0.25**0.25  # 8 / 0.7071 = 11.31

# Section 4: alpha = 0.5 is a well-balanced point for most models (it splits the difficulty evenly);
# models with more severe activation outliers need a larger alpha.
DEFAULT_ALPHA = 0.5

# 1, 2 and 6: Section 3. 4: Section 4. Not 3: s is calibrated once, offline, and fused into the
# previous LayerNorm/linear parameters. Not 5: training-free.
TRUE_STATEMENTS = {1, 2, 4, 6}
