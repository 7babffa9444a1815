"""Exercise 0.7.2: a character bigram language model that reaches the entropy rate of its source.

The grader samples a long text from a KNOWN bigram (first-order Markov) distribution over a small
alphabet, fits your models on one part and measures their negative log-likelihood (NLL) on another part.
No model can beat the source's entropy rate on average; a good bigram model gets within 0.05 nats of it.

Conventions (the grader holds you to exactly these):

* ``chars`` is a string of distinct characters, the vocabulary; character ``chars[i]`` has index ``i``.
  ``V = len(chars)``. Every character of ``text`` is in ``chars``. There are no start/end tokens: a text of
  length L has exactly L - 1 transitions ``(text[t], text[t + 1])``; the last character does not wrap
  around to the first.
* Probability matrices are ROW-stochastic: ``P[i, j] = p(next = chars[j] | current = chars[i])``, every row
  sums to 1.
* Logarithms are natural (nats).
* Return float tensors as ``torch.float64`` (float32 is accepted within the tolerances below).

Functions:

* ``bigram_counts(text, chars) -> Tensor (V, V), torch.int64``: ``N[i, j]`` = number of positions ``t``
  with ``text[t] == chars[i]`` and ``text[t + 1] == chars[j]``.
* ``bigram_probs(counts, alpha=1.0) -> Tensor (V, V)``: add-alpha smoothed estimate
  ``P[i, j] = (N[i, j] + alpha) / sum_k (N[i, k] + alpha)``.
* ``nll(probs, text, chars) -> float``: the average over the L - 1 transitions of
  ``-ln probs[text[t], text[t + 1]]``.
* ``stationary_distribution(P) -> Tensor (V,)``: the probability vector ``pi`` with ``pi @ P = pi`` and
  ``sum(pi) = 1`` (the grader's chains are irreducible and aperiodic, so it is unique). Eigen-decomposition
  or iterating ``pi <- pi @ P`` to convergence (change below 1e-12) are both fine.
* ``entropy_rate(P) -> float``: ``H = -sum_i pi_i sum_j P[i, j] ln P[i, j]`` with ``pi`` the stationary
  distribution (terms with ``P[i, j] = 0`` count as 0): the expected NLL per character of the best
  possible model of a long text drawn from P.
* ``sample(P, chars, n, start, generator) -> str``: a text of length ``n`` whose first character is
  ``start``; each further character is drawn from the row of P of the previous character, e.g. with
  ``torch.multinomial(P[i], 1, generator=generator)``. Use the given ``torch.Generator`` for every draw.
* ``train_neural_bigram(text, chars, steps, generator) -> Tensor (V, V)``: the "neural" bigram of
  makemore: a weight matrix ``W`` (logits) initialised with ``torch.randn(V, V, generator=generator)``,
  where the model's prediction after ``chars[i]`` is ``softmax(W[i])`` (row i holds the logits of the
  character that FOLLOWS ``chars[i]``). Train it for ``steps`` full-batch gradient steps on the mean
  cross-entropy over all L - 1 transitions of ``text`` and return ``W`` detached; the grader converts it
  with ``softmax(W, dim=1)``. The method is the point: with ``steps=0`` it returns the initial ``W``
  unchanged, and the count model's log-probabilities (the optimum the training approaches) do not pass. Any optimizer works if it converges in 100 steps (the grader passes a
  3,000-character text and ``steps=100``): ``torch.optim.Adam`` with lr=0.1, or plain gradient descent with
  a learning rate of about 10-20 (makemore's 50 is too large for an alphabet this small: each row carries
  a larger share of the loss, and the steps overshoot).

The grader runs your code on its device (a GPU when there is one): ``P`` and ``counts`` arrive there, and
``sample``'s generator is on the same device. Create every tensor on the input's device
(``device=P.device``), never hard-code ``"cuda"``, and do not read values back one transition at a time
(``.item()`` in a loop waits for the GPU at every step).

Tolerances: counts exactly; probabilities, ``pi`` and NLL with rtol=1e-5 (atol=1e-7); the entropy rate
with rtol=1e-5. Statistical checks: the count model (alpha=1, fitted on 20,000 characters) and the neural
model each reach a held-out NLL within 0.05 nats of the source's entropy rate; in a 10,000-character
sample from ``sample``, every transition frequency lies within 5 binomial standard deviations (+0.005) of
P.
"""

from __future__ import annotations

import torch


def bigram_counts(text: str, chars: str) -> torch.Tensor:
    raise NotImplementedError("write bigram_counts")


def bigram_probs(counts: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    raise NotImplementedError("write bigram_probs")


def nll(probs: torch.Tensor, text: str, chars: str) -> float:
    raise NotImplementedError("write nll")


def stationary_distribution(P: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError("write stationary_distribution")


def entropy_rate(P: torch.Tensor) -> float:
    raise NotImplementedError("write entropy_rate")


def sample(P: torch.Tensor, chars: str, n: int, start: str, generator: torch.Generator) -> str:
    raise NotImplementedError("write sample")


def train_neural_bigram(text: str, chars: str, steps: int, generator: torch.Generator) -> torch.Tensor:
    raise NotImplementedError("write train_neural_bigram")
