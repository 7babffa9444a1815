"""Answers for the paper quiz paper.awq (shown by `tracker solution paper.awq` after a pass).

Source: the abstract and the method section: 'Improving LLM Quantization by Preserving 1% Salient
Weights' and 'Protecting Salient Weights by Activation-aware Scaling'.
"""

# Section 3.1 (its title says it): keeping only 0.1%-1% of the channels in FP16 already recovers most
# of the accuracy lost to INT3 quantization.
SALIENT_FRACTION = "a"

# Section 3.1: selecting channels by activation magnitude keeps the accuracy; selecting them by weight
# magnitude (L2 norm) is about as bad as random selection. Channels with large activations matter more.
SALIENCY = "b"

# Section 3.2: scaling a weight channel up by s > 1 (and the activation down by s) lowers its relative
# rounding error without mixed precision, since the group's quantization step barely changes.
PROTECTION = "b"

# Section 3.2: s = s_X^alpha, alpha* = argmin over a grid on [0, 1] of the quantized layer's output
# error (0: no scaling, 1: the most aggressive scaling); weight clipping is also searched.
SCALE_SEARCH = "a"

# 1: the abstract and Section 3.2. 3: Section 3.2's error analysis. 5: the setup (INT3/INT4, group size
# 128). Not 2: weight-only. Not 4: too large an s hurts the non-salient channels.
TRUE_STATEMENTS = {1, 3, 5}
