"""Grader for exercise 0.7.1: a micrograd `Value` with backpropagation.

Every value and gradient is compared with PyTorch autograd in float64 on the same expression: single
operations, a node used twice, a diamond-shaped graph (a shared intermediate result), Karpathy's nested
sanity-check expression, and 40 seeded random expression graphs that reuse nodes. Probes: overwriting
``.grad`` instead of accumulating, backpropagating without a topological order (a node passes its gradient
on before all its consumers have contributed), walking the order forwards, tanh's derivative written as
1 - x**2, the power rule as n * x**n, reversed operands in ``1 - v`` and ``10 / v``, and relu passing the
gradient through for negative inputs.
"""

from __future__ import annotations

import math
import random
import traceback

import torch
from gradelib import GradeFailure, check_number, check_true
from tracker.grading.sandbox import is_learner_frame

FORBIDDEN = ["torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward"]

_grad = torch.autograd.grad

RTOL, ATOL = 1e-9, 1e-12


def _leaf(learner, x):
    v = learner.Value(x)
    check_true(
        isinstance(getattr(v, "data", None), float),
        f"Value({x!r}).data should be a Python float, got {type(getattr(v, 'data', None)).__name__}",
    )
    grad = getattr(v, "grad", None)
    check_true(grad == 0.0, f"a new Value's grad should start at 0.0, got {grad!r}")
    return v


def _value_of(node, what: str) -> float:
    if not hasattr(node, "data"):
        raise GradeFailure(f"{what} should return a Value, got {type(node).__name__}: {node!r}")
    return node.data


def _torch_grads(fn, xs):
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = fn(*ts)
    grads = _grad(out, ts, allow_unused=True)
    return float(out.detach()), [0.0 if g is None else float(g) for g in grads]


def _check_against_torch(learner, fn, xs, label: str, mistakes=None):
    """Build fn on Values and on float64 tensors; compare the output and every leaf's gradient."""
    vs = [_leaf(learner, x) for x in xs]
    out = fn(*vs)
    data = _value_of(out, label)
    exp_out, exp_grads = _torch_grads(fn, xs)
    check_number(data, exp_out, name=f"the value of {label}", rtol=RTOL, atol=ATOL)
    out.backward()
    for i, (v, g) in enumerate(zip(vs, exp_grads)):
        names = "abcdefgh"
        check_number(
            v.grad,
            g,
            name=f"d/d{names[i]} of {label} at {', '.join(f'{names[j]}={x}' for j, x in enumerate(xs))}",
            rtol=RTOL,
            atol=ATOL,
            mistakes=(mistakes or {}).get(i),
        )


def test_forward_values(learner):
    """every operation returns a new Value with the right data"""
    a, b = 1.7, -0.6
    cases = {
        "a + b": (lambda x, y: x + y, a + b),
        "a * b": (lambda x, y: x * y, a * b),
        "a - b": (lambda x, y: x - y, a - b),
        "a / b": (lambda x, y: x / y, a / b),
        "-a": (lambda x, y: -x, -a),
        "a ** 3": (lambda x, y: x**3, a**3),
        "a ** -1.5": (lambda x, y: x**-1.5, a**-1.5),
        "b.exp()": (lambda x, y: y.exp(), math.exp(b)),
        "b.tanh()": (lambda x, y: y.tanh(), math.tanh(b)),
        "b.relu()": (lambda x, y: y.relu(), 0.0),
        "a.relu()": (lambda x, y: x.relu(), a),
        "a + 2": (lambda x, y: x + 2, a + 2),
        "2 + a": (lambda x, y: 2 + x, 2 + a),
        "3 * b": (lambda x, y: 3 * y, 3 * b),
        "1 - a": (lambda x, y: 1 - x, 1 - a),
        "10 / a": (lambda x, y: 10 / x, 10 / a),
    }
    reversed_operands = {
        "1 - a": {"computing a - 1 for 1 - a (the operands of __rsub__ reversed)": a - 1},
        "10 / a": {"computing a / 10 for 10 / a (the operands of __rtruediv__ reversed)": a / 10},
    }
    for label, (fn, expected) in cases.items():
        out = fn(learner.Value(a), learner.Value(b))
        check_number(
            _value_of(out, label),
            expected,
            name=f"({label}).data with a={a}, b={b}",
            rtol=RTOL,
            atol=ATOL,
            mistakes=reversed_operands.get(label),
        )
    x = learner.Value(2.0)
    y = x + 1
    check_true(y is not x and x.data == 2.0, "x + 1 must return a new Value and leave x unchanged")


def test_add_and_mul_gradients(learner):
    """a * b + c: d/da = b, d/db = a, d/dc = 1"""
    _check_against_torch(learner, lambda a, b, c: a * b + c, [2.0, -3.0, 10.0], "a * b + c")


