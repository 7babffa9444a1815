"""Exercise 1.2.5: AWQ's activation-aware scale search (Lin et al., 2023).

A few input channels of a linear layer carry much larger activations than the rest ("salient"
channels); their weights matter most for the output. AWQ protects them without mixed precision: it
multiplies weight column ``j`` by ``s_j > 1`` before quantizing and divides it back afterwards (in a real
model the ``1 / s_j`` is folded into the previous operator), so the salient weights use the grid more
finely. The scales come from the per-channel activation magnitude raised to a power alpha, and alpha
is chosen by a grid search that minimises the layer's OUTPUT error on calibration data.

Shapes: ``W`` is (out_features, in_features), the layer computes ``y = X @ W.T``; ``X`` is
(..., in_features), flattened to (n, in_features) for every statistic.

1. ``quantize_groupwise(W, bits=4, group_size=32)``: fake-quantize (quantize, then dequantize) ``W`` with
   one grid per group of ``group_size`` CONSECUTIVE input columns of each row (``W.reshape(out, in //
   group_size, group_size)``; ``in_features`` is a multiple of ``group_size``). Each group uses the
   asymmetric scheme of exercise 1.1.1 with ``b`` bits: ``lo = min(group.min(), 0)``,
   ``hi = max(group.max(), 0)``, ``maxq = 2 ** bits - 1``, ``scale = (hi - lo) / maxq``,
   ``zero = round(-lo / scale)`` clamped to [0, maxq] (``scale = 1``, ``zero = 0`` if ``hi == lo``);
   ``w_hat = (clamp(round(w / scale) + zero, 0, maxq) - zero) * scale``. Return float32, ``W``'s shape.

2. ``activation_magnitude(X)``: the mean absolute activation of every input channel over all tokens,
   ``X.reshape(-1, in).abs().mean(0)``, shape (in_features,), float32. (AWQ uses the MEAN magnitude.)

3. ``awq_search(W, X, bits=4, group_size=32, n_grid=20) -> (alpha, scales, W_eff)``. With
   ``s_x = activation_magnitude(X)``, for ``alpha = i / n_grid``, ``i = 0, 1, ..., n_grid - 1`` (so
   alpha = 0, plain round-to-nearest, is a candidate and alpha = 1 is not):

   * ``s = clamp(s_x ** alpha, min=1e-4)``, then normalise ``s = s / sqrt(s.max() * s.min())``;
   * ``W_eff = quantize_groupwise(W * s, bits, group_size) / s`` (``s`` multiplies and divides the
     COLUMNS, i.e. broadcast as ``s[None, :]``);
   * ``err = mean((X W^T - X W_eff^T) ** 2)`` over all (n, out_features) outputs.

   Keep the alpha with the smallest error (the first one on an exact tie) and return it as a Python
   float, with its scales (float32, (in_features,)) and its ``W_eff`` (float32, ``W``'s shape).

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=x.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Tolerances: group quantization rtol 1e-5 (atol 1e-7); magnitudes and scales rtol 1e-5; alpha exactly (the
grader's data has a clear best alpha); the output error of ``W_eff`` rtol 1e-3. The chosen alpha must
beat round-to-nearest clearly on data with salient channels.
"""

from __future__ import annotations

import torch


def quantize_groupwise(W: torch.Tensor, bits: int = 4, group_size: int = 32) -> torch.Tensor:
    """Fake-quantized W: one asymmetric grid per group of consecutive input columns of each row."""
    raise NotImplementedError("write quantize_groupwise")


def activation_magnitude(X: torch.Tensor) -> torch.Tensor:
    """Mean |x| per input channel over all tokens: (in_features,) float32."""
    raise NotImplementedError("write activation_magnitude")


def awq_search(
    W: torch.Tensor, X: torch.Tensor, bits: int = 4, group_size: int = 32, n_grid: int = 20
) -> tuple[float, torch.Tensor, torch.Tensor]:
    """Grid-search alpha; return (best alpha, its per-column scales, the fake-quantized W_eff)."""
    raise NotImplementedError("write awq_search")
