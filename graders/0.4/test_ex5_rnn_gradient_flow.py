"""Grader for exercise 0.4.5: gradient norm through time for RNN, GRU and LSTM cells.

Form: the catalogue's "gradient norm through time for RNN vs LSTM, matching a reference", made precise as
the norm of dL/dh_t for L = h_T.sum(), summarised by a least-squares per-step retention factor and a
vanishing horizon, so that "sequence length sensitivity" is a number the grader can check. The reference
unrolls the same seeded cells and asks ``torch.autograd.grad`` for all hidden states at once; the
retention is checked against ``numpy.polyfit`` and exact geometric sequences; the horizon against
hand-made sequences. The last test runs the comparison itself (vanilla RNN, default LSTM, LSTM with
forget bias 1). Probes: a mean instead of a sum as the loss, the norms in reverse order, the LSTM's cell
state instead of its hidden state, gradients of the inputs x_t instead of the states, per-sequence norms
averaged, every state in the loss instead of the last; log10 in the fit, steps forward instead of back,
only the two endpoints, the slope returned without exp; the horizon as an index t, with <=, or from k = 0.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from gradelib import GradeFailure, check_close, check_number, check_true, to_tensor
from gradelib.devices import check_follows_device, check_host_syncs, to_device, tolerance, trusted
from torch import nn

RTOL_NORMS, ATOL_NORMS = 1e-3, 1e-12


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _cells(seed, d=4, h=16):
    torch.manual_seed(seed)
    rnn, gru, lstm = nn.RNNCell(d, h), nn.GRUCell(d, h), nn.LSTMCell(d, h)
    lstm_fb = copy.deepcopy(lstm)
    with torch.no_grad():
        lstm_fb.bias_ih[h : 2 * h] = 1.0
        lstm_fb.bias_hh[h : 2 * h] = 0.0
    return {"RNNCell": rnn, "GRUCell": gru, "LSTMCell": lstm, "LSTMCell (forget bias 1)": lstm_fb}


def _x(steps, n, d, seed):
    return torch.randn(steps, n, d, generator=torch.Generator().manual_seed(seed))


def _unroll(cell, x):
    n = x.shape[1]
    h = x.new_zeros(n, cell.hidden_size)
    c = x.new_zeros(n, cell.hidden_size)
    hs, cs = [], []
    for t in range(x.shape[0]):
        if isinstance(cell, nn.LSTMCell):
            h, c = cell(x[t], (h, c))
            cs.append(c)
        else:
            h = cell(x[t], h)
        hs.append(h)
    return hs, cs


def _reference(cell, x):
    hs, _ = _unroll(cell, x)
    grads = torch.autograd.grad(hs[-1].sum(), hs)
    return torch.stack([g.norm() for g in grads])


def _norm_mistakes(cell, x, expected):
    n, h = x.shape[1], cell.hidden_size
    out = {
        "using the mean of h_T as the loss instead of its sum": expected / (n * h),
        "listing the norms from the last step to the first (norms[0] is the first step's)": expected.flip(0),
    }
    hs, cs = _unroll(cell, x)
    grads = torch.autograd.grad(hs[-1].sum(), hs)
    out["averaging the norms of each sequence in the batch instead of one norm over (N, H)"] = torch.stack(
        [g.norm(dim=1).mean() for g in grads]
    )
    if cs:
        hs, cs = _unroll(cell, x)
        grads_c = torch.autograd.grad(hs[-1].sum(), cs)
        out["measuring the LSTM's cell state c_t instead of its hidden state h_t"] = torch.stack(
            [g.norm() for g in grads_c]
        )
    xs = x.clone().requires_grad_(True)
    hs, _ = _unroll(cell, xs)
    (gx,) = torch.autograd.grad(hs[-1].sum(), xs)
    out["measuring dL/dx_t (the inputs) instead of dL/dh_t"] = gx.flatten(1).norm(dim=1)
    hs, _ = _unroll(cell, x)
    grads_all = torch.autograd.grad(torch.stack(hs).sum(), hs)
    out["summing every hidden state into the loss instead of the last one only"] = torch.stack(
        [g.norm() for g in grads_all]
    )
    return out


def _check_norms(learner, cell, x, label):
    expected = _reference(cell, x)
    got = learner.hidden_grad_norms(cell, x.clone())
    got = to_tensor(got, f"hidden_grad_norms({label}, x)")
    if got.shape != expected.shape:
        raise GradeFailure(
            f"hidden_grad_norms({label}, x) has shape {tuple(got.shape)}, expected {tuple(expected.shape)} "
            "(one norm per time step)"
        )
    check_close(got, expected, name=f"hidden_grad_norms({label}, x)", rtol=RTOL_NORMS, atol=ATOL_NORMS,
                mistakes=_norm_mistakes(cell, x, expected))
    return expected


def _ols_retention(norms):
    norms = np.asarray(torch.as_tensor(norms, dtype=torch.float64))
    back = np.arange(len(norms))[::-1].astype(np.float64)
    slope = np.polyfit(back, np.log(norms), 1)[0]
    return math.exp(slope)


def _retention_mistakes(norms):
    norms64 = np.asarray(torch.as_tensor(norms, dtype=torch.float64))
    back = np.arange(len(norms64))[::-1].astype(np.float64)
    slope = np.polyfit(back, np.log(norms64), 1)[0]
    steps = len(norms64)
    return {
        "fitting log10 of the norms and returning exp of that slope": math.exp(slope / math.log(10)),
        "fitting against the step index t instead of the number of steps back k = T - 1 - t": math.exp(-slope),
        "using only the two endpoints instead of a least-squares fit over all steps": (
            norms64[0] / norms64[-1]
        ) ** (1 / (steps - 1)),
        "returning the slope b instead of exp(b)": slope,
    }


def test_rnn_norms(learner):
    """hidden_grad_norms for a vanilla RNN cell equals the reference"""
    cell = _cells(1)["RNNCell"]
    _check_norms(learner, cell, _x(20, 8, 4, seed=2), "RNNCell")


def test_gru_and_lstm_norms(learner):
    """hidden_grad_norms for GRU and LSTM cells equals the reference (LSTM: the hidden state h)"""
    cells = _cells(3)
    x = _x(15, 6, 4, seed=4)
    _check_norms(learner, cells["GRUCell"], x, "GRUCell")
    _check_norms(learner, cells["LSTMCell (forget bias 1)"], x, "LSTMCell")


def test_last_norm(learner):
    """the last norm is sqrt(N * H): dL/dh_T is all ones"""
    cell = _cells(5)["RNNCell"]
    norms = to_tensor(learner.hidden_grad_norms(cell, _x(6, 3, 4, seed=6)), "hidden_grad_norms(...)")
    check_true(norms.dim() == 1 and len(norms) == 6, f"hidden_grad_norms should return 6 norms, got shape {tuple(norms.shape)}")
    check_number(float(norms[-1]), math.sqrt(3 * 16), name="norms[T-1] for N=3, H=16", rtol=1e-5, mistakes={
        "using the mean of h_T as the loss instead of its sum": math.sqrt(3 * 16) / 48,
        "listing the norms from the last step to the first (norms[0] is the first step's)": float(
            _reference(cell, _x(6, 3, 4, seed=6))[0]
        ),
    })


def test_retention_exact(learner):
    """retention_per_step recovers the factor of an exactly geometric decay"""
    for rho, steps in [(0.7, 10), (0.93, 25), (1.1, 8)]:
        back = torch.arange(steps - 1, -1, -1, dtype=torch.float64)
        norms = (3.0 * rho**back).to(torch.float32)
        check_number(learner.retention_per_step(norms), rho, name=f"retention_per_step of 3 * {rho}^k ({steps} steps)",
                     rtol=1e-4, mistakes=_retention_mistakes(norms))


def test_retention_least_squares(learner):
    """retention_per_step is the least-squares fit over all steps, not just the endpoints"""
    g = torch.Generator().manual_seed(9)
    back = torch.arange(19, -1, -1, dtype=torch.float64)
    norms = (torch.exp(-0.4 * back + 0.5 * torch.randn(20, generator=g, dtype=torch.float64))).to(torch.float32)
    check_number(learner.retention_per_step(norms), _ols_retention(norms), name="retention_per_step of a noisy decay",
                 rtol=1e-3, mistakes=_retention_mistakes(norms))


def test_vanishing_horizon(learner):
    """vanishing_horizon is the first k >= 1 steps back strictly below threshold * norms[-1], or None"""
    cases = [
        ([2**-10, 2**-8, 2**-6, 0.25, 1.0], 2**-6, 3, {"returning the index t instead of the number of steps back k": 1,
                                                "using <= instead of <": 2}),
        ([2**-9, 2**-5, 0.5, 0.25, 2.0], 2**-6, 4, {"returning the index t instead of the number of steps back k": 0,
                                                   "using <= instead of <": 3}),
        ([0.5, 0.4, 0.3, 0.2, 1.0], 1e-2, None, {}),
        ([1e-3, 1e-5, 0.5, 0.2, 1.0], 1e-2, 3, {"returning the index t instead of the number of steps back k": 1,
                                               "taking the last k that drops below the threshold": 4}),
        ([1.0, 1.0, 1.0], 2.0, 1, {"counting from k = 0 (the last step itself)": 0}),
    ]
    for norms, threshold, expected, mistakes in cases:
        got = learner.vanishing_horizon(torch.tensor(norms, dtype=torch.float64), threshold)
        label = f"vanishing_horizon({norms}, threshold={threshold})"
        if expected is None:
            check_true(got is None, f"{label} returned {got!r}, expected None (no step falls below the threshold)")
            continue
        check_true(got is not None, f"{label} returned None, expected {expected}")
        check_number(got, expected, name=label, rtol=0, mistakes=mistakes)


def test_rnn_vs_lstm(learner):
    """30 steps: an RNN and a default LSTM keep ~0.55-0.6 of the gradient per step, an LSTM with forget bias 1 ~0.8"""
    cells = _cells(0)
    x = _x(30, 8, 4, seed=0)
    retention = {}
    for label in ("RNNCell", "LSTMCell", "LSTMCell (forget bias 1)"):
        expected = _check_norms(learner, cells[label], x, label)
        got = learner.retention_per_step(learner.hidden_grad_norms(cells[label], x.clone()))
        retention[label] = _ols_retention(expected)
        check_number(got, retention[label], name=f"retention_per_step for the {label}", rtol=1e-3,
                     mistakes=_retention_mistakes(expected))
        horizon = next((k for k in range(1, 30) if float(expected[29 - k]) < 1e-2 * float(expected[29])), None)
        got_h = learner.vanishing_horizon(learner.hidden_grad_norms(cells[label], x.clone()), 1e-2)
        check_true(got_h == horizon, f"vanishing_horizon for the {label}: got {got_h!r}, expected {horizon!r}")
    check_true(
        retention["LSTMCell (forget bias 1)"] > retention["RNNCell"] + 0.1,
        "(grader self-check) the forget-bias-1 LSTM should retain clearly more than the RNN",
    )


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: hidden_grad_norms keeps the states and norms there, copies no value to the
    host inside its loop, and its norms equal a float64 CPU reference"""
    x = _x(6, 3, 4, seed=70)
    for label, cell in _cells(71).items():
        got = check_host_syncs(learner.hidden_grad_norms, to_device(cell, device), to_device(x, device), most=1)
        check_follows_device(learner.hidden_grad_norms, cell, x)
        got = to_tensor(got, f"hidden_grad_norms({label}, x)")
        check_true(got.device.type == device.type, f"hidden_grad_norms({label}, x) is on {got.device.type}, x on {device.type}")
        check_close(got, trusted(_reference, cell, x), name=f"hidden_grad_norms({label}, x) on {device.type}",
                    **tolerance(device, cpu=(RTOL_NORMS, ATOL_NORMS)))
