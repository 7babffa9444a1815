"""Reference solution for milestone 0.2.m1 (shown by `tracker solution 0.2.m1` after a pass)."""

from __future__ import annotations

import numpy as np


class Layer:
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
        super().__init__()
        bound = 1.0 / np.sqrt(in_features)
        self.params["W"] = rng.uniform(-bound, bound, size=(out_features, in_features))
        self.params["b"] = rng.uniform(-bound, bound, size=out_features)

    def forward(self, x):
        self.x = x
        return x @ self.params["W"].T + self.params["b"]

    def backward(self, grad_out):
        self.grads["W"] = grad_out.T @ self.x
        self.grads["b"] = grad_out.sum(axis=0)
        return grad_out @ self.params["W"]


class ReLU(Layer):
    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)

    def backward(self, grad_out):
        return np.where(self.mask, grad_out, 0.0)


class Dropout(Layer):
    def __init__(self, p: float, rng: np.random.Generator) -> None:
        super().__init__()
        self.p = p
        self.rng = rng

    def forward(self, x):
        if not self.training or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape) >= self.p
        self.mask = keep / (1.0 - self.p)
        return x * self.mask

    def backward(self, grad_out):
        if self.mask is None:
            return grad_out
        return grad_out * self.mask


class BatchNorm1d(Layer):
    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5) -> None:
        super().__init__()
        self.momentum = momentum
        self.eps = eps
        self.params["gamma"] = np.ones(num_features)
        self.params["beta"] = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)

    def forward(self, x):
        if self.training:
            n = x.shape[0]
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * var * n / (n - 1)
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mu) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]

    def backward(self, grad_out):
        gamma = self.params["gamma"]
        self.grads["gamma"] = (grad_out * self.x_hat).sum(axis=0)
        self.grads["beta"] = grad_out.sum(axis=0)
        g = grad_out * gamma
        if not self.training:
            return g * self.inv_std
        return self.inv_std * (g - g.mean(axis=0) - self.x_hat * (g * self.x_hat).mean(axis=0))


class Network(Layer):
    def __init__(self, layers: list[Layer]) -> None:
        super().__init__()
        self.layers = list(layers)

    def train(self) -> None:
        self.training = True
        for layer in self.layers:
            layer.train()

    def eval(self) -> None:
        self.training = False
        for layer in self.layers:
            layer.eval()

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def parameters(self):
        return [(layer.params, layer.grads) for layer in self.layers if layer.params]


class SGD:
    def __init__(self, parameters, lr: float, momentum: float = 0.0) -> None:
        self.parameters = parameters
        self.lr = lr
        self.momentum = momentum
        self.velocity: dict = {}

    def step(self) -> None:
        for i, (params, grads) in enumerate(self.parameters):
            for name in params:
                g = grads[name]
                if self.momentum:
                    key = (i, name)
                    v = g.copy() if key not in self.velocity else self.momentum * self.velocity[key] + g
                    self.velocity[key] = v
                    g = v
                params[name] -= self.lr * g


class Adam:
    def __init__(self, parameters, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8) -> None:
        self.parameters = parameters
        self.lr = lr
        self.b1, self.b2 = betas
        self.eps = eps
        self.t = 0
        self.m: dict = {}
        self.v: dict = {}

    def step(self) -> None:
        self.t += 1
        for i, (params, grads) in enumerate(self.parameters):
            for name in params:
                g = grads[name]
                key = (i, name)
                m = self.b1 * self.m.get(key, 0.0) + (1 - self.b1) * g
                v = self.b2 * self.v.get(key, 0.0) + (1 - self.b2) * g * g
                self.m[key], self.v[key] = m, v
                m_hat = m / (1 - self.b1**self.t)
                v_hat = v / (1 - self.b2**self.t)
                params[name] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), labels].mean()
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1.0
    return float(loss), grad / n


def mse_loss(pred, target):
    diff = pred - target
    return float((diff**2).mean()), 2.0 * diff / diff.size


def train(net, optimizer, X, y, epochs, batch_size, rng):
    losses = []
    n = X.shape[0]
    for _ in range(epochs):
        net.train()
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            logits = net.forward(X[idx])
            loss, grad = softmax_cross_entropy(logits, y[idx])
            net.backward(grad)
            optimizer.step()
            losses.append(loss)
    return losses


def accuracy(net, X, y):
    net.eval()
    pred = net.forward(X).argmax(axis=1)
    return float((pred == y).mean())
