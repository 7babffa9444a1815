"""A simulated week of each course in a fresh fork, the way a learner lives it: chosen with `tracker course use`,
items ticked over the days through the CLI (two days missed), a log entry on Friday, and on Sunday `status`,
`next`, the README, the captain's log and the app's Today and Course screens, all in that course's words,
with its gates and its pace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from .conftest import run_tracker


def at(day: int, hour: int = 18) -> dict:
    """The clock on the week's day 0 (Monday 2 March 2026) to 6 (Sunday)."""
    return {"TRACKER_NOW": f"2026-03-{day + 2:02d}T{hour:02d}:00:00Z"}


@dataclass(frozen=True)
class Week:
    course: str
    ticks: tuple[str, str, str]  # Monday, Tuesday, Sunday (Wednesday and Thursday are missed)
    table: str  # the dashboard's header row
    part: str  # the first part as the README's table names it
    module: str  # the course's word for a module, in the README and the log
    lines: tuple[str, ...]  # what `status`, the README and Today say of the course on Sunday
    locked_item: str = ""  # an item of a locked part, refused on Thursday
    lift: bool = False  # the learner lifts the gates on Saturday, then ticks the locked item


WEEKS = [
    Week("curriculum", ("0.1.c1.1", "0.1.c1.2", "0.1.c2"), "| Category | Status | Completion | Modules |",
         "**Revisiting the Basics**", "Module", ()),
    Week("levels", ("0.1.c1", "0.1.c2", "0.1.c3"), "| Level | Status | Completion | Tracks |",
         "**Level 0: Mathematical & Programming Foundations**", "Track",
         ("locked: Level 1: Classical Machine Learning · opens when Level 0: Mathematical & Programming Foundations "
          "is mastered",
          "locked: Level 2, Level 3, Level 4, Level 5, Level 6, Level 7, Level 8, Level 9 · open in turn after it"),
         locked_item="1.1.c1"),
    Week("small-llm", ("1.1.c1", "1.1.c2", "1.1.c3"), "| Phase | Status | Completion | Steps |",
         "**Phase 1: Foundational Neurons & Backprop**", "Step",
         # Three of six units of a seven-day phase (3.5 planned days) and one of seven of phase 2's fourteen.
         ("Day 7 of 58 · Phase 1: Foundational Neurons & Backprop · on plan",
          "open (gates lifted): Phase 2: Core Transformer Components",
          "open (gates lifted): Phase 3, Phase 4, Phase 5"),
         locked_item="2.1.c1", lift=True),
    Week("days-180", ("1.2.c1", "1.2.c2", "1.2.c3"), "| Month | Status | Completion | Parts |",
         "**Month 1: Foundations**", "Part",
         ("Day 7 of 180 · Month 1: Foundations · 3 days behind plan (it waits for you, nothing is lost)",)),
]


def ok(*args: str, env: dict) -> str:
    result = run_tracker(*args, env=env)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.mark.parametrize("week", WEEKS, ids=[w.course for w in WEEKS])
async def test_a_week_of_each_course(fork, week):
    assert f"now following {week.course}" in ok("course", "use", week.course, env=at(0))
    ok("check", week.ticks[0], env=at(0))
    ok("check", week.ticks[1], env=at(1))
    if week.locked_item:  # Wednesday missed; on Thursday a locked part is refused, saying what opens it
        refused = run_tracker("check", week.locked_item, env=at(3))
        assert refused.returncode == 2 and "is mastered; `tracker course gates lifted` opens every part" in refused.stderr
    assert f": {week.module} " in ok("log", "--insight", "The plan waits for me", env=at(4))
    if week.lift:  # Saturday: the learner chooses to open every part, and uses it
        ok("course", "gates", "lifted", env=at(5))
        ok("check", week.locked_item, env=at(5, 19))

    # Sunday: one more tick, and the CLI speaks the course.
    ok("check", week.ticks[2], env=at(6, 9))
    status = ok("status", env=at(6))
    for line in week.lines:
        assert line in status
    if not week.lines:
        assert "Day 7 of" not in status and "locked" not in status
    assert week.part.strip("*") in status
    nxt = ok("next", env=at(6))
    assert nxt.startswith("\n".join(week.lines)) and "Next: " in nxt

    # The README and the log, as committed: the course's words, its pace and gates, nothing of another course.
    readme = (fork / "README.md").read_text(encoding="utf-8")
    dashboard = readme.split("<!-- tracker:dashboard:start -->")[1].split("<!-- tracker:dashboard:end -->")[0]
    assert week.table in dashboard and week.part in dashboard
    for line in week.lines:
        assert (f"- 🔒 {line}" if line.startswith("locked") else line) in dashboard
    assert ("Total Projects Completed" in dashboard) == (week.course == "curriculum")  # the others have no capstones
    # XP levels are ranks where the course's own parts are levels, so "Level 1" never means two things.
    rank = "Rank" if week.course == "levels" else "Level"
    assert f"**{rank} 1** · " in dashboard and f"to {rank.lower()} 2)" in dashboard
    assert f"### {week.module} {week.ticks[0].rsplit('.c', 1)[0]}:" in readme
    assert readme.count("- [x] ") >= len(week.ticks) + week.lift
    log = (fork / "CAPTAINS_LOG.md").read_text(encoding="utf-8")
    assert f"### 2026-03-06: {week.module} " in log and "The plan waits for me" in log
    from .conftest import git

    assert git(fork, "status", "--porcelain", "README.md", "tracker.toml").strip() == ""  # all committed

    # The app on Sunday: Today and the Course tree say the same.
    from tracker.config import Config
    from tracker.service import Tracker
    from tracker.tui.app import build_app

    from .test_tui import settle, text_of

    sunday = datetime(2026, 3, 8, 18, tzinfo=timezone.utc)
    app = build_app(Tracker(Config.load(fork), clock=lambda: sunday), clock=lambda: 0.0)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        today = app.screen.query_one("#course")
        assert today.display == bool(week.lines)
        for line in week.lines:
            assert line in text_of(app, "#course").replace("🔒 ", "")
        assert app.title == ("tracker" if week.course == "curriculum" else f"tracker · {week.course}")
        await pilot.press("2")
        await settle(pilot, app)
        tree = app.screen.query_one("#tree")
        labels = [str(node.label) for node in tree.root.children]
        assert week.part.strip("*") in labels[0]
        if week.locked_item and not week.lift:
            assert "🔒 opens when" in labels[1] and "🔒" not in labels[0]
            # Grading in the locked part from the app is refused the same way, and nothing starts.
            from tracker.tui.screens.exercise import ExerciseScreen

            locked = app.tracker.curriculum.module(week.locked_item.rsplit(".", 1)[0]).exercises[0].id
            app.push_screen(ExerciseScreen(locked))
            await settle(pilot, app)
            await pilot.press("g")
            await settle(pilot, app)
            notes = [n.message for n in app._notifications]
            assert any(f"{locked} is in " in n and "`tracker course gates lifted`" in n for n in notes), notes
            assert app.screen.cancel_event is None  # no grading run was started
