"""Reference solution for lib.lif_neuron (shown by `tracker solution lib.lif_neuron` after a pass)."""

from __future__ import annotations

import torch


def lif_simulate(current, tau=10.0, dt=1.0, v_rest=0.0, v_reset=0.0, v_th=1.0, refractory=0):
    T, N = current.shape
    v = torch.full((N,), v_rest, dtype=current.dtype, device=current.device)
    wait = torch.zeros(N, dtype=torch.long, device=current.device)
    vs, spikes = [], []
    for t in range(T):
        resting = wait > 0
        v = torch.where(resting, torch.full_like(v, v_reset), v + (dt / tau) * (v_rest - v + current[t]))
        spike = (v >= v_th) & ~resting
        v = torch.where(spike, torch.full_like(v, v_reset), v)
        wait = torch.where(spike, torch.full_like(wait, refractory), (wait - 1).clamp(min=0))
        vs.append(v)
        spikes.append(spike)
    return torch.stack(vs), torch.stack(spikes)


def firing_rate(spikes, dt=1.0):
    return spikes.sum(0).to(torch.float64) / (spikes.shape[0] * dt)
