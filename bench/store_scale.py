"""Benchmark 6: a store with 100,000 attempts (a year of watch mode on two machines).

Measured, each against the same measure on a store of 1,000 attempts in the same run:
- `tracker rebuild` from the journal, the real command in a child process (target: at most 3 s); with the
  child's CPU time, which a busy machine inflates far less than the wall time;
- the first look at progress after a rebuild: no kept fold yet, so the whole history is folded once and kept;
- the status queries (each exercise's state and the ticked items; target: at most 100 ms, and no growth
  with the number of attempts once the index is warm), and `status` in all (the report and the progress);
- the README render as `tracker dashboard` does it: a fresh Tracker (nothing remembered in the process)
  reads the kept fold and regenerates the README, the log and the heatmap (target: at most 50 ms, as
  benchmark 5); and the whole `tracker dashboard` command in a child process;
- the app's Today screen: a fresh interpreter starting the real app headless under Textual's Pilot
  (`app.run_test()`) until Today shows its data (target: at most 0.6 s, as benchmark 4).
Every figure is the median of `runs` repetitions.
Usage: python bench/store_scale.py [attempts] [runs]
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time

from _common import fmt, fork, median, set_up
from tui_start import CHILD as TODAY_CHILD  # the app started headless under Pilot until Today shows its data


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


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Store:
    """One scratch fork with its journal of ``attempts`` attempts, and each measure of it."""

    def __init__(self, attempts: int):
        self.repo = fork()
        write_journal(self.repo, attempts)
        set_up(self.repo)
        self.env = {**os.environ, "TRACKER_REPO": str(self.repo)}

    def command(self, *args: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tracker", *args], cwd=self.repo, env=self.env, check=True,
                       capture_output=True)
        return time.perf_counter() - start

    def rebuild(self) -> tuple[float, float]:
        cpu = children_cpu()
        wall = self.command("rebuild")
        return wall, children_cpu() - cpu

    def fresh(self):
        from tracker.config import Config
        from tracker.progress import kept
        from tracker.service import Tracker

        kept.forget()  # what a new process knows: only what the store keeps
        tracker = Tracker(Config.load(self.repo))
        _ = tracker.curriculum
        _ = tracker.store
        return tracker

    def first_look(self) -> float:
        tracker = self.fresh()
        with tracker.store.engine.begin() as connection:  # as a rebuild leaves it: no kept fold
            connection.exec_driver_sql("DELETE FROM progress_checkpoints")
        start = time.perf_counter()
        tracker.progress()  # folds the whole history and keeps it
        elapsed = time.perf_counter() - start
        tracker.close()
        return elapsed

    def status(self) -> tuple[float, float]:
        from tracker.progress.report import status_report

        tracker = self.fresh()
        start = time.perf_counter()
        tracker.states(), tracker.ticked()
        queried = time.perf_counter() - start
        status_report(tracker)
        tracker.progress()
        total = time.perf_counter() - start
        tracker.close()
        return queried, total

    def render(self) -> float:
        tracker = self.fresh()
        start = time.perf_counter()
        tracker.dashboard()  # what `tracker dashboard` does once the Tracker is open
        elapsed = time.perf_counter() - start
        tracker.close()
        return elapsed

    def today(self) -> float:
        spawned = time.perf_counter()  # the child reads the same monotonic clock: its start counts, its exit not
        out = subprocess.run([sys.executable, "-c", TODAY_CHILD, "tracker", repr(spawned)], cwd=self.repo, env=self.env,
                             check=True, capture_output=True, text=True)
        return float(out.stdout.strip().splitlines()[-1])


def measure(stores: list[Store], runs: int) -> list[dict[str, float]]:
    """Every measure, each repetition taken on every store in turn (each first every other time): a change
    of load while the benchmark runs falls on both sides of each ratio."""
    figures: list[dict[str, list[float]]] = [{} for _ in stores]

    def take(name: str, value: float, i: int) -> None:
        figures[i].setdefault(name, []).append(value)

    for run in range(runs):
        turn = list(enumerate(stores))
        for i, store in turn if run % 2 else turn[::-1]:
            wall, cpu = store.rebuild()
            take("rebuild", wall, i), take("rebuild_cpu", cpu, i)
    for i, store in enumerate(stores):  # warm up: statements compiled once, the curriculum cache written
        store.status(), store.render(), store.command("dashboard"), store.today()
    for run in range(runs):
        turn = list(enumerate(stores))
        for i, store in turn if run % 2 else turn[::-1]:  # each store first every other time
            take("first_look", store.first_look(), i)
            queried, total = store.status()
            take("queries", queried, i), take("status", total, i)
            take("render", store.render(), i)
            take("dashboard", store.command("dashboard"), i)
            take("today", store.today(), i)
    return [{name: median(values) for name, values in f.items()} for f in figures]


def main() -> None:
    attempts = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    load_before = os.getloadavg()[0]
    small, large = measure([Store(1_000), Store(attempts)], runs)
    targets = {"rebuild": "<= 3 s", "queries": "<= 100 ms", "render": "<= 50 ms", "today": "<= 0.6 s"}
    names = {"rebuild": "`tracker rebuild`", "rebuild_cpu": "  its CPU time", "first_look": "first look after a rebuild",
             "queries": "status queries", "status": "status in all", "render": "README render (dashboard)",
             "dashboard": "`tracker dashboard`", "today": "Today screen under Pilot"}
    print(f"medians of {runs} runs; load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    for key, name in names.items():
        target = f" (target {targets[key]})" if key in targets else ""
        print(f"{name:<28} 1,000 attempts: {fmt(small[key]):>8}   {attempts:,} attempts: {fmt(large[key]):>8}"
              f"   ratio {large[key] / small[key]:.2f}x{target}")


if __name__ == "__main__":
    main()
