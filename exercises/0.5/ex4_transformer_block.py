"""Exercise 0.5.4: a complete transformer (encoder) block, pre-norm and post-norm.

Write ``TransformerBlock``: multi-head self-attention and a position-wise feed-forward network, each wrapped
in a residual connection and a layer norm, in either of the two placements. ``nn.TransformerEncoderLayer``,
``nn.TransformerEncoder``, ``nn.TransformerDecoderLayer`` and ``nn.Transformer`` are off-limits while your
code runs (the grader uses ``nn.TransformerEncoderLayer`` as the reference). Everything else is allowed:
``nn.Linear``, ``nn.LayerNorm``, ``F.gelu``, and for the attention either your ``MultiHeadAttention`` from
exercise 0.5.2 (paste it in) or ``nn.MultiheadAttention(d_model, nhead, batch_first=True)``. This exercise
is about how the pieces are put together.

The grader builds ``nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0,
activation=..., layer_norm_eps=..., batch_first=True, norm_first=...)`` with random weights, copies them
into your block with ``block.load_state_dict(reference.state_dict())`` (strict), and compares outputs and
gradients.

``TransformerBlock(d_model, nhead, dim_feedforward, norm_first=False, activation="relu", layer_norm_eps=1e-5)``
has exactly these parameters (the names of ``nn.TransformerEncoderLayer``):

* ``self_attn.in_proj_weight`` ``(3 * d_model, d_model)`` (``W_q``, ``W_k``, ``W_v`` stacked in that order),
  ``self_attn.in_proj_bias`` ``(3 * d_model,)``, ``self_attn.out_proj.weight`` ``(d_model, d_model)``,
  ``self_attn.out_proj.bias`` ``(d_model,)``: multi-head self-attention exactly as in exercise 0.5.2
  (``head_dim = d_model // nhead``, scores scaled by ``1 / sqrt(head_dim)``, heads split in contiguous
  blocks of ``head_dim`` features);
* ``linear1`` ``(d_model -> dim_feedforward)`` and ``linear2`` ``(dim_feedforward -> d_model)``, with biases:
  ``FF(h) = linear2(act(linear1(h)))`` where ``act`` is ReLU for ``activation="relu"`` and the exact
  (erf) GELU for ``activation="gelu"`` (``F.gelu(h)``, not the tanh approximation);
* ``norm1`` and ``norm2``: ``nn.LayerNorm(d_model, eps=layer_norm_eps)`` with weight and bias. ``norm1``
  belongs to the attention sub-layer and ``norm2`` to the feed-forward sub-layer, in both placements.

There is no dropout. With ``SA`` the self-attention:

* post-norm (``norm_first=False``, the original Transformer)::

      x = norm1(x + SA(x))
      x = norm2(x + FF(x))

* pre-norm (``norm_first=True``, GPT-2 and most modern models)::

      x = x + SA(norm1(x))
      x = x + FF(norm2(x))

  The residual adds the *un-normalised* ``x``; there is no final layer norm inside the block.

``forward(x, key_padding_mask=None, causal=False)``:

* ``x`` is **batch first**, ``(B, T, d_model)``; return a tensor of the same shape.
* ``key_padding_mask``: ``None`` or a boolean ``(B, T)`` tensor, ``True`` at **padding** positions, which no
  position may attend to (the convention of ``src_key_padding_mask``). Outputs *at* padding positions are
  not checked.
* ``causal=True``: position ``i`` attends only to positions ``j <= i``.

Gradients must reach every parameter and ``x``.

Tolerance: outputs and gradients are compared with ``rtol=1e-4`` and ``atol=1e-5`` (float32).

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch
from torch import nn


class TransformerBlock(nn.Module):
    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int,
        norm_first: bool = False,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
    ):
        super().__init__()
        raise NotImplementedError("write TransformerBlock.__init__")

    def forward(
        self, x: torch.Tensor, key_padding_mask: torch.Tensor | None = None, causal: bool = False
    ) -> torch.Tensor:
        """Return the block's output, of the shape of ``x`` ``(B, T, d_model)``."""
        raise NotImplementedError("write TransformerBlock.forward")
