"""Exercise 0.7.5: the attention maps of a tiny GPT: causal, every row a probability distribution.

An attention map shows, for each head, how much query position t attends to key position s. In a GPT
(decoder) it must be causal, ``att[t, s] = 0`` for ``s > t``, and each row must sum to 1. You will compute
the maps, return them from a multi-head causal self-attention layer, and summarise each head by how far back
it looks.

Off-limits while your code runs: ``torch.nn.functional.scaled_dot_product_attention``,
``torch.nn.MultiheadAttention`` and ``torch.nn.functional.multi_head_attention_forward`` (the grader uses
``nn.MultiheadAttention`` as the reference).

* ``causal_attention_weights(q, k) -> Tensor (B, H, T, T)``: q and k are (B, H, T, hs). Scores
  ``q @ k.transpose(-2, -1) / sqrt(hs)`` (hs = the head size, the last dim of q); set the scores of future
  keys (s > t) to ``-inf`` BEFORE the softmax; softmax over the last axis (over keys s). Position t may
  attend to itself.
* ``CausalSelfAttention(n_embd, n_head)`` (an ``nn.Module``, ``n_embd`` divisible by ``n_head``), in
  nanoGPT's layout:

  - ``self.c_attn = nn.Linear(n_embd, 3 * n_embd)`` (bias on) and ``self.c_proj = nn.Linear(n_embd,
    n_embd)`` (bias on), ``self.n_head = n_head``;
  - ``forward(x)`` with x of shape (B, T, C), C = n_embd, returns a tuple ``(y, att)``:
    ``q, k, v = self.c_attn(x).split(n_embd, dim=2)`` (in this order), each reshaped to
    (B, T, n_head, hs) and transposed to (B, n_head, T, hs) with hs = C // n_head (head h takes channels
    ``h * hs`` to ``(h + 1) * hs - 1``); ``att = causal_attention_weights(q, k)``;
    ``y = att @ v`` re-assembled to (B, T, C) (heads concatenated in order) and passed through
    ``c_proj``. ``att`` is returned as computed, shape (B, n_head, T, T); no dropout.
* ``mean_attention_distance(att) -> Tensor (H,)``: for att of shape (B, H, T, T), how far back each head
  looks on average: ``sum_s att[b, h, t, s] * (t - s)``, averaged over the batch b and over all query
  positions t = 0..T-1. (A head that always attends to the previous token scores close to 1; uniform causal
  attention scores (T - 1) / 4.)

Tolerances: maps and outputs are compared with the reference with rtol=1e-4, atol=1e-5; the future part of
every map must be exactly 0 and every row must sum to 1 within 1e-5; distances with rtol=1e-4.
"""

from __future__ import annotations

import torch
from torch import nn


def causal_attention_weights(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write causal_attention_weights")


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd: int, n_head: int):
        super().__init__()
        raise NotImplementedError("write CausalSelfAttention.__init__")

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError("write CausalSelfAttention.forward")


def mean_attention_distance(att: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write mean_attention_distance")
