"""Capstone milestone 1.5.m2: the INT8 vector addition as a GPU kernel. NEEDS AN NVIDIA GPU.

This milestone needs a CUDA-capable NVIDIA GPU and a CUDA build of PyTorch. On a machine without one,
``tracker grade 1.5.m2`` reports "needs a GPU" for every check: neither a pass nor a fail. Finish
milestone 1.5.m1 first; this is the same operation, moved into a kernel you write.

Write ``quantized_vector_add(qa, scale_a, qb, scale_b, scale_out)``: milestone 1.5.m1's ``quantized_add``,
computed by your own GPU kernel that processes one element per thread (CUDA) or one block of elements
per program (Triton). For every index ``i``::

    out[i] = clamp(round(qa[i] * (scale_a / scale_out) + qb[i] * (scale_b / scale_out)), -128, 127)

Rules (the same as in 1.5.m1; the grader holds you to exactly these):

* Widen the int8 codes to float32 in the kernel before any arithmetic; never add them as int8 (the sum of
  two int8 codes ranges from -256 to 254 and wraps around in int8).
* A simple way in: compute the two ratios ``scale_a / scale_out`` and ``scale_b / scale_out`` on the
  host (Python floats) and pass them to the kernel as float32 arguments. (Another order of operations is
  fine too, within the tolerance described at the end.)
* Round half to even (2.5 -> 2, 3.5 -> 4, -2.5 -> -2). In CUDA, ``rintf(v)`` and ``__float2int_rn(v)`` do;
  ``roundf`` rounds half away from zero and a cast truncates. In Triton, libdevice's ``rint`` does, but
  its module path has moved between Triton versions (``tl.extra.cuda.libdevice.rint`` in recent ones); a
  portable alternative is to build it from ``tl.floor``: with ``f = floor(v)``, round up when
  ``v - f > 0.5``, or when ``v - f == 0.5`` and ``f`` is odd.
* Saturate: clamp the float to [-128, 127] BEFORE converting it to int8 (``fminf(fmaxf(v, -128.f), 127.f)``
  or ``tl.minimum(tl.maximum(v, -128.0), 127.0)``). Converting an out-of-range float to int8 is undefined
  behaviour in C++, and it wraps or saturates depending on the code path.

Host orchestration (your function does all of it):

1. The inputs ``qa`` and ``qb`` are 1-D, contiguous ``torch.int8`` tensors of the same length ``n``
   (1 <= n <= 2**21) in CPU memory; the three scales are positive Python floats.
2. Copy the inputs to the GPU, allocate the output (``torch.int8``, length ``n``) on the GPU, and launch
   your kernel over ``ceil(n / BLOCK)`` blocks. ``n`` need not be a multiple of ``BLOCK``: guard the tail
   (``if (i < n)`` in CUDA, a ``mask`` on ``tl.load`` and ``tl.store`` in Triton).
3. Copy the result back and return it: a 1-D ``torch.int8`` tensor of length ``n`` on the CPU. Do not
   modify the inputs.

Write the kernel in either of:

* Triton: a ``@triton.jit`` function; ``tl.program_id(0)``, ``tl.arange(0, BLOCK)`` with ``BLOCK`` a
  ``tl.constexpr`` power of two, ``tl.load`` / ``tl.store`` with a mask.
* CUDA C++ compiled with ``torch.utils.cpp_extension.load_inline`` (needs ``nvcc`` and ``ninja``): a
  ``__global__`` kernel over ``const int8_t*`` inputs, with ``i = blockIdx.x * blockDim.x + threadIdx.x``,
  and a small C++ launcher that takes and returns ``torch::Tensor``. Build it once, at import (module
  level): the first build takes a minute or more and is cached under ``~/.cache/torch_extensions``, and
  grading has a time limit of about a minute, so import your file once yourself before grading.

Import ``triton`` (or ``torch.utils.cpp_extension``) in this file as you need; the grader itself imports
neither.

The kernel must do the arithmetic. A result computed with PyTorch operations (on the CPU or on the GPU)
does not count: the grader runs your function under the PyTorch profiler and fails if no GPU kernel other
than PyTorch's own ran (copies and memsets do not count; neither do kernels that ``torch.compile``
generates). Where the profiler cannot see GPU kernels at all, that check is skipped.

How it is checked: the grader computes milestone 1.5.m1's reference itself (the formula above, in float64
on the CPU) and compares your codes with it:

* EXACTLY, on all 65,536 pairs of int8 codes, with scales that are powers of two (then every product and
  sum is exact in float32, so .5 ties are real ties): one set of scales with ties, one that saturates, one
  with ``scale_a == scale_b`` where the int8 sum would overflow;
* on random codes with arbitrary scales and lengths of 1, 1000, 4099 and 2**20 + 3 (not multiples of your
  block size), where at most 0.2% of the codes may differ from the reference, by one: the GPU may fuse a
  multiply and an add into one FMA, which rounds once instead of twice, and near a .5 tie that can move a
  code by one.

Speed is not graded. For your own curiosity, time your kernel against the PyTorch version of
``quantized_add`` on the GPU for n = 2**24 (``torch.cuda.Event(enable_timing=True)``, after a warm-up
call), and compute the bandwidth it reaches: it reads 2 bytes and writes 1 byte per element.
"""

from __future__ import annotations

import torch


def quantized_vector_add(qa: torch.Tensor, scale_a: float, qb: torch.Tensor, scale_b: float, scale_out: float) -> torch.Tensor:
    """Run your GPU kernel on ``qa`` and ``qb`` (int8, on the CPU) and return the int8 codes of
    ``qa * scale_a + qb * scale_b`` at ``scale_out`` (rounded half to even, saturated) on the CPU."""
    raise NotImplementedError("write quantized_vector_add")
