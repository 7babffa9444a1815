"""Every gradable exercise tells right from wrong: the untouched stub reports "not started", the reference
solution passes, and each known-buggy variant fails with a message that names its mistake."""

from __future__ import annotations

import pytest

from tracker.curriculum.loader import load
from tracker.grading.selfcheck import selfcheck

from .conftest import PROJECT

CURRICULUM = load(PROJECT / "curriculum.yaml").curriculum
GRADABLE = [e for e in CURRICULUM.gradables() if e.gradable]


@pytest.fixture(scope="module")
def worker():
    """One warm grading worker per test process: every run is still a fresh forked child."""
    from tracker.grading.worker import WarmWorker

    w = WarmWorker()
    yield w if w.usable() else None
    w.close()


@pytest.mark.slow
@pytest.mark.parametrize("exercise", GRADABLE, ids=[e.id for e in GRADABLE])
def test_exercise_tells_right_from_wrong(exercise, worker):
    assert_tells_right_from_wrong(exercise, worker)


def assert_tells_right_from_wrong(exercise, worker) -> None:
    """Stub not started, reference passes, every variant fails naming its mistake (shared with the courses' tests)."""
    checks = selfcheck(PROJECT, exercise, device="cpu", worker=worker)
    failures = [f"{c.label}: {c.detail}" for c in checks if not c.ok]
    assert not failures, "\n".join(failures)


def test_first_modules_are_fully_graded():
    """Modules 1.1 and 0.5 are graded end to end."""
    for module_id in ("1.1", "0.5"):
        module = CURRICULUM.module(module_id)
        soon = [e.id for e in module.exercises if not e.gradable]
        assert not soon, f"{module_id} still has coming-soon exercises: {soon}"


def test_hints_grow_in_help():
    for exercise in GRADABLE:
        assert 2 <= len(exercise.hints) <= 3, exercise.id
        assert len(set(exercise.hints)) == len(exercise.hints), exercise.id
