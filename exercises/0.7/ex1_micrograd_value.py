"""Exercise 0.7.1: a micrograd `Value`, a scalar that remembers how it was computed and backpropagates.

Write the class `Value` below in plain Python (the `math` module is fine). PyTorch's autograd is off-limits
while your code runs (`torch.autograd.grad`, `torch.autograd.backward`, `torch.Tensor.backward`): the grader
uses it as the reference, in float64, on the same expressions.

What a `Value` holds:

* ``v = Value(data)`` stores ``v.data`` (a Python ``float``; an ``int`` argument is converted with
  ``float``) and ``v.grad``, which starts at ``0.0``.
* Every operation returns a NEW `Value` whose ``data`` is the result and that remembers its operands, so
  that ``backward`` can walk the graph. The constructor takes optional extra arguments for that
  (``Value(data, _children=(), _op="")`` is the usual choice); the grader only ever calls ``Value(data)``.

Operations (every binary operation also accepts a plain Python ``int``/``float`` on either side, e.g.
``2 * v``, ``v + 1``, ``1 - v``, ``10 / v``; the number is treated as a constant):

* ``a + b``, ``a * b``, ``-a``, ``a - b``, ``a / b``
* ``a ** n`` where ``n`` is a plain ``int`` or ``float`` constant (not a `Value`); n may be negative or
  fractional (``a ** 0.5`` for ``a.data > 0``), derivative ``n * a ** (n - 1)``
* ``a.exp()``, ``a.tanh()``, ``a.relu()`` (methods); relu's derivative at exactly 0 is taken as 0, like
  PyTorch's (the grader avoids that point).

Backpropagation: ``out.backward()`` sets ``out.grad = 1.0`` and then fills ``.grad`` of every node that
``out`` depends on with d(out)/d(node), the chain rule applied over the whole graph:

* gradients ACCUMULATE: a node used several times (``a + a``, ``a * a``, or an intermediate result that
  feeds several later operations) receives the sum of the contributions of all its uses;
* each node passes its gradient on only after it has received every contribution, so process the
  nodes in reverse topological order (build the order once with a depth-first search from ``out``);
* the grader calls ``backward`` once per freshly built graph; you need not reset ``.grad`` yourself.

Tolerance: ``data`` and ``grad`` are compared with PyTorch float64 results with rtol=1e-9, atol=1e-12.
"""

from __future__ import annotations

import math  # noqa: F401  (you will want math.exp and math.tanh)


class Value:
    """A scalar node of a computation graph (see the module docstring)."""

    def __init__(self, data, _children=(), _op=""):
        raise NotImplementedError("write Value.__init__")

    def __add__(self, other):
        raise NotImplementedError("write Value.__add__")

    def __radd__(self, other):
        raise NotImplementedError("write Value.__radd__")

    def __mul__(self, other):
        raise NotImplementedError("write Value.__mul__")

    def __rmul__(self, other):
        raise NotImplementedError("write Value.__rmul__")

    def __pow__(self, n):
        raise NotImplementedError("write Value.__pow__")

    def __neg__(self):
        raise NotImplementedError("write Value.__neg__")

    def __sub__(self, other):
        raise NotImplementedError("write Value.__sub__")

    def __rsub__(self, other):
        raise NotImplementedError("write Value.__rsub__")

    def __truediv__(self, other):
        raise NotImplementedError("write Value.__truediv__")

    def __rtruediv__(self, other):
        raise NotImplementedError("write Value.__rtruediv__")

    def exp(self):
        raise NotImplementedError("write Value.exp")

    def tanh(self):
        raise NotImplementedError("write Value.tanh")

    def relu(self):
        raise NotImplementedError("write Value.relu")

    def backward(self):
        raise NotImplementedError("write Value.backward")

    def __repr__(self):
        return f"Value(data={getattr(self, 'data', None)}, grad={getattr(self, 'grad', None)})"
