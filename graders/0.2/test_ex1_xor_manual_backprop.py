"""Grader for exercise 0.2.1: a 2-layer tanh/sigmoid network on XOR, forward and backward by hand.

Outputs and the loss are compared with a float64 closed form, gradients with autograd through the same
network (autograd is off-limits to the learner), a 15-step training trajectory with a replay, and a
longer run must classify XOR perfectly. Probes: sigmoid hidden units, a missing output sigmoid, a sum
instead of a mean, the tanh derivative left out or taken as h(1 - h) or 1 - h, an extra sigmoid
derivative at the output, flipped signs, bias gradients not summed over the batch, transposed weight
gradients, gradient ascent and losses logged after the update.
"""

from __future__ import annotations

import torch
from gradelib import GradeFailure, check_close, check_number, check_true, to_tensor, unpack
from gradelib.devices import check_follows_device, to_device, tolerance, trusted

FORBIDDEN = [
    "torch.Tensor.backward",
    "torch.autograd.backward",
    "torch.autograd.grad",
    "torch.func.grad",
    "torch.func.grad_and_value",
    "torch.func.vjp",
]

KEYS = ("W1", "b1", "W2", "b2")
F64 = torch.float64
XOR_X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=F64)
XOR_Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=F64)


def _params(seed: int, hidden: int = 4) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "W1": torch.randn(2, hidden, generator=g, dtype=F64),
        "b1": 0.5 * torch.randn(hidden, generator=g, dtype=F64),
        "W2": torch.randn(hidden, 1, generator=g, dtype=F64),
        "b2": 0.5 * torch.randn(1, generator=g, dtype=F64),
    }


def _batch(seed: int, n: int = 6):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 2, generator=g, dtype=F64)
    y = (torch.rand(n, 1, generator=g, dtype=F64) > 0.5).to(F64)
    return X, y


def _copy(params):
    return {k: v.clone() for k, v in params.items()}


def _forward(X, p, hidden=torch.tanh, out=torch.sigmoid):
    h = hidden(X @ p["W1"] + p["b1"])
    return out(h @ p["W2"] + p["b2"]), h


def _bce(y_hat, y):
    return -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()


def _autograd(X, y, p):
    leaves = {k: v.clone().requires_grad_(True) for k, v in p.items()}
    loss = _bce(_forward(X, leaves)[0], y)
    grads = torch.autograd.grad(loss, [leaves[k] for k in KEYS])
    return dict(zip(KEYS, grads))


def _manual(X, y, p, *, dtanh="right", scale=None, extra_sigmoid=False):
    """The hand-written backward pass, right or with one classic mistake."""
    y_hat, h = _forward(X, p)
    n = X.shape[0] if scale is None else scale
    dz2 = (y_hat - y) / n
    if extra_sigmoid:
        dz2 = dz2 * y_hat * (1 - y_hat)
    dh = dz2 @ p["W2"].T
    deriv = {"right": 1 - h**2, "none": torch.ones_like(h), "sigmoid": h * (1 - h), "linear": 1 - h}[dtanh]
    dz1 = dh * deriv
    return {"W1": X.T @ dz1, "b1": dz1.sum(0), "W2": h.T @ dz2, "b2": dz2.sum(0)}


def _grads(learner, X, y, p):
    y_hat, cache = unpack(learner.forward(X.clone(), _copy(p)), 2, "forward", "y_hat, cache")
    grads = learner.backward(X.clone(), y.clone(), _copy(p), cache)
    if not isinstance(grads, dict):
        raise GradeFailure(f"backward should return a dict with keys {KEYS}, got {type(grads).__name__}")
    missing = [k for k in KEYS if k not in grads]
    if missing:
        raise GradeFailure(f"backward's dict lacks {missing}")
    return grads


