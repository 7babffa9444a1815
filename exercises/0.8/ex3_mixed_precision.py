"""Exercise 0.8.3: a mixed-precision training step with torch.autocast and a GradScaler.

Mixed precision runs the forward pass in a 16-bit type where it is safe (matmuls, convolutions) and keeps
the master weights, the gradients and the optimizer in float32. float16 has a narrow exponent range, so
on CUDA small gradients underflow to zero unless the loss is multiplied by a large factor before
``backward`` and the gradients divided by it again before the optimizer uses them: that is the
``GradScaler``'s job, and it also SKIPS any step whose gradients came out inf/NaN and lowers its scale.
bfloat16 has float32's exponent range and needs no scaling; it is the type CPU autocast supports best.
Your code is graded on whatever device the grader runs on (CUDA if present, else the CPU).

1. ``amp_settings(device_type: str) -> tuple[torch.dtype, bool]``: ``(autocast dtype, use a GradScaler)``.
   ``"cuda"`` -> ``(torch.float16, True)``; any other type (``"cpu"``, ``"mps"``) -> ``(torch.bfloat16, False)``.

2. ``make_scaler(device: torch.device) -> torch.amp.GradScaler``: a scaler for ``device.type`` that is
   enabled exactly when ``amp_settings`` says so (a disabled scaler passes everything through unchanged).

3. ``train_step(model, x, y, loss_fn, optimizer, scaler, device, max_grad_norm=None) -> float``: one
   optimizer step. ``model``, ``x`` and ``y`` are already on ``device``. In order:

   * clear the old gradients (``optimizer.zero_grad()``);
   * run the forward pass AND the loss under ``torch.autocast(device_type=device.type, dtype=...)`` with
     the dtype from ``amp_settings``; do not cast the model or the inputs yourself (the parameters must
     stay float32);
   * back-propagate the SCALED loss, ``scaler.scale(loss).backward()``, outside the autocast block;
   * if ``max_grad_norm`` is not ``None``: ``scaler.unscale_(optimizer)`` first, then
     ``torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)`` (clipping must see the true
     gradients);
   * ``scaler.step(optimizer)`` (never ``optimizer.step()`` directly: the scaler unscales the gradients
     and skips the step when they are not finite), then ``scaler.update()``;
   * return the UNSCALED loss as a Python float.

   Always go through the ``scaler`` you are given, enabled or not: the grader also passes an ENABLED
   scaler on the CPU to check that the scaling protocol is followed.

Tolerance: parameter updates are compared with a reference step using ``rtol=0.05`` plus an absolute
slack of 5% of the largest update (16-bit arithmetic); the returned loss with ``rtol=0.02``; dtypes
and the scaler's scale exactly.
"""

from __future__ import annotations

import torch


def amp_settings(device_type: str) -> tuple[torch.dtype, bool]:
    """The autocast dtype for ``device_type`` and whether loss scaling is needed."""
    raise NotImplementedError("write amp_settings")


def make_scaler(device: torch.device) -> torch.amp.GradScaler:
    """A GradScaler for ``device``, enabled only where float16 autocast needs it (CUDA)."""
    raise NotImplementedError("write make_scaler")


def train_step(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn,
    optimizer: torch.optim.Optimizer,
    scaler: torch.amp.GradScaler,
    device: torch.device,
    max_grad_norm: float | None = None,
) -> float:
    """One mixed-precision optimizer step; returns the unscaled loss."""
    raise NotImplementedError("write train_step")
