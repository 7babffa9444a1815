"""Reference solution for exercise 0.10.4 (shown by `tracker solution 0.10.4` after a pass)."""

from __future__ import annotations

import math

import torch


def shifted_token_nll(logits: torch.Tensor, input_ids: torch.Tensor, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    predictions = logits[:, :-1]
    targets = input_ids[:, 1:]
    mask = targets != pad_id
    log_probs = torch.log_softmax(predictions, dim=-1)
    nll = -log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    nll = torch.where(mask, nll, torch.zeros_like(nll))
    return nll, mask


def perplexity(logits: torch.Tensor, input_ids: torch.Tensor, pad_id: int) -> float:
    nll, mask = shifted_token_nll(logits, input_ids, pad_id)
    return math.exp(float(nll.sum()) / int(mask.sum()))
