"""Paper quiz: "QLoRA: Efficient Finetuning of Quantized LLMs" (Dettmers et al., 2023).

Read the paper (arXiv 2305.14314), then replace each ``None`` at the bottom of this file with your answer.
``tracker grade paper.qlora`` checks them; a wrong answer is explained without giving the right one away.
Every question asks what the paper itself states.

Answer forms:

* a single choice: one letter as a string, e.g. ``"c"`` (case and surrounding parentheses do not matter);
* a set of choices or of statement numbers: a Python set, e.g. ``{"a", "d"}`` or ``{2, 5}`` (a list or
  tuple is accepted too; ``set()`` if none applies);
* a number: an int or a float, within the tolerance the question gives.

QLoRA fine-tunes LoRA adapters on top of a frozen base model whose weights are stored in 4 bits, quantized
block-wise: each block of weights has its own quantization constant (its absmax), stored in 32-bit float
unless said otherwise.

1. ``NF4_LEVELS``: what are the 16 values of the 4-bit NormalFloat (NF4) data type?
   (a) 16 evenly spaced values in [-1, 1]: INT4 rescaled by each block's absmax
   (b) quantiles of a standard normal distribution, normalised to [-1, 1], built so that zero is represented
       exactly
   (c) quantiles of each block's own empirical weight distribution, estimated when the model is quantized
   (d) the values of a 4-bit floating-point format with 1 sign, 2 exponent and 1 mantissa bit
   (e) cluster centres that k-means finds on the pretrained weights

2. ``DOUBLE_QUANT``: what does Double Quantization quantize, and to what format?
   (a) the 4-bit weights a second time, down to 2 bits
   (b) the first-level quantization constants (one FP32 absmax per block of weights), to 8-bit floats
   (c) the first-level quantization constants (one FP32 absmax per block of weights), to 4-bit NF4
   (d) the LoRA adapter weights, to 8-bit integers
   (e) the optimizer states, to 8-bit floats

3. ``BLOCK_SIZES``: the block sizes the paper uses: a tuple ``(weights per first-level block, first-level
   constants per second-level block)``, two ints.

4. ``DQ_BITS_PER_PARAM``: with the paper's block sizes and formats, how many bits per parameter (per
   weight), on average, do the quantization constants cost once Double Quantization is applied? Count the
   8-bit second-level codes and the FP32 constants of the second level. A number; tolerance: absolute
   0.0005.

5. ``PAGED_OPTIMIZERS``: what do paged optimizers rely on?
   (a) NVIDIA unified memory: optimizer states are paged automatically to CPU RAM when the GPU runs out of
       memory, and back when needed
   (b) the block tables of a paged KV cache, as in vLLM's PagedAttention
   (c) gradient checkpointing: recomputing activations instead of storing them
   (d) partitioning the optimizer states across several GPUs, as ZeRO does
   (e) storing the optimizer states in 4-bit NF4

6. ``TRUE_STATEMENTS``: which of these statements does the paper support? Give the set of their numbers.
   1. The 4-bit weights are dequantized to the computation data type (usually BFloat16) for the matrix
      multiplications of the forward and backward passes.
   2. The frozen 4-bit base weights are updated by the paged optimizer during fine-tuning.
   3. To match 16-bit full fine-tuning, LoRA adapters are needed on all linear layers of a transformer
      block, not only on the attention's query and value projections.
   4. The paper fine-tunes a 65B-parameter model on a single 48 GB GPU.
   5. For chatbot performance, the paper finds dataset size more important than dataset quality.
"""

NF4_LEVELS = None  # one letter, e.g. "c"
DOUBLE_QUANT = None  # one letter, e.g. "c"
BLOCK_SIZES = None  # a tuple of two ints
DQ_BITS_PER_PARAM = None  # a number
PAGED_OPTIMIZERS = None  # one letter, e.g. "c"
TRUE_STATEMENTS = None  # a set of statement numbers, e.g. {1, 3}
