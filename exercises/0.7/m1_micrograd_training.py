"""Milestone 0.7.m1: a multi-layer network trained with your own automatic differentiation.

Build micrograd end to end in plain Python (``math`` and ``random`` are fine; no torch, no numpy in your
code): a scalar ``Value`` with backpropagation (paste in your 0.7.1 ``Value`` if you wrote it), a small
neural-network library on top of it, a max-margin (SVM) loss, one SGD step, and a training loop that fits
a 2-D "two moons" dataset. PyTorch's autograd is off-limits while your code runs
(``torch.autograd.grad``, ``torch.autograd.backward``, ``torch.Tensor.backward``): the grader uses it, in
float64, as the reference.

``Value`` (same contract as exercise 0.7.1): ``Value(data)`` stores ``.data`` (float) and ``.grad``
(starts at 0.0); ``+ * - / **`` (power by an int/float constant), unary ``-``, ``.relu()``, ``.tanh()``,
``.exp()``, each also with a plain number on either side; ``out.backward()`` sets ``out.grad = 1.0`` and
ACCUMULATES (``+=``) d(out)/d(node) into every node's ``.grad`` in reverse topological order. It never
resets gradients itself: calling ``backward`` on two losses built from the same parameters adds up.

The network (micrograd's layout; the grader copies your parameters into a PyTorch model, so the order
matters):

* ``Neuron(nin, nonlin=True)``: weights ``self.w`` (a list of ``nin`` Values) and bias ``self.b`` (a
  Value); ``neuron(x)`` for ``x`` a list of ``nin`` numbers or Values returns
  ``sum(w_i * x_i) + b``, passed through ``relu`` if ``nonlin`` else returned as is (linear).
  ``parameters()`` is ``self.w + [self.b]``. Initialise weights with ``random.uniform(-1, 1)`` and the
  bias with 0 (the grader overwrites them with its own values where it compares gradients).
* ``Layer(nin, nout, nonlin=True)``: ``self.neurons``, a list of ``nout`` Neurons; ``layer(x)`` returns
  the list of the ``nout`` outputs; ``parameters()`` is the neurons' parameters, neuron by neuron.
* ``MLP(nin, nouts)``: ``self.layers``, one Layer per entry of ``nouts``
  (``MLP(2, [8, 8, 1])`` has layers 2->8, 8->8, 8->1); every layer uses relu EXCEPT THE LAST, which is
  linear. ``mlp(x)`` returns the single output Value when the last layer has one neuron, else the list.
  ``parameters()``: layer by layer. ``zero_grad()`` sets the ``.grad`` of every parameter to 0.0.

The loss, ``svm_loss(model, X, y, alpha=1e-4) -> (loss, accuracy)``: ``X`` is a list of ``[x1, x2]``
points, ``y`` a list of labels in {-1, +1}; ``score_i = model(X[i])`` (one output);
``loss = mean_i relu(1 - y_i * score_i) + alpha * sum_p p * p`` (the mean hinge loss plus L2
regularisation of ALL parameters, biases included) as a ``Value``; ``accuracy`` is the fraction (Python
float) of points with ``(score_i > 0) == (y_i > 0)``.

One optimisation step, ``train_step(model, X, y, lr, alpha=1e-4) -> (loss, accuracy)``: zero the
gradients, compute ``svm_loss``, backpropagate, then plain SGD ``p.data -= lr * p.grad`` for every
parameter; return ``(loss.data, accuracy)`` (a float and the accuracy before the update).

Training, ``fit(X, y) -> MLP``: build an ``MLP(2, [hidden..., 1])`` of your choice, train it on
``svm_loss`` (any optimiser written on top of your gradients: ``train_step``'s plain SGD, or SGD with
momentum; your choice of width, learning rate, schedule and number of steps; seed ``random`` yourself so
it is reproducible) and return it. The grader gives 40 points of two interleaved moons (labels -1/+1,
coordinates roughly in [-1.2, 2.2] x [-0.7, 1.2]) and requires a TRAINING accuracy of at least 0.95
(``model(x).data > 0`` predicts +1), with ``fit`` finishing within 10 s. Aim for about 1 s: a
pure-Python graph is slow, so keep the network small and the steps few; for example ``MLP(2, [12, 1])``
and 80 steps of SGD with momentum 0.9 and a learning rate decaying linearly from 0.3 reaches 100%.
Speed tip: your graph is full of reference cycles (closures that hold their output node), so Python's
cyclic garbage collector runs again and again while you build it; the grader runs your code with
``gc`` disabled, and ``gc.disable()`` during training does the same at home.

Tolerances: loss values and gradients are compared with PyTorch float64 with rtol=1e-7, atol=1e-10.
"""

from __future__ import annotations

import math  # noqa: F401
import random  # noqa: F401


class Value:
    """A scalar node of a computation graph (see the module docstring)."""

    def __init__(self, data, _children=(), _op=""):
        raise NotImplementedError("write Value")

    def __repr__(self):
        return f"Value(data={getattr(self, 'data', None)}, grad={getattr(self, 'grad', None)})"


class Neuron:
    def __init__(self, nin: int, nonlin: bool = True):
        raise NotImplementedError("write Neuron.__init__")

    def __call__(self, x):
        raise NotImplementedError("write Neuron.__call__")

    def parameters(self) -> list:
        raise NotImplementedError("write Neuron.parameters")


class Layer:
    def __init__(self, nin: int, nout: int, nonlin: bool = True):
        raise NotImplementedError("write Layer.__init__")

    def __call__(self, x):
        raise NotImplementedError("write Layer.__call__")

    def parameters(self) -> list:
        raise NotImplementedError("write Layer.parameters")


class MLP:
    def __init__(self, nin: int, nouts: list[int]):
        raise NotImplementedError("write MLP.__init__")

    def __call__(self, x):
        raise NotImplementedError("write MLP.__call__")

    def parameters(self) -> list:
        raise NotImplementedError("write MLP.parameters")

    def zero_grad(self) -> None:
        raise NotImplementedError("write MLP.zero_grad")


def svm_loss(model: MLP, X: list, y: list, alpha: float = 1e-4):
    """Return ``(loss, accuracy)``: the mean hinge loss plus alpha * sum of squared parameters (a Value),
    and the training accuracy (a float)."""
    raise NotImplementedError("write svm_loss")


def train_step(model: MLP, X: list, y: list, lr: float, alpha: float = 1e-4):
    """Zero grads, loss, backward, SGD update; return ``(loss.data, accuracy)``."""
    raise NotImplementedError("write train_step")


def fit(X: list, y: list) -> MLP:
    """Train an MLP on (X, y) to a training accuracy of at least 0.95 and return it."""
    raise NotImplementedError("write fit")
