"""Exercise 1.6.5: tensor-core-friendly GEMM shapes, by padding to a multiple that depends on the dtype.

Tensor cores multiply small matrix tiles. NVIDIA's GEMM performance guide (for cuBLAS 11 and later on
A100-class GPUs) asks for every GEMM dimension M, N and K to be a multiple of 16 bytes'
worth of elements; when one is not, cuBLAS falls back to slower kernels, and Nsight Compute shows the
tensor pipe mostly idle (its "Pipe Tensor Cycles Active" metrics are low). The classic fix is to pad with
zeros: a hidden size of 4095 becomes 4096, and GPT-2's vocabulary of 50257 is often padded to 50304 (a
multiple of 64, which satisfies every multiple below).

The multiples used in this exercise (the grader holds you to exactly these):

* ``torch.float16``, ``torch.bfloat16``: 8
* ``torch.int8``, ``torch.uint8``, ``torch.float8_e4m3fn``, ``torch.float8_e5m2``: 16
* ``torch.float32`` (run on tensor cores as TF32): 4
* ``torch.float64`` (FP64 tensor cores, A100 and later): 2

Any other dtype (``torch.int32``, ``torch.bool``, ...) is not a tensor-core input: raise ``ValueError``.

GEMM convention: ``C[M, N] = A[M, K] @ B[K, N]``. For ``nn.Linear`` with input ``x[..., in]`` and weight
``W[out, in]``, K is ``in`` and N is ``out``. Padding always adds zeros at the end of a dimension, so the
padded product, sliced back, equals the original.

Tolerances: integers exactly; ``padding_overhead`` within rtol 1e-9; ``padded_linear`` within
rtol 1e-5, atol 1e-5 of ``torch.nn.functional.linear`` (float32). No routine is off-limits.
"""

from __future__ import annotations

import torch


def tc_multiple(dtype: torch.dtype) -> int:
    """The multiple (in elements) from the table above; ``ValueError`` for any other dtype."""
    raise NotImplementedError("write tc_multiple")


def pad_to_multiple(n: int, multiple: int) -> int:
    """The smallest multiple of ``multiple`` that is ``>= n`` (``n >= 1``); an aligned ``n`` is unchanged."""
    raise NotImplementedError("write pad_to_multiple")


def padded_gemm_shape(m: int, n: int, k: int, dtype: torch.dtype) -> tuple[int, int, int]:
    """``(M, N, K)``: each of ``m``, ``n``, ``k`` padded to ``tc_multiple(dtype)``."""
    raise NotImplementedError("write padded_gemm_shape")


def is_tensor_core_friendly(m: int, n: int, k: int, dtype: torch.dtype) -> bool:
    """True when ``m``, ``n`` and ``k`` are all multiples of ``tc_multiple(dtype)``."""
    raise NotImplementedError("write is_tensor_core_friendly")


def padding_overhead(m: int, n: int, k: int, dtype: torch.dtype) -> float:
    """The fraction of the padded GEMM's multiply-adds spent on padding: ``1 - m*n*k / (M*N*K)``."""
    raise NotImplementedError("write padding_overhead")


def pad_linear(weight: torch.Tensor, bias: torch.Tensor | None, multiple: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Zero-pad ``weight`` ``[out, in]`` to ``[pad_to_multiple(out), pad_to_multiple(in)]`` and ``bias``
    ``[out]`` to ``[pad_to_multiple(out)]`` (``None`` stays ``None``). The original values sit in the
    top-left corner; every added entry is exactly 0. Keep the dtype. Do not modify the inputs."""
    raise NotImplementedError("write pad_linear")


def padded_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, multiple: int) -> torch.Tensor:
    """Compute ``nn.functional.linear(x, weight, bias)`` through padded operands: zero-pad the last
    dimension of ``x`` to the padded ``in``, multiply by the padded weight, add the padded bias, and slice
    the result back to ``[..., out]``. ``x`` has any number of leading dimensions."""
    raise NotImplementedError("write padded_linear")
