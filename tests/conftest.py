"""Shared fixtures: a scratch fork of the course in a real git repository, isolated from the machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
COURSE_PARTS = ("curriculum.yaml", "exercises", "graders", "README.md", "courses")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in {
        "GIT_AUTHOR_NAME": "Learner",
        "GIT_AUTHOR_EMAIL": "learner@example.com",
        "GIT_COMMITTER_NAME": "Learner",
        "GIT_COMMITTER_EMAIL": "learner@example.com",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("TRACKER_REPO", "TRACKER_DATA", "TRACKER_DEVICE", "TRACKER_TARGETS"):
        monkeypatch.delenv(key, raising=False)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def make_fork(dest: Path) -> Path:
    """Copy the course into dest and commit it, as a learner's fresh fork would look."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in COURSE_PARTS:
        src = PROJECT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    (dest / ".gitignore").write_text(".tracker/\n__pycache__/\n")
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "course")
    return dest


@pytest.fixture
def fork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch fork; TRACKER_REPO points at it."""
    repo = make_fork(tmp_path / "fork")
    monkeypatch.setenv("TRACKER_REPO", str(repo))
    monkeypatch.chdir(repo)
    return repo


def run_tracker(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """Run the real `tracker` console entry point in a child process."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout,
    )
