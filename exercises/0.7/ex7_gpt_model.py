"""Exercise 0.7.7: a GPT (GPT-2 architecture) from scratch: attention, block, model, sampling.

Write the modules below in the layout of nanoGPT / GPT-2, so that parameter names and shapes are exactly
GPT-2's (a GPT-2 checkpoint could be loaded into it). ``torch.nn.Linear``, ``nn.Embedding``,
``nn.LayerNorm``, ``nn.GELU`` and ``F.scaled_dot_product_attention`` are all allowed.

``GPTConfig`` (given): ``block_size`` (maximum context), ``vocab_size``, ``n_layer``, ``n_head``,
``n_embd``; the defaults are GPT-2 small (124M).

Modules and parameter names (C = n_embd; every Linear and LayerNorm has a bias unless said otherwise):

* ``CausalSelfAttention(config)``: ``c_attn = nn.Linear(C, 3 * C)`` producing q, k, v in this order
  (``split(C, dim=2)``), ``c_proj = nn.Linear(C, C)``; ``n_head`` heads of size C // n_head (head h takes
  channels h*hs .. (h+1)*hs - 1), scores scaled by 1/sqrt(head size), causal (position t attends to
  positions <= t), softmax over keys, heads re-assembled in order, then ``c_proj``. ``forward(x)`` maps
  (B, T, C) -> (B, T, C). No dropout anywhere.
* ``MLP(config)``: ``c_fc = nn.Linear(C, 4 * C)``, GELU with the tanh approximation
  (``nn.GELU(approximate="tanh")``, as GPT-2), ``c_proj = nn.Linear(4 * C, C)``.
* ``Block(config)``: ``ln_1 = nn.LayerNorm(C)``, ``attn``, ``ln_2 = nn.LayerNorm(C)``, ``mlp``; PRE-norm
  residuals: ``x = x + attn(ln_1(x))`` then ``x = x + mlp(ln_2(x))``.
* ``GPT(config)``: ``self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(vocab_size, C),
  wpe=nn.Embedding(block_size, C), h=nn.ModuleList([Block(config) for _ in range(n_layer)]),
  ln_f=nn.LayerNorm(C)))`` and ``self.lm_head = nn.Linear(C, vocab_size, bias=False)`` whose weight is
  TIED to the token embedding (``self.transformer.wte.weight = self.lm_head.weight``: one parameter).
  The state_dict keys are therefore ``transformer.wte.weight``, ``transformer.h.0.attn.c_attn.weight``,
  ..., ``transformer.ln_f.bias``, ``lm_head.weight``.

  - Initialisation (GPT-2's): every Linear and Embedding weight ~ N(0, 0.02) (``c_proj`` weights may use
    the smaller std 0.02 / sqrt(2 * n_layer), as nanoGPT does), every Linear bias 0, LayerNorms at their
    default (weight 1, bias 0). ``GPT(config)`` must also work under ``with torch.device("meta"):`` (the
    grader builds GPT-2 small that way, without allocating memory): create tensors only through modules
    and in-place ``torch.nn.init`` calls, with no ``.item()`` and no explicit ``device=``.
  - ``forward(idx, targets=None) -> (logits, loss)``: idx is (B, T) int64 with T <= block_size; token
    embedding plus position embedding of positions 0..T-1, the blocks, ``ln_f``, ``lm_head``; logits
    (B, T, vocab_size) for EVERY position (also when targets is None). ``loss`` is the mean cross-entropy
    of logits against ``targets`` (B, T) over all B * T positions, or ``None`` when targets is None.
  - ``generate(idx, max_new_tokens, temperature=1.0, top_k=None, generator=None) -> (B, T +
    max_new_tokens)`` (under ``torch.no_grad()``): repeat max_new_tokens times: crop the context to the
    last ``block_size`` tokens, take the logits of the LAST position, divide by ``temperature``; if
    ``top_k`` is given keep only the ``top_k`` largest logits and set all others to ``-inf`` (so a token
    outside the top k is never drawn); softmax; draw one token per row with
    ``torch.multinomial(probs, 1, generator=generator)``; append it. Returns the prompt followed by the new
    tokens.

* ``count_parameters(config) -> int``: the number of parameters of ``GPT(config)`` from a closed-form
  formula (do not build the model), counting the tied embedding once. For GPT-2 small it is 124,439,808.

What the grader checks: ``count_parameters`` and the parameter count of ``GPT(GPTConfig())`` built on
the meta device are both exactly 124,439,808 (and the closed form matches the built model on other
configs); state_dict names and shapes are GPT-2's; logits equal a reference GPT-2 forward loaded with
your weights (rtol=1e-4, atol=1e-4); perturbing token t changes no logit before t; the loss at
initialisation is within 0.1 of ln(vocab_size) and equals the cross-entropy of your logits; a tiny model
(2 layers, n_embd 32) trained by the grader with AdamW overfits one batch (loss below 0.1 within 150
steps); ``generate`` crops to the block size, keeps the prompt, uses the generator, and only ever draws
tokens among the top k of the model's logits.
"""

from __future__ import annotations

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
    def generate(
        self,
        idx: torch.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        raise NotImplementedError("write GPT.generate")


def count_parameters(config: GPTConfig) -> int:
    raise NotImplementedError("write count_parameters")
