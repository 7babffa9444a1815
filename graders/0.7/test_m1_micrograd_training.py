"""Grader for milestone 0.7.m1: a micrograd MLP trained with the learner's own autodiff.

The learner's parameters are overwritten with seeded values and copied, in ``parameters()`` order, into
a float64 PyTorch MLP; the output, the SVM loss and every parameter's gradient are compared with
PyTorch autograd; two ``train_step`` calls are compared with two reference SGD steps (forgetting
``zero_grad`` makes the second step use accumulated gradients); ``backward`` twice without ``zero_grad``
must double the gradients; ``fit`` must reach a training accuracy of 0.95 on 40 seeded two-moons points.
Learner code runs with Python's cyclic GC disabled: micrograd graphs are full of reference cycles, and
with torch's heap loaded each collection is slow. Probes: relu on the output layer, a linear hidden
layer, the summed (not mean) hinge loss, a missing or bias-free L2 term, a missing zero_grad, the SGD
sign error.
"""

from __future__ import annotations

import contextlib
import gc
import random
import time

import torch
from gradelib import GradeFailure, check_close, check_number, check_true, numbers, unpack
from sklearn.datasets import make_moons

FORBIDDEN = ["torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward"]

_grad = torch.autograd.grad

RTOL, ATOL = 1e-7, 1e-10
ARCH = [4, 3, 1]


@contextlib.contextmanager
def _no_gc():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _points(n=12, seed=5):
    X, y = make_moons(n_samples=n, noise=0.1, random_state=seed)
    return X.tolist(), [int(v) * 2 - 1 for v in y]


def _init_values(seed=0):
    rng = random.Random(seed)
    sizes = [2] + ARCH
    weights = []
    for i in range(len(ARCH)):
        w = [[rng.uniform(-1, 1) for _ in range(sizes[i])] for _ in range(sizes[i + 1])]
        b = [rng.uniform(-0.5, 0.5) for _ in range(sizes[i + 1])]
        weights.append((w, b))
    return weights


def _flat(weights):
    out = []
    for w, b in weights:
        for row, bj in zip(w, b):
            out.extend(row)
            out.append(bj)
    return out


def _learner_model(learner, seed=0):
    random.seed(0)
    model = learner.MLP(2, ARCH)
    params = model.parameters() if callable(getattr(model, "parameters", None)) else None
    check_true(isinstance(params, list), f"MLP(2, {ARCH}).parameters() should return a list of Values, "
               f"got {type(params).__name__}")
    flat = _flat(_init_values(seed))
    check_true(
        len(params) == len(flat),
        f"MLP(2, {ARCH}).parameters() has {len(params)} entries, expected {len(flat)} "
        "(every weight and every bias, layer by layer)",
    )
    for p, v in zip(params, flat):
        check_true(hasattr(p, "data") and hasattr(p, "grad"), f"parameters() should hold Values, got {type(p).__name__}")
        p.data = v
    return model, params


def _torch_params(seed=0):
    return [
        (torch.tensor(w, dtype=torch.float64, requires_grad=True), torch.tensor(b, dtype=torch.float64, requires_grad=True))
        for w, b in _init_values(seed)
    ]


def _forward(tp, X, last_relu=False, hidden_relu=True):
    h = torch.tensor(X, dtype=torch.float64)
    for i, (w, b) in enumerate(tp):
        h = h @ w.T + b
        last = i == len(tp) - 1
        if (last and last_relu) or (not last and hidden_relu):
            h = torch.relu(h)
    return h[:, 0]


def _loss(tp, X, y, alpha=1e-4, reduce="mean", reg="all", **fwd):
    scores = _forward(tp, X, **fwd)
    hinge = torch.relu(1 - torch.tensor(y, dtype=torch.float64) * scores)
    data = hinge.mean() if reduce == "mean" else hinge.sum()
    if reg == "all":
        r = sum((w * w).sum() + (b * b).sum() for w, b in tp)
    elif reg == "weights":
        r = sum((w * w).sum() for w, _ in tp)
    else:
        r = 0.0
    return data + alpha * r


def _flat_grads(tp, loss):
    leaves = [t for pair in tp for t in pair]
    grads = _grad(loss, leaves)
    gw = [(grads[2 * i], grads[2 * i + 1]) for i in range(len(tp))]
    return torch.cat([torch.cat([w, b[:, None]], dim=1).reshape(-1) for w, b in gw])


def _scalar(v, what):
    if not hasattr(v, "data"):
        raise GradeFailure(f"{what} should be a Value, got {type(v).__name__}: {v!r}")
    return v.data


def test_forward_matches_torch(learner):
    """MLP output: relu hidden layers, a linear last layer, parameters in micrograd's order"""
    X, _ = _points()
    with _no_gc():
        model, _ = _learner_model(learner)
        got = [_scalar(model(x), "mlp(x) with one output neuron") for x in X]
    tp = _torch_params()
    with torch.no_grad():
        exp = _forward(tp, X)
        check_close(
            torch.tensor(got, dtype=torch.float64),
            exp,
            name="the MLP's outputs",
            rtol=RTOL,
            atol=ATOL,
            mistakes={
                "a relu on the last layer (it must be linear)": _forward(tp, X, last_relu=True),
                "linear hidden layers (no relu)": _forward(tp, X, hidden_relu=False),
            },
        )


