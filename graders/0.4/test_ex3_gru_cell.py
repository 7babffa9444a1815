"""Grader for exercise 0.4.3: a GRU cell as PyTorch computes it; GRU vs LSTM parameter counts.

The cell, its gradients and the sequence are compared with ``nn.GRUCell`` and ``nn.GRU`` (captured before
the learner's code runs) with the same random weights; the counts with ``sum(p.numel())`` of real
``nn.LSTM`` / ``nn.GRU`` modules over layers, bias and bidirectional settings. Probes (variants of the
closed form): the reset gate applied to h before the matrix product (the original paper's placement), the
bias b_hn left outside the reset gate, z weighting the candidate instead of the old state, the r and z
blocks swapped, the second bias forgotten; in the sequence, the state not carried; in the counts, one
bias vector instead of two, later layers fed input_size features, bidirectional outputs not doubling the
next layer's input, the second direction not counted, and 4 and 3 gate blocks swapped.
"""

from __future__ import annotations

import itertools

import pytest
import torch
from gradelib import check_close, check_defaults, check_number, check_true, learner_tensor, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted
from torch import nn

FORBIDDEN = [
    "torch.nn.GRUCell",
    "torch.nn.GRU",
    "torch.gru_cell",
    "torch.gru",
    "torch.nn.LSTM",
    "torch.nn.LSTMCell",
]

# Captured before any learner code runs.
_GRUCell = nn.GRUCell
_GRU = nn.GRU
_LSTM = nn.LSTM

RTOL, ATOL = 1e-4, 1e-5


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
        torch.randn(3 * h, d, generator=g) * 0.6,
        torch.randn(3 * h, h, generator=g) * 0.6,
        torch.randn(3 * h, generator=g) * 0.5,
        torch.randn(3 * h, generator=g) * 0.5,
    )


def _closed_form(x, h, W_ih, W_hh, b_ih, b_hh, reset="after", swap_z=False, order="rzn", two_bias=True):
    """The GRU step; the keyword arguments reproduce classic mistakes."""
    if not two_bias:
        b_hh = torch.zeros_like(b_hh)
    a = dict(zip(order, (x @ W_ih.T + b_ih).chunk(3, dim=1)))
    u = dict(zip(order, (h @ W_hh.T + b_hh).chunk(3, dim=1)))
    r = torch.sigmoid(a["r"] + u["r"])
    z = torch.sigmoid(a["z"] + u["z"])
    hidden = h.shape[1]
    k = order.index("n")
    W_hn, b_hn = W_hh[k * hidden : (k + 1) * hidden], b_hh[k * hidden : (k + 1) * hidden]
    if reset == "before":
        n = torch.tanh(a["n"] + (r * h) @ W_hn.T + b_hn)
    elif reset == "bias_outside":
        n = torch.tanh(a["n"] + r * (h @ W_hn.T) + b_hn)
    else:
        n = torch.tanh(a["n"] + r * u["n"])
    return z * n + (1 - z) * h if swap_z else (1 - z) * n + z * h


_CELL_MISTAKES = {
    "applying the reset gate to h before the matrix product, (r * h) @ W_hn.T (the original paper's GRU; "
    "PyTorch's is r * (h @ W_hn.T + b_hn))": dict(reset="before"),
    "leaving b_hn outside the reset gate, r * (h @ W_hn.T) + b_hn": dict(reset="bias_outside"),
    "swapping the roles of z: h_new = z * n + (1 - z) * h (z is the share of the old state)": dict(swap_z=True),
    "reading the blocks in the order z, r, n (PyTorch's is r, z, n)": dict(order="zrn"),
    "forgetting the second bias b_hh": dict(two_bias=False),
}


def _reference_cell(d, h, weights):
    cell = _GRUCell(d, h)
    with torch.no_grad():
        for p, w in zip((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh), weights):
            p.copy_(w)
    return cell


