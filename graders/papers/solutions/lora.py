"""Answers for the paper quiz paper.lora (shown by `tracker solution paper.lora` after a pass).

Source: the paper's abstract and Sections 4 (Our Method), 5 (Empirical Experiments) and 7
(Understanding the Low-Rank Updates).
"""

# Section 4.1: a random Gaussian initialisation for A and zero for B, so ΔW = BA is zero at the start
# of training (and A still gets a gradient, since B's gradient does not vanish).
INIT = "b"

# Section 4.1: ΔWx is scaled by alpha / r; alpha is set to the first r tried and not tuned, since with
# Adam tuning alpha is roughly the same as tuning the learning rate.
SCALING = "a"

# Section 4.2 limits the study to attention weights (the MLP modules are frozen), and Section 5 applies
# LoRA to W_q and W_v in most experiments, for simplicity. (Section 7.1 compares other choices.)
MATRICES = {"a", "c"}

# The abstract: LoRA reduces the number of trainable parameters by 10,000 times and the GPU memory
# requirement by 3 times (Section 4.2: 1.2 TB to 350 GB of VRAM during training).
PARAM_REDUCTION = 10_000
MEMORY_REDUCTION = 3

# 1, 4 and 6: Sections 4.1-4.2. Not 2: W = W0 + BA can be computed once, so no extra latency. Not 3:
# alpha is set to the first r tried. Not 5: Section 7.2 finds a very small r (even 1 or 2) competitive.
TRUE_STATEMENTS = {1, 4, 6}
