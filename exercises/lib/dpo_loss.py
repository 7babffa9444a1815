"""Library exercise lib.dpo_loss: Direct Preference Optimization (Rafailov et al., 2023).

DPO fine-tunes a policy on pairs (chosen, rejected) of responses to the same prompt without a reward
model: the implicit reward of a response is ``beta * (log pi(y|x) - log pi_ref(y|x))``, and the loss pushes
the chosen reward above the rejected one through a logistic loss.

1. ``sequence_logps(logits, tokens, mask) -> logps``: ``logits`` ``(B, T, V)`` already aligned with
   ``tokens`` ``(B, T)`` (``logits[:, t]`` scores ``tokens[:, t]``: no shift here); ``mask`` ``(B, T)`` is 1 on
   response tokens and 0 elsewhere. Return ``(B,)``: the SUM over masked positions of
   ``log_softmax(logits)[b, t, tokens[b, t]]`` (a sequence's log-probability, not a per-token mean).

2. ``dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta) -> (loss, chosen_rewards,
   rejected_rewards)``: each input is ``(B,)`` of sequence log-probabilities. With
   ``margin = (policy_chosen - ref_chosen) - (policy_rejected - ref_rejected)``:
   * ``loss = mean over the batch of -log(sigmoid(beta * margin))``, a 0-dim tensor differentiable with
     respect to the policy's log-probabilities; it must stay finite for margins of -1000 (use
     ``F.logsigmoid``, not ``log`` of ``sigmoid``);
   * ``chosen_rewards = beta * (policy_chosen - ref_chosen)`` and ``rejected_rewards`` likewise, both
     DETACHED (they are for logging);
   * the reference model is frozen: no gradient may flow into ``ref_chosen`` / ``ref_rejected``.

Inputs arrive on the grader's device. Tolerance: ``rtol=1e-5, atol=1e-6`` (float32).
"""

from __future__ import annotations

import torch


def sequence_logps(logits: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Sum of the masked tokens' log-probabilities, per sequence: (B,)."""
    raise NotImplementedError("write sequence_logps")


def dpo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor, ref_chosen: torch.Tensor,
             ref_rejected: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (loss, chosen_rewards, rejected_rewards)."""
    raise NotImplementedError("write dpo_loss")
