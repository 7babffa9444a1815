"""Reference solution for lib.sft_loss_mask (shown by `tracker solution lib.sft_loss_mask` after a pass)."""

from __future__ import annotations

import torch

IGNORE = -100


def sft_labels(input_ids, prompt_lengths, attention_mask):
    positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
    prompt = positions < prompt_lengths.unsqueeze(1)
    labels = input_ids.clone()
    labels[prompt] = IGNORE
    labels[attention_mask == 0] = IGNORE
    return labels


def sft_loss(logits, labels):
    logits, labels = logits[:, :-1], labels[:, 1:]
    keep = labels != IGNORE
    log_probs = torch.log_softmax(logits, dim=-1)
    picked = log_probs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(picked * keep).sum() / keep.sum()
