"""Grader for exercise 0.8.4: a training loop with metrics and early stopping.

Form: the catalogue's. ``EarlyStopping`` is driven with scripted value sequences (a model whose weights
are set to the call number before each call, so restored weights say which epoch they came from).
``fit`` is run on a small dropout MLP that starts to overfit, with the grader's own early-stopping object
(so that fit is graded on its own), against a reference loop in this file; histories, the number of epochs
and the final weights are compared. Loaders carry their own generators and dropout draws from the global
generator seeded before each run, so both runs see the same batches and masks.

Probes: min_delta ignored, ties counted as improvements, patience off by one, the counter not reset on an
improvement, mode "max" ignored, best weights kept by reference (state_dict() without a copy), the stop
signal ignored, best weights not restored, no model.eval() for validation, no model.train() afterwards,
unweighted means of batch losses, and metrics averaged over batches.
"""

from __future__ import annotations

import copy
import math

import pytest
import torch
import torch._dynamo  # noqa: F401  (building an optimizer imports it, and it rewraps torch.manual_seed)
from gradelib import GradeFailure, check_close, check_true
from gradelib.devices import check_follows_device, to_device, tolerance
from torch.utils.data import DataLoader, TensorDataset

MAX_EPOCHS = 25


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --- EarlyStopping on scripted sequences ------------------------------------------------------------


def _sim_es(values, patience, min_delta, mode="min", *, no_delta=False, ties=False, off_by_one=False,
            no_reset=False, ignore_mode=False):
    """(stop call or None, best_epoch, best) of a configurable early stopper."""
    best = math.inf if (mode == "min" or ignore_mode) else -math.inf
    best_epoch, counter = -1, 0
    delta = 0.0 if no_delta else min_delta
    for k, v in enumerate(values):
        if mode == "min" or ignore_mode:
            better = v <= best - delta if ties else v < best - delta
        else:
            better = v >= best + delta if ties else v > best + delta
        if better:
            best, best_epoch = v, k
            if not no_reset:
                counter = 0
        else:
            counter += 1
        if (counter > patience) if off_by_one else (counter >= patience):
            return k, best_epoch, best
    return None, best_epoch, best


class _Probe(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 2)

    def set_to(self, k: float) -> None:
        with torch.no_grad():
            for p in self.parameters():
                p.fill_(k)


def _drive(learner, values, **kwargs):
    es = learner.EarlyStopping(**kwargs)
    model = _Probe()
    stop = None
    for k, v in enumerate(values):
        model.set_to(float(k))  # in place, as an optimizer step would do
        result = es.step(v, model)
        if not isinstance(result, (bool, int)) and not (isinstance(result, torch.Tensor) and result.numel() == 1):
            raise GradeFailure(f"EarlyStopping.step should return a bool, got {type(result).__name__}")
        if bool(result):
            stop = k
            break
    return es, model, (stop, int(es.best_epoch), float(es.best))


def _describe(outcome) -> str:
    stop, best_epoch, best = outcome
    when = f"stopped at call {stop}" if stop is not None else "never stopped"
    return f"{when}, best_epoch={best_epoch}, best={best:g}"


def _check_outcome(got, expected, label: str, mistakes: dict) -> None:
    if got[0] == expected[0] and got[1] == expected[1] and abs(got[2] - expected[2]) < 1e-12:
        return
    why = next((f" This is what {k} gives." for k, v in mistakes.items() if v == got), "")
    raise GradeFailure(f"{label}: your EarlyStopping {_describe(got)}; expected {_describe(expected)}.{why}")


SEQ_MIN = [1.00, 0.90, 0.87, 0.84, 0.86, 0.80, 0.80, 0.79, 0.95, 1.00]


def test_early_stopping_min_delta_and_patience(learner):
    """mode min: improvement means value < best - min_delta; stop once patience calls fail to improve"""
    kwargs = dict(patience=2, min_delta=0.05)
    _, _, got = _drive(learner, SEQ_MIN, **kwargs)
    _check_outcome(got, _sim_es(SEQ_MIN, 2, 0.05), f"values {SEQ_MIN}, patience=2, min_delta=0.05", {
        "ignoring min_delta": _sim_es(SEQ_MIN, 2, 0.05, no_delta=True),
        "an off-by-one patience (stopping when counter > patience)": _sim_es(SEQ_MIN, 2, 0.05, off_by_one=True),
        "not resetting the counter on an improvement": _sim_es(SEQ_MIN, 2, 0.05, no_reset=True),
    })


