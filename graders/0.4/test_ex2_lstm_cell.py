"""Grader for exercise 0.4.2: an LSTM cell with PyTorch's gate layout (i, f, g, o).

The cell, its gradients and the sequence are compared with ``nn.LSTMCell`` and ``nn.LSTM`` (captured before
the learner's code runs) with the same random weights; the gates, which PyTorch does not expose, with the
closed form of the stub (checked against ``nn.LSTMCell``'s new cell state inside the test);
``set_forget_bias`` with the expected bias vectors. Probes (each a variant of the closed form): the gate
blocks read in another order (TensorFlow's i, g, f, o; i, f, o, g; f, i, g, o), a sigmoid on the candidate
g, h_new without the tanh or from the old cell state, the second bias forgotten; in the sequence, the cell
state reset at every step or cell states returned as outputs; the forget bias written into another gate's
slice, bias_hh's forget entries left as they were, or the value put in both bias vectors.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_defaults, check_true, learner_tensor, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted
from torch import nn

FORBIDDEN = ["torch.nn.LSTMCell", "torch.nn.LSTM", "torch.lstm_cell", "torch.lstm"]

# Captured before any learner code runs.
_LSTMCell = nn.LSTMCell
_LSTM = nn.LSTM

RTOL, ATOL = 1e-4, 1e-5
GATES = "ifgo"
NAMES = {"i": "input gate i", "f": "forget gate f", "g": "cell candidate g", "o": "output gate o"}


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _weights(d, h, seed):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(4 * h, d, generator=g) * 0.6,
        torch.randn(4 * h, h, generator=g) * 0.6,
        torch.randn(4 * h, generator=g) * 0.5,
        torch.randn(4 * h, generator=g) * 0.5,
    )


def _state(n, d, h, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g), torch.randn(n, h, generator=g) * 0.7, torch.randn(n, h, generator=g)


def _closed_form(x, h, c, W_ih, W_hh, b_ih, b_hh, order="ifgo", g_act=torch.tanh, h_rule="ok", two_bias=True):
    """The LSTM step; the keyword arguments reproduce classic mistakes."""
    z = x @ W_ih.T + b_ih + h @ W_hh.T + (b_hh if two_bias else 0)
    blocks = dict(zip(order, z.chunk(4, dim=1)))
    i, f, o = torch.sigmoid(blocks["i"]), torch.sigmoid(blocks["f"]), torch.sigmoid(blocks["o"])
    g = g_act(blocks["g"])
    c_new = f * c + i * g
    if h_rule == "no_tanh":
        h_new = o * c_new
    elif h_rule == "old_c":
        h_new = o * torch.tanh(c)
    else:
        h_new = o * torch.tanh(c_new)
    return (i, f, g, o), h_new, c_new


_CELL_MISTAKES = {
    "reading the gate blocks in TensorFlow's order i, g, f, o (PyTorch's is i, f, g, o)": dict(order="igfo"),
    "reading the gate blocks in the order i, f, o, g (PyTorch's is i, f, g, o)": dict(order="ifog"),
    "reading the gate blocks in the order f, i, g, o (PyTorch's is i, f, g, o)": dict(order="figo"),
    "using a sigmoid for the candidate g (it is a tanh)": dict(g_act=torch.sigmoid),
    "computing h_new = o * c_new (the tanh is missing)": dict(h_rule="no_tanh"),
    "computing h_new from the old cell state, o * tanh(c)": dict(h_rule="old_c"),
    "forgetting the second bias b_hh": dict(two_bias=False),
}


def _reference_cell(d, h, weights):
    cell = _LSTMCell(d, h)
    with torch.no_grad():
        for p, w in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh), weights):
            p.copy_(w)
    return cell


def _pair(value, name):
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise GradeFailure(f"{name} should return a pair (h_new, c_new), got {type(value).__name__}")
    return value


def test_gates(learner):
    """lstm_gates returns (i, f, g, o) read from PyTorch's i, f, g, o blocks with their activations"""
    n, d, h = 3, 5, 4
    weights = _weights(d, h, seed=1)
    x, h0, c0 = _state(n, d, h, seed=2)
    (gates, _, c_new) = _closed_form(x, h0, c0, *weights)
    with torch.no_grad():
        _, c_torch = _reference_cell(d, h, weights)(x, (h0, c0))
    check_close(gates[1] * c0 + gates[0] * gates[2], c_torch, name="(grader self-check)", rtol=RTOL, atol=ATOL)
    got = learner.lstm_gates(x, h0, *weights)
    check_true(
        isinstance(got, (tuple, list)) and len(got) == 4,
        f"lstm_gates should return a tuple of four tensors (i, f, g, o), got {type(got).__name__}",
    )
    z = x @ weights[0].T + weights[2] + h0 @ weights[1].T + weights[3]
    blocks = dict(zip(GATES, z.chunk(4, dim=1)))
    for k, (gate, value, expected) in enumerate(zip(GATES, got, gates)):
        act = torch.tanh if gate == "g" else torch.sigmoid
        mistakes = {
            f"reading the {NAMES[gate]} from rows {GATES.index(other) * h}:{(GATES.index(other) + 1) * h} "
            f"(the {NAMES[other]}'s block; PyTorch's order is i, f, g, o)": act(blocks[other])
            for other in GATES
            if other != gate
        }
        other_act = torch.sigmoid if gate == "g" else torch.tanh
        mistakes[f"using {'a sigmoid' if gate == 'g' else 'a tanh'} for the {NAMES[gate]}"] = other_act(blocks[gate])
        z1 = x @ weights[0].T + weights[2] + h0 @ weights[1].T
        mistakes["forgetting the second bias b_hh"] = act(z1.chunk(4, dim=1)[k])
        check_close(to_tensor(value, f"the {NAMES[gate]}"), expected, name=f"the {NAMES[gate]} (element {k} of the tuple)",
                    rtol=RTOL, atol=ATOL, mistakes=mistakes)


