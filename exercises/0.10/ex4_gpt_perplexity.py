"""Exercise 0.10.4: perplexity of a causal language model from its logits, with padding ignored.

A GPT-style model run on ``input_ids`` (B, T) returns ``logits`` (B, T, V): ``logits[b, t]`` is the
prediction for the NEXT token, ``input_ids[b, t + 1]``. So the targets are ``input_ids[:, 1:]`` and the
predictions that score them are ``logits[:, :-1]``; the last position's logits have no target.

Batches are padded on the right with ``pad_id``. A target equal to ``pad_id`` is padding: it is not
scored (real tokens never equal ``pad_id`` in the grader's data).

Implement:

``shifted_token_nll(logits, input_ids, pad_id) -> (nll, mask)``
    ``nll``: float tensor (B, T - 1) with ``nll[b, t] = -log softmax(logits[b, t])[input_ids[b, t + 1]]``
    (natural log) where the target is real and exactly 0.0 where it is padding; ``mask``: bool tensor
    (B, T - 1), True where the target ``input_ids[b, t + 1]`` is not ``pad_id``. Compute the log-softmax
    stably: logits can be as large as 1e4 (``torch.log_softmax`` and ``torch.logsumexp`` are allowed).

``perplexity(logits, input_ids, pad_id) -> float``
    ``exp(total NLL of the real targets / number of real targets)``, pooled over the whole batch (every
    real token counts once, so a long sequence weighs more than a short one). This is NOT the mean of
    per-sequence perplexities. Return a Python float.

Off-limits: ``F.cross_entropy``, ``nn.CrossEntropyLoss``, ``F.nll_loss``, ``nn.NLLLoss``.

Tolerances: rtol 1e-5, atol 1e-5 (float32 inputs).
"""

from __future__ import annotations

import torch


def shifted_token_nll(logits: torch.Tensor, input_ids: torch.Tensor, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-target negative log-likelihood (B, T-1), 0 at padding, and the mask of real targets."""
    raise NotImplementedError("write shifted_token_nll")


def perplexity(logits: torch.Tensor, input_ids: torch.Tensor, pad_id: int) -> float:
    """exp(mean NLL over every real target of the batch)."""
    raise NotImplementedError("write perplexity")