def test_early_stopping_ties(learner):
    """a value equal to the best is not an improvement (strict comparison)"""
    values = [1.0, 1.0, 1.0, 0.9, 0.9]
    _, _, got = _drive(learner, values, patience=2, min_delta=0.0)
    _check_outcome(got, _sim_es(values, 2, 0.0), f"values {values}, patience=2, min_delta=0", {
        "counting a tie as an improvement (<= instead of <)": _sim_es(values, 2, 0.0, ties=True),
        "an off-by-one patience (stopping when counter > patience)": _sim_es(values, 2, 0.0, off_by_one=True),
    })


def test_early_stopping_max_mode(learner):
    """mode max: improvement means value > best + min_delta"""
    values = [0.50, 0.60, 0.62, 0.70, 0.69, 0.71, 0.65, 0.80]
    _, _, got = _drive(learner, values, patience=2, min_delta=0.02, mode="max", monitor="val_acc")
    _check_outcome(got, _sim_es(values, 2, 0.02, "max"), f"values {values}, mode='max', patience=2, min_delta=0.02", {
        "ignoring mode='max' (treating higher values as worse)": _sim_es(values, 2, 0.02, "max", ignore_mode=True),
        "ignoring min_delta": _sim_es(values, 2, 0.02, "max", no_delta=True),
    })


def test_restore_gives_best_weights(learner):
    """restore() loads a copy of the weights from the best call, not the live ones"""
    es, model, (stop, best_epoch, _) = _drive(learner, SEQ_MIN, patience=2, min_delta=0.05)
    expected_stop, expected_best, _ = _sim_es(SEQ_MIN, 2, 0.05)
    if (stop, best_epoch) != (expected_stop, expected_best):
        raise GradeFailure("fix the stopping rule first (see the check above)")
    es.restore(model)
    got = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    check_close(
        got,
        torch.full_like(got, float(best_epoch)),
        name=f"the weights after restore() (set to the call number; the best call was {best_epoch})",
        rtol=0,
        atol=0,
        mistakes={
            "keeping model.state_dict() without copying it: its tensors share storage with the model, so the "
            "'best' weights follow training": torch.full_like(got, float(stop)),
        },
    )


# --- fit against a reference loop ---------------------------------------------------------------------


class _RefES:
    """The grader's early stopper, handed to the learner's fit so that fit is graded on its own."""

    def __init__(self, patience=3, min_delta=0.01, mode="min", monitor="val_loss", restore_best=True):
        self.patience, self.min_delta, self.mode = patience, min_delta, mode
        self.monitor, self.restore_best = monitor, restore_best
        self.best, self.best_epoch, self.counter, self.calls, self.state = math.inf, -1, 0, 0, None
        self.restored = False

    def step(self, value, model):
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.counter = value, self.calls, 0
            self.state = copy.deepcopy(model.state_dict())
        else:
            self.counter += 1
        self.calls += 1
        return self.counter >= self.patience

    def restore(self, model):
        self.restored = True
        if self.state is not None:
            model.load_state_dict(self.state)


def _accuracy(outputs, targets):
    return (outputs.argmax(1) == targets).float().mean().item()


def _setup(device="cpu"):
    g = torch.Generator().manual_seed(0)
    w = torch.randn(8, 3, generator=g)
    x = torch.randn(72, 8, generator=g)
    y = (x @ w + torch.randn(72, 3, generator=g)).argmax(1)
    x, y = to_device((x, y), device)  # the loaders then give batches on the model's device
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(32, 3))
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    # 32 training samples in batches of 10 (10, 10, 10, 2); 40 validation samples in batches of 16 (16, 16, 8).
    train = DataLoader(TensorDataset(x[:32], y[:32]), batch_size=10, shuffle=True,
                       generator=torch.Generator().manual_seed(5))
    val = DataLoader(TensorDataset(x[32:], y[32:]), batch_size=16, generator=torch.Generator().manual_seed(6))
    torch.manual_seed(2)  # dropout masks
    return model, opt, train, val


def _ref_fit(model, train_loader, val_loader, loss_fn, optimizer, max_epochs, metrics=None, early_stopping=None, *,
             no_eval=False, no_train=False, plain_train=False, plain_val=False, batch_metric=False, ignore_stop=False,
             no_restore=False, per_batch_train=False, per_batch_val=False):
    metrics = metrics or {}
    history = {"train_loss": [], "val_loss": [], **{f"val_{n}": [] for n in metrics}}
    for epoch in range(max_epochs):
        if not no_train or epoch == 0:
            model.train()
        losses, sizes = [], []
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            sizes.append(len(x))
        history["train_loss"].append(_mean(losses, sizes, plain_train, per_batch_train))
        if not no_eval:
            model.eval()
        losses, sizes, outs, ys, per_batch = [], [], [], [], {n: [] for n in metrics}
        with torch.no_grad():
            for x, y in val_loader:
                out = model(x)
                losses.append(loss_fn(out, y).item())
                sizes.append(len(x))
                outs.append(out)
                ys.append(y)
                for n, fn in metrics.items():
                    per_batch[n].append(float(fn(out, y)))
        history["val_loss"].append(_mean(losses, sizes, plain_val, per_batch_val))
        for n, fn in metrics.items():
            value = sum(per_batch[n]) / len(per_batch[n]) if batch_metric else float(fn(torch.cat(outs), torch.cat(ys)))
            history[f"val_{n}"].append(value)
        if early_stopping is not None and early_stopping.step(history[early_stopping.monitor][-1], model):
            if not ignore_stop:
                break
    if early_stopping is not None and early_stopping.restore_best and not no_restore:
        early_stopping.restore(model)
    return history