def test_cell_matches_nn_lstmcell(learner):
    """lstm_cell equals nn.LSTMCell with the same weights"""
    for n, d, h, seed in [(3, 5, 4, 10), (2, 3, 6, 11)]:
        weights = _weights(d, h, seed)
        x, h0, c0 = _state(n, d, h, seed + 1)
        with torch.no_grad():
            h_ref, c_ref = _reference_cell(d, h, weights)(x, (h0, c0))
        h_new, c_new = _pair(learner.lstm_cell(x, h0, c0, *weights), "lstm_cell")
        wrong = {what: _closed_form(x, h0, c0, *weights, **flags) for what, flags in _CELL_MISTAKES.items()}
        check_close(c_new, c_ref, name=f"c_new (N={n}, D={d}, H={h})", rtol=RTOL, atol=ATOL,
                    mistakes={what: out[2] for what, out in wrong.items()})
        check_close(h_new, h_ref, name=f"h_new (N={n}, D={d}, H={h})", rtol=RTOL, atol=ATOL,
                    mistakes={what: out[1] for what, out in wrong.items()})


def test_cell_gradients(learner):
    """gradients through lstm_cell (inputs, state and weights) equal nn.LSTMCell's"""
    n, d, h = 3, 4, 5
    weights = _weights(d, h, seed=20)
    x, h0, c0 = _state(n, d, h, seed=21)
    g = torch.Generator().manual_seed(22)
    up_h, up_c = torch.randn(n, h, generator=g), torch.randn(n, h, generator=g)
    leaves = [t.clone().requires_grad_(True) for t in (x, h0, c0, *weights)]
    h_new, c_new = _pair(learner.lstm_cell(*leaves), "lstm_cell")
    h_new = learner_tensor(h_new, "lstm_cell's h", shape=tuple(up_h.shape), grad=True)
    c_new = learner_tensor(c_new, "lstm_cell's c", shape=tuple(up_c.shape), grad=True)
    ((h_new * up_h).sum() + (c_new * up_c).sum()).backward()
    cell = _reference_cell(d, h, weights)
    xr, hr, cr = (t.clone().requires_grad_(True) for t in (x, h0, c0))
    h_ref, c_ref = cell(xr, (hr, cr))
    ((h_ref * up_h).sum() + (c_ref * up_c).sum()).backward()
    expected = [xr.grad, hr.grad, cr.grad, cell.weight_ih.grad, cell.weight_hh.grad, cell.bias_ih.grad, cell.bias_hh.grad]
    for name, leaf, exp in zip(("x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh"), leaves, expected):
        check_true(leaf.grad is not None, f"no gradient reached {name} through your lstm_cell")
        check_close(leaf.grad, exp, name=f"the gradient of {name}", rtol=1e-4, atol=1e-4)


