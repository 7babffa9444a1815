"""Benchmark 6: a store with 100,000 attempts (a year of watch mode on two machines).

Measured, each against the same measure on a store of 1,000 attempts in the same run:
- `tracker rebuild` from the journal, the real command in a child process (target: at most 3 s);
- the status queries (each exercise's state and the ticked items; target: at most 100 ms, and no growth
  with the number of attempts once the index is warm), and `status` in all (the report and the progress);
- the app's Today screen: a fresh interpreter starting the real app headless until Today shows its data
  (target: at most 0.6 s, as benchmark 4);
- the README render on that store (the service's renderers, as `tracker dashboard` runs them; target: at most
  50 ms, as benchmark 5).
Every figure is the median of `runs` repetitions.
Usage: python bench/store_scale.py [attempts] [runs]
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

from _common import fmt, fork, median
from tui_start import CHILD as TODAY_CHILD  # the app started headless until Today shows its data

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


def measure(attempts: int, runs: int) -> dict[str, float]:
    repo = fork()
    write_journal(repo, attempts)
    env = {**os.environ, "TRACKER_REPO": str(repo)}
    rebuilds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tracker", "rebuild"], cwd=repo, env=env, check=True, capture_output=True)
        rebuilds.append(time.perf_counter() - start)
    from tracker.config import Config
    from tracker.progress.report import status_report
    from tracker.publish.readme import empty_readme_sections
    from tracker.service import Tracker

    queries, totals, renders = [], [], []
    for _ in range(runs):
        tracker = Tracker(Config.load(repo))
        _ = tracker.curriculum
        _ = tracker.store
        start = time.perf_counter()
        tracker.states(), tracker.ticked()
        queried = time.perf_counter()
        status_report(tracker)
        tracker.progress()
        done = time.perf_counter()
        tracker.renderers()["README.md"](empty_readme_sections())
        rendered = time.perf_counter()
        queries.append(queried - start)
        totals.append(done - start)
        renders.append(rendered - done)
        tracker.close()
    today = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", TODAY_CHILD, "tracker"], cwd=repo, env=env, check=True, capture_output=True,
                             text=True)
        today.append(float(out.stdout.strip().splitlines()[-1]))
    return {"rebuild": median(rebuilds), "queries": median(queries), "status": median(totals),
            "render": median(renders), "today": median(today)}


def main() -> None:
    attempts = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    small = measure(1_000, runs)
    large = measure(attempts, runs)
    targets = {"rebuild": "<= 3 s", "queries": "<= 100 ms", "status": "", "render": "<= 50 ms", "today": "<= 0.6 s"}
    names = {"rebuild": "`tracker rebuild`", "queries": "status queries", "status": "status in all",
             "render": "README render", "today": "Today screen, fresh start"}
    print(f"medians of {runs} runs; load average {os.getloadavg()[0]:.1f} at the end")
    for key, name in names.items():
        target = f" (target {targets[key]})" if targets[key] else ""
        print(f"{name:<26} 1,000 attempts: {fmt(small[key]):>8}   {attempts:,} attempts: {fmt(large[key]):>8}{target}"
              f"   ratio {large[key] / small[key]:.2f}x")


if __name__ == "__main__":
    main()
