"""Exercise 0.3.1: 2D convolution from scratch, with stride, padding, dilation and groups.

Write ``conv2d`` so that it gives what ``torch.nn.functional.conv2d`` gives, and
``conv2d_output_size`` for the spatial size of its output. Build them from basic tensor operations
(indexing and slicing, ``torch.nn.functional.pad``, ``Tensor.unfold``, ``as_strided``, ``einsum``,
``matmul``, sums, Python loops): the routines below are off-limits while your code runs, because the
grader uses them as the reference or because they would do the whole job for you:

    torch.nn.functional.conv2d / torch.conv2d, torch.conv1d, torch.conv3d (and their F. names),
    torch.convolution, torch.nn.Conv2d, torch.nn.functional.unfold, torch.nn.Unfold

(``F.unfold`` is off-limits because it already does the padding, stride and dilation for you;
``Tensor.unfold``, a plain sliding window along one dimension, is allowed.)

Conventions (the grader holds you to exactly these, which are PyTorch's):

* ``x`` has shape ``(N, C_in, H, W)``; ``weight`` has shape ``(C_out, C_in // groups, kH, kW)``;
  ``bias`` is ``None`` or has shape ``(C_out,)`` and is added once to every position of output channel o.
* It is a cross-correlation, as in every deep learning library: the kernel is NOT flipped.
  ``out[n, o, i, j] = bias[o] + sum_{c, u, v} weight[o, c, u, v] *
  x_padded[n, g * C_in/groups + c, i * sH + u * dH, j * sW + v * dW]`` where ``g`` is the group of
  output channel o (below).
* ``stride``, ``padding`` and ``dilation`` are each an ``int`` (same for height and width) or a tuple
  ``(for_height, for_width)``.
* Padding is with zeros and symmetric: ``padding = p`` adds p rows at the top AND p at the bottom (and
  likewise p columns left and right); ``(pH, pW)`` adds pH rows on each side and pW columns on each side.
* Dilation ``d`` spaces the kernel taps d apart, so a kernel of size k covers ``d * (k - 1) + 1`` pixels.
* Output size (floor division, so windows that would run past the padded input are dropped):
  ``H_out = (H + 2 * pH - dH * (kH - 1) - 1) // sH + 1``, and the same for ``W_out`` with the width values.
* Groups: ``C_in`` and ``C_out`` are divisible by ``groups``. Output channels are split into ``groups``
  consecutive blocks of ``C_out // groups``; output channel o is in group ``g = o // (C_out // groups)``
  and sees only input channels ``g * (C_in // groups)`` to ``(g + 1) * (C_in // groups) - 1``.
  ``groups = C_in`` is a depthwise convolution.
* Return a tensor of shape ``(N, C_out, H_out, W_out)`` with the dtype of ``x``. It must stay
  differentiable: the grader backpropagates through your ``conv2d`` and compares the gradients with
  respect to ``x``, ``weight`` and ``bias`` with PyTorch's. Use torch operations (no NumPy, no
  ``.detach()``); filling a fresh output tensor with ``out[...] = ...`` or ``out = out + ...`` is fine.

Tolerances: outputs and gradients are float32 and compared with rtol = 1e-4 and atol = 1e-4; the output
sizes must be exact.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def conv2d_output_size(
    h: int,
    w: int,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[int, int]:
    """Return ``(H_out, W_out)`` as Python ints for an input of spatial size ``h x w``."""
    raise NotImplementedError("write conv2d_output_size")


def conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    """Return the 2D cross-correlation of ``x`` with ``weight`` (plus ``bias``), shape ``(N, C_out, H_out, W_out)``."""
    raise NotImplementedError("write conv2d")
