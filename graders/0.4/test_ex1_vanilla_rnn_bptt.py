"""Grader for exercise 0.4.1: vanilla RNN forward and manual backpropagation through time.

The forward is compared with ``nn.RNN`` (tanh, the learner's weights copied in, the second bias at 0);
the gradients with autograd through the grader's own unrolled recurrence, where truncated BPTT detaches
the hidden state at every chunk boundary. A last test trains a tiny RNN on a delayed-echo task
(``y_t = x_{t-1}``) by plain gradient descent, once with the learner's gradients and once with autograd's,
and checks that the two loss curves agree and fall: the "demonstrate BPTT on a simple sequence task" of
the curriculum. Probes (from a parametrised manual BPTT in this file): the gradient from later steps not
carried back, tanh' as 1 - h or left out, dW_hh built from h_t instead of h_{t-1}, W_hh transposed when
passing the gradient back, truncation ignored; in the forward, a stale hidden state or shifted outputs.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_shape, check_true, member, to_tensor
from gradelib.devices import check_follows_device, to_device, tolerance, trusted
from torch import nn

FORBIDDEN = [
    "torch.autograd.grad",
    "torch.autograd.backward",
    "torch.Tensor.backward",
    "torch.func.grad",
    "torch.func.vjp",
    "torch.func.grad_and_value",
    "torch.autograd.functional.vjp",
    "torch.autograd.functional.jacobian",
    "torch.nn.RNN",
    "torch.nn.RNNCell",
    "torch.rnn_tanh",
    "torch.rnn_tanh_cell",
]

# Captured before any learner code runs.
_RNN = nn.RNN
_grad = torch.autograd.grad

KEYS = ("x", "h0", "W_xh", "W_hh", "b_h")
F_RTOL, F_ATOL = 1e-4, 1e-5
G_RTOL, G_ATOL = 1e-3, 1e-5


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: intra-op threads only add synchronisation cost on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _problem(steps=12, n=3, d=4, h=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(steps, n, d, generator=g)
    h0 = torch.randn(n, h, generator=g) * 0.5
    W_xh = torch.randn(h, d, generator=g) * 0.6
    W_hh = torch.randn(h, h, generator=g) * 0.5
    b_h = torch.randn(h, generator=g) * 0.3
    dhs = torch.randn(steps, n, h, generator=g)
    return x, h0, W_xh, W_hh, b_h, dhs


def _autograd(x, h0, W_xh, W_hh, b_h, dhs, truncate=None):
    leaves = [t.clone().requires_grad_(True) for t in (x, h0, W_xh, W_hh, b_h)]
    xs, h, wxh, whh, bh = leaves
    hs = []
    for t in range(xs.shape[0]):
        if truncate is not None and t > 0 and t % truncate == 0:
            h = h.detach()
        h = torch.tanh(xs[t] @ wxh.T + h @ whh.T + bh)
        hs.append(h)
    loss = (torch.stack(hs) * dhs).sum()
    grads = _grad(loss, leaves, allow_unused=True)
    return {k: (g if g is not None else torch.zeros_like(v)) for k, g, v in zip(KEYS, grads, leaves)}


def _manual(x, h0, W_xh, W_hh, b_h, dhs, truncate=None, mistake=None):
    """Manual BPTT with one classic mistake switched on (for the probes)."""
    hs = []
    h = h0
    for t in range(x.shape[0]):
        h = torch.tanh(x[t] @ W_xh.T + h @ W_hh.T + b_h)
        hs.append(h)
    dx, dwxh, dwhh, db = torch.zeros_like(x), torch.zeros_like(W_xh), torch.zeros_like(W_hh), torch.zeros_like(b_h)
    dh_next = torch.zeros_like(h0)
    for t in reversed(range(x.shape[0])):
        h_prev = hs[t - 1] if t > 0 else h0
        dh = dhs[t] + (0 if mistake == "no_carry" else dh_next)
        if mistake == "one_minus_h":
            da = dh * (1 - hs[t])
        elif mistake == "no_tanh_grad":
            da = dh
        else:
            da = dh * (1 - hs[t] ** 2)
        dwxh += da.T @ x[t]
        dwhh += da.T @ (hs[t] if mistake == "h_t_in_dWhh" else h_prev)
        db += da.sum(0)
        dx[t] = da @ W_xh
        dh_next = da @ (W_hh.T if mistake == "W_hh_transposed" else W_hh)
        if truncate is not None and t > 0 and t % truncate == 0:
            dh_next = torch.zeros_like(dh_next)
    return {"x": dx, "h0": dh_next, "W_xh": dwxh, "W_hh": dwhh, "b_h": db}


_MISTAKES = {
    "no_carry": "not carrying back the gradient from later steps (dh must be dhs[t] + dh_next)",
    "one_minus_h": "using 1 - h as the tanh derivative instead of 1 - h**2",
    "no_tanh_grad": "forgetting the tanh derivative (1 - h**2)",
    "h_t_in_dWhh": "building dW_hh from h_t instead of h_{t-1}",
    "W_hh_transposed": "passing the gradient back with W_hh.T (it should be da @ W_hh)",
}


def _grads(learner, problem, truncate=None):
    x, h0, W_xh, W_hh, b_h, dhs = problem
    hs = _RNN_forward(x, h0, W_xh, W_hh, b_h)
    out = learner.rnn_backward(x.clone(), h0.clone(), hs.clone(), W_xh.clone(), W_hh.clone(), b_h.clone(),
                               dhs.clone(), truncate=truncate)
    check_true(isinstance(out, dict), f"rnn_backward should return a dict with keys {list(KEYS)}, got {type(out).__name__}")
    missing = [k for k in KEYS if k not in out]
    check_true(not missing, f"rnn_backward's dict lacks the keys {missing}")
    return out


def _RNN_forward(x, h0, W_xh, W_hh, b_h):
    rnn = _RNN(W_xh.shape[1], W_xh.shape[0], nonlinearity="tanh", dtype=x.dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(W_xh)
        rnn.weight_hh_l0.copy_(W_hh)
        rnn.bias_ih_l0.copy_(b_h)
        rnn.bias_hh_l0.zero_()
        out, _ = rnn(x, h0.unsqueeze(0))
    return out


def _compare(got, expected, problem, truncate, keys, label):
    wrong = {what: _manual(*problem, truncate=truncate, mistake=mistake) for mistake, what in _MISTAKES.items()}
    if truncate is not None:
        wrong["ignoring truncate (full BPTT)"] = _autograd(*problem)
    for key in keys:
        value = to_tensor(got[key], f"the gradient '{key}'")
        if value.shape != expected[key].shape:
            raise GradeFailure(
                f"the gradient '{key}'{label} has shape {tuple(value.shape)}, expected {tuple(expected[key].shape)} "
                "(the gradient of a tensor has that tensor's shape: a missing transpose or a sum over the batch?)"
            )
        mistakes = {what: grads[key] for what, grads in wrong.items()}
        check_close(value, expected[key], name=f"the gradient '{key}'{label}", rtol=G_RTOL, atol=G_ATOL,
                    mistakes=mistakes)


def test_forward_matches_nn_rnn(learner):
    """rnn_forward returns h_1..h_T and equals nn.RNN with the same weights"""
    x, h0, W_xh, W_hh, b_h, _ = _problem(seed=1)
    expected = _RNN_forward(x, h0, W_xh, W_hh, b_h)
    got = learner.rnn_forward(x, h0, W_xh, W_hh, b_h)
    stale = torch.stack([torch.tanh(x[t] @ W_xh.T + h0 @ W_hh.T + b_h) for t in range(x.shape[0])])
    shifted = torch.cat([h0.unsqueeze(0), expected[:-1]])
    check_close(got, expected, name="rnn_forward(...)", rtol=F_RTOL, atol=F_ATOL, mistakes={
        "starting every step from h0 (the hidden state is not carried forward)": stale,
        "returning h_0..h_{T-1} instead of h_1..h_T": shifted,
    })


def test_parameter_gradients(learner):
    """full BPTT: the gradients of W_xh, W_hh and b_h equal autograd's"""
    problem = _problem(seed=2)
    expected = _autograd(*problem)
    _compare(_grads(learner, problem), expected, problem, None, ("W_xh", "W_hh", "b_h"), "")


