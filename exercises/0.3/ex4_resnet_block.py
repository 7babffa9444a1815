"""Exercise 0.3.4: the ResNet basic block, with an identity or a projection shortcut, and its gradient flow.

Write ``BasicBlock``, the two-convolution block of ResNet-18/34 (He et al., 2015), as an ``nn.Module``.
You may use ``nn.Conv2d``, ``nn.BatchNorm2d``, ``nn.Sequential``, ``nn.Identity`` and
``torch.relu`` / ``F.relu`` freely.

Submodules: the grader copies weights into your block with ``load_state_dict(..., strict=True)``, so
these names, layer types, shapes and options must be exactly these:

* ``conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)``
* ``bn1 = nn.BatchNorm2d(out_channels)``
* ``conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)``
* ``bn2 = nn.BatchNorm2d(out_channels)``
* ``shortcut``: when ``stride != 1`` or ``in_channels != out_channels`` the input does not have the output's
  shape, so the shortcut is a projection,
  ``nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels))``
  (state-dict keys ``shortcut.0.weight``, ``shortcut.1.weight``, ``shortcut.1.bias``, ...); otherwise it is the
  identity, ``nn.Identity()`` (no parameters).

(The convolutions have no bias: the batch norm right after each one has its own shift.) Keep the
``nn.BatchNorm2d`` defaults (eps = 1e-5, momentum = 0.1).

Forward, for ``x`` of shape ``(N, in_channels, H, W)``:

    out = relu(bn1(conv1(x)))
    out = bn2(conv2(out))
    out = relu(out + shortcut(x))      # the skip connection; the last ReLU comes AFTER the addition

The output has shape ``(N, out_channels, H_out, W_out)`` with ``H_out = (H - 1) // stride + 1``.

``residual=False`` builds the same block without the skip connection (the "plain" block of the paper's
plain baselines): the forward returns ``relu(bn2(conv2(relu(bn1(conv1(x))))))``. Create ``shortcut``
exactly as above anyway (unused), so that both kinds load the same state dict.

What the grader checks: outputs in training mode (batch statistics) and in eval mode (running
statistics) equal a reference block with the same weights; the gradients of ``x`` and of every parameter
equal the reference's; and the gradient flow: with the residual branch switched off (``bn2.weight`` and
``bn2.bias`` set to 0, so the branch outputs zeros), a stack of residual blocks still passes the gradient
to its input through the shortcuts, while a stack of plain blocks passes none. Tolerances: rtol = 1e-4,
atol = 1e-5 (float32).

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, residual: bool = True):
        super().__init__()
        raise NotImplementedError("write BasicBlock.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write BasicBlock.forward")
