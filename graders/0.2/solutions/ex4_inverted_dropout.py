"""Reference solution for exercise 0.2.4 (shown by `tracker solution 0.2.4` after a pass).

Why it regularises: each step trains a different thinned sub-network, so no unit can rely on a specific
other unit being present; co-adapted features are discouraged, and the full network at inference acts
like an average of the thinned ones.
"""

from __future__ import annotations

import torch


def dropout(x, p, training, generator):
    if not training or p == 0:
        return x.clone(), torch.ones_like(x)
    if p == 1:
        return torch.zeros_like(x), torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= p  # kept with probability 1 - p
    mask = keep.to(x.dtype) / (1 - p)
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout * mask