def test_input_and_state_gradients(learner):
    """full BPTT: the gradients of every input x_t and of h0 equal autograd's"""
    problem = _problem(seed=3)
    expected = _autograd(*problem)
    _compare(_grads(learner, problem), expected, problem, None, ("x", "h0"), "")


def test_single_step(learner):
    """a one-step sequence (no recurrence to go through) has the right gradients"""
    problem = _problem(steps=1, seed=4)
    expected = _autograd(*problem)
    _compare(_grads(learner, problem), expected, problem, None, KEYS, " for a one-step sequence")


def test_truncated_bptt(learner):
    """truncated BPTT: no gradient crosses the boundaries of chunks of k steps"""
    for k in (1, 3, 5):
        problem = _problem(seed=10 + k)
        expected = _autograd(*problem, truncate=k)
        _compare(_grads(learner, problem, truncate=k), expected, problem, k, KEYS, f" with truncate={k}")


def test_bptt_trains_delayed_echo(learner):
    """gradient descent with your BPTT learns a delayed echo (y_t = x_{t-1}) exactly as autograd does"""
    steps, n, hidden, lr, iters = 8, 16, 8, 0.5, 60
    g = torch.Generator().manual_seed(7)
    x = torch.randn(steps, n, 1, generator=g)
    y = torch.cat([torch.zeros(1, n, 1), x[:-1]])
    init = {
        "W_xh": torch.randn(hidden, 1, generator=g) * 0.5,
        "W_hh": torch.randn(hidden, hidden, generator=g) * 0.2,
        "b_h": torch.zeros(hidden),
        "W_hy": torch.randn(1, hidden, generator=g) * 0.5,
    }
    h0 = torch.zeros(n, hidden)

    def loss_of(hs, W_hy):
        return 0.5 * ((hs @ W_hy.T - y) ** 2).mean()

    # Reference: autograd.
    params = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    ref_losses = []
    for _ in range(iters):
        hs = _RNN_forward_graph(x, h0, params["W_xh"], params["W_hh"], params["b_h"])
        loss = loss_of(hs, params["W_hy"])
        grads = _grad(loss, list(params.values()))
        ref_losses.append(float(loss.detach()))
        with torch.no_grad():
            for p, gr in zip(params.values(), grads):
                p -= lr * gr
    # Learner: their forward and backward, the readout's gradient by hand here.
    p = {k: v.clone() for k, v in init.items()}
    losses = []
    for _ in range(iters):
        hs = to_tensor(learner.rnn_forward(x, h0, p["W_xh"], p["W_hh"], p["b_h"]), "rnn_forward's hs").to(x.dtype)
        check_true(tuple(hs.shape) == (steps, n, hidden), f"rnn_forward's hs has shape {tuple(hs.shape)}, "
                   f"expected {(steps, n, hidden)}")
        err = (hs @ p["W_hy"].T - y) / y.numel()
        losses.append(float(0.5 * ((hs @ p["W_hy"].T - y) ** 2).mean()))
        dW_hy = (err.reshape(-1, 1).T @ hs.reshape(-1, hidden))
        dhs = err @ p["W_hy"]
        grads = learner.rnn_backward(x, h0, hs, p["W_xh"], p["W_hh"], p["b_h"], dhs)
        for key in ("W_xh", "W_hh", "b_h"):
            step = check_shape(member(grads, key, "rnn_backward's result"), tuple(p[key].shape), f"rnn_backward's {key}")
            p[key] = p[key] - lr * step.to(p[key].dtype)
        p["W_hy"] = p["W_hy"] - lr * dW_hy
    check_true(ref_losses[-1] < 0.5 * ref_losses[0], "the grader's own training run did not learn (grader bug)")
    check_close(
        torch.tensor(losses),
        torch.tensor(ref_losses),
        name=f"the training loss over {iters} gradient-descent steps with your BPTT (vs autograd's)",
        rtol=1e-3,
        atol=1e-5,
    )


