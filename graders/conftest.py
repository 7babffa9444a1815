"""Fixtures every grader shares: the device, the learner's module, and the integrity checks."""

from __future__ import annotations

import gc

import pytest
import torch

from gradelib.devices import same_verdict_everywhere
from tracker.grading import device as _device
from tracker.grading import sandbox

# Once now, at collection: the first call imports torch's compiler package (about a second), which must not
# be counted against the first check's time limit.
same_verdict_everywhere()


def pytest_collection_finish(session: pytest.Session) -> None:
    # Graders (and the libraries they trust) are imported now; no learner code has run yet.
    sandbox.take_snapshot()
    # Move torch's large heap out of the collector's way: a full collection would otherwise walk it in
    # whichever test triggers it (about half a second here).
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def device() -> torch.device:
    """CUDA, then MPS, then CPU, unless the learner chose one with `tracker grade --device`."""
    return torch.device(_device.resolve())


@pytest.fixture(scope="module")
def _forbidden(request: pytest.FixtureRequest):
    forbid = sandbox.push_forbid(getattr(request.module, "FORBIDDEN", ()))
    yield forbid
    sandbox.pop_forbid(forbid)


@pytest.fixture(scope="module")
def learner(request: pytest.FixtureRequest, _forbidden):
    """The learner's module for this grader, imported fresh (with the exercise's forbidden routines off)."""
    return sandbox.load_learner(sandbox.target_for(request.module.__file__))


@pytest.fixture(scope="module")
def learner_text(request: pytest.FixtureRequest) -> str:
    """The learner's markdown file, for reflection exercises."""
    path = sandbox.target_for(request.module.__file__)
    if not path.exists():
        raise sandbox.NotStarted(f"{path.name} does not exist; run `tracker reset` to restore it")
    return path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _untampered():
    yield
    sandbox.verify()


@pytest.fixture(autouse=True)
def _seeded():
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def _same_verdict_everywhere():
    """No TF32, deterministic algorithms, seeded generators: a device changes rounding, never a verdict.
    (gradelib.devices is imported above, before the seal: importing it here would add a name to gradelib.)"""
    same_verdict_everywhere()
