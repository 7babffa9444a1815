"""Exercise 1.2.6: SmoothQuant's smoothing factors, the alpha trade-off, and W8A8 error (Xiao et al., 2023).

LLM activations have a few input channels with huge magnitudes (outliers), so quantizing activations
to INT8 with one scale per tensor wastes almost the whole grid on them; weights are easy to quantize.
SmoothQuant migrates the difficulty: divide activation channel ``j`` by ``s_j`` and multiply weight
column ``j`` by the same ``s_j``. The product is mathematically unchanged, ``(X / s)(W * s)^T = X W^T``,
but both factors are now moderate. ``alpha`` sets how much difficulty moves to the weights:

    s_j = max(|X_j|) ** alpha / max(|W_j|) ** (1 - alpha)

where ``max(|X_j|)`` is over all tokens of input channel ``j`` and ``max(|W_j|)`` over all output rows of
weight column ``j``. Shapes: ``X`` (..., in_features), flattened to (n, in_features); ``W``
(out_features, in_features) as in ``nn.Linear``; the layer is ``y = X @ W.T``.

Implement:

``smoothing_factors(X, W, alpha=0.5)``: ``s`` of shape (in_features,), float32, as above, where both
maxima are first clamped to at least 1e-5 and ``s`` itself is clamped to at least 1e-5 (as in the
SmoothQuant code).

``smooth(X, W, s) -> (X_s, W_s)``: ``X_s = X / s`` (along the last dimension of X) and ``W_s = W * s``
(along the COLUMNS of W, ``s[None, :]``).

``w8a8_matmul(X, W)``: simulate an INT8 x INT8 linear layer with the symmetric scheme of exercise 1.1.1
(round-half-to-even, clamp to [-128, 127], zero-point 0, scale 1.0 for an all-zero tensor or row):
activations per TENSOR, ``sx = max(|X|) / 127``; weights per OUTPUT CHANNEL, ``sw[r] = max(|W[r]|) /
127``. Multiply the integer codes exactly (int32/int64 accumulation, or float64, which is exact at these
sizes), then rescale: ``Y[i, r] = acc[i, r] * sx * sw[r]``. Return float32 (n, out_features).

``smoothquant_error(X, W, alpha=None)``: the MSE ``mean((X W^T - Y_q) ** 2)`` (a Python float) where ``Y_q``
is ``w8a8_matmul(X, W)`` when ``alpha is None`` (naive W8A8), and ``w8a8_matmul(*smooth(X, W, s))`` with
``s = smoothing_factors(X, W, alpha)`` otherwise. Compute the exact product ``X W^T`` in float64.

Off-limits: ``torch.quantize_per_tensor``, ``torch.quantize_per_channel`` and the ``torch.fake_quantize_*``
functions (the grader uses them).

The grader runs your code on its device (a GPU when there is one): create every tensor on the input's
device (``device=x.device`` or ``torch.*_like``), and never hard-code ``"cuda"``.

Tolerances: factors and smoothed tensors rtol 1e-5; ``(X_s)(W_s)^T`` equals ``X W^T`` to rtol 1e-4;
``w8a8_matmul`` rtol 1e-5 (atol 1e-6); errors rtol 1e-4.
"""

from __future__ import annotations

import torch


def smoothing_factors(X: torch.Tensor, W: torch.Tensor, alpha: float = 0.5) -> torch.Tensor:
    """s_j = max|X_j|^alpha / max|W_j|^(1 - alpha), per input channel j, float32 (in_features,)."""
    raise NotImplementedError("write smoothing_factors")


def smooth(X: torch.Tensor, W: torch.Tensor, s: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (X / s, W * s) with s on X's last dimension and W's columns."""
    raise NotImplementedError("write smooth")


def w8a8_matmul(X: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """INT8 activations (per tensor) times INT8 weights (per output channel), rescaled: float32 (n, out)."""
    raise NotImplementedError("write w8a8_matmul")


def smoothquant_error(X: torch.Tensor, W: torch.Tensor, alpha: float | None = None) -> float:
    """Output MSE of W8A8 without smoothing (alpha None) or after smoothing with this alpha."""
    raise NotImplementedError("write smoothquant_error")
