"""Exercise 0.5.3: sinusoidal positional encoding, and a learned positional embedding to compare it with.

Write the four pieces below with basic tensor operations (``torch.arange``, ``torch.sin``, ``torch.cos``,
``torch.exp``/``torch.pow``, indexing, ``nn.Parameter``, ``register_buffer``). The grader compares with the
closed form computed in float64.

1. ``sinusoidal_encoding(max_len, d_model)`` returns the table ``PE`` of shape ``(max_len, d_model)``,
   dtype ``torch.float32``, for positions ``p = 0, 1, ..., max_len - 1`` (the first position is 0) and
   pair index ``i = 0, 1, ..., d_model / 2 - 1``::

       PE[p, 2i]     = sin(p / 10000 ** (2i / d_model))     # even columns: sine
       PE[p, 2i + 1] = cos(p / 10000 ** (2i / d_model))     # odd columns: cosine, same frequency

   The two columns of a pair share one frequency; sines and cosines are interleaved (not the first half
   sines and the second half cosines). ``d_model`` is even. The table does not depend on ``max_len``
   beyond its number of rows.

2. ``SinusoidalPositionalEncoding(max_len, d_model)``, an ``nn.Module`` that stores that table as a
   **buffer** (``self.register_buffer(...)``; it is fixed, so it must not be an ``nn.Parameter``) and has no
   parameters at all. ``forward(x)`` takes ``x`` of shape ``(B, T, d_model)`` with ``T <= max_len`` and
   returns ``x + PE[:T]`` (the same encoding added to every sequence of the batch).

3. ``LearnedPositionalEmbedding(max_len, d_model)``, an ``nn.Module`` with exactly one parameter, named
   ``weight``, of shape ``(max_len, d_model)`` (one trainable vector per position; initialise it however you
   like, e.g. ``nn.init.normal_``). ``forward(x)`` takes ``x`` of shape ``(B, T, d_model)`` and returns
   ``x + weight[:T]``: position ``t`` gets row ``t``. If ``T > max_len`` it raises ``ValueError`` (a
   learned table has no vector for positions it never saw, where the sinusoidal formula has one for every
   position).

4. ``relative_shift_matrix(k, d_model)`` returns the ``(d_model, d_model)`` float32 matrix ``M`` such that
   ``PE[p + k] = M @ PE[p]`` for every position ``p`` (``PE[p]`` as a column vector; ``k`` is an integer,
   possibly negative). It exists because of ``sin(a + b)`` and ``cos(a + b)``: a shift by ``k`` positions is
   a fixed rotation of each (sin, cos) pair, whatever ``p`` is. This is why a sinusoidal encoding lets
   attention express relative offsets linearly, which a learned table does not promise.

Tolerance: tables and matrices are compared with ``atol=1e-4`` (float32 arithmetic at positions below 100
is well within it); module outputs with ``rtol=1e-5, atol=1e-5``.
"""

from __future__ import annotations

import torch
from torch import nn


def sinusoidal_encoding(max_len: int, d_model: int) -> torch.Tensor:
    """The ``(max_len, d_model)`` float32 table: sin on even columns, cos on odd columns, base 10000."""
    raise NotImplementedError("write sinusoidal_encoding")


class SinusoidalPositionalEncoding(nn.Module):
    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        raise NotImplementedError("write SinusoidalPositionalEncoding.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x + PE[:T]`` for ``x`` of shape ``(B, T, d_model)``."""
        raise NotImplementedError("write SinusoidalPositionalEncoding.forward")


class LearnedPositionalEmbedding(nn.Module):
    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        raise NotImplementedError("write LearnedPositionalEmbedding.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x + weight[:T]`` for ``x`` of shape ``(B, T, d_model)``; ``ValueError`` if ``T > max_len``."""
        raise NotImplementedError("write LearnedPositionalEmbedding.forward")


def relative_shift_matrix(k: int, d_model: int) -> torch.Tensor:
    """The ``(d_model, d_model)`` float32 matrix ``M`` with ``PE[p + k] == M @ PE[p]`` for every ``p``."""
    raise NotImplementedError("write relative_shift_matrix")
