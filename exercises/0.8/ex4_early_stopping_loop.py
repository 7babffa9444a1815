"""Exercise 0.8.4: a training loop with validation metrics and early stopping.

Write an ``EarlyStopping`` helper and a ``fit`` loop that uses it. The grader checks the helper on
scripted sequences of validation values, then runs your ``fit`` and its own reference loop on the same
model, data and seeds and compares the histories and the final weights.

1. ``class EarlyStopping``

   * ``__init__(self, patience=3, min_delta=0.0, mode="min", monitor="val_loss", restore_best=True)``.
     ``mode="min"`` means lower is better (a loss), ``"max"`` higher is better (an accuracy); ``monitor``
     names the history entry that ``fit`` feeds to ``step``.
   * ``step(self, value, model) -> bool``, called once per epoch. Calls are numbered 0, 1, 2, ...
     ``value`` IMPROVES when ``value < best - min_delta`` (mode "min") or ``value > best + min_delta``
     (mode "max"), strictly; ``best`` starts at ``+inf`` / ``-inf`` so the first call always improves.
     On an improvement: ``best = value``, ``best_epoch =`` this call's number, ``counter = 0``, and keep a
     COPY of ``model.state_dict()`` (its tensors share storage with the live model, so copy them, e.g.
     ``copy.deepcopy``). Otherwise ``counter += 1``. Return ``True`` (stop) when ``counter >= patience``.
   * ``restore(self, model)``: load the kept best weights into ``model``.
   * Public attributes read by the grader: ``best`` (float), ``best_epoch`` (int), ``counter`` (int);
     before the first call they are ``+inf`` / ``-inf``, ``-1`` and ``0``.

2. ``fit(model, train_loader, val_loader, loss_fn, optimizer, max_epochs, metrics=None, early_stopping=None) -> dict``

   For each epoch, at most ``max_epochs``:

   * Training: ``model.train()``; for every ``(x, y)`` batch of ``train_loader``, in order:
     ``optimizer.zero_grad()``, ``loss = loss_fn(model(x), y)``, ``loss.backward()``,
     ``optimizer.step()``. ``train_loss`` is the SAMPLE-weighted mean of these batch losses:
     ``sum(loss.item() * len(x)) / number of samples`` (the last batch may be smaller).
   * Validation: ``model.eval()`` and ``torch.no_grad()``; iterate ``val_loader`` once. ``val_loss`` is
     the sample-weighted mean of ``loss_fn`` over its batches. For every ``name, fn`` in ``metrics`` (a
     dict; ``None`` means none), ``val_<name> = float(fn(all_outputs, all_targets))`` computed ONCE on
     the outputs and targets of the whole validation set concatenated (not averaged over batches).
   * Append each value to ``history``: a dict with the lists ``"train_loss"``, ``"val_loss"`` and one
     ``"val_<name>"`` per metric, one entry per epoch actually run.
   * If ``early_stopping`` is given: ``stop = early_stopping.step(history[early_stopping.monitor][-1], model)``;
     leave the loop when ``stop`` is true.

   After the loop, if ``early_stopping`` is given and its ``restore_best`` is true, call
   ``early_stopping.restore(model)`` (whether it stopped early or ran out of epochs). Return ``history``.
   ``fit`` must use nothing of ``early_stopping`` but ``step``, ``restore``, ``monitor`` and
   ``restore_best``: the grader also passes its own stopper with that interface.
   Use no randomness of your own (dropout draws from the global torch generator, which the grader seeds).

The grader also runs ``fit`` with the model and the loaders' batches on its device (a GPU when there is
one): use the batches where they are (no ``.cpu()`` on the outputs), and never hard-code ``"cuda"``.

Tolerance: history values ``rtol=1e-5, atol=1e-6``; epoch numbers, list lengths and restored weights
exactly (``atol=1e-6`` for weights after training).
"""

from __future__ import annotations

import copy
import math

import torch


class EarlyStopping:
    def __init__(self, patience: int = 3, min_delta: float = 0.0, mode: str = "min", monitor: str = "val_loss",
                 restore_best: bool = True):
        raise NotImplementedError("write EarlyStopping.__init__")

    def step(self, value: float, model: torch.nn.Module) -> bool:
        raise NotImplementedError("write EarlyStopping.step")

    def restore(self, model: torch.nn.Module) -> None:
        raise NotImplementedError("write EarlyStopping.restore")


def fit(model, train_loader, val_loader, loss_fn, optimizer, max_epochs: int, metrics=None, early_stopping=None) -> dict:
    """Train with per-epoch validation, metrics and optional early stopping; return the history."""
    raise NotImplementedError("write fit")
