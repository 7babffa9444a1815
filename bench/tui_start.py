"""TUI start to first screen, headless: from a fresh interpreter to the Today screen showing its data.

Run inside a fork of the course: `python bench/tui_start.py [runs]`. Each run is a child process that starts
the app the way `tracker` does (``tracker.tui.make_app``: the tracker opened, the curriculum checked, the app
built) and runs it headless under Textual's Pilot until the Today screen shows its data. The time is from
just before the child is spawned to that moment, read on the system's monotonic clock in both processes, so
the interpreter's start counts and its exit does not. The baseline is a bare Textual app started and
measured the same way in the same run, the two taken in turns.

Two states of the fork are measured: a database that has indexed the whole journal (a learner's usual
start), and one behind the journal (after a pull brought another machine's lines: the store catches up
first, through SQLAlchemy).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import set_up

CHILD = r"""
import asyncio, sys, time
start = float(sys.argv[2]) if len(sys.argv) > 2 else time.perf_counter()
if sys.argv[1] == "tracker":
    from tracker.tui import make_app
    from tracker.tui.screens.today import TodayScreen
    shown = TodayScreen.show
    def show(self, data):  # whether SQLAlchemy was loaded when the data reached the screen
        global loaded
        loaded = "sqlalchemy" in sys.modules
        shown(self, data)
    TodayScreen.show = show
    tracker, app = make_app()
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
            if time.perf_counter() - start > 60:
                raise SystemExit(f"no data on {type(app.screen).__name__} after 60 s")
            await asyncio.sleep(0.005)
        done = time.perf_counter()
        print(globals().get("loaded", True))
        print(done - start)
asyncio.run(main())
"""


def run(kind: str) -> tuple[float, bool]:
    """Seconds from the spawn to the data on screen, and whether SQLAlchemy had been imported by then."""
    spawned = time.perf_counter()  # CLOCK_MONOTONIC: the child's perf_counter reads the same clock
    out = subprocess.run([sys.executable, "-c", CHILD, kind, repr(spawned)], capture_output=True, text=True, check=True)
    *_, imported, seconds = out.stdout.strip().splitlines()
    return float(seconds), imported == "True"


def behind_the_journal() -> None:
    """Append one event to this machine's journal file without indexing it (as a pull would bring one)."""
    from tracker.config import Config
    from tracker.store.journal import Event, Journal, new_id, now_ts

    config = Config.load(Path.cwd())
    journal = Journal(config.journal_dir, config.machine_id())
    ts = now_ts()
    journal.append(Event(id=new_id(ts, journal.machine), ts=ts, machine=journal.machine, type="settings",
                         tz="UTC", data={"vacation": False}))


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    set_up(Path.cwd())
    run("tracker")  # warm the file cache and the curriculum cache; the database is made and caught up
    run("bare")
    tracker, bare, behind, quick = [], [], [], []
    for _ in range(runs):  # taken in turns, so that a change in the machine's load falls on all three
        seconds, imported = run("tracker")
        tracker.append(seconds)
        quick.append(not imported)
        bare.append(run("bare")[0])
        behind_the_journal()
        behind.append(run("tracker")[0])
    t, b, lag = statistics.median(tracker), statistics.median(bare), statistics.median(behind)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"TUI start to Today with its data (median of {runs}): {t:.3f} s  (load average {load})")
    print(f"  read without SQLAlchemy in {sum(quick)} of {runs} runs")
    print(f"bare Textual app start, same measure (median of {runs}): {b:.3f} s  ratio {t / b:.2f}x")
    print(f"TUI start with the journal ahead of the database (median of {runs}): {lag:.3f} s  ratio {lag / b:.2f}x")


if __name__ == "__main__":
    main()