def test_loss_and_gradients_match_torch(learner):
    """svm_loss value, accuracy and every parameter's gradient equal PyTorch autograd"""
    X, y = _points()
    with _no_gc():
        model, params = _learner_model(learner)
        result = learner.svm_loss(model, X, y, 1e-2)
        loss, acc = unpack(result, 2, "svm_loss", "loss, accuracy")
        value = _scalar(loss, "the loss")
        check_true(callable(getattr(loss, "backward", None)), "svm_loss's loss should be a Value with backward()")
        loss.backward()
        got = numbers([p.grad for p in params], "the parameters' .grad")
    tp = _torch_params()
    exp_loss = _loss(tp, X, y, 1e-2)
    with torch.no_grad():
        check_number(
            value,
            float(exp_loss),
            name="the SVM loss",
            rtol=RTOL,
            atol=ATOL,
            mistakes={
                "summing the hinge losses instead of averaging them": float(_loss(tp, X, y, 1e-2, reduce="sum")),
                "leaving out the L2 regularisation": float(_loss(tp, X, y, 1e-2, reg="none")),
                "regularising the weights but not the biases": float(_loss(tp, X, y, 1e-2, reg="weights")),
                "a relu on the last layer": float(_loss(tp, X, y, 1e-2, last_relu=True)),
            },
        )
        scores = _forward(tp, X)
        exp_acc = float(((scores > 0) == (torch.tensor(y) > 0)).double().mean())
    check_number(acc, exp_acc, name="the accuracy", rtol=1e-12)
    check_close(got, _flat_grads(tp, exp_loss), name="the parameters' gradients", rtol=RTOL, atol=ATOL)


def test_gradients_accumulate_and_zero_grad(learner):
    """backward twice adds up the gradients, and zero_grad resets every one to 0"""
    X, y = _points()
    with _no_gc():
        model, params = _learner_model(learner)
        learner.svm_loss(model, X, y)[0].backward()
        once = numbers([p.grad for p in params], "the parameters' .grad")
        learner.svm_loss(model, X, y)[0].backward()
        twice = numbers([p.grad for p in params], "the parameters' .grad")
        check_close(
            twice,
            2 * once,
            name="the gradients after two backward passes without zero_grad",
            rtol=RTOL,
            atol=ATOL,
            mistakes={"backward overwriting (or resetting) the gradients instead of accumulating them": once},
        )
        model.zero_grad()
        left = [p.grad for p in params]
    check_true(all(g == 0.0 for g in left), "after zero_grad() every parameter's grad should be 0.0")


def test_train_step_is_sgd(learner):
    """two train_step calls equal two SGD steps of PyTorch (zero_grad, backward, p -= lr * grad)"""
    X, y = _points(n=16, seed=7)
    lr = 0.05
    with _no_gc():
        model, params = _learner_model(learner, seed=3)
        first = learner.train_step(model, X, y, lr)
        learner.train_step(model, X, y, lr)
        got = torch.tensor([p.data for p in params], dtype=torch.float64)
    check_true(isinstance(first, tuple) and len(first) == 2, "train_step should return (loss.data, accuracy)")
    tp = _torch_params(seed=3)
    check_number(first[0], float(_loss(tp, X, y)), name="the loss returned by train_step", rtol=RTOL, atol=ATOL)

    def run(sign=1.0, accumulate=False):
        p = torch.cat([torch.cat([w, b[:, None]], 1).reshape(-1) for w, b in _torch_params(seed=3)]).detach()
        acc = torch.zeros_like(p)
        for _ in range(2):
            cur = _unflat(p)
            g = _flat_grads(cur, _loss(cur, X, y))
            acc = acc + g if accumulate else g
            p = p - sign * lr * acc
        return p

    check_close(
        got,
        run(),
        name="the parameters after two train_step calls",
        rtol=RTOL,
        atol=ATOL,
        mistakes={
            "forgetting zero_grad (the second step uses the sum of both steps' gradients)": run(accumulate=True),
            "adding the gradient (gradient ascent) instead of subtracting it": run(sign=-1.0),
        },
    )


def _unflat(p):
    sizes = [2] + ARCH
    out, k = [], 0
    for i in range(len(ARCH)):
        n_in, n_out = sizes[i], sizes[i + 1]
        block = p[k : k + n_out * (n_in + 1)].reshape(n_out, n_in + 1)
        k += n_out * (n_in + 1)
        out.append((block[:, :n_in].clone().requires_grad_(True), block[:, n_in].clone().requires_grad_(True)))
    return out


def test_fit_two_moons(learner):
    """fit reaches a training accuracy of at least 0.95 on 40 two-moons points within 10 s"""
    X, y = _points(n=40, seed=3)
    with _no_gc():
        # CPU time, not wall time: the budget is the work fit does, which other processes on a busy
        # machine cannot stretch (micrograd is single-threaded Python, so on an idle machine they agree).
        start = time.process_time()
        model = learner.fit(X, y)
        check_true(callable(model), f"fit should return the trained MLP, got {type(model).__name__}")
        elapsed = time.process_time() - start
        scores = [_scalar(model(x), "the fitted model's output") for x in X]
    acc = sum((s > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
    check_true(
        acc >= 0.95,
        f"the fitted MLP classifies {acc:.3f} of the training points correctly; at least 0.95 is required "
        "(more steps, momentum, a larger learning rate at the start, or a wider hidden layer)",
    )
    check_true(elapsed <= 10.0, f"fit took {elapsed:.1f} s of CPU time; it must finish within 10 s (fewer steps or a smaller network)")
