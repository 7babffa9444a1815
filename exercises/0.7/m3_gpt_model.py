"""Milestone 0.7.m3: GPT-2 small, exactly, and a tiny one trained the way nanoGPT trains it.

Write a GPT-2 architecture in PyTorch (``nn.Linear``, ``nn.Embedding``, ``nn.LayerNorm``, ``nn.GELU``,
``F.scaled_dot_product_attention`` and ``torch.optim.AdamW`` are all allowed), plus the two pieces of the
training recipe that go with it: AdamW parameter groups with selective weight decay, and the
warmup-then-cosine learning-rate schedule.

``GPTConfig`` (given): ``block_size``, ``vocab_size``, ``n_layer``, ``n_head``, ``n_embd``; the defaults
are GPT-2 small. Parameter names follow GPT-2/nanoGPT exactly (C = n_embd; every Linear and LayerNorm
has a bias unless said otherwise; no dropout):

* ``CausalSelfAttention``: ``c_attn = Linear(C, 3C)`` giving q, k, v in that order, ``c_proj =
  Linear(C, C)``; ``n_head`` heads of size C // n_head (head h uses channels h*hs .. (h+1)*hs - 1),
  scores scaled by 1/sqrt(head size), causal mask (position t sees positions <= t), softmax over keys,
  heads concatenated in order, then ``c_proj``. (B, T, C) -> (B, T, C).
* ``MLP``: ``c_fc = Linear(C, 4C)``, GELU with the TANH approximation, ``c_proj = Linear(4C, C)``.
* ``Block``: ``ln_1``, ``attn``, ``ln_2``, ``mlp``, PRE-norm: ``x = x + attn(ln_1(x))``;
  ``x = x + mlp(ln_2(x))``.
* ``GPT``: ``self.transformer = nn.ModuleDict(dict(wte=Embedding(vocab_size, C), wpe=Embedding(block_size,
  C), h=ModuleList of n_layer Blocks, ln_f=LayerNorm(C)))`` and ``self.lm_head = Linear(C, vocab_size,
  bias=False)`` TIED to ``wte`` (``self.transformer.wte.weight = self.lm_head.weight``: one parameter).
  GPT-2 small then has exactly 124,439,808 parameters.

  - Init (GPT-2's): Linear and Embedding weights ~ N(0, 0.02) (``c_proj`` may use 0.02 / sqrt(2 *
    n_layer)), Linear biases 0, LayerNorms default. ``GPT(config)`` must work under
    ``with torch.device("meta"):`` (the grader counts GPT-2 small's parameters that way without
    allocating memory): create tensors only through modules and in-place ``nn.init`` calls, no ``.item()``,
    no explicit ``device=``.
  - ``forward(idx, targets=None) -> (logits, loss)``: idx (B, T) int64, T <= block_size; token plus
    LEARNED position embedding (positions 0..T-1), blocks, ``ln_f``, ``lm_head``; logits (B, T,
    vocab_size) for every position; ``loss`` = mean cross-entropy over all B*T positions, or ``None``.
  - ``generate(idx, max_new_tokens, temperature=1.0, top_k=None, generator=None)`` under
    ``torch.no_grad()``: repeatedly crop to the last ``block_size`` tokens, take the last position's
    logits, divide by ``temperature``, keep only the ``top_k`` largest (others ``-inf``) when top_k is
    given, softmax, ``torch.multinomial(probs, 1, generator=generator)``, append. Returns (B, T +
    max_new_tokens), the prompt first.
  - ``configure_optimizers(weight_decay, learning_rate, betas=(0.9, 0.95)) -> torch.optim.AdamW`` with
    exactly two parameter groups, in this order: group 0 holds every parameter with ``p.dim() >= 2``
    (Linear weights and embeddings: the tied matrix ONCE) with ``weight_decay``; group 1 holds every
    parameter with ``p.dim() < 2`` (biases, LayerNorm weights and biases) with ``weight_decay=0.0``;
    within a group, parameters in ``named_parameters()`` order; ``lr=learning_rate``, ``betas=betas``.

``get_lr(step, max_lr, min_lr, warmup_steps, max_steps) -> float`` (nanoGPT's schedule): for
``step < warmup_steps``, ``max_lr * (step + 1) / warmup_steps``; for ``step > max_steps``, ``min_lr``;
otherwise, with ``ratio = (step - warmup_steps) / (max_steps - warmup_steps)``,
``min_lr + 0.5 * (1 + cos(pi * ratio)) * (max_lr - min_lr)``.

The grader checks: the parameter count of ``GPT(GPTConfig())`` built on the meta device (exactly
124,439,808, the head tied); logits against its own functional GPT-2 loaded with your weights
(rtol=atol=1e-4) on a tiny config; causality by perturbing one token; the loss at init within 0.1 of
ln(vocab_size) (vocab 512); the optimiser groups and the schedule (rel. 1e-9); a tiny model (2 layers,
n_embd 32, vocab 32, block 16) trained with YOUR ``configure_optimizers(0.0, 1e-2)`` reaching a loss
below 0.1 on one batch of 4 sequences within 150 steps; and ``generate`` only ever drawing among the
top k of your logits.
"""

from __future__ import annotations

import math  # noqa: F401
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F  # noqa: F401


@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50257
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        raise NotImplementedError("write CausalSelfAttention.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write CausalSelfAttention.forward")


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        raise NotImplementedError("write MLP.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write MLP.forward")


class Block(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        raise NotImplementedError("write Block.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("write Block.forward")


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        raise NotImplementedError("write GPT.__init__")

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        raise NotImplementedError("write GPT.forward")

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None):
        raise NotImplementedError("write GPT.generate")

    def configure_optimizers(self, weight_decay: float, learning_rate: float, betas=(0.9, 0.95)):
        raise NotImplementedError("write GPT.configure_optimizers")


def get_lr(step: int, max_lr: float, min_lr: float, warmup_steps: int, max_steps: int) -> float:
    raise NotImplementedError("write get_lr")
