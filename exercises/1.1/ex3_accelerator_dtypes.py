"""Exercise 1.1.3 (quiz): the low-precision formats that five accelerators support in their matrix units.

Research five accelerators in their vendors' own documents (product datasheets, architecture whitepapers,
cloud documentation) and fill in the answers below; replace each ``None``. ``tracker grade 1.1.3`` checks
them.

Part A: formats per accelerator
-------------------------------
The formats to choose from are exactly these eight (spelled as in ``CHOICES``; case, spaces, ``_`` and ``-``
do not matter, so ``"fp8 e4m3"`` is fine)::

    FP32, TF32, BF16, FP16, FP8-E4M3, FP8-E5M2, INT8, INT4

For each accelerator, give the **set** of the formats that its **matrix-multiply units** (NVIDIA Tensor
Cores, the TPU's MXUs) take as input natively: a format counts when the vendor's product datasheet, its
architecture whitepaper, or (for the TPU) its cloud documentation quotes a peak matrix (Tensor Core /
MXU) throughput for it; either source is enough. Rules:

* ``FP32`` counts only if the matrix unit itself multiplies full FP32 inputs. FP32 *accumulation*, FP32 on
  the ordinary CUDA cores or vector units, and FP32 emulated with several bf16 passes do not count.
* ``TF32`` is NVIDIA's TensorFloat-32, the Tensor Core format that FP32 data is rounded to.
* ``FP8-E4M3`` and ``FP8-E5M2`` are the two FP8 formats (4 exponent and 3 mantissa bits; 5 and 2).
* Ignore everything outside the eight choices (FP64, INT1/binary, FP4, FP6, ...) and ignore sparsity.

Answer with a Python set of strings, e.g. ``{"FP16", "INT8"}`` (a list or tuple is accepted too).

Part B: the formats themselves
------------------------------
``FORMAT_BITS``: a dict mapping each of ``"TF32"``, ``"BF16"``, ``"FP16"``, ``"FP8-E4M3"``, ``"FP8-E5M2"`` to a
pair of ints ``(exponent_bits, mantissa_bits)``, not counting the sign bit nor the implicit leading 1
(for comparison, FP32 would be ``(8, 23)``).

``FP8_E4M3_MAX`` and ``FP8_E5M2_MAX``: the largest finite value of each FP8 format as a number, for the
FP8 formats of the OCP 8-bit floating point specification that NVIDIA Hopper implements
(``torch.float8_e4m3fn`` and ``torch.float8_e5m2``). Work them out from the bit layout (which bit patterns
are reserved for infinities and NaN?) before you check them in PyTorch. Tolerance: relative 1e-9.
"""

CHOICES = ("FP32", "TF32", "BF16", "FP16", "FP8-E4M3", "FP8-E5M2", "INT8", "INT4")

# Part A: a set of strings from CHOICES for each accelerator.
V100_FORMATS = None  # NVIDIA V100 (Volta, 2017): its Tensor Cores
T4_FORMATS = None  # NVIDIA T4 (Turing, 2018): its Tensor Cores
A100_FORMATS = None  # NVIDIA A100 (Ampere, 2020): its Tensor Cores
H100_FORMATS = None  # NVIDIA H100 (Hopper, 2022): its Tensor Cores
TPU_V4_FORMATS = None  # Google Cloud TPU v4 (2021): its MXUs

# Part B
FORMAT_BITS = None  # {"TF32": (e, m), "BF16": (e, m), "FP16": (e, m), "FP8-E4M3": (e, m), "FP8-E5M2": (e, m)}
FP8_E4M3_MAX = None  # a number
FP8_E5M2_MAX = None  # a number
