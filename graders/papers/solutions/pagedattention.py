"""Answers for the paper quiz paper.pagedattention (shown by `tracker solution paper.pagedattention` after a pass).

Source: the abstract, Section 3 (Memory Challenges in LLM Serving) and Section 4 (Method: PagedAttention,
the KV cache manager, decoding scenarios, scheduling and preemption).
"""

# Section 3: 2 (key and value vectors) x 5120 (hidden size) x 40 (layers) x 2 (bytes per FP16 value)
# = 819,200 bytes, about 800 KB per token; 2048 tokens take up to 1.6 GB.
KV_BYTES_PER_TOKEN = 2 * 40 * 5120 * 2  # 819,200 bytes, the paper's 800 KB

# Sections 4.1-4.2: the KV cache is split into fixed-size KV blocks; each request has a block table
# mapping logical blocks to physical blocks (with the number of filled slots), like a page table.
MAPPING = "b"

# The introduction and Section 4: waste is bounded by one partly filled block per sequence; the paper
# reports it under 4%, where earlier systems use well under half of their KV cache for token states.
WASTE = "a"

# Section 4.4: physical blocks carry reference counts; a write into a block with a count above one
# triggers copy-on-write at block granularity.
SHARING = "a"

# The abstract: 2-4x higher throughput at the same level of latency than FasterTransformer and Orca,
# more with longer sequences, larger models and more complex decoding algorithms.
THROUGHPUT = "a"

# 1: Sections 4.1-4.3. 3: Section 4.5 (Scheduling and Preemption). 4: Section 4 and the introduction.
# Not 2: blocks need not be contiguous. Not 5: Section 4.4 shares blocks in beam search too.
TRUE_STATEMENTS = {1, 3, 4}
