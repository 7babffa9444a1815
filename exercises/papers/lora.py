"""Paper quiz: "LoRA: Low-Rank Adaptation of Large Language Models" (Hu et al., 2021).

Read the paper (arXiv 2106.09685), then replace each ``None`` at the bottom of this file with your answer.
``tracker grade paper.lora`` checks them; a wrong answer is explained without giving the right one away.
Every question asks what the paper itself states, not what later libraries or papers do.

Answer forms:

* a single choice: one letter as a string, e.g. ``"c"`` (case and surrounding parentheses do not matter);
* a set of choices or of statement numbers: a Python set, e.g. ``{"a", "d"}`` or ``{2, 5}`` (a list or
  tuple is accepted too; ``set()`` if none applies);
* a number: an int or a float, within the tolerance the question gives.

Notation of the paper: a pretrained weight matrix W0 (d x k) is adapted by a low-rank update, h = W0x + BAx,
with B of shape d x r, A of shape r x k and a rank r much smaller than min(d, k).

1. ``INIT``: how does the paper initialise the two factors at the start of training?
   (a) A and B both random Gaussian
   (b) A random Gaussian, B zero
   (c) A zero, B random Gaussian
   (d) A and B both zero
   (e) both from the singular value decomposition of W0

2. ``SCALING``: the paper scales ΔWx by a constant before adding it to W0 x (alpha is a constant in r).
   Which one?
   (a) alpha / r
   (b) alpha
   (c) 1 / r
   (d) alpha / sqrt(r)
   (e) r / alpha

3. ``MATRICES``: in most of its experiments (Section 5), which weight matrices does the paper apply LoRA to?
   Give the set of letters.
   (a) W_q, the query projection
   (b) W_k, the key projection
   (c) W_v, the value projection
   (d) W_o, the output projection of self-attention
   (e) the weights of the MLP (feed-forward) modules

4. ``PARAM_REDUCTION`` and ``MEMORY_REDUCTION``: compared with fine-tuning GPT-3 175B with Adam, by what
   factor does the paper say LoRA reduces the number of trainable parameters (``PARAM_REDUCTION``), and by
   what factor the GPU memory requirement (``MEMORY_REDUCTION``)? Two numbers, e.g. ``50`` for "50 times";
   tolerance: relative 5%.

5. ``TRUE_STATEMENTS``: which of these statements does the paper support? Give the set of their numbers.
   1. During training W0 is frozen and receives no gradient updates; only A and B are trained.
   2. LoRA adds inference latency, because the low-rank branch BA x must be computed next to W0 x for every
      token.
   3. The paper tunes alpha carefully for every rank r it tries.
   4. To switch to another task, one can subtract BA from the merged weights and add another task's B'A', a
      quick operation with little memory overhead.
   5. On GPT-3 175B, the paper finds that the rank r must be large (hundreds) to match full fine-tuning.
   6. With r = 4 and only the query and value projections adapted, the GPT-3 175B checkpoint shrinks from
      about 350 GB to about 35 MB.
"""

INIT = None  # one letter, e.g. "c"
SCALING = None  # one letter, e.g. "c"
MATRICES = None  # a set of letters, e.g. {"a", "c"}
PARAM_REDUCTION = None  # a number
MEMORY_REDUCTION = None  # a number
TRUE_STATEMENTS = None  # a set of statement numbers, e.g. {1, 3}
