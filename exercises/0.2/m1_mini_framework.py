"""Milestone 0.2.m1: a mini deep-learning framework in NumPy, trained on scikit-learn's digits.

Build the pieces below with NumPy only (no torch, no autograd), then train a small network on
``sklearn.datasets.load_digits``. The grader checks every piece against PyTorch in float64 (forward
values and gradients with the same weights, optimizer trajectories), then trains the network below with
your framework and with PyTorch from the same initial weights, the same data order and the same dropout
masks, and compares the two loss curves and your test accuracy.

Arrays: inputs are ``np.float64`` of shape ``(N, features)``; work in float64 (float32 passes the
tolerances too but gains nothing). Labels are integer arrays of shape ``(N,)``.

Layers (the base class ``Layer`` is given; call ``super().__init__()`` in every subclass):

* ``layer.params`` and ``layer.grads`` are dicts of arrays with the same keys (empty for layers without
  parameters). ``layer.training`` is ``True`` after ``train()`` (the default) and ``False`` after ``eval()``.
* ``forward(x)`` returns the output and keeps what ``backward`` needs. ``backward(grad_out)`` takes
  dLoss/dOutput of the LAST forward call, stores dLoss/dParam in ``self.grads[name]`` (overwriting, never
  accumulating) and returns dLoss/dInput.
* ``Linear(in_features, out_features, rng)``: ``params["W"]`` of shape ``(out_features, in_features)`` and
  ``params["b"]`` of shape ``(out_features,)``; ``y = x @ W.T + b`` (PyTorch's layout). Initialise both from
  ``rng.uniform(-k, k)`` with ``k = 1 / sqrt(in_features)`` (the grader overwrites them anyway).
* ``ReLU()``: ``max(x, 0)``; its gradient at exactly 0 is 0.
* ``Dropout(p, rng)``: inverted dropout. In training mode draw the mask with exactly ONE call per forward,
  ``keep = rng.random(x.shape) >= p``, and return ``x * keep / (1 - p)``; backward multiplies by the same
  ``keep / (1 - p)``. In eval mode (or with ``p == 0``) it is the identity and draws nothing.
* ``BatchNorm1d(num_features, momentum=0.1, eps=1e-5)``: ``params["gamma"]`` (ones), ``params["beta"]``
  (zeros), attributes ``running_mean`` (zeros) and ``running_var`` (ones). Training mode: normalise with
  the batch mean and the BIASED batch variance (divide by N), ``(x - mean) / sqrt(var + eps)``, then
  ``gamma * x_hat + beta``; update ``running = (1 - momentum) * running + momentum * batch_stat`` using the
  UNBIASED batch variance (divide by N - 1) for ``running_var``. Eval mode: normalise with the running
  statistics and leave them unchanged. Backward in training mode must account for the mean and variance
  depending on x (as autograd does through ``nn.BatchNorm1d``); in eval mode they are constants.
* ``Network(layers)``: applies the layers in order; ``backward`` runs them in reverse; ``train()`` and
  ``eval()`` set the mode of every layer; ``parameters()`` returns a list of ``(params, grads)`` dict pairs,
  one per layer that has parameters, in layer order.

Optimizers (PyTorch's update rules, no weight decay, no dampening, no Nesterov). Both take the list that
``Network.parameters()`` returns and, on ``step()``, update every array ``params[name]`` from
``grads[name]`` (update the arrays in place or store the new array under the same key):

* ``SGD(parameters, lr, momentum=0.0)``: ``v = momentum * v + g`` (with ``v = g`` on the first step), then
  ``p -= lr * v``; with ``momentum == 0`` simply ``p -= lr * g``.
* ``Adam(parameters, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)``: ``m = b1 m + (1 - b1) g``,
  ``v = b2 v + (1 - b2) g^2``, ``m_hat = m / (1 - b1^t)``, ``v_hat = v / (1 - b2^t)`` with ``t`` the step
  count starting at 1, ``p -= lr * m_hat / (sqrt(v_hat) + eps)``.

Losses return ``(loss, grad)``: the loss as a Python float and dLoss/dInput with the input's shape.

* ``softmax_cross_entropy(logits, labels)``: mean over the batch of ``-log softmax(logits)[i, labels[i]]``
  (numerically stable: subtract the row max). Same as ``F.cross_entropy`` with its default mean reduction.
* ``mse_loss(pred, target)``: mean over ALL elements of ``(pred - target) ** 2`` (``F.mse_loss``).

Training:

* ``train(net, optimizer, X, y, epochs, batch_size, rng)``: for each epoch, call ``net.train()``, take
  ``order = rng.permutation(len(X))`` (one call per epoch) and walk it in consecutive minibatches of
  ``batch_size`` (the last one may be smaller and is used). For each minibatch: forward, softmax
  cross-entropy, ``net.backward(grad)``, ``optimizer.step()``. Return the list of the minibatch losses
  (Python floats, in order).
* ``accuracy(net, X, y)``: switch the network to eval mode and return the fraction (a float) of rows whose
  arg-max logit equals the label.

What the grader trains: ``X = load_digits().data / 16.0``, ``y = load_digits().target``;
``perm = np.random.default_rng(0).permutation(1797)``, training rows ``perm[:1347]``, test rows
``perm[1347:]``. Network ``Linear(64, 64) -> BatchNorm1d(64) -> ReLU -> Dropout(0.1) -> Linear(64, 10)``,
``Adam(lr=0.01)``, batch size 64, 3 epochs, data order from ``np.random.default_rng(1)`` and dropout masks
from ``np.random.default_rng(2)``. It requires test accuracy >= 0.93 and every minibatch loss within
``1e-3 + 1e-2 * |loss|`` of PyTorch's.

Tolerances for the piece-by-piece checks: rtol = 1e-4, atol = 1e-7 against float64 PyTorch.
Only NumPy is needed; do not import torch in this file.
"""

from __future__ import annotations

import numpy as np


class Layer:
    """Base class (given): parameter and gradient dicts, and the train/eval mode."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training = True

    def train(self) -> None:
        self.training = True

    def eval(self) -> None:
        self.training = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError("write forward")

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError("write backward")


class Linear(Layer):
    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator) -> None:
        raise NotImplementedError("write Linear")


class ReLU(Layer):
    def __init__(self) -> None:
        raise NotImplementedError("write ReLU")


class Dropout(Layer):
    def __init__(self, p: float, rng: np.random.Generator) -> None:
        raise NotImplementedError("write Dropout")


class BatchNorm1d(Layer):
    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5) -> None:
        raise NotImplementedError("write BatchNorm1d")


class Network(Layer):
    def __init__(self, layers: list[Layer]) -> None:
        raise NotImplementedError("write Network")

    def parameters(self) -> list[tuple[dict, dict]]:
        raise NotImplementedError("write Network.parameters")


class SGD:
    def __init__(self, parameters: list[tuple[dict, dict]], lr: float, momentum: float = 0.0) -> None:
        raise NotImplementedError("write SGD")

    def step(self) -> None:
        raise NotImplementedError("write SGD.step")


class Adam:
    def __init__(
        self, parameters: list[tuple[dict, dict]], lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8
    ) -> None:
        raise NotImplementedError("write Adam")

    def step(self) -> None:
        raise NotImplementedError("write Adam.step")


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    raise NotImplementedError("write softmax_cross_entropy")


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    raise NotImplementedError("write mse_loss")


def train(net, optimizer, X, y, epochs: int, batch_size: int, rng: np.random.Generator) -> list[float]:
    raise NotImplementedError("write train")


def accuracy(net, X, y) -> float:
    raise NotImplementedError("write accuracy")
