"""Library exercise lib.ppo_clip: PPO's clipped surrogate objective (Schulman et al., 2017).

PPO improves a policy with samples drawn from the previous policy, and keeps each update small by
clipping the probability ratio ``r = pi_new(a|s) / pi_old(a|s)`` to ``[1 - eps, 1 + eps]``: the objective
takes the smaller (pessimistic) of the clipped and unclipped terms, so it never rewards moving the ratio
further than the clip range.

``ppo_clip_loss(logp_new, logp_old, advantages, clip_eps=0.2) -> (loss, clip_fraction)``:

* all inputs are ``(N,)`` float tensors: log-probabilities of the taken actions under the new policy
  (with gradient) and the old one (a fixed target: no gradient may flow into it), and the advantages;
* ``r = exp(logp_new - logp_old)`` (a ratio of probabilities, not of log-probabilities);
* ``objective = mean(min(r * A, clip(r, 1 - eps, 1 + eps) * A))``;
* return ``loss = -objective`` (a quantity to MINIMISE, 0-dim, differentiable w.r.t. ``logp_new``) and
  ``clip_fraction``: the fraction (a float in [0, 1]) of samples whose ratio lies outside
  ``[1 - eps, 1 + eps]``.

Inputs arrive on the grader's device. Tolerance: ``rtol=1e-5, atol=1e-6`` (float32).
"""

from __future__ import annotations

import torch


def ppo_clip_loss(logp_new: torch.Tensor, logp_old: torch.Tensor, advantages: torch.Tensor,
                  clip_eps: float = 0.2) -> tuple[torch.Tensor, float]:
    """Return (loss to minimise, fraction of clipped ratios)."""
    raise NotImplementedError("write ppo_clip_loss")