def test_sequence_matches_nn_lstm(learner):
    """lstm_sequence's outputs and final (h, c) equal nn.LSTM's"""
    steps, n, d, h = 7, 3, 4, 5
    weights = _weights(d, h, seed=30)
    g = torch.Generator().manual_seed(31)
    x = torch.randn(steps, n, d, generator=g)
    h0, c0 = torch.randn(n, h, generator=g) * 0.5, torch.randn(n, h, generator=g)
    lstm = _LSTM(d, h)
    with torch.no_grad():
        for p, w in zip((lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0), weights):
            p.copy_(w)
        out_ref, (h_ref, c_ref) = lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    # Mistakes: the cell state reset to c0 at every step; cell states returned as outputs.
    hr, cs_reset, outs_reset, cs = h0, c0, [], []
    hc, cc = h0, c0
    for t in range(steps):
        _, hr, _ = _closed_form(x[t], hr, c0, *weights)
        outs_reset.append(hr)
        _, hc, cc = _closed_form(x[t], hc, cc, *weights)
        cs.append(cc)
    got = learner.lstm_sequence(x, h0, c0, *weights)
    check_true(
        isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], (tuple, list)) and len(got[1]) == 2,
        "lstm_sequence should return (outputs, (h_T, c_T))",
    )
    outputs, (h_t, c_t) = got
    check_close(outputs, out_ref, name="the outputs of lstm_sequence", rtol=RTOL, atol=ATOL, mistakes={
        "resetting the cell state to c0 at every step (c must be carried along)": torch.stack(outs_reset),
        "returning the cell states instead of the hidden states as outputs": torch.stack(cs),
        "outputs shifted by one step (appending h before the update: h_0 .. h_{T-1} instead of h_1 .. h_T)":
            torch.cat([h0[None], out_ref[:-1]]),
    })
    check_close(h_t, h_ref[0], name="the final hidden state h_T", rtol=RTOL, atol=ATOL,
                mistakes={"returning c_T in the place of h_T": c_ref[0]})
    check_close(c_t, c_ref[0], name="the final cell state c_T", rtol=RTOL, atol=ATOL,
                mistakes={"returning h_T in the place of c_T": h_ref[0]})


