"""Answers for exercise 1.1.3 (shown by `tracker solution 1.1.3` after a pass).

Sources: the NVIDIA V100, T4, A100 and H100 datasheets and the Volta, Turing, Ampere and Hopper
architecture whitepapers (peak Tensor Core throughput per format), and Google's Cloud TPU v4 documentation
("275 teraflops (bf16 or int8)" per chip). The FP8 formats follow the OCP 8-bit floating point
specification (E4M3 reserves only S.1111.111 for NaN and has no infinities; E5M2 keeps IEEE-style
infinities and NaNs in its top exponent).
"""

CHOICES = ("FP32", "TF32", "BF16", "FP16", "FP8-E4M3", "FP8-E5M2", "INT8", "INT4")

# Volta's first Tensor Cores multiply FP16 only (FP16 or FP32 accumulation).
V100_FORMATS = {"FP16"}
# Turing added integer Tensor Core modes for inference: INT8 and INT4 (and experimental INT1).
T4_FORMATS = {"FP16", "INT8", "INT4"}
# Ampere added TF32 (the path FP32 data takes through Tensor Cores) and BF16, and kept INT8 and INT4.
A100_FORMATS = {"TF32", "BF16", "FP16", "INT8", "INT4"}
# Hopper added FP8 in both encodings; its datasheet quotes INT8 but no INT4 Tensor Core throughput.
H100_FORMATS = {"TF32", "BF16", "FP16", "FP8-E4M3", "FP8-E5M2", "INT8"}
# TPU v4 MXUs multiply bf16 (FP32 matmuls are emulated with several bf16 passes) and int8.
TPU_V4_FORMATS = {"BF16", "INT8"}

# (exponent bits, mantissa bits): TF32 keeps FP32's exponent and FP16's mantissa.
FORMAT_BITS = {"TF32": (8, 10), "BF16": (8, 7), "FP16": (5, 10), "FP8-E4M3": (4, 3), "FP8-E5M2": (5, 2)}
# E4M3: exponent 1111 is a normal binade (only mantissa 111 there is NaN): 1.75 * 2**(15 - 7) = 448.
FP8_E4M3_MAX = 448.0
# E5M2: exponent 11111 is for inf/NaN, as in IEEE: 1.75 * 2**(30 - 15) = 57344.
FP8_E5M2_MAX = 57344.0
