"""Exercise 0.3.3: max pooling, average pooling and global average pooling by hand.

Write the three functions below so that they give what ``torch.nn.functional.max_pool2d``,
``torch.nn.functional.avg_pool2d`` and ``torch.nn.functional.adaptive_avg_pool2d(x, 1)`` give (with
their default ``dilation=1`` and ``ceil_mode=False``). Build them from basic tensor operations (slicing,
``torch.nn.functional.pad``, ``Tensor.unfold``, ``as_strided``, ``amax``/``max``, ``mean``, ``sum``,
loops). Off-limits while your code runs (the grader uses some of them as the reference):

    torch.nn.functional.max_pool2d, max_pool2d_with_indices, avg_pool2d, adaptive_avg_pool2d,
    adaptive_max_pool2d, lp_pool2d, max_pool1d, avg_pool1d, unfold, torch.max_pool2d, torch.max_pool1d,
    torch.avg_pool1d, torch.nn.MaxPool2d, torch.nn.AvgPool2d, torch.nn.AdaptiveAvgPool2d, torch.nn.Unfold

Conventions (PyTorch's; the grader holds you to exactly these):

* ``x`` has shape ``(N, C, H, W)`` (float32). Every channel is pooled on its own.
* ``kernel_size``, ``stride`` and ``padding`` are each an ``int`` (same for height and width) or a tuple
  ``(for_height, for_width)``. ``stride=None`` means ``stride = kernel_size`` (non-overlapping windows).
* ``padding = p`` pads p rows at the top AND at the bottom, p columns on the left AND on the right. The
  grader keeps ``p <= k // 2`` in each dimension (as PyTorch requires), so every window holds at least
  one real pixel.
* Output size: ``H_out = (H + 2 * pH - kH) // sH + 1`` (floor: windows that would run past the padded
  input are dropped), likewise ``W_out``.
* Max pooling: padded positions never win, as if they held ``-inf`` (so an all-negative input stays
  negative at the borders).
* Average pooling: padded positions hold 0. With ``count_include_pad=True`` (the default) every window
  sum is divided by ``kH * kW``; with ``count_include_pad=False`` it is divided by the number of real
  (non-padding) pixels in that window.
* ``global_avg_pool2d(x)`` returns the mean over all H x W positions of each channel, shape ``(N, C)``.
* Return float32 tensors. Keep them differentiable (torch operations, no ``.detach()``): the grader
  compares your max pooling's gradient with PyTorch's on overlapping windows (stride < kernel), where a
  pixel can be the maximum of several windows and collects the gradient of each. Inputs are random
  floats, so there are no ties.

Tolerances: max pooling must match to rtol = 1e-6, atol = 1e-6; average pooling and gradients to
rtol = 1e-5, atol = 1e-5.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def max_pool2d(
    x: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> torch.Tensor:
    """Return the max over each window, shape ``(N, C, H_out, W_out)``."""
    raise NotImplementedError("write max_pool2d")


def avg_pool2d(
    x: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    count_include_pad: bool = True,
) -> torch.Tensor:
    """Return the mean over each window, shape ``(N, C, H_out, W_out)``."""
    raise NotImplementedError("write avg_pool2d")


def global_avg_pool2d(x: torch.Tensor) -> torch.Tensor:
    """Return the mean of each channel over all spatial positions, shape ``(N, C)``."""
    raise NotImplementedError("write global_avg_pool2d")
