"""Exercise 0.7.3: Kaiming initialisation with the tanh gain, and a batch-norm layer (makemore part 3).

A deep tanh network keeps its pre-activations (the inputs of each tanh) near unit standard deviation
only if each weight matrix is scaled by gain / sqrt(fan_in) with tanh's gain 5/3; without the gain they
shrink layer after layer, with too much they saturate the tanh. Batch normalisation makes the
pre-activations unit-std by construction, whatever the scale of the weights.

Write the functions and the class below with basic tensor operations. Off-limits while your code runs:
``torch.nn.init.calculate_gain``, ``torch.nn.init.kaiming_normal_``, ``torch.nn.functional.batch_norm``,
``torch.nn.BatchNorm1d`` and ``torch.batch_norm`` (the grader uses them as the reference).

Layout: a linear layer computes ``x @ W`` with ``x`` of shape (N, fan_in) and ``W`` of shape
(fan_in, fan_out), as in makemore.

* ``tanh_gain() -> float``: the recommended gain of tanh, 5/3.
* ``kaiming_init(fan_in, fan_out, gain, generator) -> Tensor (fan_in, fan_out), float32``: draw
  ``torch.randn(fan_in, fan_out, generator=generator)`` (exactly this one call, so the grader can
  reproduce the draw) and scale it so that the standard deviation is ``gain / sqrt(fan_in)``.

``BatchNorm1d(dim, eps=1e-5, momentum=0.1)``: batch normalisation of x of shape (N, dim) over the batch
axis (axis 0), with PyTorch's conventions:

* attributes ``gamma`` (ones) and ``beta`` (zeros), float32 tensors of shape (dim,) with
  ``requires_grad=True``; ``running_mean`` (zeros) and ``running_var`` (ones), shape (dim,), no grad;
  ``eps``, ``momentum``, and ``training`` (``True`` after construction; the grader sets it to ``False``
  for evaluation);
* ``parameters()`` returns ``[gamma, beta]``;
* ``bn(x)`` (``__call__``) in training mode normalises with the batch mean and the BIASED batch variance
  (divide by N): ``x_hat = (x - mean) / sqrt(var + eps)``, returns ``gamma * x_hat + beta``, and updates,
  without tracking gradients, ``running_mean = (1 - momentum) * running_mean + momentum * mean`` and
  ``running_var = (1 - momentum) * running_var + momentum * var_unbiased`` (the running variance uses the
  UNBIASED batch variance, divide by N - 1, as PyTorch does);
* in evaluation mode (``training == False``) it normalises with ``running_mean`` and ``running_var``
  instead and leaves them unchanged;
* gradients must flow from the output to ``x``, ``gamma`` and ``beta`` (use differentiable tensor
  operations; do not detach the batch statistics).

The grader also runs the layer on its device (a GPU when there is one), moving gamma, beta and the running
statistics there as ``Module.to`` would: in ``__call__``, create every tensor on x's device
(``device=x.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Tolerances: the initial weights are compared with the grader's own draw with rtol=1e-5; batch-norm
outputs, running statistics and gradients with PyTorch's with rtol=1e-4, atol=1e-5. Behaviour checks: in an
8-layer tanh network of width 100 built with your init and the tanh gain, the pre-activations of layers 2
to 8 have a standard deviation between 0.9 and 1.3; with your batch norm after every linear layer (in
training mode) every pre-activation feature has mean 0 (within 1e-3) and standard deviation 1 (within 1e-2),
even when the weights are scaled badly.
"""

from __future__ import annotations

import torch


def tanh_gain() -> float:
    raise NotImplementedError("write tanh_gain")


def kaiming_init(fan_in: int, fan_out: int, gain: float, generator: torch.Generator) -> torch.Tensor:
    raise NotImplementedError("write kaiming_init")


class BatchNorm1d:
    def __init__(self, dim: int, eps: float = 1e-5, momentum: float = 0.1):
        raise NotImplementedError("write BatchNorm1d.__init__")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write BatchNorm1d.__call__")

    def parameters(self) -> list[torch.Tensor]:
        raise NotImplementedError("write BatchNorm1d.parameters")