def test_forward(learner):
    """forward: tanh hidden layer, sigmoid output, shape (N, 1)"""
    X, _ = _batch(1)
    p = _params(1)
    y_hat, _ = unpack(learner.forward(X.clone(), _copy(p)), 2, "forward", "y_hat, cache")
    check_close(
        y_hat,
        _forward(X, p)[0],
        name="y_hat",
        rtol=1e-6,
        atol=1e-9,
        mistakes={
            "a sigmoid hidden layer instead of tanh": _forward(X, p, hidden=torch.sigmoid)[0],
            "returning the logits z2 (no output sigmoid)": _forward(X, p, out=lambda z: z)[0],
        },
    )


def test_loss(learner):
    """bce_loss is the mean binary cross-entropy"""
    X, y = _batch(2)
    y_hat = _forward(X, _params(2))[0]
    expected = float(_bce(y_hat, y))
    check_number(
        learner.bce_loss(y_hat.clone(), y.clone()),
        expected,
        name="bce_loss",
        rtol=1e-6,
        atol=1e-9,
        mistakes={
            "summing over the batch instead of averaging": expected * len(y),
            "a flipped sign (the log-likelihood, not its negative)": -expected,
        },
    )


def test_output_layer_gradients(learner):
    """dW2 and db2 equal autograd's"""
    X, y = _batch(3)
    p = _params(3)
    ref = _autograd(X, y, p)
    got = _grads(learner, X, y, p)
    for key in ("W2", "b2"):
        check_close(
            got[key],
            ref[key],
            name=f"d{key}",
            rtol=1e-6,
            atol=1e-9,
            mistakes={
                "summing over the batch instead of averaging (dL/dz2 lacks the 1/N)": _manual(X, y, p, scale=1)[key],
                "multiplying (y_hat - y) by the sigmoid derivative again (it is already folded in)": _manual(
                    X, y, p, extra_sigmoid=True
                )[key],
                "a flipped sign (y - y_hat)": -ref[key],
            },
        )


def test_hidden_layer_gradients(learner):
    """dW1 and db1 equal autograd's (through the tanh derivative)"""
    X, y = _batch(4)
    p = _params(4)
    ref = _autograd(X, y, p)
    got = _grads(learner, X, y, p)
    if tuple(to_tensor(got["b1"], "db1").shape) == (X.shape[0], p["b1"].shape[0]):
        raise GradeFailure("db1 has one row per example: sum the bias gradient over the batch axis (dim 0)")
    for key in ("W1", "b1"):
        check_close(
            got[key],
            ref[key],
            name=f"d{key}",
            rtol=1e-6,
            atol=1e-9,
            mistakes={
                "leaving out the tanh derivative (1 - h**2)": _manual(X, y, p, dtanh="none")[key],
                "using the sigmoid derivative h * (1 - h) for tanh": _manual(X, y, p, dtanh="sigmoid")[key],
                "using 1 - h instead of 1 - h**2 for the tanh derivative": _manual(X, y, p, dtanh="linear")[key],
                "summing over the batch instead of averaging (dL/dz2 lacks the 1/N)": _manual(X, y, p, scale=1)[key],
                "a flipped sign (y - y_hat)": -ref[key],
            },
        )


def test_gradient_shapes_other_sizes(learner):
    """all four gradients have their parameter's shape and match autograd (H = 7, N = 9)"""
    X, y = _batch(5, n=9)
    p = _params(5, hidden=7)
    ref = _autograd(X, y, p)
    got = _grads(learner, X, y, p)
    for key in KEYS:
        check_close(got[key], ref[key], name=f"d{key}", rtol=1e-6, atol=1e-9)


def _train(X, y, p, lr, steps, *, ascent=False, log_after=False):
    p, losses = _copy(p), []
    for _ in range(steps):
        if not log_after:
            losses.append(float(_bce(_forward(X, p)[0], y)))
        g = _manual(X, y, p)
        p = {k: p[k] + lr * g[k] if ascent else p[k] - lr * g[k] for k in KEYS}
        if log_after:
            losses.append(float(_bce(_forward(X, p)[0], y)))
    return p, torch.tensor(losses, dtype=F64)


