"""Reference solution for exercise 0.2.1 (shown by `tracker solution 0.2.1` after a pass)."""

from __future__ import annotations

import torch

XOR_X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
XOR_Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)


def forward(X, params):
    z1 = X @ params["W1"] + params["b1"]
    h = torch.tanh(z1)
    z2 = h @ params["W2"] + params["b2"]
    y_hat = torch.sigmoid(z2)
    return y_hat, {"h": h, "y_hat": y_hat}


def bce_loss(y_hat, y):
    return -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()


def backward(X, y, params, cache):
    h, y_hat = cache["h"], cache["y_hat"]
    n = X.shape[0]
    dz2 = (y_hat - y) / n  # (N, 1): sigmoid and BCE together
    dW2 = h.T @ dz2  # (H, 1)
    db2 = dz2.sum(dim=0)  # (1,)
    dh = dz2 @ params["W2"].T  # (N, H)
    dz1 = dh * (1 - h**2)  # tanh'
    dW1 = X.T @ dz1  # (2, H)
    db1 = dz1.sum(dim=0)  # (H,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def train(X, y, params, lr, steps):
    params = {name: value.clone() for name, value in params.items()}
    losses = []
    for _ in range(steps):
        y_hat, cache = forward(X, params)
        losses.append(float(bce_loss(y_hat, y)))
        grads = backward(X, y, params, cache)
        params = {name: params[name] - lr * grads[name] for name in params}
    return params, losses
