"""Exercise 0.10.1: ResNet-18 exactly as He et al. (2015) specify it.

Build ResNet-18 from ``torch.nn`` layers (``nn.Conv2d``, ``nn.BatchNorm2d``, ``nn.ReLU``, ``nn.MaxPool2d``,
``nn.AdaptiveAvgPool2d``, ``nn.Linear``, ``nn.Sequential``). Do not import torchvision (the grader checks
that nothing in your module comes from it).

The architecture (Table 1 of the paper, the 18-layer column):

* ``conv1``: 7x7 convolution, 3 -> 64 channels, stride 2, padding 3; then ``bn1`` and ``relu``;
  then ``maxpool``: 3x3 max pooling, stride 2, padding 1.
* ``layer1`` .. ``layer4``: each an ``nn.Sequential`` of two ``BasicBlock`` s with 64, 128, 256, 512
  output channels. The first block of ``layer2``, ``layer3`` and ``layer4`` halves the spatial size
  (stride 2); every other block has stride 1.
* ``avgpool``: global average pooling to 1x1 (``nn.AdaptiveAvgPool2d((1, 1))``, so any input size works),
  flatten, then ``fc``: ``nn.Linear(512, num_classes)`` (with bias). ``forward`` returns the logits
  (no softmax).
* Every convolution has ``bias=False`` (each is followed by batch norm, which has its own shift).
  Batch norms use PyTorch's defaults (eps 1e-5, momentum 0.1, affine).

``BasicBlock(in_channels, out_channels, stride)``:

* ``conv1``: 3x3, ``in_channels -> out_channels``, stride ``stride``, padding 1; ``bn1``; ReLU.
* ``conv2``: 3x3, ``out_channels -> out_channels``, stride 1, padding 1; ``bn2``.
* Shortcut: the identity when ``stride == 1`` and ``in_channels == out_channels``; otherwise the
  projection shortcut (the paper's option B) ``downsample = nn.Sequential(1x1 conv with stride
  ``stride`` and bias=False, nn.BatchNorm2d(out_channels))``. When there is no projection, set
  ``self.downsample = None``.
* Output: ``relu(bn2(conv2(...)) + shortcut(x))``: the addition comes BEFORE the final ReLU.

Attribute names (the grader loads a state dict into your model with ``strict=True``, so they must match
exactly; they are torchvision's names): ``conv1, bn1, relu, maxpool, layer1, layer2, layer3, layer4,
avgpool, fc`` on the network and ``conv1, bn1, conv2, bn2, relu, downsample`` on a block. For example the
projection of the first block of ``layer2`` has the keys ``layer2.0.downsample.0.weight`` and
``layer2.0.downsample.1.running_mean``.

With ``num_classes=1000`` the network has exactly 11,689,512 parameters.

What the grader does: counts your parameters (building the model on the ``meta`` device, so keep
``__init__`` free of data-dependent code), loads a reference state dict into your model, checks the
output shape of every stage for a 64x64 input (``conv1`` 32x32, ``maxpool`` and ``layer1`` 16x16,
``layer2`` 8x8, ``layer3`` 4x4, ``layer4`` 2x2, ``avgpool`` 1x1; for a 224x224 image that is the paper's
112, 56, 28, 14, 7), and compares your logits in eval mode with a reference forward pass (rtol 1e-4
and an absolute tolerance of 1e-4 times the largest logit).
"""

from __future__ import annotations

import torch
from torch import nn


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm, plus the identity or projection shortcut."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        raise NotImplementedError("write BasicBlock.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write BasicBlock.forward")


class ResNet18(nn.Module):
    """ResNet-18; ``forward(x)`` maps (N, 3, H, W) images to (N, num_classes) logits."""

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        raise NotImplementedError("write ResNet18.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write ResNet18.forward")
