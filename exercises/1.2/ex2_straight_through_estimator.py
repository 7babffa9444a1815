"""Exercise 1.2.2: fake quantization with a straight-through estimator (STE), for QAT.

Quantization-aware training inserts "fake quantization" into the forward pass: quantize, then
immediately dequantize, so the network sees the rounding error while every tensor stays float. The
derivative of ``round`` is zero almost everywhere, which would stop all learning; the straight-through
estimator pretends that rounding is the identity in the backward pass, but keeps the clamp: where the
value was clipped to the integer range, the gradient is zero.

Implement ``FakeQuantSTE``, a ``torch.autograd.Function`` with static ``forward`` and ``backward``, and
the wrapper ``fake_quantize`` that calls ``FakeQuantSTE.apply``:

* ``forward(ctx, x, scale, zero_point, qmin, qmax)``: ``scale`` is a Python float, ``zero_point``,
  ``qmin``, ``qmax`` Python ints. With ``c = round(x / scale) + zero_point`` (round-half-to-even, as
  ``torch.round``), return ``(clamp(c, qmin, qmax) - zero_point) * scale``, a tensor of ``x``'s shape and
  dtype (the dequantized values, not the integer codes).
* ``backward(ctx, grad_output)``: the gradient with respect to ``x`` is ``grad_output`` where
  ``qmin <= c <= qmax`` (judged on the ROUNDED value ``c``, so 127.3 with qmax = 127 passes, 127.6 does
  not) and 0 where ``c`` was clamped. Return ``None`` for the four non-tensor arguments. Save what you
  need with ``ctx.save_for_backward`` (tensors) or as ``ctx`` attributes.
* ``fake_quantize(x, scale, zero_point=0, qmin=-128, qmax=127)`` returns ``FakeQuantSTE.apply(...)``.

This is the behaviour of ``torch.fake_quantize_per_tensor_affine``, which is off-limits while your code
runs (the grader uses it as the reference), along with the other ``torch.*fake_quantize*`` functions and
``torch.quantize_per_tensor``.

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=x.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Tolerances: forward values and gradients exactly up to float rounding (rtol 1e-6, atol 1e-7); a short
QAT run must follow the reference run to rtol 1e-5.
"""

from __future__ import annotations

import torch


class FakeQuantSTE(torch.autograd.Function):
    """Quantize-dequantize in forward; straight-through (clipped) gradient in backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, scale: float, zero_point: int, qmin: int, qmax: int) -> torch.Tensor:
        raise NotImplementedError("write FakeQuantSTE.forward")

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        raise NotImplementedError("write FakeQuantSTE.backward")


def fake_quantize(x: torch.Tensor, scale: float, zero_point: int = 0, qmin: int = -128, qmax: int = 127) -> torch.Tensor:
    """``FakeQuantSTE.apply(x, scale, zero_point, qmin, qmax)``."""
    raise NotImplementedError("write fake_quantize")