def _trained(out) -> tuple[dict, torch.Tensor]:
    params, losses = unpack(out, 2, "train", "params, losses")
    if not isinstance(params, dict) or any(k not in params for k in KEYS):
        raise GradeFailure(f"train's params should be a dict with the keys {KEYS}, got {type(params).__name__}")
    if not isinstance(losses, (list, tuple)) or not all(isinstance(v, (int, float)) for v in losses):
        raise GradeFailure(f"train's losses should be a list of Python floats, got {type(losses).__name__}")
    return params, to_tensor([float(v) for v in losses], "losses")


def test_training_trajectory(learner):
    """train follows gradient descent step by step (losses logged before each update)"""
    p = _params(6)
    exp_p, exp_losses = _train(XOR_X, XOR_Y, p, 0.5, 15)
    got_p, losses = _trained(learner.train(XOR_X.clone(), XOR_Y.clone(), _copy(p), 0.5, 15))
    check_close(
        losses,
        exp_losses,
        name="the training losses",
        rtol=1e-6,
        atol=1e-9,
        mistakes={
            "adding the gradient (ascent) instead of subtracting it": _train(XOR_X, XOR_Y, p, 0.5, 15, ascent=True)[1],
            "logging the loss after each update instead of before it": _train(XOR_X, XOR_Y, p, 0.5, 15, log_after=True)[1],
        },
    )
    for key in KEYS:
        check_close(got_p[key], exp_p[key], name=f"{key} after 15 steps", rtol=1e-6, atol=1e-9)


def test_train_returns_new_parameters(learner):
    """train returns a new dict and leaves the caller's dict and tensors unchanged"""
    p = _params(7)
    given = _copy(p)
    before = dict(given)
    got_p, _ = _trained(learner.train(XOR_X.clone(), XOR_Y.clone(), given, 0.5, 3))
    check_true(got_p is not given, "train returned the caller's own dict; the stub asks for a new one")
    check_true(given.keys() == before.keys() and all(given[k] is before[k] for k in KEYS),
               "train replaced entries of the caller's dict; build a new dict for the result")
    changed = [k for k in KEYS if not torch.equal(given[k], p[k])]
    check_true(not changed, f"train changed the caller's tensors {changed} in place (-=); compute new tensors "
               "(param = param - lr * grad) and leave the caller's as they were")


def test_learns_xor(learner):
    """300 steps of lr = 1.0 classify all four XOR points correctly"""
    p = _params(0)
    got_p, losses = _trained(learner.train(XOR_X.clone(), XOR_Y.clone(), _copy(p), 1.0, 300))
    y_hat = _forward(XOR_X, {k: to_tensor(got_p[k], k).to(F64) for k in KEYS})[0]
    predictions = (y_hat > 0.5).to(F64)
    check_true(
        bool(torch.equal(predictions, XOR_Y)),
        f"after training the network predicts {predictions.view(-1).tolist()} for XOR targets {XOR_Y.view(-1).tolist()} "
        f"(y_hat = {[round(v, 3) for v in y_hat.view(-1).tolist()]})",
    )
    check_true(len(losses) == 300, f"train returned {len(losses)} losses for 300 steps")
    check_true(float(losses[-1]) < 0.05, f"the final loss is {float(losses[-1]):.4g}; it should fall below 0.05")


def test_runs_on_the_inputs_device(learner, device):
    """on the grading device: forward, backward and train keep every tensor there, gradients equal a float64
    CPU reference"""
    X, y = _batch(30)
    p = _params(30)
    check_follows_device(learner.forward, X, p)
    check_follows_device(lambda X, y, p: learner.backward(X, y, p, unpack(learner.forward(X, p), 2, "forward", "y_hat, cache")[1]), X, y, p)
    check_follows_device(learner.train, X, y, p, 0.5, 3)
    Xd, yd, pd = to_device((X, y, p), device)
    got = _grads(learner, Xd, yd, pd)
    expected = trusted(_autograd, X, y, p)
    for key in KEYS:
        mine = to_tensor(got[key], f"d{key}")
        check_true(mine.device.type == device.type, f"d{key} is on {mine.device.type}, the inputs on {device.type}")
        check_close(mine.cpu(), expected[key], name=f"d{key} on {device.type}", **tolerance(device))
