"""Courses over one exercise library: the library's own exercises tell right from wrong, every course file
validates like curriculum.yaml, and a pass counts in every course that uses the exercise."""

from __future__ import annotations

import pytest

from tracker.curriculum.course import (
    LIBRARY, _load_library_file, course_names, course_path, load_course, validate_course, validate_library,
)
from tracker.curriculum.loader import CurriculumError, load
from tracker.curriculum.validate import validate
from tracker.grading.selfcheck import selfcheck

from .conftest import PROJECT

LIBRARY_EXERCISES = list(_load_library_file(PROJECT / LIBRARY).curriculum.exercises)


@pytest.fixture(scope="module")
def worker():
    from tracker.grading.worker import WarmWorker

    w = WarmWorker()
    yield w if w.usable() else None
    w.close()


@pytest.mark.slow
@pytest.mark.parametrize("exercise", LIBRARY_EXERCISES, ids=[e.id for e in LIBRARY_EXERCISES])
def test_library_exercise_tells_right_from_wrong(exercise, worker):
    checks = selfcheck(PROJECT, exercise, device="cpu", worker=worker)
    failures = [f"{c.label}: {c.detail}" for c in checks if not c.ok]
    assert not failures, "\n".join(failures)


def test_library_validates():
    assert validate_library(PROJECT) == []
    assert len(LIBRARY_EXERCISES) >= 8
    for exercise in LIBRARY_EXERCISES:
        assert 2 <= len(exercise.hints) <= 3, exercise.id


def test_library_problems_name_file_and_line(tmp_path):
    (tmp_path / "courses").mkdir()
    (tmp_path / "curriculum.yaml").write_text((PROJECT / "curriculum.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / LIBRARY).write_text("version: 1\nexercises:\n  - id: kv\n    title: x\n    kind: code\n    status: coming_soon\n",
                                    encoding="utf-8")
    [problem] = validate_library(tmp_path)
    assert str(problem).startswith("library.yaml:3:")
    assert "lib.kv_cache_decode" in str(problem)