def test_node_used_twice_accumulates(learner):
    """a node used twice receives the sum of both contributions (a + a, a * a)"""
    x = 3.0
    _check_against_torch(
        learner,
        lambda a: a + a,
        [x],
        "a + a",
        mistakes={0: {"overwriting .grad (=) instead of accumulating it (+=)": 1.0}},
    )
    _check_against_torch(
        learner,
        lambda a: a * a,
        [x],
        "a * a",
        mistakes={0: {"overwriting .grad (=) instead of accumulating it (+=)": x}},
    )
    _check_against_torch(
        learner,
        lambda a, b: a * b + a,
        [x, -2.0],
        "a * b + a",
        mistakes={
            0: {
                "overwriting .grad (=) instead of accumulating it (+=), so only one use counts": -2.0,
                "overwriting .grad (=) instead of accumulating it (+=), so only the last use counts": 1.0,
            }
        },
    )


def test_shared_intermediate_topological_order(learner):
    """a shared intermediate node passes its gradient on only after all its consumers (topological order)"""
    # b = a + 1 feeds two products; de/da = 2 + 3 = 5. Recursing into children right after each node's own
    # _backward sends b's partial gradient down twice (2 + 5 = 7); walking the order forwards gives 0.
    _check_against_torch(
        learner,
        _diamond,
        [1.5],
        "e = c + d with c = 2 * b, d = 3 * b, b = a + 1",
        mistakes={
            0: {
                "running backward recursively on children without a topological order (a shared node passes "
                "on its gradient before all its consumers have added theirs)": 7.0,
                "calling _backward in topological order instead of REVERSE topological order (the output first)": 0.0,
            }
        },
    )


def _diamond(a):
    b = a + 1
    c = b * 2
    d = b * 3
    return c + d


def test_power_rule(learner):
    """a ** n for integer, negative and fractional constants n: n * a ** (n - 1)"""
    x = 1.3
    for n in (3, -2, 0.5, 2.5):
        _check_against_torch(
            learner,
            lambda a, n=n: a**n,
            [x],
            f"a ** {n}",
            mistakes={
                0: {
                    "the power rule written as n * a ** n": n * x**n,
                    "the power rule written as a ** (n - 1), without the factor n": x ** (n - 1),
                }
            },
        )


def test_subtraction_and_negation(learner):
    """a - b, 1 - a and -a have the right signs in value and gradient"""
    _check_against_torch(learner, lambda a, b: a - b, [0.7, 2.2], "a - b")
    _check_against_torch(
        learner,
        lambda a: 1 - a,
        [0.7],
        "1 - a",
        mistakes={0: {"computing a - 1 for 1 - a (the operands of __rsub__ reversed)": 1.0}},
    )
    _check_against_torch(learner, lambda a: -a, [0.7], "-a")


def test_division(learner):
    """a / b, 10 / a and a / 4 match autograd"""
    _check_against_torch(learner, lambda a, b: a / b, [1.5, -0.4], "a / b")
    x = 1.6
    _check_against_torch(
        learner,
        lambda a: 10 / a,
        [x],
        "10 / a",
        mistakes={0: {"computing a / 10 for 10 / a (the operands of __rtruediv__ reversed)": 0.1}},
    )
    _check_against_torch(learner, lambda a: a / 4, [x], "a / 4")


def test_exp_tanh_relu(learner):
    """exp, tanh and relu: values and local derivatives"""
    x = 0.8
    _check_against_torch(learner, lambda a: a.exp(), [x], "a.exp()", mistakes={0: {"d exp(a)/da = a": x}})
    _check_against_torch(
        learner,
        lambda a: a.tanh(),
        [x],
        "a.tanh()",
        mistakes={
            0: {
                "tanh's derivative written as 1 - a**2 (it is 1 - tanh(a)**2)": 1 - x**2,
                "tanh's derivative written as 1 - tanh(a) (the square is missing)": 1 - math.tanh(x),
            }
        },
    )
    _check_against_torch(learner, lambda a: a.relu(), [x], "a.relu()")
    _check_against_torch(
        learner,
        lambda a: a.relu() * 3,
        [-x],
        "3 * a.relu()",
        mistakes={0: {"relu passing the gradient through for a negative input": 3.0}},
    )


def test_nested_expression(learner):
    """a deeply nested expression with reused nodes matches autograd"""

    def fn(a, b):
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + (b + a).relu()
        d = d + 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        g = g + 10.0 / f
        return g

    _check_against_torch(learner, fn, [-4.0, 2.0], "the nested expression of micrograd's README")

    def fn2(a, b, c):
        h = (a * b + c).tanh()
        k = (h * a - b / (c**2 + 1)).exp()
        m = (k - h).relu() + h**2
        return m * k + 2 / (1 + m)

    _check_against_torch(learner, fn2, [0.4, -1.1, 0.9], "a nested expression with exp, tanh, relu and /")


# --- random expression graphs -----------------------------------------------------------------

