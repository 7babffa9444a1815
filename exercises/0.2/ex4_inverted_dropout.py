"""Exercise 0.2.4: inverted dropout, forward and backward.

``dropout(x, p, training, generator) -> (out, mask)`` for a floating-point tensor ``x`` of any shape:

* training mode (``training=True``) with ``0 < p < 1``: drop each element *independently* with
  probability ``p`` (keep it with probability ``1 - p``) and scale the kept ones by ``1 / (1 - p)``, so
  that the expected value of every element is unchanged. ``mask`` is that scaled mask, a tensor of the
  same shape and dtype as ``x`` holding ``0`` (dropped) or ``1 / (1 - p)`` (kept), and
  ``out = x * mask``.
* ``p == 0`` in training, or any ``p`` in evaluation mode (``training=False``): the identity,
  ``out`` equal to ``x`` and ``mask`` all ones. (This is why the scaling happens at training time:
  nothing needs to change at inference.)
* ``p == 1`` in training: everything is dropped, ``out`` and ``mask`` are all zeros (no NaN).

Randomness: draw *only* from ``generator`` (a ``torch.Generator`` on ``x``'s device), e.g.
``torch.rand(x.shape, generator=generator, device=x.device)`` or ``torch.bernoulli(..., generator=generator)``,
never from the global RNG, so that the same seed gives the same mask whatever else the program does. The
grader also runs your code on its device (a GPU where there is one): create the mask there. The grader does
not replay your draws: it checks the drop rate and the mean statistically (200,000 elements; margins
of about 10 standard deviations), that the same seed repeats the mask, and that different seeds differ.

``out`` must be differentiable with respect to ``x`` (build it from ``x`` with tensor operations): the
grader also checks that autograd's gradient of ``out.sum()`` is ``mask``.

``dropout_backward(dout, mask) -> dx``: the gradient with respect to ``x`` given ``dout = dL/dout``.

Off-limits while your code runs: ``F.dropout``, ``torch.dropout``, ``torch.native_dropout``,
``nn.Dropout`` (the point is to write it). Tolerance: values within ``rtol=1e-6``; statistics as above.
"""

from __future__ import annotations

import torch


def dropout(x: torch.Tensor, p: float, training: bool, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(out, mask)`` with ``out = x * mask``."""
    raise NotImplementedError("write dropout")


def dropout_backward(dout: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Return ``dL/dx`` given ``dL/dout`` and the mask from the forward pass."""
    raise NotImplementedError("write dropout_backward")
