"""Paper quiz: "SmoothQuant: Accurate and Efficient Post-Training Quantization for Large Language Models"
(Xiao et al., 2022).

Read the paper (arXiv 2211.10438), then replace each ``None`` at the bottom of this file with your answer.
``tracker grade paper.smoothquant`` checks them; a wrong answer is explained without giving the right one
away. Every question asks what the paper itself states.

Answer forms:

* a single choice: one letter as a string, e.g. ``"c"`` (case and surrounding parentheses do not matter);
* a set of choices or of statement numbers: a Python set, e.g. ``{"a", "d"}`` or ``{2, 5}`` (a list or
  tuple is accepted too; ``set()`` if none applies);
* a number: an int or a float, within the tolerance the question gives.

Notation of the paper: a linear layer computes Y = XW, with X of shape (tokens x C_in) and W of shape (C_in
x C_out); X_j is the j-th input channel (a column of X) and W_j the j-th row of W, which multiplies it.

1. ``DIRECTION``: SmoothQuant migrates the quantization difficulty
   (a) from the activations to the weights
   (b) from the weights to the activations
   (c) from INT8 to FP16, by keeping the outlier channels in FP16
   (d) from the attention layers to the MLP layers

2. ``PRECISION``: which quantization setting does SmoothQuant target?
   (a) W8A8: INT8 weights and INT8 activations
   (b) W4A16: 4-bit weights, 16-bit activations
   (c) W8A16: INT8 weights, 16-bit activations
   (d) W4A4: 4-bit weights and 4-bit activations

3. ``SMOOTHING_FACTOR``: an input channel j has max|X_j| = 16 (over the calibration data) and max|W_j| =
   0.25. With migration strength alpha = 0.75, what smoothing factor s_j does the paper's formula give? A
   number; tolerance: relative 1e-3.

4. ``DEFAULT_ALPHA``: what migration strength alpha does the paper find a good balance for most models (all
   OPT and BLOOM models, for instance)? A number; tolerance: absolute 0.01.

5. ``TRUE_STATEMENTS``: which of these statements does the paper support? Give the set of their numbers.
   1. In LLMs, the activation outliers sit in a small number of channels, and those channels stay the same
      from token to token.
   2. Per-channel activation quantization would handle the outliers, but it does not map onto fast INT8
      matrix-multiplication kernels, which can scale only along the outer dimensions (tokens, output
      channels).
   3. The smoothing factors are recomputed for every batch at inference time.
   4. In full precision, smoothing leaves the layer's output unchanged: Y = (X diag(s)^-1)(diag(s) W).
   5. SmoothQuant requires quantization-aware training (fine-tuning) of the model.
   6. In LLMs, weights are easier to quantize than activations.
"""

DIRECTION = None  # one letter, e.g. "c"
PRECISION = None  # one letter, e.g. "c"
SMOOTHING_FACTOR = None  # a number
DEFAULT_ALPHA = None  # a number
TRUE_STATEMENTS = None  # a set of statement numbers, e.g. {1, 3}
