"""Grader for lib.lif_neuron: Euler integration, threshold, reset and refractory period of LIF neurons.

The reference is a plain per-step loop written in the grader (float64). With ``dt == tau`` the potential
equals the input, so a current of exactly 1.0 reaches the threshold exactly: ``>=`` and ``>`` differ.
Probes: no reset, no leak, a strict threshold, and the refractory period ignored.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_true


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _reference(current, tau=10.0, dt=1.0, v_rest=0.0, v_reset=0.0, v_th=1.0, refractory=0,
               reset=True, leak=True, strict=False, use_refractory=True):
    T, N = current.shape
    cur = current.cpu().tolist()
    v_out = [[0.0] * N for _ in range(T)]
    out_spikes = [[False] * N for _ in range(T)]
    for n in range(N):
        v, wait = v_rest, 0
        for t in range(T):
            if wait > 0 and use_refractory:
                v, wait = v_reset, wait - 1
            else:
                v = v + (dt / tau) * ((v_rest - v if leak else 0.0) + cur[t][n])
                if (v > v_th) if strict else (v >= v_th):
                    out_spikes[t][n] = True
                    if reset:
                        v = v_reset
                    wait = refractory
            v_out[t][n] = v
    return torch.tensor(v_out, dtype=torch.float64), torch.tensor(out_spikes)


def _mistakes(current, **kw):
    return {
        "never resetting v after a spike": _reference(current, reset=False, **kw),
        "no leak (a perfect integrator: the potential must decay towards v_rest)": _reference(current, leak=False, **kw),
        "spiking only when v > v_th (the threshold is v >= v_th)": _reference(current, strict=True, **kw),
        "ignoring the refractory period": _reference(current, use_refractory=False, **kw),
    }


def _call(learner, current, **kw):
    result = learner.lif_simulate(current, **kw)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise GradeFailure("lif_simulate should return a tuple (v, spikes)")
    v, spikes = result
    check_true(isinstance(spikes, torch.Tensor) and spikes.dtype == torch.bool,
               f"spikes should be a bool tensor, got {getattr(spikes, 'dtype', type(spikes).__name__)}")
    return v, spikes


def _check(learner, current, label, **kw):
    v, spikes = _call(learner, current, **kw)
    want_v, want_s = _reference(current, **kw)
    mistakes = _mistakes(current, **kw)
    check_close(spikes.int(), want_s.int(), name=f"the spikes {label}", rtol=0, atol=0,
                mistakes={k: m[1].int() for k, m in mistakes.items()})
    check_close(v, want_v, name=f"the membrane potential {label}", rtol=1e-9, atol=1e-12,
                mistakes={k: m[0] for k, m in mistakes.items()})


def test_constant_current(learner, device):
    """a constant current above threshold charges, spikes, resets and charges again, leaking towards v_rest"""
    current = torch.tensor([[1.5, 3.0, 0.8]], dtype=torch.float64).repeat(60, 1).to(device)
    _check(learner, current, "for constant currents 1.5, 3.0 and 0.8", tau=10.0)


def test_threshold_is_inclusive(learner, device):
    """with dt == tau the potential equals the input, and v == v_th exactly is a spike"""
    current = torch.tensor([[0.5], [1.0], [0.9], [1.0], [2.0]], dtype=torch.float64).to(device)
    _check(learner, current, "with dt == tau", tau=1.0, dt=1.0)


def test_refractory_and_rest(learner, device):
    """after a spike the neuron ignores its input for `refractory` steps; v_rest and v_reset may differ"""
    g = torch.Generator().manual_seed(0)
    current = (torch.rand(80, 4, generator=g, dtype=torch.float64) * 2.5 + 0.3).to(device)
    _check(learner, current, "with refractory=3, v_rest=-0.2, v_reset=-0.5",
           tau=5.0, dt=1.0, v_rest=-0.2, v_reset=-0.5, v_th=1.0, refractory=3)


def test_firing_rate(learner, device):
    """firing_rate is each neuron's spike count divided by T * dt"""
    spikes = torch.tensor([[1, 0], [0, 0], [1, 1], [1, 0]], dtype=torch.bool, device=device)
    check_close(learner.firing_rate(spikes, dt=0.5), torch.tensor([1.5, 0.5], dtype=torch.float64),
                name="firing_rate", mistakes={"forgetting dt": torch.tensor([0.75, 0.25])})
