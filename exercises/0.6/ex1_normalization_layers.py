"""Exercise 0.6.1: batch, layer, group and instance normalization from basic tensor operations.

Write the four functions below so that they give the same outputs (and, through autograd, the same
gradients) as their ``torch.nn.functional`` counterparts. The library routines are off-limits while your
code runs, because the grader uses them as the reference: ``F.batch_norm``, ``F.layer_norm``,
``F.group_norm``, ``F.instance_norm``, ``torch.batch_norm``, ``torch.layer_norm``, ``torch.group_norm``,
``torch.instance_norm``, ``torch.native_batch_norm``, ``torch.native_layer_norm``,
``torch.native_group_norm`` and the ``nn.BatchNorm*d`` / ``nn.LayerNorm`` / ``nn.GroupNorm`` /
``nn.InstanceNorm*d`` modules. Means, variances (``x.mean``, ``x.var``, ``torch.var_mean``), ``sqrt``,
``rsqrt``, ``reshape`` and friends are all fine.

Shapes. ``x`` is a float32 tensor of shape ``(N, C, *)`` for batch, group and instance norm, where ``*``
is zero or more spatial dimensions (``(N, C)``, ``(N, C, L)``, ``(N, C, H, W)``). ``weight`` (gamma) and
``bias`` (beta) are always given. Every function returns a tensor of the same shape as ``x``, and must
be built from differentiable operations (no ``.item()``, ``.numpy()`` or ``.detach()`` on the path from
``x``, ``weight`` and ``bias`` to the output): the grader back-propagates through it.

Common rule: ``y = (x - mean) / sqrt(var + eps) * weight + bias``, where ``var`` is the BIASED variance
(divide by the number of elements, ``unbiased=False`` / ``correction=0``) and ``eps`` is added INSIDE
the square root. The functions differ only in which elements share a mean and a variance:

* ``batch_norm``: one mean/variance per channel, over the batch AND every spatial position
  (dims 0, 2, 3, ...). ``weight``/``bias`` have shape ``(C,)``.

  - ``training=True``: normalize with the statistics of this batch, then update the running statistics
    IN PLACE (``running_mean.mul_(...)``/``copy_(...)``, under ``torch.no_grad()`` or on detached values):
    ``running = (1 - momentum) * running + momentum * batch_statistic``. The running variance is fed
    the UNBIASED batch variance (divide by ``n - 1`` where ``n`` is the number of elements per
    channel), while the normalization itself uses the biased one. This is exactly what
    ``F.batch_norm`` does.
  - ``training=False``: normalize with ``running_mean`` and ``running_var`` (shape ``(C,)``) and leave
    them untouched.

* ``layer_norm``: one mean/variance per sample over the LAST ``len(normalized_shape)`` dimensions,
  where ``normalized_shape`` is a tuple equal to ``x.shape[-len(normalized_shape):]``; ``weight`` and
  ``bias`` have shape ``normalized_shape``. ``x`` may have any number of leading dimensions.

* ``group_norm``: the ``C`` channels are split into ``num_groups`` groups of CONSECUTIVE channels
  (group 0 is channels ``0 .. C/G - 1``, group 1 the next ``C/G`` channels, ...); one mean/variance per
  sample and group, over the group's channels and all spatial positions. ``weight``/``bias`` have shape
  ``(C,)`` and are applied per CHANNEL, after normalizing. ``C`` is divisible by ``num_groups``.

* ``instance_norm``: one mean/variance per sample and channel, over the spatial positions only
  (``x`` has at least one spatial dimension). ``weight``/``bias`` have shape ``(C,)``. No running
  statistics.

Tolerances: outputs, gradients and running statistics are compared with ``rtol=1e-4, atol=1e-5``
(``atol=1e-4`` for one input of tiny activations), float32 inputs; a float64 implementation passes too.
"""

from __future__ import annotations

import torch


def batch_norm(
    x: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Batch normalization of ``x`` (N, C, *); updates ``running_mean``/``running_var`` in place when
    ``training`` is true, and uses them (without changing them) when it is false."""
    raise NotImplementedError("write batch_norm")


def layer_norm(
    x: torch.Tensor,
    normalized_shape: tuple[int, ...],
    weight: torch.Tensor,
    bias: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Layer normalization over the last ``len(normalized_shape)`` dimensions of ``x``."""
    raise NotImplementedError("write layer_norm")


def group_norm(
    x: torch.Tensor,
    num_groups: int,
    weight: torch.Tensor,
    bias: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Group normalization of ``x`` (N, C, *) with ``num_groups`` groups of consecutive channels."""
    raise NotImplementedError("write group_norm")


def instance_norm(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Instance normalization of ``x`` (N, C, *spatial): per sample and channel, over space."""
    raise NotImplementedError("write instance_norm")
