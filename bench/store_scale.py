"""Benchmark 6: a store with 100,000 attempts: `tracker status` query time, and `tracker rebuild`.

Targets: status at most 0.1 s of query time; rebuild from the journal at most 3 s.
The baseline in the same run is the same measure on a store of 1,000 attempts.
Usage: python bench/store_scale.py [attempts]
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

from _common import fmt, fork, median


def write_journal(repo, attempts: int) -> None:
    from tracker.curriculum.loader import load

    rng = random.Random(7)
    exercises = [e.id for e in load(repo / "curriculum.yaml").curriculum.exercises() if e.gradable]
    folder = repo / "journal"
    folder.mkdir(exist_ok=True)
    lines = []
    passed_once: set[str] = set()
    base = 1_767_225_600  # 2026-01-01
    for i in range(attempts):
        moment = base + i * 60
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(moment)) + ".000000Z"
        exercise = rng.choice(exercises)
        # Like a learner in watch mode: fails until the first pass, then mostly passes, with rare regressions.
        if exercise not in passed_once:
            status = "passed" if rng.random() < 0.1 else rng.choice(["failed", "not_started"])
            if status == "passed":
                passed_once.add(exercise)
        else:
            status = "failed" if rng.random() < 0.02 else "passed"
        record = {"id": f"{moment}-benchmach-{i:08x}", "ts": ts, "machine": "benchmach", "tz": "UTC", "type": "attempt",
                  "exercise": exercise, "status": status, "device": "cpu", "device_name": "CPU",
                  "duration": 1.0, "grader_hash": "g" * 64, "learner_hash": "l" * 64, "grader_modified": False,
                  "passed_checks": 3, "total_checks": 5,
                  "tests": [{"name": "test_a", "outcome": "failed" if status != "passed" else "passed",
                             "message": "", "duration": 0.1}]}
        lines.append(json.dumps(record, separators=(",", ":")))
    (folder / "benchmach.jsonl").write_text("\n".join(lines) + "\n")


def measure(attempts: int) -> tuple[float, float, float]:
    repo = fork()
    write_journal(repo, attempts)
    env = {**os.environ, "TRACKER_REPO": str(repo)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tracker", "rebuild"], cwd=repo, env=env, check=True, capture_output=True)
    rebuild = time.perf_counter() - start
    from tracker.config import Config
    from tracker.progress.report import status_report
    from tracker.service import Tracker

    queries, totals = [], []
    for _ in range(5):
        tracker = Tracker(Config.load(repo))
        _ = tracker.curriculum
        _ = tracker.store
        start = time.perf_counter()
        states, ticked = tracker.states(), tracker.ticked()
        queried = time.perf_counter()
        status_report(tracker)
        tracker.progress()
        done = time.perf_counter()
        queries.append(queried - start)
        totals.append(done - start)
        tracker.close()
    return rebuild, median(queries), median(totals)


def main() -> None:
    attempts = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    small = measure(1_000)
    large = measure(attempts)
    print(f"baseline, 1,000 attempts: rebuild {fmt(small[0])}, status queries {fmt(small[1])}, status in all {fmt(small[2])}")
    print(f"{attempts:,} attempts: rebuild {fmt(large[0])} (target <= 3 s), status queries {fmt(large[1])} "
          f"(target <= 100 ms), status in all {fmt(large[2])}")
    print(f"ratios: rebuild {large[0] / small[0]:.1f}x, queries {large[1] / small[1]:.1f}x for {attempts // 1000}x the attempts")


if __name__ == "__main__":
    main()
