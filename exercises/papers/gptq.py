"""Paper quiz: "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers" (Frantar
et al., 2022).

Read the paper (arXiv 2210.17323), then replace each ``None`` at the bottom of this file with your answer.
``tracker grade paper.gptq`` checks them; a wrong answer is explained without giving the right one away.
Every question asks what the paper itself states, not what later GPTQ implementations added.

Answer forms:

* a single choice: one letter as a string, e.g. ``"c"`` (case and surrounding parentheses do not matter);
* a set of choices or of statement numbers: a Python set, e.g. ``{"a", "d"}`` or ``{2, 5}`` (a list or
  tuple is accepted too; ``set()`` if none applies);
* a number: an int or a float, within the tolerance the question gives.

Notation of the paper: a layer's weights W have d_row rows and d_col columns, X holds the layer's inputs on
a small set of calibration data, and H = 2XX^T is the Hessian of the layer-wise squared error.

1. ``LINEAGE``: which earlier method does GPTQ build on and make scale to very large models?
   (a) Optimal Brain Quantization (OBQ), which comes from the Optimal Brain Surgeon framework
   (b) AdaRound, which learns whether to round each weight up or down
   (c) quantization-aware training with a straight-through estimator
   (d) LLM.int8(), which keeps outlier feature dimensions in 16-bit
   (e) SmoothQuant, which migrates outliers from activations to weights

2. ``ORDER``: in which order does GPTQ quantize the weights of a layer?
   (a) greedily: for each row separately, next the weight whose quantization adds the least error
   (b) the same fixed order for all rows, column by column, so that one inverse Hessian serves every row
   (c) by decreasing weight magnitude, separately for each row
   (d) a random order, drawn separately for each row

3. ``COMPLEXITY``: what is GPTQ's runtime for a layer of d_row x d_col weights?
   (a) O(d_row * d_col^3)
   (b) O(max(d_row * d_col^2, d_col^3))
   (c) O(d_row * d_col)
   (d) O(d_col^4)

4. ``GPU_HOURS_175B`` and ``BIT_WIDTHS``: the abstract's claims for models with 175 billion parameters:
   about how many GPU hours does quantizing one take (``GPU_HOURS_175B``, a number; tolerance: absolute 1),
   and down to which bit widths per weight does it go with negligible accuracy loss (``BIT_WIDTHS``, a set
   of ints such as ``{5, 6}``)?

5. ``TRUE_STATEMENTS``: which of these statements does the paper support? Give the set of their numbers.
   1. Lazy batch-updates: GPTQ quantizes a block of columns at a time and applies the updates to the rest of
      the matrix only once the block is done, because the column-by-column version is limited by memory
      bandwidth, not by compute.
   2. The Cholesky reformulation addresses numerical stability: on large models, repeated updates of H^-1
      accumulate errors that can make it indefinite.
   3. GPTQ quantizes the activations as well as the weights.
   4. GPTQ solves a layer-wise problem: find quantized weights W' that minimise ||WX - W'X||^2 on the
      calibration inputs X.
   5. GPTQ needs gradients of the model's loss, computed by backpropagation through the whole network.
   6. Before inverting, GPTQ adds a small dampening term (a small fraction of the average diagonal value) to
      the diagonal of H.
"""

LINEAGE = None  # one letter, e.g. "c"
ORDER = None  # one letter, e.g. "c"
COMPLEXITY = None  # one letter, e.g. "c"
GPU_HOURS_175B = None  # a number
BIT_WIDTHS = None  # a set of ints, e.g. {5, 6}
TRUE_STATEMENTS = None  # a set of statement numbers, e.g. {1, 3}
