"""Reference solution for lib.dpo_loss (shown by `tracker solution lib.dpo_loss` after a pass)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sequence_logps(logits, tokens, mask):
    log_probs = torch.log_softmax(logits, dim=-1)
    picked = log_probs.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
    return (picked * mask).sum(dim=-1)


def dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta):
    ref_chosen, ref_rejected = ref_chosen.detach(), ref_rejected.detach()
    chosen = policy_chosen - ref_chosen
    rejected = policy_rejected - ref_rejected
    loss = -F.logsigmoid(beta * (chosen - rejected)).mean()
    return loss, (beta * chosen).detach(), (beta * rejected).detach()