def test_cell_matches_nn_grucell(learner):
    """gru_cell equals nn.GRUCell with the same weights (reset gate after the hidden product)"""
    for n, d, h, seed in [(3, 5, 4, 1), (2, 3, 6, 2)]:
        weights = _weights(d, h, seed)
        g = torch.Generator().manual_seed(seed + 100)
        x, h0 = torch.randn(n, d, generator=g), torch.randn(n, h, generator=g)
        with torch.no_grad():
            expected = _reference_cell(d, h, weights)(x, h0)
        check_close(_closed_form(x, h0, *weights), expected, name="(grader self-check)", rtol=RTOL, atol=ATOL)
        got = learner.gru_cell(x, h0, *weights)
        check_close(
            to_tensor(got, "gru_cell(...)"),
            expected,
            name=f"gru_cell (N={n}, D={d}, H={h})",
            rtol=RTOL,
            atol=ATOL,
            mistakes={what: _closed_form(x, h0, *weights, **flags) for what, flags in _CELL_MISTAKES.items()},
        )


def test_cell_gradients(learner):
    """gradients through gru_cell (input, state and weights) equal nn.GRUCell's"""
    n, d, h = 3, 4, 5
    weights = _weights(d, h, seed=3)
    g = torch.Generator().manual_seed(4)
    x, h0, up = torch.randn(n, d, generator=g), torch.randn(n, h, generator=g), torch.randn(n, h, generator=g)
    leaves = [t.clone().requires_grad_(True) for t in (x, h0, *weights)]
    out = learner.gru_cell(*leaves)
    out = learner_tensor(out, "gru_cell's output", shape=tuple(up.shape), grad=True)
    (out * up).sum().backward()
    cell = _reference_cell(d, h, weights)
    xr, hr = x.clone().requires_grad_(True), h0.clone().requires_grad_(True)
    (cell(xr, hr) * up).sum().backward()
    expected = [xr.grad, hr.grad, cell.weight_ih.grad, cell.weight_hh.grad, cell.bias_ih.grad, cell.bias_hh.grad]
    for name, leaf, exp in zip(("x", "h", "W_ih", "W_hh", "b_ih", "b_hh"), leaves, expected):
        check_true(leaf.grad is not None, f"no gradient reached {name} through your gru_cell")
        check_close(leaf.grad, exp, name=f"the gradient of {name}", rtol=1e-4, atol=1e-4)


def test_sequence_matches_nn_gru(learner):
    """gru_sequence's outputs and final state equal nn.GRU's"""
    steps, n, d, h = 7, 3, 4, 5
    weights = _weights(d, h, seed=5)
    g = torch.Generator().manual_seed(6)
    x, h0 = torch.randn(steps, n, d, generator=g), torch.randn(n, h, generator=g)
    gru = _GRU(d, h)
    with torch.no_grad():
        for p, w in zip((gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0), weights):
            p.copy_(w)
        out_ref, h_ref = gru(x, h0.unsqueeze(0))
    stale = torch.stack([_closed_form(x[t], h0, *weights) for t in range(steps)])
    got = learner.gru_sequence(x, h0, *weights)
    check_true(isinstance(got, (tuple, list)) and len(got) == 2, "gru_sequence should return (outputs, h_T)")
    outputs, h_t = got
    check_close(outputs, out_ref, name="the outputs of gru_sequence", rtol=RTOL, atol=ATOL,
                mistakes={"starting every step from h0 (the state must be carried along)": stale})
    check_close(h_t, h_ref[0], name="the final state h_T", rtol=RTOL, atol=ATOL)


