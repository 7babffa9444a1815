"""Exercise 0.7.4: a WaveNet-style stack of dilated causal convolutions.

A causal convolution never looks at the future: output position t depends only on inputs at positions
<= t. Doubling the dilation at every layer (1, 2, 4, ...) makes the receptive field grow exponentially
with depth while the cost grows linearly: with kernel size 2, L layers see exactly 2**L past positions
(the current one included).

Shapes: sequences are (B, C, T) tensors (batch, channels, time), as ``torch.nn.Conv1d`` expects; every
module keeps the length T.

* ``receptive_field(n_layers, kernel_size=2) -> int``: the number of input positions that one output
  position of the stack below depends on: ``1 + (kernel_size - 1) * (2**n_layers - 1)`` (2**L for
  kernel size 2). Derive it: each layer adds ``(kernel_size - 1) * dilation`` positions.
* ``CausalConv1d(in_channels, out_channels, kernel_size, dilation=1)`` (an ``nn.Module``): holds
  ``self.conv = nn.Conv1d(in_channels, out_channels, kernel_size, dilation=dilation)`` with NO padding
  of its own (keep the default ``padding=0`` and ``bias=True``), and in ``forward(x)`` pads x with
  ``(kernel_size - 1) * dilation`` zeros on the LEFT only (the past side), then applies ``self.conv``.
  Output: (B, out_channels, T), where output t combines x[t], x[t - dilation], ...,
  x[t - (kernel_size - 1) * dilation].
* ``WaveNetStack(channels, n_layers, kernel_size=2)`` (an ``nn.Module``): holds
  ``self.layers = nn.ModuleList`` of ``n_layers`` ``CausalConv1d(channels, channels, kernel_size,
  dilation=2**l)`` for l = 0, 1, ..., n_layers - 1, and in ``forward(x)`` applies them with a residual
  connection: ``h = x``, then for each layer ``h = h + torch.tanh(layer(h))``; returns h, shape
  (B, channels, T).

Leave the weights as ``nn.Conv1d`` initialises them; the grader reads them from ``layer.conv`` and
recomputes the stack with ``torch.nn.functional.conv1d``.

The grader also runs the stack on its device (a GPU when there is one): create every tensor in
``forward`` on x's device (``F.pad`` does), and never hard-code ``"cuda"``.

Tolerances: outputs equal the grader's recomputation with rtol=1e-5, atol=1e-6. Causality: changing the
input at time t0 changes no output before t0 (difference at most 1e-6). Receptive field: the gradient of
the last output position with respect to the input is non-zero at exactly the last
``receptive_field(L, k)`` positions, and zero before them.
"""

from __future__ import annotations

import torch
from torch import nn


def receptive_field(n_layers: int, kernel_size: int = 2) -> int:
    raise NotImplementedError("write receptive_field")


class CausalConv1d(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int = 1):
        super().__init__()
        raise NotImplementedError("write CausalConv1d.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write CausalConv1d.forward")


class WaveNetStack(nn.Module):
    def __init__(self, channels: int, n_layers: int, kernel_size: int = 2):
        super().__init__()
        raise NotImplementedError("write WaveNetStack.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write WaveNetStack.forward")
