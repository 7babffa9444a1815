"""Exercise 0.4.4: additive (Bahdanau) and multiplicative (Luong) attention for an encoder-decoder, with padding.

At each decoder step the decoder state ``query`` looks at all encoder outputs ``keys`` (which here also
serve as the values), scores each source position, turns the scores into weights with a softmax over
the source positions, and returns the weighted sum of the encoder outputs: the context vector.
Sentences in a batch have different lengths, so the shorter ones are padded; padded positions must get
no attention at all.

Shapes: ``query`` is ``(N, Dq)`` (one decoder step for a batch of N), ``keys`` is ``(N, S, Dk)`` (S source
positions), ``mask`` is ``None`` (every position is real) or a bool tensor ``(N, S)`` with **True at real
tokens and False at padding**; every row has at least one True. All float32.

Write

* ``lengths_to_mask(lengths, max_len) -> mask``: ``lengths`` is an int64 tensor ``(N,)``; return the bool
  ``(N, max_len)`` mask that is True at positions ``0 .. lengths[n] - 1`` of row n and False after.
* ``additive_attention(query, keys, W_q, W_k, v, mask=None) -> (context, weights)``: Bahdanau's score
  ``score[n, s] = v . tanh(W_q @ query[n] + W_k @ keys[n, s])`` with ``W_q`` of shape ``(A, Dq)``, ``W_k``
  ``(A, Dk)``, ``v`` ``(A,)`` (A is the attention size; no biases).
* ``multiplicative_attention(query, keys, W=None, mask=None) -> (context, weights)``: Luong's "general"
  score ``score[n, s] = query[n] @ W @ keys[n, s]`` with ``W`` of shape ``(Dq, Dk)``; with ``W=None`` it is
  the "dot" score ``query[n] . keys[n, s]`` (then Dq == Dk). No scaling by sqrt(Dk).

For both: ``weights[n] = softmax over s`` of the scores, where padded positions are left out: their weight
must be exactly 0 and the weights of every row sum to 1 (set their scores to ``-inf``, or to a very large
negative number, before the softmax). ``context[n] = sum_s weights[n, s] * keys[n, s]``. Return
``context`` of shape ``(N, Dk)`` and ``weights`` of shape ``(N, S)``.

Off-limits while your code runs (the grader uses the first as a reference):
``torch.nn.functional.scaled_dot_product_attention``, ``torch.nn.MultiheadAttention``,
``torch.nn.functional.multi_head_attention_forward``. ``torch.softmax`` / ``F.softmax`` are fine.

The grader also replaces the encoder outputs at padded positions with huge values and checks that
nothing changes (no NaN either). Tolerances: rtol = 1e-5, atol = 1e-6; padded weights must be exactly 0.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def lengths_to_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """Bool mask ``(N, max_len)``: True at real tokens, False at padding."""
    raise NotImplementedError("write lengths_to_mask")


def additive_attention(
    query: torch.Tensor,
    keys: torch.Tensor,
    W_q: torch.Tensor,
    W_k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(context (N, Dk), weights (N, S))`` with Bahdanau's scores."""
    raise NotImplementedError("write additive_attention")


def multiplicative_attention(
    query: torch.Tensor,
    keys: torch.Tensor,
    W: torch.Tensor | None = None,
    mask: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(context (N, Dk), weights (N, S))`` with Luong's general (or, W=None, dot) scores."""
    raise NotImplementedError("write multiplicative_attention")
