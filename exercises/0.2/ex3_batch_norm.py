"""Exercise 0.2.3: batch normalisation from scratch: forward, backward and running statistics.

Match ``torch.nn.BatchNorm1d`` for 2-D inputs ``x`` of shape ``(N, D)`` (``torch.float64`` in the
grader), normalising each feature (column) over the batch (dim 0).

``batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5)``
returns ``(out, cache, new_running_mean, new_running_var)``:

* training mode (``training=True``): ``mu = mean(x, dim=0)``, ``var`` = the *biased* batch variance
  (divide by ``N``), ``x_hat = (x - mu) / sqrt(var + eps)`` (eps inside the square root),
  ``out = gamma * x_hat + beta``. The running statistics move towards the batch's:
  ``new_running_mean = (1 - momentum) * running_mean + momentum * mu`` and
  ``new_running_var = (1 - momentum) * running_var + momentum * var_unbiased`` where
  ``var_unbiased = var * N / (N - 1)`` (PyTorch keeps the *unbiased* variance in its running estimate
  while normalising with the biased one). ``cache`` holds whatever your backward needs.
* evaluation mode (``training=False``): normalise with the running statistics instead,
  ``x_hat = (x - running_mean) / sqrt(running_var + eps)``; the running statistics are returned
  unchanged and ``cache`` may be ``None``.

``gamma``, ``beta``, ``running_mean`` and ``running_var`` have shape ``(D,)``. Return new tensors; do
not rely on changing the arguments in place.

``batchnorm_backward(dout, cache) -> (dx, dgamma, dbeta)``: the gradients of a loss with respect to
``x``, ``gamma`` and ``beta`` given ``dout = dL/dout`` (shape ``(N, D)``), for a training-mode forward.
Remember that ``mu`` and ``var`` depend on every row of ``x``: ``dx`` has three terms, not one.

Off-limits while your code runs (the grader uses them as the reference): ``F.batch_norm``,
``torch.batch_norm``, ``torch.native_batch_norm``, ``nn.BatchNorm1d``, and autograd
(``Tensor.backward``, ``torch.autograd.grad``). ``mean``, ``var``, ``sum`` and ``sqrt`` are fine.

Tolerance: everything within ``rtol=1e-6, atol=1e-8`` of ``nn.BatchNorm1d`` and autograd (float64).

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def batchnorm_forward(
    x: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[torch.Tensor, object, torch.Tensor, torch.Tensor]:
    """Return ``(out, cache, new_running_mean, new_running_var)``."""
    raise NotImplementedError("write batchnorm_forward")


def batchnorm_backward(dout: torch.Tensor, cache: object) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return ``(dx, dgamma, dbeta)`` for a training-mode forward pass."""
    raise NotImplementedError("write batchnorm_backward")