def _RNN_forward_graph(x, h0, W_xh, W_hh, b_h):
    h, hs = h0, []
    for t in range(x.shape[0]):
        h = torch.tanh(x[t] @ W_xh.T + h @ W_hh.T + b_h)
        hs.append(h)
    return torch.stack(hs)


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: rnn_forward and rnn_backward keep every tensor there, and their values equal a
    float64 CPU reference (full and truncated BPTT)"""
    problem = _problem(steps=7, seed=40)
    x, h0, W_xh, W_hh, b_h, dhs = problem
    hs = _RNN_forward(x, h0, W_xh, W_hh, b_h)
    check_follows_device(learner.rnn_forward, x, h0, W_xh, W_hh, b_h)
    for truncate in (None, 3):
        check_follows_device(learner.rnn_backward, x, h0, hs, W_xh, W_hh, b_h, dhs, truncate=truncate)
    xd, h0d, W_xhd, W_hhd, b_hd, dhsd, hsd = to_device((*problem, hs), device)
    got = to_tensor(learner.rnn_forward(xd, h0d, W_xhd, W_hhd, b_hd), "rnn_forward's hidden states")
    check_true(got.device.type == device.type, f"rnn_forward returned a tensor on {got.device.type} for inputs on {device.type}")
    check_close(got, trusted(_RNN_forward, x, h0, W_xh, W_hh, b_h), name=f"rnn_forward's hidden states on {device.type}",
                **tolerance(device, cpu=(F_RTOL, F_ATOL)))
    for truncate in (None, 3):
        out = learner.rnn_backward(xd, h0d, hsd, W_xhd, W_hhd, b_hd, dhsd, truncate=truncate)
        check_true(isinstance(out, dict) and all(k in out for k in KEYS),
                   f"rnn_backward should return a dict with keys {list(KEYS)}, got {type(out).__name__}")
        expected = trusted(_autograd, *problem, truncate=truncate)
        for key in KEYS:
            value = to_tensor(out[key], f"the gradient '{key}'")
            check_true(value.device.type == device.type, f"the gradient '{key}' is on {value.device.type}, the inputs on {device.type}")
            check_close(value, expected[key], name=f"the gradient '{key}' (truncate={truncate}) on {device.type}",
                        **tolerance(device, cpu=(G_RTOL, G_ATOL)))
