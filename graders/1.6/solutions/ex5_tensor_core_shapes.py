"""Reference solution for exercise 1.6.5 (shown by `tracker solution 1.6.5` after a pass)."""

from __future__ import annotations

import torch

# 16 bytes of elements per tensor-core tile row.
_MULTIPLES = {
    torch.float16: 8,
    torch.bfloat16: 8,
    torch.int8: 16,
    torch.uint8: 16,
    torch.float8_e4m3fn: 16,
    torch.float8_e5m2: 16,
    torch.float32: 4,
    torch.float64: 2,
}


def tc_multiple(dtype: torch.dtype) -> int:
    if dtype not in _MULTIPLES:
        raise ValueError(f"{dtype} is not a tensor-core input type")
    return _MULTIPLES[dtype]


def pad_to_multiple(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def padded_gemm_shape(m: int, n: int, k: int, dtype: torch.dtype) -> tuple[int, int, int]:
    mult = tc_multiple(dtype)
    return pad_to_multiple(m, mult), pad_to_multiple(n, mult), pad_to_multiple(k, mult)


def is_tensor_core_friendly(m: int, n: int, k: int, dtype: torch.dtype) -> bool:
    mult = tc_multiple(dtype)
    return m % mult == 0 and n % mult == 0 and k % mult == 0


def padding_overhead(m: int, n: int, k: int, dtype: torch.dtype) -> float:
    big_m, big_n, big_k = padded_gemm_shape(m, n, k, dtype)
    return 1 - (m * n * k) / (big_m * big_n * big_k)


def pad_linear(weight: torch.Tensor, bias: torch.Tensor | None, multiple: int):
    out_f, in_f = weight.shape
    out_p, in_p = pad_to_multiple(out_f, multiple), pad_to_multiple(in_f, multiple)
    w = torch.zeros(out_p, in_p, dtype=weight.dtype, device=weight.device)
    w[:out_f, :in_f] = weight
    b = None
    if bias is not None:
        b = torch.zeros(out_p, dtype=bias.dtype, device=bias.device)
        b[:out_f] = bias
    return w, b


def padded_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, multiple: int) -> torch.Tensor:
    out_f, in_f = weight.shape
    w, b = pad_linear(weight, bias, multiple)
    x_pad = torch.nn.functional.pad(x, (0, w.shape[1] - in_f))
    y = x_pad @ w.T
    if b is not None:
        y = y + b
    return y[..., :out_f]
