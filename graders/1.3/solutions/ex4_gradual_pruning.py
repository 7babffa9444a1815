"""Reference solution for exercise 1.3.4 (shown by `tracker solution 1.3.4` after a pass)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def cubic_sparsity(step: int, initial_sparsity: float, final_sparsity: float, begin_step: int, end_step: int) -> float:
    if step <= begin_step:
        return float(initial_sparsity)
    if step >= end_step:
        return float(final_sparsity)
    progress = (step - begin_step) / (end_step - begin_step)
    return float(final_sparsity + (initial_sparsity - final_sparsity) * (1 - progress) ** 3)


def layer_masks(model: nn.Module, sparsity: float) -> dict[str, torch.Tensor]:
    masks = {}
    for module_name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            w = module.weight.detach()
            k = round(sparsity * w.numel())
            mask = torch.ones(w.numel(), dtype=torch.bool, device=w.device)
            if k > 0:
                mask[torch.argsort(w.abs().reshape(-1))[:k]] = False
            name = f"{module_name}.weight" if module_name else "weight"
            masks[name] = mask.reshape(w.shape)
    return masks


def _apply(model: nn.Module, masks: dict[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, mask in masks.items():
            params[name].mul_(mask)


def iterative_prune(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    targets: list[float],
    steps: int,
    lr: float,
) -> dict[str, torch.Tensor]:
    masks: dict[str, torch.Tensor] = {}
    for target in targets:
        masks = layer_masks(model, target)
        _apply(model, masks)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.mse_loss(model(X), y)
            loss.backward()
            optimizer.step()
            _apply(model, masks)
    return masks
