"""Answers for the paper quiz paper.qlora (shown by `tracker solution paper.qlora` after a pass).

Source: the abstract and Section 3 (QLoRA Finetuning) for the data type, Double Quantization and
paged optimizers; Sections 4 and 5 for the findings.
"""

# Section 3: NF4 builds on quantile quantization: quantiles of N(0, 1), estimated separately for the
# negative and the positive half so that 0 is exact, normalised into [-1, 1]. Weights are rescaled per
# block by their absmax into that range.
NF4_LEVELS = "b"

# Section 3: Double Quantization quantizes the quantization constants c2 (FP32, one per block of 64
# weights) with 8-bit floats in blocks of 256, after subtracting their mean.
DOUBLE_QUANT = "b"

# Section 3: blocks of 64 weights (one FP32 constant each), and the constants are quantized in blocks
# of 256.
BLOCK_SIZES = (64, 256)

# Section 3: 8/64 + 32/(64 * 256) = 0.127 bits per parameter instead of 32/64 = 0.5, a saving of
# 0.373 bits per parameter (about 3 GB for a 65B model).
DQ_BITS_PER_PARAM = 8 / 64 + 32 / (64 * 256)  # 0.127 bits, down from 32 / 64 = 0.5

# Section 3: paged optimizers use NVIDIA unified memory, which pages between CPU and GPU automatically
# when the GPU runs out of memory; optimizer states are allocated in paged memory, evicted to CPU RAM
# under pressure and paged back for the optimizer update.
PAGED_OPTIMIZERS = "a"

# 1: Section 3 (BFloat16 compute data type). 3: Section 4 (default LoRA hyperparameters do not match
# 16-bit performance; adapters on all linear layers do). 4: the abstract. Not 2: the base weights are
# frozen. Not 5: Section 5 finds data quality far more important than size.
TRUE_STATEMENTS = {1, 3, 4}
