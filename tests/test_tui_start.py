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
