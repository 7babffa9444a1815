"""Shared helpers for the benchmarks: a scratch fork of the course, and medians."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def fork(with_solutions: bool = False) -> Path:
    """A committed copy of the course in a temporary folder; optionally with every stub solved."""
    root = Path(tempfile.mkdtemp(prefix="tracker-bench-")) / "fork"
    root.mkdir()
    for part in ("curriculum.yaml", "exercises", "graders", "README.md"):
        src = PROJECT / part
        if src.is_dir():
            shutil.copytree(src, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, root / part)
    if with_solutions:
        for solution in (root / "graders").glob("*/solutions/*"):
            stub = root / "exercises" / solution.parent.parent.name / solution.name
            if stub.exists():
                shutil.copy2(solution, stub)
    (root / ".gitignore").write_text(".tracker/\n__pycache__/\n")
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@b"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "course"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)
    return root


def set_up(repo: Path) -> None:
    """`tracker init --yes` where the fork has no tracker.toml yet: the app then opens on Today, not on the
    first-run questions."""
    import sys

    if not (repo / "tracker.toml").exists():
        subprocess.run([sys.executable, "-m", "tracker", "init", "--yes"], cwd=repo, check=True, capture_output=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
