"""Reference solution for exercise 0.8.4 (shown by `tracker solution 0.8.4` after a pass)."""

from __future__ import annotations

import copy
import math

import torch


class EarlyStopping:
    def __init__(self, patience=3, min_delta=0.0, mode="min", monitor="val_loss", restore_best=True):
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.monitor, self.restore_best = monitor, restore_best
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.counter = 0
        self.calls = 0
        self.best_state = None

    def _improved(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value, model):
        epoch = self.calls
        self.calls += 1
        if self._improved(value):
            self.best, self.best_epoch, self.counter = value, epoch, 0
            # A real copy: state_dict() tensors share storage with the live model.
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.counter += 1
        return self.counter >= self.patience

    def restore(self, model):
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


def fit(model, train_loader, val_loader, loss_fn, optimizer, max_epochs, metrics=None, early_stopping=None):
    metrics = metrics or {}
    history = {"train_loss": [], "val_loss": [], **{f"val_{name}": [] for name in metrics}}
    for _ in range(max_epochs):
        model.train()
        total, count = 0.0, 0
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
            count += len(x)
        history["train_loss"].append(total / count)

        model.eval()
        total, count, outputs, targets = 0.0, 0, [], []
        with torch.no_grad():
            for x, y in val_loader:
                out = model(x)
                total += loss_fn(out, y).item() * len(x)
                count += len(x)
                outputs.append(out)
                targets.append(y)
        history["val_loss"].append(total / count)
        all_out, all_y = torch.cat(outputs), torch.cat(targets)
        for name, fn in metrics.items():
            history[f"val_{name}"].append(float(fn(all_out, all_y)))

        if early_stopping is not None and early_stopping.step(history[early_stopping.monitor][-1], model):
            break
    if early_stopping is not None and early_stopping.restore_best:
        early_stopping.restore(model)
    return history
