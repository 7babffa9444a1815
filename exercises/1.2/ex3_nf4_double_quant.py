"""Exercise 1.2.3: QLoRA's 4-bit NormalFloat (NF4), blockwise absmax quantization, double quantization.

QLoRA (Dettmers et al., 2023) stores weights in 4 bits: each block of 64 weights is divided by its
absolute maximum (so it lies in [-1, 1]) and every value is replaced by the index of the nearest of 16
levels, the NF4 codebook, whose levels follow the quantiles of a standard normal distribution (weights
are roughly normal, so each level is used about equally often). The absmax constants (one float32 per
64 weights, 0.5 bits per parameter) are themselves quantized: "double quantization".

1. ``nf4_codebook() -> torch.Tensor``: the 16 NF4 levels, float32, sorted ascending, built as in QLoRA's
   reference code (bitsandbytes ``create_normal_map``). Let ``Q`` be the standard normal quantile function
   (``torch.special.ndtri`` or ``scipy.stats.norm.ppf``; compute in float64) and ``delta = 0.9677083``:

   * 8 positive levels: ``Q(p)`` for ``p = torch.linspace(delta, 0.5, 9)[:-1]`` (9 points from delta down
     to 0.5; drop the last, 0.5, whose quantile is 0);
   * 7 negative levels: ``-Q(p)`` for ``p = torch.linspace(delta, 0.5, 8)[:-1]``;
   * the level 0 (so zero is exactly representable);
   * sort the 16 values and divide them all by the largest absolute value, so that they span exactly
     [-1, 1] (the first level is -1, the last +1, level index 7 is 0).

   The asymmetry (8 positive, 7 negative, one zero) is deliberate: 4 bits give 16 codes, and a symmetric
   set with an exact zero would need an odd count. (Expected values: -1, -0.6962, -0.5251, -0.3949,
   -0.2844, -0.1848, -0.0910, 0, 0.0796, 0.1609, 0.2461, 0.3379, 0.4407, 0.5626, 0.7230, 1.)

2. ``quantize_blockwise(w, codebook, block_size=64) -> (codes, absmax)``: flatten ``w`` in row-major
   order (``w.reshape(-1)``; the grader's ``w.numel()`` is a multiple of ``block_size``); block ``b`` is
   ``flat[b * block_size : (b + 1) * block_size]``. ``absmax[b] = max(|block|)`` (float32, shape
   ``(numel // block_size,)``); each value is normalised by its block's absmax (divide by 1 instead if the
   absmax is 0) and its code is the index of the nearest codebook level (``argmin |x / absmax - level|``,
   the lower index on an exact tie). ``codes``: ``torch.uint8``, shape ``(numel,)``. Work with any
   ascending codebook of 16 levels in [-1, 1] (the grader also passes evenly spaced INT4 levels).

3. ``dequantize_blockwise(codes, absmax, codebook, block_size, shape)``: ``codebook[code] * absmax`` of
   the block, reshaped to ``shape``, float32. (Index with ``codes.long()``: PyTorch reads a ``uint8``
   index tensor as a boolean mask.)

4. ``double_quantize(absmax, block_size=256) -> (q, scales, offset)``: quantize the first-level constants.
   As in QLoRA, subtract their mean first: ``offset = absmax.mean()`` (a Python float); the centred values
   ``c = absmax - offset`` are split into blocks of 256 (the grader's length is a multiple of 256) and
   each block is quantized with the symmetric INT8 scheme of exercise 1.1.1: ``scale = max(|c_block|) /
   127`` (1.0 if zero), ``q = clamp(round(c / scale), -128, 127)`` as ``torch.int8``. (QLoRA uses an 8-bit
   float format for this second level; INT8 costs the same 8 bits and keeps this exercise's
   arithmetic exact.) ``scales``: float32, one per block of 256.
   ``dequantize_absmax(q, scales, offset, block_size=256)`` returns ``q * scale + offset`` (float32).

5. ``bits_per_parameter(block_size=64, double_quant=False, dq_block_size=256) -> float``: storage cost
   per weight. Without double quantization: 4 bits for the code plus one 32-bit absmax per block. With
   it: 4 bits, plus one 8-bit quantized absmax per block, plus one 32-bit second-level scale per
   ``dq_block_size`` first-level blocks (ignore the single offset). Defaults give 4.5 and about 4.127.

6. ``nf4_roundtrip_mse(w, block_size=64, double_quant=False) -> float``: quantize ``w`` with the NF4
   codebook, dequantize (with double quantization, using the dequantized absmax values), and return
   ``mean((w - w_hat) ** 2)`` as a Python float.

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=x.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Tolerances: the codebook atol 1e-6; codes exactly (a different code is accepted only where the value
sits within 1e-5 of the midpoint between two levels); absmax, scales and dequantized values rtol 1e-6;
MSEs rtol 1e-4; bits rtol 1e-9.
"""

from __future__ import annotations

import torch


def nf4_codebook() -> torch.Tensor:
    """The 16 NF4 levels in ascending order, float32, from -1 to 1 with an exact 0."""
    raise NotImplementedError("write nf4_codebook")


def quantize_blockwise(w: torch.Tensor, codebook: torch.Tensor, block_size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (codes uint8 (numel,), absmax float32 (numel // block_size,))."""
    raise NotImplementedError("write quantize_blockwise")


def dequantize_blockwise(
    codes: torch.Tensor, absmax: torch.Tensor, codebook: torch.Tensor, block_size: int, shape: tuple[int, ...]
) -> torch.Tensor:
    """codebook[codes] * absmax of each block, reshaped to ``shape`` (float32)."""
    raise NotImplementedError("write dequantize_blockwise")


def double_quantize(absmax: torch.Tensor, block_size: int = 256) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Return (q int8, scales float32 (len // block_size,), offset float) for the centred absmax values."""
    raise NotImplementedError("write double_quantize")


def dequantize_absmax(q: torch.Tensor, scales: torch.Tensor, offset: float, block_size: int = 256) -> torch.Tensor:
    """q * scale of its block + offset, float32."""
    raise NotImplementedError("write dequantize_absmax")


def bits_per_parameter(block_size: int = 64, double_quant: bool = False, dq_block_size: int = 256) -> float:
    """Bits of storage per weight, codes and quantization constants included."""
    raise NotImplementedError("write bits_per_parameter")


def nf4_roundtrip_mse(w: torch.Tensor, block_size: int = 64, double_quant: bool = False) -> float:
    """MSE between ``w`` and its NF4 round trip (with dequantized absmax when double_quant)."""
    raise NotImplementedError("write nf4_roundtrip_mse")
