"""Grader for exercise 0.8.2: checkpoint save/resume, bit for bit.

Form: the catalogue's. The grader owns a small training loop whose every source of state matters: a
dropout MLP, SGD with momentum, StepLR, ``torch.randperm`` shuffling, NumPy-noise and Python-random
augmentation. It trains 6 epochs without a break, then again 3 epochs, saves through the learner's
``save_checkpoint`` (into pytest's ``tmp_path``), rebuilds every object with other weights and reseeds every
generator, restores through ``load_checkpoint`` and trains the remaining epochs. Restored pieces are checked
one by one (so a missing piece is named), then the resumed losses must equal the uninterrupted ones exactly.
What each missing piece gives is simulated by the same loop with that piece left out.

Probes: model, optimizer (momentum), scheduler, torch / NumPy / Python RNG states not restored, the
returned epoch off by one, and saving that consumes random numbers or changes the objects.
"""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest
import torch
import torch._dynamo  # noqa: F401  (building an optimizer imports it, and it rewraps torch.manual_seed)
from gradelib import GradeFailure, check_close, check_true

TOTAL, SPLIT, N, BATCH = 6, 3, 48, 12



@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is faster than two, and much steadier on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

def _data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(N, 6, generator=g)
    y = (x[:, :2].sum(1, keepdim=True) > 0).float() + 0.1 * torch.randn(N, 1, generator=g)
    return x, y


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 16)
        self.drop = torch.nn.Dropout(0.3)
        self.fc2 = torch.nn.Linear(16, 1)

    def forward(self, x):
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


def _build(init_seed: int):
    torch.manual_seed(init_seed)
    model = _Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched


def _seed_all(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def _epoch(model, opt, sched, data) -> list[float]:
    x, y = data
    model.train()
    losses = []
    perm = torch.randperm(N)  # torch RNG: shuffling
    scale = random.uniform(0.8, 1.2)  # Python RNG: augmentation strength
    for k in range(0, N, BATCH):
        idx = perm[k : k + BATCH]
        noise = torch.from_numpy(np.random.normal(0.0, 0.1, size=(len(idx), 6)).astype(np.float32))  # NumPy RNG
        xb = x[idx] * scale + noise
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xb), y[idx])  # dropout: torch RNG
        loss.backward()
        opt.step()
        losses.append(loss.item())
    sched.step()
    return losses


def _uninterrupted() -> list[float]:
    data = _data()
    model, opt, sched = _build(init_seed=1)
    _seed_all(7)
    return [loss for _ in range(TOTAL) for loss in _epoch(model, opt, sched, data)]


def _first_part():
    """Build, seed, train SPLIT epochs; return the objects and data."""
    data = _data()
    model, opt, sched = _build(init_seed=1)
    _seed_all(7)
    losses = [loss for _ in range(SPLIT) for loss in _epoch(model, opt, sched, data)]
    return model, opt, sched, data, losses


def _scrambled():
    """Fresh objects with other weights, and every generator in an unrelated state."""
    model, opt, sched = _build(init_seed=99)
    _seed_all(12345)
    return model, opt, sched


def _snapshot_rng():
    return torch.get_rng_state().clone(), np.random.get_state(), random.getstate()


def _simulated_resume(skip: str) -> list[float]:
    """What resuming gives when ``skip`` is not restored (the rest restored from an in-memory copy)."""
    model, opt, sched, data, _ = _first_part()
    saved = {
        "model": copy.deepcopy(model.state_dict()),
        "opt": copy.deepcopy(opt.state_dict()),
        "sched": copy.deepcopy(sched.state_dict()),
        "rng": _snapshot_rng(),
    }
    model, opt, sched = _scrambled()
    if skip != "model":
        model.load_state_dict(saved["model"])
    if skip != "optimizer":
        opt.load_state_dict(saved["opt"])
    if skip != "scheduler":
        sched.load_state_dict(saved["sched"])
    t, n, p = saved["rng"]
    if skip != "torch":
        torch.set_rng_state(t)
    if skip != "numpy":
        np.random.set_state(n)
    if skip != "python":
        random.setstate(p)
    losses = [loss for _ in range(SPLIT, TOTAL) for loss in _epoch(model, opt, sched, data)]
    return torch.tensor(losses, dtype=torch.float64)


_MISSING = {
    "model": "not restoring the model's weights",
    "optimizer": "not restoring the optimizer state (SGD's momentum buffers and its learning rate)",
    "scheduler": "not restoring the scheduler state (StepLR's position)",
    "torch": "not restoring torch's RNG state (the shuffles and dropout masks differ)",
    "numpy": "not restoring NumPy's global RNG state (the augmentation noise differs)",
    "python": "not restoring Python's random state (the augmentation scale differs)",
}