def _mean(values, sizes, plain, per_batch=False):
    if plain:
        return sum(values) / len(values)
    if per_batch:  # each loss weighted by its batch size, the sum divided by the number of batches
        return sum(v * n for v, n in zip(values, sizes)) / len(values)
    return sum(v * n for v, n in zip(values, sizes)) / sum(sizes)


def _run(fit_fn, with_es=True, max_epochs=MAX_EPOCHS, metrics=True, device="cpu", **knobs):
    model, opt, train, val = _setup(device)
    es = _RefES(patience=3, min_delta=0.01) if with_es else None
    history = fit_fn(model, train, val, torch.nn.CrossEntropyLoss(), opt, max_epochs,
                     {"acc": _accuracy} if metrics else None, es, **knobs)
    weights = torch.cat([p.detach().reshape(-1).clone() for p in model.parameters()]).cpu()
    return history, weights, es


_FIT_MISTAKES = {
    "validating without model.eval() (dropout still active)": dict(no_eval=True),
    "not switching back to model.train() after validating (dropout off from epoch 2 on)": dict(no_train=True),
    "the plain mean of the training batch losses (weight each batch by its size: the last batch is smaller)": dict(
        plain_train=True),
    "the plain mean of the validation batch losses (weight each batch by its size: the last batch is smaller)": dict(
        plain_val=True),
    "weighting each training batch loss by its size but dividing by the number of batches (divide by the number of "
    "samples)": dict(per_batch_train=True),
    "weighting each validation batch loss by its size but dividing by the number of batches (divide by the number "
    "of samples)": dict(per_batch_val=True),
    "averaging the metric over batches instead of computing it on the whole validation set": dict(batch_metric=True),
}


def _history(value) -> dict:
    if not isinstance(value, dict):
        raise GradeFailure(f"fit should return a dict of lists, got {type(value).__name__}")
    return value


def _same(a: dict, b: dict) -> bool:
    if set(a) != set(b) or any(len(a[k]) != len(b[k]) for k in a):
        return False
    return all(torch.allclose(torch.tensor([float(v) for v in a[k]], dtype=torch.float64),
                              torch.tensor([float(v) for v in b[k]], dtype=torch.float64), rtol=1e-5, atol=1e-6)
               for k in a)


def _which_mistake(got: dict, **run_kwargs) -> str:
    """' This is what <mistake> gives.' when a whole simulated history matches the learner's, else ''."""
    for text, knobs in _FIT_MISTAKES.items():
        if _same(got, _run(_ref_fit, **run_kwargs, **knobs)[0]):
            return f" This is what {text} gives."
    return ""


def test_fit_history_and_early_stop(learner):
    """fit's history (train/val loss, val_acc) matches the reference and stops when told to"""
    got, _, es = _run(learner.fit)
    got = _history(got)
    expected, _, ref_es = _run(_ref_fit)
    if _same(got, expected):
        return
    n = len(expected["val_loss"])
    check_true(set(got) == set(expected), f"the history has keys {sorted(got)}, expected {sorted(expected)}")
    lengths = {k: len(v) for k, v in got.items()}
    if any(v != n for v in lengths.values()):
        why = _which_mistake(got)
        if not why and all(v == MAX_EPOCHS for v in lengths.values()):
            why = " This is what ignoring early_stopping.step's return value gives."
        raise GradeFailure(
            f"the history lists have lengths {lengths}; expected {n} epochs (early stopping stops after epoch {n}, "
            f"the best being epoch {ref_es.best_epoch + 1}).{why}"
        )
    why = _which_mistake(got)
    for key in ("train_loss", "val_loss", "val_acc"):
        got_v = torch.tensor([float(v) for v in got[key]], dtype=torch.float64)
        exp_v = torch.tensor(expected[key], dtype=torch.float64)
        if torch.allclose(got_v, exp_v, rtol=1e-5, atol=1e-6):
            continue
        try:
            check_close(got_v, exp_v, name=f"history[{key!r}] over {n} epochs", rtol=1e-5, atol=1e-6)
        except GradeFailure as failure:
            raise GradeFailure(str(failure).rstrip(".") + ("." + why if why else "")) from None