def test_set_forget_bias(learner):
    """set_forget_bias writes value into bias_ih's forget block (rows H:2H) and zeroes bias_hh's"""
    d, h = 3, 4
    for value in (1.0, 2.5):
        torch.manual_seed(40)
        cell = _LSTMCell(d, h)
        before_ih, before_hh = cell.bias_ih.detach().clone(), cell.bias_hh.detach().clone()
        result = learner.set_forget_bias(cell, value)
        check_true(result is None, "set_forget_bias should modify the cell in place and return None")
        exp_ih, exp_hh = before_ih.clone(), before_hh.clone()
        exp_ih[h : 2 * h], exp_hh[h : 2 * h] = value, 0.0
        mistakes_ih, mistakes_hh = {}, {}
        for k, gate in enumerate(GATES):
            if gate != "f":
                wrong = before_ih.clone()
                wrong[k * h : (k + 1) * h] = value
                mistakes_ih[f"writing into rows {k * h}:{(k + 1) * h}, the {NAMES[gate]}'s block (f is rows H:2H)"] = wrong
        check_close(cell.bias_ih.detach(), exp_ih, name=f"bias_ih after set_forget_bias(cell, {value})", rtol=0,
                    atol=1e-7, mistakes=mistakes_ih)
        both = before_hh.clone()
        both[h : 2 * h] = value
        mistakes_hh["setting bias_hh's forget entries to value too (the total forget bias becomes 2 * value)"] = both
        mistakes_hh["leaving bias_hh's forget entries as they were (the total is then not value)"] = before_hh
        check_close(cell.bias_hh.detach(), exp_hh, name=f"bias_hh after set_forget_bias(cell, {value})", rtol=0,
                    atol=1e-7, mistakes=mistakes_hh)
        x = torch.zeros(1, d)
        gates, _, _ = _closed_form(x, torch.zeros(1, h), torch.zeros(1, h), cell.weight_ih.detach(),
                                   cell.weight_hh.detach(), cell.bias_ih.detach(), cell.bias_hh.detach())
        check_close(gates[1], torch.full((1, h), float(torch.sigmoid(torch.tensor(value)))),
                    name="the forget gate for a zero input and state", rtol=1e-6, atol=1e-6)


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.set_forget_bias, "set_forget_bias", value=1.0)


def _closed_sequence(x, h, c, *weights):
    outputs = []
    for t in range(x.shape[0]):
        _, h, c = _closed_form(x[t], h, c, *weights)
        outputs.append(h)
    return torch.stack(outputs), h, c


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: lstm_cell, lstm_sequence and set_forget_bias keep every tensor there, and the
    values equal a float64 CPU reference"""
    steps, n, d, h = 5, 3, 4, 5
    weights = _weights(d, h, seed=50)
    x, h0, c0 = _state(n, d, h, seed=51)
    xs = torch.randn(steps, n, d, generator=torch.Generator().manual_seed(52))
    check_follows_device(learner.lstm_cell, x, h0, c0, *weights)
    check_follows_device(learner.lstm_sequence, xs, h0, c0, *weights)
    on = to_device((x, h0, c0, xs, *weights), device)
    h_new, c_new = _pair(learner.lstm_cell(*on[:3], *on[4:]), "lstm_cell")
    _, h_ref, c_ref = trusted(_closed_form, x, h0, c0, *weights)
    got = learner.lstm_sequence(on[3], *on[1:3], *on[4:])
    check_true(
        isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], (tuple, list)) and len(got[1]) == 2,
        "lstm_sequence should return (outputs, (h_T, c_T))",
    )
    expected = trusted(_closed_sequence, xs, h0, c0, *weights)
    for what, value, ref in (("lstm_cell's h_new", h_new, h_ref), ("lstm_cell's c_new", c_new, c_ref),
                             ("the outputs of lstm_sequence", got[0], expected[0]),
                             ("lstm_sequence's h_T", got[1][0], expected[1]), ("lstm_sequence's c_T", got[1][1], expected[2])):
        value = to_tensor(value, what)
        check_true(value.device.type == device.type, f"{what} is on {value.device.type}, the inputs on {device.type}")
        check_close(value, ref, name=f"{what} on {device.type}", **tolerance(device, cpu=(RTOL, ATOL)))
    torch.manual_seed(53)
    cell = _LSTMCell(d, h)
    check_follows_device(learner.set_forget_bias, cell, 2.0)
    cell.to(device)
    learner.set_forget_bias(cell, 2.0)
    check_true(cell.bias_ih.device.type == device.type, f"set_forget_bias moved the cell's bias to {cell.bias_ih.device.type}")
    check_close(cell.bias_ih.detach()[h : 2 * h], torch.full((h,), 2.0), name=f"bias_ih's forget block on {device.type}",
                rtol=0, atol=1e-7)