_UNARY = ["tanh", "exp_tanh", "relu", "neg", "sq", "cube_tanh", "sqrt", "recip", "scale", "shift", "rsub"]
_BINARY = ["add", "mul", "sub", "div"]


def _apply(op, a, b, lib):
    if op == "add":
        return a + b
    if op == "mul":
        return a * b
    if op == "sub":
        return a - b
    if op == "div":
        return a / (b**2 + 1)
    if op == "tanh":
        return lib.tanh(a)
    if op == "exp_tanh":
        return lib.exp(lib.tanh(a))
    if op == "relu":
        return lib.relu(a)
    if op == "neg":
        return -a
    if op == "sq":
        return a**2
    if op == "cube_tanh":
        return lib.tanh(a) ** 3
    if op == "sqrt":
        return (a**2 + 0.5) ** 0.5
    if op == "recip":
        return 2 / (1 + a**2)
    if op == "scale":
        return 0.5 * a
    if op == "shift":
        return a + 1.5
    if op == "rsub":
        return 1 - a
    raise ValueError(op)


class _FloatLib:
    tanh = staticmethod(math.tanh)
    exp = staticmethod(math.exp)
    relu = staticmethod(lambda x: max(x, 0.0))


class _TorchLib:
    tanh = staticmethod(torch.tanh)
    exp = staticmethod(torch.exp)
    relu = staticmethod(torch.relu)


def _method(name: str):
    def call(v):
        if not callable(getattr(v, name, None)):
            raise GradeFailure(f"an operation of your Value returned {type(v).__name__} ({v!r}), which has no "
                               f".{name}(): every operation should return a new Value")
        return getattr(v, name)()

    return call


class _ValueLib:
    tanh = staticmethod(_method("tanh"))
    exp = staticmethod(_method("exp"))
    relu = staticmethod(_method("relu"))


def _program(seed: int):
    """A random program over 3 leaves that reuses nodes; retried until every value is well-behaved."""
    rng = random.Random(seed)
    while True:
        leaves = [round(rng.uniform(-2, 2), 3) for _ in range(3)]
        steps = []
        vals = list(leaves)
        ok = True
        for _ in range(rng.randint(6, 14)):
            if rng.random() < 0.5:
                op, i, j = rng.choice(_BINARY), rng.randrange(len(vals)), rng.randrange(len(vals))
            else:
                op, i, j = rng.choice(_UNARY), rng.randrange(len(vals)), 0
            if op == "relu" and abs(vals[i]) < 1e-3:
                ok = False
                break
            v = _apply(op, vals[i], vals[j], _FloatLib)
            if not abs(v) < 50:
                ok = False
                break
            steps.append((op, i, j))
            vals.append(v)
        if ok:
            return leaves, steps


def _run(steps, xs, lib):
    vals = list(xs)
    for op, i, j in steps:
        vals.append(_apply(op, vals[i], vals[j], lib))
    return vals[-1] + vals[-2] * vals[-3]


def _describe(steps) -> str:
    names = ["a", "b", "c"]
    for k, (op, i, j) in enumerate(steps):
        names.append(f"n{k}")
    parts = []
    for k, (op, i, j) in enumerate(steps):
        args = names[i] if op not in _BINARY else f"{names[i]}, {names[j]}"
        parts.append(f"n{k}={op}({args})")
    return "; ".join(parts) + f"; out = {names[-1]} + {names[-2]} * {names[-3]}"


def _close(actual, expected) -> bool:
    try:
        return abs(float(actual) - expected) <= ATOL + RTOL * abs(expected)
    except (TypeError, ValueError):
        return False


def test_random_expression_graphs(learner):
    """40 random expression graphs (with reused nodes) match autograd value and gradients"""
    for seed in range(40):
        leaves, steps = _program(seed)
        vs = [learner.Value(x) for x in leaves]  # _leaf's checks already ran in the other tests
        where = f"random graph #{seed} ({_describe(steps)}) at a, b, c = {leaves}"
        try:
            out = _run(steps, vs, _ValueLib)
        except TypeError as exc:
            if any(is_learner_frame(f.filename) for f in traceback.extract_tb(exc.__traceback__)):
                raise
            raise GradeFailure(f"{where}: an operation of your Value returned something that is not a Value "
                               f"({exc})") from None
        exp_out, exp_grads = _torch_grads(lambda *ts: _run(steps, ts, _TorchLib), leaves)
        data = _value_of(out, "the expression")
        if not _close(data, exp_out):  # check_number only on a mismatch: each call re-verifies the sandbox
            check_number(data, exp_out, name=f"the value of {where}", rtol=RTOL, atol=ATOL)
        check_true(callable(getattr(out, "backward", None)), f"the result of {where} has no backward()")
        out.backward()
        for name, v, g in zip("abc", vs, exp_grads):
            if not _close(v.grad, g):
                check_number(v.grad, g, name=f"d/d{name} of {where}", rtol=RTOL, atol=ATOL)
    check_true(True, "")
