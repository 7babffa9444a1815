"""TUI start to first screen, headless: from a fresh interpreter to the Today screen showing its data.

Run inside a fork of the course: `python bench/tui_start.py [runs]`. Prints the median of several runs of a
child process that imports the app, starts it headless and waits until the Today screen has its data; the
baseline is a bare Textual app started the same way in the same run, the two taken in turns.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

CHILD = r"""
import asyncio, time, sys
start = time.perf_counter()
if sys.argv[1] == "tracker":
    from tracker.tui.app import build_app
    app = build_app()
else:
    from textual.app import App
    from textual.widgets import Static
    class Bare(App):
        def compose(self):
            yield Static("hello", id="headline")
    app = Bare()
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        while True:
            try:
                text = str(app.screen.query_one("#headline").render())
            except Exception:
                text = ""
            if text and "Loading" not in text:
                break
            await asyncio.sleep(0.005)
        print(time.perf_counter() - start)
asyncio.run(main())
"""


def run(kind: str) -> float:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, kind], capture_output=True, text=True, check=True)
    float(out.stdout.strip().splitlines()[-1])
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    run("tracker")  # warm the file cache and the curriculum cache
    run("bare")
    tracker, bare = [], []
    for _ in range(runs):  # taken in turns, so that a change in the machine's load falls on both
        tracker.append(run("tracker"))
        bare.append(run("bare"))
    t, b = statistics.median(tracker), statistics.median(bare)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"TUI start to first screen with data (median of {runs}): {t:.3f} s  (load average {load})")
    print(f"bare Textual app start, same measure (median of {runs}): {b:.3f} s  ratio {t / b:.2f}x")


if __name__ == "__main__":
    main()
