"""Benchmark 1: `tracker grade 0.5.1` (cold) beside plain `pytest` on the same grader file (or a module,
`tracker grade 1.1`, beside pytest on the module's grader files).

Both run in a fork whose stub holds the reference solution, so every test runs. Target: at most 1.15x.
Usage: python bench/grade_vs_pytest.py [runs] [exercise]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from _common import fmt, fork, median


def timed(cmd: list[str], cwd, env) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    exercise = sys.argv[2] if len(sys.argv) > 2 else "0.5.1"
    repo = fork(with_solutions=True)
    env = {**os.environ, "TRACKER_REPO": str(repo), "TRACKER_DEVICE": "cpu"}
    from tracker.curriculum.loader import load

    curriculum = load(repo / "curriculum.yaml").curriculum
    if curriculum.has_module(exercise):  # a module: what `tracker grade M.m` grades, checks and milestones
        module = curriculum.module(exercise)
        everything = list(module.exercises) + (list(module.capstone.milestones) if module.capstone else [])
        graders = [e.grader for e in everything if e.gradable]
    else:
        graders = [curriculum.exercise(exercise).grader]
    grader = " ".join(graders)
    tracker_cmd = [sys.executable, "-m", "tracker", "grade", exercise, "--device", "cpu"]
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *graders]
    timed(tracker_cmd, repo, env)  # warm the file cache
    t, p = [], []
    for _ in range(runs):  # interleaved, so that load changes hit both alike
        t.append(timed(tracker_cmd, repo, env))
        p.append(timed(pytest_cmd, repo, env))
    mt, mp = median(t), median(p)
    print(f"tracker grade {exercise} (cold), median of {runs}: {fmt(mt)}")
    print(f"pytest {grader}, median of {runs}: {fmt(mp)}")
    print(f"ratio: {mt / mp:.2f}x (target <= 1.15x)")


if __name__ == "__main__":
    main()