def _save_then_load(learner, tmp_path):
    """Run the first part, save with the learner's code, rebuild, load; return everything to check."""
    model, opt, sched, data, first = _first_part()
    path = str(tmp_path / "checkpoint.pt")
    before = {
        "model": copy.deepcopy(model.state_dict()),
        "opt": copy.deepcopy(opt.state_dict()),
        "sched": copy.deepcopy(sched.state_dict()),
        "rng": _snapshot_rng(),
    }
    learner.save_checkpoint(path, model, opt, sched, SPLIT)
    after_rng = _snapshot_rng()
    check_true(
        torch.equal(before["rng"][0], after_rng[0])
        and before["rng"][2] == after_rng[2]
        and all(np.array_equal(a, b) for a, b in zip(before["rng"][1], after_rng[1])),
        "save_checkpoint changed a random generator's state: saving must not draw random numbers",
    )
    del model, opt, sched
    model, opt, sched = _scrambled()
    fresh = copy.deepcopy(model.state_dict())
    start = learner.load_checkpoint(path, model, opt, sched)
    before["rng_after_load"] = _snapshot_rng()
    before["fresh_model"] = fresh
    return before, (model, opt, sched, data), start


def test_load_restores_every_piece(learner, tmp_path):
    """load_checkpoint restores weights, momentum, schedule, all three RNG states and the epoch"""
    before, (model, opt, sched, _), start = _save_then_load(learner, tmp_path)
    for name, tensor in model.state_dict().items():
        check_close(tensor, before["model"][name], name=f"the restored model weight {name!r}", rtol=0, atol=0,
                    mistakes={_MISSING["model"]: before["fresh_model"][name]})
    state = opt.state_dict()
    check_true(
        len(state["state"]) == len(before["opt"]["state"]),
        f"{_MISSING['optimizer']}: the optimizer holds {len(state['state'])} momentum buffers after loading, "
        f"expected {len(before['opt']['state'])}",
    )
    for key, buf in before["opt"]["state"].items():
        check_close(state["state"][key]["momentum_buffer"], buf["momentum_buffer"],
                    name=f"the restored momentum buffer of parameter {key}", rtol=0, atol=0)
    check_true(
        state["param_groups"][0]["lr"] == before["opt"]["param_groups"][0]["lr"],
        f"the optimizer's learning rate is {state['param_groups'][0]['lr']} after loading, expected "
        f"{before['opt']['param_groups'][0]['lr']} ({_MISSING['optimizer']}?)",
    )
    check_true(
        sched.state_dict()["last_epoch"] == before["sched"]["last_epoch"],
        f"{_MISSING['scheduler']}: its last_epoch is {sched.state_dict()['last_epoch']}, expected "
        f"{before['sched']['last_epoch']}",
    )
    t, n, p = before["rng"]
    now_t, now_n, now_p = before["rng_after_load"]
    check_true(torch.equal(now_t, t), _MISSING["torch"] + ": use torch.set_rng_state")
    check_true(now_n[0] == n[0] and np.array_equal(now_n[1], n[1]) and now_n[2:] == n[2:],
               _MISSING["numpy"] + ": use np.random.set_state")
    check_true(now_p == p, _MISSING["python"] + ": use random.setstate")
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)):
        raise GradeFailure(f"load_checkpoint should return the completed epochs as an int, got {start!r}")
    check_true(
        int(start) == SPLIT,
        f"load_checkpoint returned {start}, expected {SPLIT}: it returns the number of COMPLETED epochs, so "
        f"training resumes with range({SPLIT}, {TOTAL})",
    )


def test_resumed_losses_equal_uninterrupted(learner, tmp_path):
    """3 epochs + save + load + 3 epochs gives exactly the losses of 6 uninterrupted epochs"""
    reference = _uninterrupted()
    _, (model, opt, sched, data), start = _save_then_load(learner, tmp_path)
    start = int(start) if isinstance(start, (int, np.integer)) else SPLIT
    resumed = [loss for _ in range(start, TOTAL) for loss in _epoch(model, opt, sched, data)]
    per_epoch = N // BATCH
    expected = reference[SPLIT * per_epoch :]
    if len(resumed) != len(expected):
        raise GradeFailure(
            f"resuming ran {len(resumed) // per_epoch} epochs, expected {TOTAL - SPLIT}: load_checkpoint must "
            "return the number of completed epochs"
        )
    got, exp = torch.tensor(resumed, dtype=torch.float64), torch.tensor(expected, dtype=torch.float64)
    if torch.equal(got, exp):
        return
    check_close(
        got,
        exp,
        name="the per-batch losses of epochs 4..6 after resuming",
        rtol=0,
        atol=0,
        mistakes={text: _simulated_resume(key) for key, text in _MISSING.items()},
    )
