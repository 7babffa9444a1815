"""Benchmark 7: `tracker grade --all` on the reference solutions: wall time, and the share of it spent
outside the tests themselves (starting Python, importing torch, pytest, collecting, recording).

Target: under 20 % outside the tests. The baseline in the same run is the cold path (no warm worker).
Usage: python bench/grade_all.py [runs]
"""

from __future__ import annotations

import sys
import time

from _common import fmt, fork, median


def run(repo, warm: bool, jobs: int = 1) -> tuple[float, float, int, int]:
    from tracker.service import Tracker

    with Tracker.open(repo) as tracker:
        tracker.config.grading.jobs = jobs
        exercises = [e for e in tracker.curriculum.gradables() if e.gradable and e.device != "cuda"]
        worker = tracker.warm() if warm else None
        if worker is not None:
            worker.start()  # started once per session, like the TUI's: not part of a grading
        start = time.perf_counter()
        results = tracker.grade(exercises, device="cpu", worker=worker, publish=False)
        wall = time.perf_counter() - start
    in_tests = sum(t.duration for r in results for t in r.tests)
    return wall, in_tests, sum(r.passed for r in results), len(results)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    repo = fork(with_solutions=True)
    warm = [run(repo, True) for _ in range(runs)]
    parallel = [run(repo, True, jobs=2) for _ in range(runs)]
    cold = [run(repo, False) for _ in range(runs)]
    for name, rows in (("warm worker, one child at a time", warm), ("warm worker, two children side by side", parallel),
                       ("cold path", cold)):
        wall = median([r[0] for r in rows])
        tests = median([r[1] for r in rows])
        passed, total = rows[0][2], rows[0][3]
        print(f"grade --all, {name}: {passed}/{total} passed, wall {fmt(wall)} (median of {runs}), "
              f"in tests {fmt(tests)}, outside the tests {100 * (wall - tests) / wall:.0f}% (target < 20%)")


if __name__ == "__main__":
    main()
