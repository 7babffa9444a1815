"""Exercise 1.3.3: a LoRA linear layer, merging it, and how many parameters it trains.

LoRA (Hu et al., 2021) freezes a pretrained weight ``W0`` (shape ``(d_out, d_in)``) and learns a low-rank
update ``W = W0 + (alpha / r) * B @ A`` with ``A`` of shape ``(r, d_in)`` and ``B`` of shape
``(d_out, r)``. ``B`` starts at zero, so training starts exactly from the pretrained model; after
training ``B @ A`` can be merged into ``W0``, so inference costs nothing extra.

Write:

1. ``class LoRALinear(nn.Module)`` with ``__init__(self, base: nn.Linear, r: int, alpha: float)``:
   * keep the layer as ``self.base`` and freeze ALL its parameters (``requires_grad = False``);
   * ``self.lora_A``: an ``nn.Parameter`` of shape ``(r, base.in_features)``, randomly initialised
     (PEFT uses ``nn.init.kaiming_uniform_(A, a=math.sqrt(5))``; any non-zero random init passes);
   * ``self.lora_B``: an ``nn.Parameter`` of shape ``(base.out_features, r)``, initialised to zeros;
   * ``self.scaling = alpha / r`` (a Python float);
   * the only trainable parameters are ``lora_A`` and ``lora_B``.

   ``forward(x)``: ``base(x) + scaling * (x @ A^T) @ B^T`` for ``x`` of shape ``(..., in_features)``
   (any number of leading dimensions).

   ``merged() -> nn.Linear``: a NEW ``nn.Linear`` with weight ``W0 + scaling * B @ A`` and the base bias,
   computing the same outputs as ``forward``. It must not change ``self`` (``self.base`` keeps ``W0``).

2. ``lora_parameter_counts(d_in, d_out, r) -> (full, lora)``: the trainable parameters of fine-tuning
   the whole weight (``full``, the bias left out) and of LoRA (``lora``), both Python ints.

3. The three module-level answers below, for ``d_in=2048, d_out=8192, r=16`` (weights only):
   ``FULL_PARAMS`` and ``LORA_PARAMS`` (ints, exact), and ``REDUCTION_FACTOR = FULL_PARAMS / LORA_PARAMS``
   (a float, relative tolerance 1e-6).

The grader also builds the layer around a base layer on its device (a GPU when there is one): create A,
B and the merged ``nn.Linear`` on the base layer's device (``device=base.weight.device``), and never
hard-code ``"cuda"``.

Tolerances: outputs and gradients are compared with ``rtol=1e-5, atol=1e-5``.
"""

from __future__ import annotations

import math  # noqa: F401  (for the suggested init)

import torch
from torch import nn


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float):
        super().__init__()
        raise NotImplementedError("write LoRALinear.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write LoRALinear.forward")

    def merged(self) -> nn.Linear:
        """Return a new nn.Linear with weight W0 + scaling * B @ A (self is left unchanged)."""
        raise NotImplementedError("write LoRALinear.merged")


def lora_parameter_counts(d_in: int, d_out: int, r: int) -> tuple[int, int]:
    """Return ``(full, lora)``: trainable parameters of full fine-tuning (weight only) and of LoRA."""
    raise NotImplementedError("write lora_parameter_counts")


# For d_in=2048, d_out=8192, r=16:
FULL_PARAMS = None  # int
LORA_PARAMS = None  # int
REDUCTION_FACTOR = None  # float, FULL_PARAMS / LORA_PARAMS
