"""The app's start: the first screen shows its data after one gathering of it (under Pilot, a real store)."""

from __future__ import annotations

import asyncio
import time

from tracker.service import Tracker


async def test_the_first_screen_gathers_its_data_once(fork, monkeypatch):
    """Today used to gather its data twice at start (on mount, and again as it resumed): the learner waited
    for the second pass. Each screen loads when it resumes, which it does right after it mounts."""
    from tracker.tui.app import build_app
    from tracker.tui.screens.today import TodayScreen

    calls: list[float] = []
    real = TodayScreen.gather

    def counted(self):
        calls.append(time.monotonic())
        return real(self)

    monkeypatch.setattr(TodayScreen, "gather", counted)
    tracker = Tracker.open(fork)
    app = build_app(tracker)
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.monotonic() + 60
        while "Loading" in str(app.screen.query_one("#headline").render()):
            assert time.monotonic() < deadline, "Today never showed its data"
            await asyncio.sleep(0.01)
        await pilot.pause(0.5)
        assert len(calls) == 1
        await pilot.press("2")  # another mode, then back: coming back loads again
        await pilot.pause(0.3)
        await pilot.press("1")
        deadline = time.monotonic() + 60
        while len(calls) < 2:
            assert time.monotonic() < deadline, "Today did not reload when shown again"
            await asyncio.sleep(0.01)
    tracker.close()


START = r"""
import asyncio, json, sys, time
from tracker.tui import make_app
from tracker.tui.screens.today import TodayScreen

loaded = []
shown = TodayScreen.show
def show(self, data):  # whether SQLAlchemy was loaded when the data reached the screen
    loaded.append("sqlalchemy" in sys.modules)
    shown(self, data)
TodayScreen.show = show

async def main():
    tracker, app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.monotonic() + 60
        while "Loading" in str(app.screen.query_one("#headline").render()):
            assert time.monotonic() < deadline, "Today never showed its data"
            await asyncio.sleep(0.005)
        seen = {"sqlalchemy_at_first_screen": loaded[0],
                "streak": str(app.screen.query_one("#streak").render()),
                "focus": str(app.screen.query_one("#focus").render()),
                "goal": str(app.screen.query_one("#goal").render())}
        while tracker._store is None or app.unpushed is None:  # then the rest starts in the background
            assert time.monotonic() < deadline, "the store never opened after the first screen"
            await asyncio.sleep(0.01)
        seen["unpushed"] = app.unpushed
    tracker.close()
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_the_app_shows_today_before_sqlalchemy_loads_then_opens_the_store(fork):
    """Started as `tracker` starts it: Today's data comes through the quick reader (no SQLAlchemy import on
    the way to the first screen); then the store opens in the background and git is asked what waits."""
    import json
    import subprocess
    import sys

    from .conftest import git, run_tracker

    remote = fork.parent / "remote.git"  # a real remote, so that git has something to count against
    git(fork.parent, "clone", "--quiet", "--bare", str(fork), str(remote))
    git(fork, "remote", "add", "origin", str(remote))
    git(fork, "push", "--quiet", "-u", "origin", "main")
    assert run_tracker("init", "--yes").returncode == 0
    assert run_tracker("check", "0.1.c1.1").returncode == 0
    out = subprocess.run([sys.executable, "-c", START], cwd=fork, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["sqlalchemy_at_first_screen"] is False
    assert "Streak" in seen["streak"] and "5 / 30 XP" in seen["goal"]  # the tick counted today
    assert "Next:" in seen["focus"]
    assert isinstance(seen["unpushed"], int)
