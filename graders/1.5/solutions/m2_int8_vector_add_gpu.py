"""Reference solution for capstone milestone 1.5.m2 (shown by `tracker solution 1.5.m2` after a pass).

A Triton kernel: each program handles BLOCK consecutive elements and masks the tail. Rounding half to even
is built from floor, so that it does not depend on where a Triton version keeps libdevice's rint.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

BLOCK = 1024
DEVICE = torch.device("cuda")


@triton.jit
def _int8_add_kernel(qa_ptr, qb_ptr, out_ptr, n, ratio_a, ratio_b, BLOCK: tl.constexpr):
    pid = tl.program_id(axis=0)
    offsets = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    a = tl.load(qa_ptr + offsets, mask=mask, other=0).to(tl.float32)
    b = tl.load(qb_ptr + offsets, mask=mask, other=0).to(tl.float32)
    v = a * ratio_a + b * ratio_b
    # Round half to even: go up past .5, and at exactly .5 only from an odd floor.
    f = tl.floor(v)
    frac = v - f
    half = f * 0.5
    f_is_odd = tl.floor(half) != half
    r = tl.where((frac > 0.5) | ((frac == 0.5) & f_is_odd), f + 1.0, f)
    # Saturate while still in float32, then narrow to int8.
    q = tl.minimum(tl.maximum(r, -128.0), 127.0).to(tl.int8)
    tl.store(out_ptr + offsets, q, mask=mask)


def quantized_vector_add(qa: torch.Tensor, scale_a: float, qb: torch.Tensor, scale_b: float, scale_out: float) -> torch.Tensor:
    n = qa.numel()
    qa_dev = qa.to(DEVICE)
    qb_dev = qb.to(DEVICE)
    out_dev = torch.empty(n, dtype=torch.int8, device=DEVICE)
    grid = (triton.cdiv(n, BLOCK),)
    _int8_add_kernel[grid](qa_dev, qb_dev, out_dev, n, scale_a / scale_out, scale_b / scale_out, BLOCK=BLOCK)
    return out_dev.cpu()
