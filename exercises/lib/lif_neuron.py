"""Library exercise lib.lif_neuron: a leaky integrate-and-fire spiking neuron, for brain-inspired AI.

A LIF neuron is an RC circuit with a threshold: its membrane potential ``v`` leaks towards ``v_rest``,
integrates the input current, and when it reaches the threshold the neuron emits a spike and ``v`` is reset.

``lif_simulate(current, tau=10.0, dt=1.0, v_rest=0.0, v_reset=0.0, v_th=1.0, refractory=0) -> (v, spikes)``:

* ``current``: ``(T, N)`` input current for ``N`` independent neurons over ``T`` time steps (resistance 1);
* start at ``v = v_rest``. At step ``t`` (Euler):
  ``v = v + (dt / tau) * (v_rest - v + current[t])``;
* if ``v >= v_th`` (greater OR EQUAL) the neuron spikes at step ``t``: ``spikes[t] = True`` and ``v`` is set
  to ``v_reset``; the RECORDED potential ``v_out[t]`` is the potential after the reset;
* after a spike the neuron is refractory for ``refractory`` steps: during them ``v`` stays at ``v_reset``,
  the input is ignored and no spike can occur (``refractory=0``: none);
* return ``v_out`` ``(T, N)`` (same dtype as ``current``) and ``spikes`` ``(T, N)`` bool.

Also ``firing_rate(spikes, dt=1.0) -> (N,)``: spikes per unit time, ``spikes.sum(0) / (T * dt)``.

Tensors arrive on the grader's device (float64). Tolerance: ``rtol=1e-9, atol=1e-12``.
"""

from __future__ import annotations

import torch


def lif_simulate(current: torch.Tensor, tau: float = 10.0, dt: float = 1.0, v_rest: float = 0.0,
                 v_reset: float = 0.0, v_th: float = 1.0, refractory: int = 0):
    """Simulate N LIF neurons; return (v_out (T, N), spikes (T, N) bool)."""
    raise NotImplementedError("write lif_simulate")


def firing_rate(spikes: torch.Tensor, dt: float = 1.0) -> torch.Tensor:
    """Spikes per unit time for each neuron: (N,)."""
    raise NotImplementedError("write firing_rate")