def test_fit_restores_best_weights(learner):
    """after early stopping, fit leaves the model with the best epoch's weights"""
    _, got, es = _run(learner.fit)
    _, expected, ref_es = _run(_ref_fit)
    _, last, _ = _run(_ref_fit, no_restore=True)
    check_true(es.restored, "fit never called early_stopping.restore(model) although restore_best is True")
    check_close(
        got,
        expected,
        name=f"the model's weights after fit (best epoch: {ref_es.best_epoch + 1})",
        rtol=1e-5,
        atol=1e-6,
        mistakes={"keeping the last epoch's weights instead of restoring the best": last},
    )


def test_fit_without_early_stopping(learner):
    """without early stopping or metrics, fit runs every epoch and records both losses"""
    got, weights, _ = _run(learner.fit, with_es=False, max_epochs=4, metrics=False)
    got = _history(got)
    expected, exp_weights, _ = _run(_ref_fit, with_es=False, max_epochs=4, metrics=False)
    check_true(set(got) == {"train_loss", "val_loss"},
               f"with metrics=None the history has keys {sorted(got)}, expected ['train_loss', 'val_loss']")
    for key in ("train_loss", "val_loss"):
        check_true(len(got[key]) == 4, f"history[{key!r}] has {len(got[key])} entries after 4 epochs, expected 4")
    if not _same(got, expected):
        why = _which_mistake(got, with_es=False, max_epochs=4, metrics=False)
        for key in ("train_loss", "val_loss"):
            try:
                check_close(torch.tensor([float(v) for v in got[key]], dtype=torch.float64),
                            torch.tensor(expected[key], dtype=torch.float64), name=f"history[{key!r}]",
                            rtol=1e-5, atol=1e-6)
            except GradeFailure as failure:
                raise GradeFailure(str(failure).rstrip(".") + ("." + why if why else "")) from None
    check_close(weights, exp_weights, name="the model's weights after 4 epochs", rtol=1e-5, atol=1e-6)


def test_early_stopping_defaults_and_start(learner):
    """EarlyStopping keeps the stub's defaults, and starts with best=±inf, best_epoch=-1, counter=0"""
    from gradelib import as_float, check_defaults, member

    check_defaults(learner.EarlyStopping, "EarlyStopping", patience=3, min_delta=0.0, mode="min",
                   monitor="val_loss", restore_best=True)
    for mode, best in (("min", math.inf), ("max", -math.inf)):
        es = learner.EarlyStopping(mode=mode)
        start = tuple(as_float(member(es, name, "a fresh EarlyStopping"), f"EarlyStopping.{name}")
                      for name in ("best", "best_epoch", "counter"))
        check_true(start == (best, -1, 0),
                   f"a fresh EarlyStopping(mode={mode!r}) has best={start[0]:g}, best_epoch={start[1]:g}, "
                   f"counter={start[2]:g}; before the first call expected best={best:g}, best_epoch=-1, counter=0")


def test_fit_on_the_models_device(learner, device):
    """on the grading device: fit makes no tensor off the model's device, and its history and weights equal
    the reference loop's there"""

    def two_epochs(x, y, model):
        train = DataLoader(TensorDataset(x[:32], y[:32]), batch_size=10)
        val = DataLoader(TensorDataset(x[32:], y[32:]), batch_size=16)
        opt = torch.optim.Adam(model.parameters(), lr=0.03)
        return learner.fit(model, train, val, torch.nn.CrossEntropyLoss(), opt, 2, {"acc": _accuracy}, None)

    model, _, train, val = _setup()
    x, y = (torch.cat(pair) for pair in zip(train.dataset.tensors, val.dataset.tensors))
    check_follows_device(two_epochs, x, y, model)
    got, got_w, _ = _run(learner.fit, device=device, with_es=False, max_epochs=4)
    expected, exp_w, _ = _run(_ref_fit, device=device, with_es=False, max_epochs=4)
    tol = tolerance(device, cpu=(1e-5, 1e-6))
    for key in expected:
        values = _history(got).get(key)
        check_true(isinstance(values, list) and len(values) == 4, f"history[{key!r}] on {device.type} should list 4 epochs")
        check_close(torch.tensor([float(v) for v in values], dtype=torch.float64),
                    torch.tensor(expected[key], dtype=torch.float64), name=f"history[{key!r}] on {device.type}", **tol)
    check_close(got_w, exp_w, name=f"the model's weights after 4 epochs on {device.type}", **tol)
