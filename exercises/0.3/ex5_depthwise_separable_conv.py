"""Exercise 0.3.5: depthwise separable convolution (MobileNet's building block) and its parameter count.

A depthwise separable convolution replaces one standard k x k convolution by
(1) a depthwise k x k convolution, which filters every input channel on its own (no mixing across
channels), followed by (2) a pointwise 1x1 convolution, which mixes channels at every pixel.
Write the pieces from basic tensor operations (slicing, ``torch.nn.functional.pad``, ``Tensor.unfold``,
``einsum``/``matmul``, sums, loops), and count parameters with formulas. Off-limits while your code runs
(the grader uses the first as its reference):

    torch.nn.functional.conv2d / torch.conv2d, conv1d, conv3d, torch.convolution, torch.nn.Conv2d,
    torch.nn.functional.unfold, torch.nn.Unfold

Conventions (PyTorch's ``F.conv2d`` conventions; the grader holds you to exactly these):

* ``x`` has shape ``(N, C, H, W)``, float32. Convolutions are cross-correlations (the kernel is not
  flipped). ``stride``, ``padding`` and ``dilation`` are ints (the same for height and width); padding
  adds that many zeros on every side; ``H_out = (H + 2 * padding - dilation * (k - 1) - 1) // stride + 1``.
* ``depthwise_conv2d``: ``weight`` has shape ``(C * M, 1, k, k)``, where the depth multiplier
  ``M = weight.shape[0] // C`` is how many filters each input channel gets. Output channel ``o`` filters
  input channel ``o // M`` with ``weight[o, 0]`` (so the M outputs of input channel c are consecutive:
  ``c * M, ..., c * M + M - 1``). This is exactly ``F.conv2d(x, weight, bias, stride, padding, dilation,
  groups=C)``. ``bias`` is ``None`` or has shape ``(C * M,)``. Returns ``(N, C * M, H_out, W_out)``.
* ``pointwise_conv2d``: ``weight`` has shape ``(C_out, C_in, 1, 1)``;
  ``out[n, o, i, j] = bias[o] + sum_c weight[o, c, 0, 0] * x[n, c, i, j]``. Returns ``(N, C_out, H, W)``.
* ``separable_conv2d`` = ``pointwise_conv2d(depthwise_conv2d(x, dw_weight, dw_bias, stride, padding,
  dilation), pw_weight, pw_bias)``: stride, padding and dilation belong to the depthwise step; nothing
  (no normalisation, no activation) sits between the two steps.
* ``separable_as_standard_weight(dw_weight, pw_weight, in_channels)``: without biases, a separable
  convolution IS a standard convolution whose weight is factorised. Return that standard weight, shape
  ``(C_out, C, k, k)``, such that ``F.conv2d(x, W, None, stride, padding, dilation)`` equals
  ``separable_conv2d(x, dw_weight, None, pw_weight, None, stride, padding, dilation)`` for every ``x``
  with ``in_channels`` channels (``in_channels`` is C; the shapes alone cannot tell C from M).
* ``conv2d_param_count(c_in, c_out, k, bias=True)``: the number of learnable parameters of a standard
  ``nn.Conv2d(c_in, c_out, k, bias=bias)``.
* ``separable_param_count(c_in, c_out, k, depth_multiplier=1, bias=True)``: the number of learnable
  parameters of the depthwise ``nn.Conv2d(c_in, c_in * M, k, groups=c_in, bias=bias)`` plus the pointwise
  ``nn.Conv2d(c_in * M, c_out, 1, bias=bias)`` (``bias`` applies to both). Both counts are Python ints.

Tolerances: tensors are compared with rtol = 1e-4, atol = 1e-4 (float32); parameter counts exactly.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def depthwise_conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> torch.Tensor:
    """Filter each input channel separately: shape ``(N, C * M, H_out, W_out)``."""
    raise NotImplementedError("write depthwise_conv2d")


def pointwise_conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """Mix channels at every pixel with a 1x1 convolution: shape ``(N, C_out, H, W)``."""
    raise NotImplementedError("write pointwise_conv2d")


def separable_conv2d(
    x: torch.Tensor,
    dw_weight: torch.Tensor,
    dw_bias: torch.Tensor | None,
    pw_weight: torch.Tensor,
    pw_bias: torch.Tensor | None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> torch.Tensor:
    """Depthwise then pointwise: shape ``(N, C_out, H_out, W_out)``."""
    raise NotImplementedError("write separable_conv2d")


def separable_as_standard_weight(dw_weight: torch.Tensor, pw_weight: torch.Tensor, in_channels: int) -> torch.Tensor:
    """The equivalent standard convolution weight, shape ``(C_out, C_in, k, k)``."""
    raise NotImplementedError("write separable_as_standard_weight")


def conv2d_param_count(c_in: int, c_out: int, k: int, bias: bool = True) -> int:
    """Parameters of a standard k x k convolution from c_in to c_out channels."""
    raise NotImplementedError("write conv2d_param_count")


def separable_param_count(c_in: int, c_out: int, k: int, depth_multiplier: int = 1, bias: bool = True) -> int:
    """Parameters of the depthwise k x k convolution plus the pointwise 1x1 convolution."""
    raise NotImplementedError("write separable_param_count")
