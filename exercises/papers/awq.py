"""Paper quiz: "AWQ: Activation-aware Weight Quantization for LLM Compression and Acceleration" (Lin et al.,
2023).

Read the paper (arXiv 2306.00978), then replace each ``None`` at the bottom of this file with your answer.
``tracker grade paper.awq`` checks them; a wrong answer is explained without giving the right one away.
Every question asks what the paper itself states. Where a message or a hint names a section, its number
follows the current arXiv version; in other versions, look for the section's title.

Answer forms:

* a single choice: one letter as a string, e.g. ``"c"`` (case and surrounding parentheses do not matter);
* a set of choices or of statement numbers: a Python set, e.g. ``{"a", "d"}`` or ``{2, 5}`` (a list or
  tuple is accepted too; ``set()`` if none applies);
* a number: an int or a float, within the tolerance the question gives.

1. ``SALIENT_FRACTION``: protecting what fraction of the weight channels (the salient ones) is enough to
   greatly reduce the quantization error, according to the paper?
   (a) about 0.1% to 1%
   (b) about 10%
   (c) about 25%
   (d) about half

2. ``SALIENCY``: how does AWQ decide which weight channels are salient?
   (a) by the magnitude of the weights themselves (e.g. the L2 norm of each channel)
   (b) by the magnitude of the corresponding input activations, measured on calibration data
   (c) by the gradients of the loss with respect to the weights
   (d) by the diagonal of the inverse Hessian, as GPTQ does
   (e) at random

3. ``PROTECTION``: how does AWQ's final method protect the salient channels?
   (a) it keeps them in FP16 and quantizes the other channels (mixed precision)
   (b) it multiplies each weight input channel by a per-channel factor s, larger for channels with larger
       activations, before quantizing, and divides the matching activations by the same factor
   (c) it stores them with 8 bits and the other channels with 4 bits
   (d) it fine-tunes them after the other channels are quantized

4. ``SCALE_SEARCH``: how does AWQ choose the per-channel scaling factors?
   (a) s = s_X^alpha, with s_X the average activation magnitude per input channel and alpha found by a grid
       search over [0, 1] that minimises the output error of the quantized layer on calibration data
   (b) s_j = max|X_j|^alpha / max|W_j|^(1 - alpha) with alpha = 0.5
   (c) s is learned by gradient descent through the whole network
   (d) one hand-picked factor for the top 1% of channels and 1 for all others

5. ``TRUE_STATEMENTS``: which of these statements does the paper support? Give the set of their numbers.
   1. AWQ relies on neither backpropagation nor reconstruction, so it does not overfit the calibration set
      and generalises across domains and modalities.
   2. AWQ quantizes the activations to INT8 as well as the weights (W8A8).
   3. Scaling a weight channel up by s > 1, and its activation down by s, reduces that channel's relative
      rounding error as long as the group's quantization step barely changes.
   4. The larger the factor s, the better: the error keeps falling as s grows.
   5. AWQ quantizes weights group-wise (group size 128 in its main experiments).
"""

SALIENT_FRACTION = None  # one letter, e.g. "c"
SALIENCY = None  # one letter, e.g. "c"
PROTECTION = None  # one letter, e.g. "c"
SCALE_SEARCH = None  # one letter, e.g. "c"
TRUE_STATEMENTS = None  # a set of statement numbers, e.g. {1, 3}
