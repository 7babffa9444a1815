"""Benchmark 2: watch mode as a learner meets it, from the file's save to the verdict on screen.

Two real paths, beside a cold `tracker grade` measured in the same run:
- the CLI: `tracker grade EXERCISE --watch` in a pseudo-terminal; the clock runs from the write of the file
  to the verdict line read back from the terminal;
- the TUI: the exercise screen under Textual's Pilot, `w` pressed once; the clock runs from the write to the
  verdict in the screen's status line.
The first save of each path counts too (watch is warm from the first save). Saves come a second after the
previous verdict (a learner reads it and edits before saving again). The cold figure is the whole
`tracker grade EXERCISE` command, as a learner would run it instead. The load average is printed beside
the figures: on a shared machine, read the ratios, each measured in the same run.

Target: median at most 0.25 s on each path, and at least 10x faster than cold.
Usage: python bench/watch_latency.py [saves] [exercise]
"""

from __future__ import annotations

import asyncio
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from _common import fmt, fork, median

TRACKER = [sys.executable, "-m", "tracker"]
PAUSE = 1.0  # seconds from a verdict to the next save: a learner reads it and edits first


def _read_until(fd: int, needle: bytes, buffer: bytearray, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while needle not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no {needle!r} in {bytes(buffer[-400:])!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                buffer += os.read(fd, 65536)
            except OSError:
                raise TimeoutError(f"the watch command ended: {bytes(buffer[-400:])!r}") from None


def cli_watch(repo: Path, exercise_id: str, stub: Path, saves: int) -> list[float]:
    """`tracker grade ID --watch` in a pseudo-terminal: write the file, wait for the verdict line."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TRACKER_REPO": str(repo), "COLUMNS": "120"}
    proc = subprocess.Popen([*TRACKER, "grade", exercise_id, "--watch", "--device", "cpu"], cwd=repo, env=env,
                            stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    buffer = bytearray()
    text = stub.read_text()
    verdict = f"✓ {exercise_id} passed".encode()
    latencies = []
    try:
        _read_until(leader, b"save to grade again", buffer)  # the first grading, at start
        for i in range(saves):
            time.sleep(PAUSE)
            buffer.clear()
            start = time.perf_counter()
            stub.write_text(text + f"\n# cli save {i}\n")
            _read_until(leader, verdict, buffer)
            latencies.append(time.perf_counter() - start)
            _read_until(leader, b"save to grade again", buffer)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        os.close(leader)
    return latencies


def tui_watch(repo: Path, exercise_id: str, stub: Path, saves: int) -> list[float]:
    """The exercise screen under Pilot: press `w`, then write the file and wait for the verdict on screen."""
    os.environ["TRACKER_REPO"] = str(repo)
    from textual.widgets import Static

    from tracker.service import Tracker
    from tracker.tui.app import build_app
    from tracker.tui.screens.exercise import ExerciseScreen

    latencies: list[float] = []
    text = stub.read_text()

    async def main() -> None:
        app = build_app(Tracker.open(repo))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = ExerciseScreen(exercise_id)
            await app.push_screen(screen)
            await pilot.pause()
            status = screen.query_one("#grade-status", Static)

            async def verdict(timeout: float = 120) -> None:
                deadline = time.monotonic() + timeout
                while "passed" not in str(status.render()):
                    assert time.monotonic() < deadline, f"no verdict: {status.render()}"
                    await asyncio.sleep(0.002)

            await pilot.press("w")
            await verdict()  # the first grading, at start
            for i in range(saves):
                await asyncio.sleep(PAUSE)
                status.update("")
                start = time.perf_counter()
                stub.write_text(text + f"\n# tui save {i}\n")
                await verdict()
                latencies.append(time.perf_counter() - start)
            await pilot.press("w")
        app.tracker.close()

    asyncio.run(main())
    return latencies


def cold_grade(repo: Path, exercise_id: str, runs: int) -> list[float]:
    env = {**os.environ, "TRACKER_REPO": str(repo)}
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*TRACKER, "grade", exercise_id, "--device", "cpu"], cwd=repo, env=env, check=True,
                       capture_output=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    saves = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    exercise_id = sys.argv[2] if len(sys.argv) > 2 else "0.5.1"
    repo = fork(with_solutions=True)
    from tracker.config import Config
    from tracker.curriculum.loader import load

    stub = repo / load(Config.load(repo).curriculum_path).curriculum.exercise(exercise_id).stub
    cold = cold_grade(repo, exercise_id, max(3, saves // 3))
    cli = cli_watch(repo, exercise_id, stub, saves)
    tui = tui_watch(repo, exercise_id, stub, saves)
    mc, ml, mt = median(cold), median(cli), median(tui)
    loadavg = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"watch {exercise_id}, save to verdict on screen (median of {saves} saves each; load average {loadavg}):")
    print(f"  CLI `tracker grade {exercise_id} --watch` in a pseudo-terminal: {fmt(ml)}  (max {fmt(max(cli))})")
    print(f"  TUI exercise screen, `w`, under Pilot:          {fmt(mt)}  (max {fmt(max(tui))})")
    print(f"  cold `tracker grade {exercise_id}`, whole command (median of {len(cold)}): {fmt(mc)}")
    print(f"  warm is {mc / ml:.1f}x (CLI) and {mc / mt:.1f}x (TUI) faster than cold (targets: <= 250 ms, >= 10x)")


if __name__ == "__main__":
    main()
