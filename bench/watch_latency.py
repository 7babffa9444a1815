"""Benchmark 2: watch-mode re-grade, from the file's save to the recorded result, warm beside cold.

Target: median at most 0.15 s for 0.5.1 with the warm worker, and at least 10x faster than cold.
Usage: python bench/watch_latency.py [saves] [exercise]
"""

from __future__ import annotations

import sys
import threading
import time

from _common import fmt, fork, median


def measure(repo, exercise_id: str, saves: int, warm: bool) -> list[float]:
    from tracker.grading.watch import Watcher
    from tracker.service import Tracker

    tracker = Tracker.open(repo)
    exercise = tracker.exercise(exercise_id)
    worker = tracker.warm() if warm else None
    if worker is not None:
        worker.start()
    done = threading.Event()
    latencies: list[float] = []
    saved_at = [0.0]

    def grade_once(cancel):
        return tracker.grade([exercise], device="cpu", cancel=cancel, worker=worker, publish=False)[0]

    def on_result(result):
        latencies.append(time.perf_counter() - saved_at[0])  # the attempt is recorded before this is called
        done.set()

    watcher = Watcher([repo / exercise.stub], grade_once, on_result, debounce=0.0, poll=0.005, grade_first=False)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    path = repo / exercise.stub
    text = path.read_text()
    for i in range(saves + 1):
        done.clear()
        saved_at[0] = time.perf_counter()
        path.write_text(text + f"\n# save {i}\n")
        done.wait(timeout=300)
        time.sleep(0.05)
    watcher.stop.set()
    thread.join()
    tracker.close()
    return latencies[1:]  # the first save warms caches


def main() -> None:
    saves = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    exercise = sys.argv[2] if len(sys.argv) > 2 else "0.5.1"
    repo = fork(with_solutions=True)
    warm = measure(repo, exercise, saves, warm=True)
    cold = measure(repo, exercise, max(3, saves // 3), warm=False)
    mw, mc = median(warm), median(cold)
    print(f"watch re-grade of {exercise}, save to recorded result, warm worker: median {fmt(mw)} over {len(warm)} saves")
    print(f"same, cold path: median {fmt(mc)} over {len(cold)} saves")
    print(f"warm is {mc / mw:.1f}x faster than cold (targets: <= 150 ms and >= 10x)")


if __name__ == "__main__":
    main()
