"""Exercise 0.4.3: a GRU cell as PyTorch computes it, and the parameter counts of GRU vs LSTM layers.

Part 1: write the GRU of ``nn.GRUCell`` / ``nn.GRU`` from basic tensor operations. Off-limits while your
code runs (the grader uses them as the reference): ``torch.nn.GRUCell``, ``torch.nn.GRU``,
``torch.gru_cell``, ``torch.gru``, ``torch.nn.LSTM``, ``torch.nn.LSTMCell``.

Layout (PyTorch's): three gate blocks stacked along the first axis in the order **r, z, n** (reset gate,
update gate, candidate): ``W_ih`` is ``(3H, D)`` with rows ``0:H`` for r, ``H:2H`` for z, ``2H:3H`` for n;
``W_hh`` is ``(3H, H)``; ``b_ih`` and ``b_hh`` are ``(3H,)``, split the same way. For ``x`` of shape
``(N, D)`` and ``h`` of shape ``(N, H)``, with ``a_k = x @ W_ih[k].T + b_ih[k]`` and
``u_k = h @ W_hh[k].T + b_hh[k]`` for block k:

    r = sigmoid(a_r + u_r)
    z = sigmoid(a_z + u_z)
    n = tanh(a_n + r * u_n)        # the reset gate scales the hidden state's term AFTER its matrix
                                   # product and its bias b_hh[n] (not the paper's (r * h) @ W_hn.T)
    h_new = (1 - z) * n + z * h    # z is the share of the OLD state that is kept

Write

* ``gru_cell(x, h, W_ih, W_hh, b_ih, b_hh) -> h_new``, shape ``(N, H)``;
* ``gru_sequence(x, h0, W_ih, W_hh, b_ih, b_hh) -> (outputs, h_T)``: run the cell over ``x`` of shape
  ``(T, N, D)`` (time first) from ``h0``; ``outputs`` is ``(T, N, H)`` with h_1..h_T, ``h_T`` is ``(N, H)``.

Part 2: write the number of learnable parameters (a Python int) of PyTorch's recurrent layers,

* ``lstm_param_count(input_size, hidden_size, num_layers=1, bias=True, bidirectional=False)``: of
  ``nn.LSTM(input_size, hidden_size, num_layers, bias=bias, bidirectional=bidirectional)``;
* ``gru_param_count(...)``, same arguments: of ``nn.GRU(...)``.

What PyTorch creates: each layer and each direction has its own ``weight_ih`` (``G*H x input``),
``weight_hh`` (``G*H x H``) and, when ``bias=True``, two bias vectors ``bias_ih`` and ``bias_hh``
(``G*H`` each), where G is the number of gate blocks (4 for the LSTM: i, f, g, o; 3 for the GRU). The
input of layer 1 has ``input_size`` features; the input of every later layer is the previous layer's
output, ``hidden_size`` features, or ``2 * hidden_size`` when bidirectional (both directions
concatenated). No projections (``proj_size = 0``).

Tolerances: ``gru_cell``/``gru_sequence`` rtol = 1e-4, atol = 1e-5, float32 (gradients through
``gru_cell`` are compared with ``nn.GRUCell``'s at rtol = 1e-4, atol = 1e-4); counts exactly.

The grader also runs your code on its device (a GPU when there is one): create every tensor on the
input's device (``device=x.device``, ``torch.zeros_like``), with no hard-coded ``"cuda"`` or ``.cuda()``
(they fail on a Mac or a CPU-only laptop) and no ``.item()`` inside a loop (each one waits for the GPU).
"""

from __future__ import annotations

import torch


def gru_cell(
    x: torch.Tensor, h: torch.Tensor, W_ih: torch.Tensor, W_hh: torch.Tensor, b_ih: torch.Tensor, b_hh: torch.Tensor
) -> torch.Tensor:
    """Return ``h_new``, shape ``(N, H)``."""
    raise NotImplementedError("write gru_cell")


def gru_sequence(
    x: torch.Tensor, h0: torch.Tensor, W_ih: torch.Tensor, W_hh: torch.Tensor, b_ih: torch.Tensor, b_hh: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(outputs, h_T)`` with outputs of shape ``(T, N, H)``."""
    raise NotImplementedError("write gru_sequence")


def lstm_param_count(
    input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True, bidirectional: bool = False
) -> int:
    """Learnable parameters of ``nn.LSTM`` with these arguments."""
    raise NotImplementedError("write lstm_param_count")


def gru_param_count(
    input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True, bidirectional: bool = False
) -> int:
    """Learnable parameters of ``nn.GRU`` with these arguments."""
    raise NotImplementedError("write gru_param_count")
