"""Reference solution for exercise 0.8.3 (shown by `tracker solution 0.8.3` after a pass)."""

from __future__ import annotations

import torch


def amp_settings(device_type):
    if device_type == "cuda":
        return torch.float16, True
    return torch.bfloat16, False


def make_scaler(device):
    _, use_scaler = amp_settings(device.type)
    return torch.amp.GradScaler(device.type, enabled=use_scaler)


def train_step(model, x, y, loss_fn, optimizer, scaler, device, max_grad_norm=None):
    optimizer.zero_grad(set_to_none=True)
    dtype, _ = amp_settings(device.type)
    with torch.autocast(device_type=device.type, dtype=dtype):
        output = model(x)
        loss = loss_fn(output, y)
    scaler.scale(loss).backward()
    if max_grad_norm is not None:
        scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    scaler.step(optimizer)  # skips the step if the gradients are inf/NaN
    scaler.update()
    return float(loss.detach())
