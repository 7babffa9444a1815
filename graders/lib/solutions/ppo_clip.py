"""Reference solution for lib.ppo_clip (shown by `tracker solution lib.ppo_clip` after a pass)."""

from __future__ import annotations

import torch


def ppo_clip_loss(logp_new, logp_old, advantages, clip_eps=0.2):
    logp_old = logp_old.detach()
    ratio = torch.exp(logp_new - logp_old)
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantages
    objective = torch.min(unclipped, clipped).mean()
    clip_fraction = ((ratio - 1).abs() > clip_eps).float().mean().item()
    return -objective, clip_fraction