def _numel(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _formula(gates, d, h, layers, bias, bidir, *, biases=2, later_input="ok", count_dirs=True):
    dirs = 2 if bidir else 1
    total = 0
    for layer in range(layers):
        if layer == 0:
            inp = d
        elif later_input == "input_size":
            inp = d
        elif later_input == "not_doubled":
            inp = h
        else:
            inp = h * dirs
        per = gates * h * (inp + h) + (biases * gates * h if bias else 0)
        total += (dirs if count_dirs else 1) * per
    return total


_CONFIGS = [
    (10, 20, 1, True, False),
    (10, 20, 1, False, False),
    (7, 16, 2, True, False),
    (7, 16, 2, True, True),
    (32, 8, 3, True, True),
    (5, 12, 3, False, True),
    (64, 64, 1, True, True),
]


def _check_counts(learner, kind):
    gates, other, module, fn = (
        (4, 3, _LSTM, learner.lstm_param_count) if kind == "lstm" else (3, 4, _GRU, learner.gru_param_count)
    )
    for d, h, layers, bias, bidir in _CONFIGS:
        expected = _numel(module(d, h, layers, bias=bias, bidirectional=bidir))
        candidates = {
            "counting one bias vector per gate block instead of two (bias_ih and bias_hh)": _formula(
                gates, d, h, layers, bias, bidir, biases=1
            ),
            "feeding every layer input_size features (later layers take the previous layer's output)": _formula(
                gates, d, h, layers, bias, bidir, later_input="input_size"
            ),
            "feeding later layers hidden_size features although the previous layer is bidirectional "
            "(2 * hidden_size)": _formula(gates, d, h, layers, bias, bidir, later_input="not_doubled"),
            "counting only one direction of a bidirectional layer": _formula(
                gates, d, h, layers, bias, bidir, count_dirs=False
            ),
            f"using {other} gate blocks instead of {gates}": _formula(other, d, h, layers, bias, bidir),
        }
        got = fn(d, h, num_layers=layers, bias=bias, bidirectional=bidir)
        check_number(
            got,
            expected,
            name=f"{kind}_param_count({d}, {h}, num_layers={layers}, bias={bias}, bidirectional={bidir})",
            rtol=0,
            mistakes={what: value for what, value in candidates.items() if value != expected},
        )


def test_lstm_param_count(learner):
    """lstm_param_count equals the parameters of nn.LSTM (layers, bias, bidirectional)"""
    _check_counts(learner, "lstm")


def test_gru_param_count(learner):
    """gru_param_count equals the parameters of nn.GRU: 3/4 of the LSTM's"""
    _check_counts(learner, "gru")


def test_defaults(learner):
    """the default arguments the stub states"""
    check_defaults(learner.lstm_param_count, "lstm_param_count", num_layers=1, bias=True, bidirectional=False)


def _closed_sequence(x, h, *weights):
    outputs = []
    for t in range(x.shape[0]):
        h = _closed_form(x[t], h, *weights)
        outputs.append(h)
    return torch.stack(outputs), h


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: gru_cell and gru_sequence keep every tensor there, and the values equal a
    float64 CPU reference"""
    steps, n, d, h = 5, 3, 4, 5
    weights = _weights(d, h, seed=50)
    g = torch.Generator().manual_seed(51)
    x, h0 = torch.randn(steps, n, d, generator=g), torch.randn(n, h, generator=g)
    check_follows_device(learner.gru_cell, x[0], h0, *weights)
    check_follows_device(learner.gru_sequence, x, h0, *weights)
    xd, h0d, *wd = to_device((x, h0, *weights), device)
    got = learner.gru_sequence(xd, h0d, *wd)
    check_true(isinstance(got, (tuple, list)) and len(got) == 2, "gru_sequence should return (outputs, h_T)")
    expected = trusted(_closed_sequence, x, h0, *weights)
    for what, value, ref in (("gru_cell's h_new", learner.gru_cell(xd[0], h0d, *wd), trusted(_closed_form, x[0], h0, *weights)),
                             ("the outputs of gru_sequence", got[0], expected[0]), ("gru_sequence's h_T", got[1], expected[1])):
        value = to_tensor(value, what)
        check_true(value.device.type == device.type, f"{what} is on {value.device.type}, the inputs on {device.type}")
        check_close(value, ref, name=f"{what} on {device.type}", **tolerance(device, cpu=(RTOL, ATOL)))
