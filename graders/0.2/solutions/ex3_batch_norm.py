"""Reference solution for exercise 0.2.3 (shown by `tracker solution 0.2.3` after a pass).

Internal covariate shift, in one line: as earlier layers learn, the distribution of each layer's inputs
keeps moving; normalising every feature over the batch (and letting gamma and beta restore any scale the
network wants) keeps those inputs steady, which lets larger learning rates train stably.
"""

from __future__ import annotations

import torch


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if not training:
        x_hat = (x - running_mean) / torch.sqrt(running_var + eps)
        return gamma * x_hat + beta, None, running_mean.clone(), running_var.clone()
    n = x.shape[0]
    mu = x.mean(dim=0)
    var = ((x - mu) ** 2).mean(dim=0)  # biased: used to normalise
    inv_std = 1.0 / torch.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    out = gamma * x_hat + beta
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)  # unbiased in the running estimate
    cache = (x_hat, inv_std, gamma)
    return out, cache, new_mean, new_var


def batchnorm_backward(dout, cache):
    x_hat, inv_std, gamma = cache
    n = dout.shape[0]
    dbeta = dout.sum(dim=0)
    dgamma = (dout * x_hat).sum(dim=0)
    dx_hat = dout * gamma
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(dim=0) - x_hat * (dx_hat * x_hat).sum(dim=0))
    return dx, dgamma, dbeta
