"""Library exercise lib.sft_loss_mask: supervised fine-tuning loss on the response tokens only.

In SFT each example is a prompt followed by the response the model should learn to give. The model must
learn to WRITE the response, not to predict the prompt, so prompt tokens (and padding) are left out of
the loss. Write two functions; ``torch.log_softmax`` is allowed, ``F.cross_entropy`` and ``F.nll_loss``
(and their ``nn`` classes) are off-limits while your code runs.

1. ``sft_labels(input_ids, prompt_lengths, attention_mask) -> labels``:
   ``input_ids`` ``(B, T)`` int64; ``prompt_lengths`` ``(B,)`` int64, the number of prompt tokens at the
   start of each row; ``attention_mask`` ``(B, T)``, 1 for real tokens and 0 for padding (padding is on the
   right). Return ``labels`` ``(B, T)`` int64: a copy of ``input_ids`` with ``-100`` at every prompt
   position (``t < prompt_lengths[b]``) and every padding position.

2. ``sft_loss(logits, labels) -> loss``: ``logits`` ``(B, T, V)``; the logits at position ``t`` predict the
   token at position ``t + 1`` (shift: compare ``logits[:, :-1]`` with ``labels[:, 1:]``). Return the mean
   negative log-likelihood over every label that is not ``-100``, averaged over ALL counted tokens of the
   batch together (a long response weighs more than a short one), as a 0-dim tensor that autograd can
   differentiate with respect to ``logits``.

Inputs arrive on the grader's device. Tolerance: ``rtol=1e-5, atol=1e-6`` (float32).
"""

from __future__ import annotations

import torch

IGNORE = -100


def sft_labels(input_ids: torch.Tensor, prompt_lengths: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """input_ids with -100 on prompt and padding positions."""
    raise NotImplementedError("write sft_labels")


def sft_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean next-token NLL over the labels that are not -100 (shifted by one)."""
    raise NotImplementedError("write sft_loss")
