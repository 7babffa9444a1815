"""Exercise 0.5.2: multi-head attention, and the attention patterns it produces.

Write the module ``MultiHeadAttention`` with basic tensor operations and ``nn.Linear``.
``nn.MultiheadAttention``, ``F.multi_head_attention_forward`` and ``F.scaled_dot_product_attention`` are
off-limits while your code runs (the grader uses ``nn.MultiheadAttention`` as the reference). You may paste
your ``scaled_dot_product_attention`` from exercise 0.5.1 into this file and call it.

The grader builds ``nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)`` with random weights
and biases, copies them into your module with ``your_module.load_state_dict(reference.state_dict())``
(strict), and compares outputs, attention weights and gradients.

``MultiHeadAttention(embed_dim, num_heads)`` (``embed_dim`` is divisible by ``num_heads``;
``head_dim = embed_dim // num_heads``) has exactly these parameters, with these names and shapes:

* ``in_proj_weight``: ``(3 * embed_dim, embed_dim)``, the query, key and value projections stacked in that
  order: rows ``[0, E)`` are ``W_q``, rows ``[E, 2E)`` are ``W_k``, rows ``[2E, 3E)`` are ``W_v``;
* ``in_proj_bias``: ``(3 * embed_dim,)``, split the same way;
* ``out_proj``: an ``nn.Linear(embed_dim, embed_dim)`` (so ``out_proj.weight`` and ``out_proj.bias``).

Initialise them however you like; the grader overwrites them. There is no dropout.

``forward(query, key, value, key_padding_mask=None, causal=False, average_attn_weights=True)``:

* Inputs are **batch first**: ``query`` is ``(B, L, E)``, ``key`` and ``value`` are ``(B, S, E)``
  (self-attention passes the same tensor three times; cross-attention has ``L != S``).
* Projections are ``x @ W.T + b`` (what ``nn.Linear`` computes): ``Q = query @ W_q.T + b_q``,
  ``K = key @ W_k.T + b_k``, ``V = value @ W_v.T + b_v``.
* Heads: head ``h`` uses features ``[h * head_dim, (h + 1) * head_dim)`` of ``Q``, ``K`` and ``V``
  (``Q.view(B, L, num_heads, head_dim)``, then move the head axis before the sequence axis).
* Each head computes ``softmax(Q_h K_h^T / sqrt(head_dim)) V_h`` (scaled by the **head** width, not by
  ``embed_dim``), the softmax over the keys.
* The heads' outputs are concatenated back in head order to ``(B, L, E)`` and passed through ``out_proj``.
* ``key_padding_mask``: ``None`` or a boolean ``(B, S)`` tensor where ``True`` marks a **padding** key that
  no query may attend to. This is the convention of ``nn.MultiheadAttention`` (True = ignore), the
  opposite of the boolean mask of exercise 0.5.1 (True = keep).
* ``causal=True`` (self-attention only, ``L == S``): query ``i`` attends only to keys ``j <= i``.
* The grader never masks all the keys of a query.

Return a tuple ``(output, weights)``: ``output`` is ``(B, L, E)``; ``weights`` are the softmax attention
weights, **averaged over the heads**, shape ``(B, L, S)``, when ``average_attn_weights=True``, and **per
head**, shape ``(B, num_heads, L, S)``, when it is ``False`` (as ``nn.MultiheadAttention`` returns them).

Gradients must reach every parameter and the inputs (no ``.detach()``, no ``torch.no_grad()``).

Tolerance: outputs, weights and gradients are compared with ``rtol=1e-4`` and ``atol=1e-5`` (float32).

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim: int, num_heads: int):
        super().__init__()
        raise NotImplementedError("write MultiHeadAttention.__init__")

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        causal: bool = False,
        average_attn_weights: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(output (B, L, E), weights (B, L, S) or (B, num_heads, L, S))``."""
        raise NotImplementedError("write MultiHeadAttention.forward")
