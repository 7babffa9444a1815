"""The TUI, driven with Textual's Pilot against a real store in a scratch fork, and its screens as snapshots."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tracker.config import Config
from tracker.service import Tracker

from .conftest import make_fork

NOW = datetime(2026, 3, 4, 19, 0, tzinfo=timezone.utc)  # a Wednesday: Implementation day
SIZES = [(80, 24), (120, 40)]


def fixed_tracker(repo: Path, now: datetime = NOW) -> Tracker:
    return Tracker(Config.load(repo), clock=lambda: now)


def seed_history(tracker: Tracker) -> None:
    """Three days of a journey, with fixed timestamps."""
    def at(day: int, hour: int) -> str:
        return f"2026-03-0{day}T{hour:02d}:00:00.000000Z"

    store = tracker.store
    for day, exercise in ((2, "1.1.1"), (3, "0.5.1")):
        store.record("attempt", {"exercise": exercise, "status": "passed", "device": "cpu", "device_name": "CPU",
                                 "duration": 1.0, "grader_hash": "", "learner_hash": "", "grader_modified": False,
                                 "passed_checks": 5, "total_checks": 5, "tests": []}, ts=at(day, 18))
    store.record("attempt", {"exercise": "0.5.2", "status": "failed", "device": "cpu", "device_name": "CPU",
                             "duration": 1.0, "grader_hash": "", "learner_hash": "", "grader_modified": False,
                             "passed_checks": 2, "total_checks": 6,
                             "tests": [{"name": "test_heads", "outcome": "failed", "message": "wrong shape",
                                        "duration": 0.1}]}, ts=at(3, 18))
    for item in ("0.1.c1.1", "0.1.c1.2", "1.1.c1"):
        store.record("tick", {"item": item}, ts=at(2, 17))
    store.record("hint", {"exercise": "1.1.1", "index": 1}, ts=at(2, 17))
    store.record("session", {"module": "1.1", "seconds": 1800}, ts=at(2, 19))
    store.record("log", {"date": "2026-03-02", "module": "1.1", "title": "Scales", "progress": "",
                         "insight": "Zero must be exact", "challenge": "Ties", "next_steps": "Per-channel"}, ts=at(2, 20))


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    fork = make_fork(tmp_path / "fork")
    monkeypatch.setenv("TRACKER_REPO", str(fork))
    return fork


@pytest.fixture
def seeded(repo) -> Tracker:
    tracker = fixed_tracker(repo)
    seed_history(tracker)
    return tracker


def make_app(tracker: Tracker):
    from tracker.tui.app import build_app

    return build_app(tracker, clock=lambda: 0.0)


async def settle(pilot, app) -> None:
    for _ in range(3):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
    await pilot.pause(0.05)


async def wait_for(pilot, app, condition, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.1)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def words_of(app, selector: str) -> str:
    """The text with its wrapping undone: one space between words."""
    return " ".join(text_of(app, selector).split())


# --- flows -------------------------------------------------------------------------------------------


async def test_today_shows_day_streak_level_and_next(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        assert "Day 3" in text_of(app, "#headline")
        assert "Streak 2 days" in text_of(app, "#streak")
        assert "Level 2" in text_of(app, "#level") or "Level 1" in text_of(app, "#level")
        assert "Implementation" in text_of(app, "#focus") and "0.5.2" in text_of(app, "#focus")
        assert "0.5.2" in text_of(app, "#reviews")
        assert "First Light" in text_of(app, "#achievements")


async def test_navigate_every_mode_and_into_a_module_and_an_exercise(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        for key, screen in (("2", "CurriculumScreen"), ("3", "LogScreen"), ("4", "AchievementsScreen"),
                            ("5", "StatsScreen"), ("1", "TodayScreen")):
            await pilot.press(key)
            await settle(pilot, app)
            assert type(app.screen).__name__ == screen
        await pilot.press("2")
        await settle(pilot, app)
        await pilot.press("down", "down", "enter")  # the first category's first module
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ModuleScreen" and app.screen.module_id == "0.1"
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.press("slash")
        await pilot.press(*"1.1.1", "enter")  # one match: enter opens it
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ExerciseScreen" and app.screen.exercise_id == "1.1.1"
        assert "Implement symmetric and asymmetric INT8" in text_of(app, "#exercise-title")
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CurriculumScreen"
        assert type(app.focused).__name__ != "Input"  # the filter gave focus back
        await pilot.press("4")  # so the app's keys work again
        await settle(pilot, app)
        assert type(app.screen).__name__ == "AchievementsScreen"


async def test_tick_and_untick_in_a_module(repo):
    tracker = fixed_tracker(repo)
    app = make_app(tracker)
    async with app.run_test(size=(100, 40)) as pilot:
        from tracker.tui.screens.module import ModuleScreen

        await settle(pilot, app)
        app.push_screen(ModuleScreen("0.1"))
        await settle(pilot, app)
        concepts = app.screen.query_one("#concept-list")
        concepts.focus()
        concepts.highlighted = 1  # the first item under the first group
        await pilot.press("space")
        await wait_for(pilot, app, lambda: tracker.ticked() == {"0.1.c1.1"})
        await settle(pilot, app)
        assert tracker.progress().xp == 5
        await pilot.press("space")
        await wait_for(pilot, app, lambda: tracker.ticked() == set())
        await settle(pilot, app)
        assert tracker.progress().xp == 0
        concepts.highlighted = 0  # a group ticks all its items
        await pilot.press("space")
        await wait_for(pilot, app, lambda: tracker.ticked() == {"0.1.c1.1", "0.1.c1.2", "0.1.c1.3"})


@pytest.mark.slow
async def test_grade_failing_then_passing_and_see_xp_change(repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    tracker = Tracker(Config.load(repo))
    app = make_app(tracker)
    stub = repo / "exercises/1.1/ex1_int8_quantization.py"
    solution = (repo / "graders/1.1/solutions/ex1_int8_quantization.py").read_text()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("1.1.1"))
        await settle(pilot, app)
        stub.write_text(solution.replace("amax / 127", "amax / 128"))
        await pilot.press("g")
        await wait_for(pilot, app, lambda: app.screen.cancel_event is None and "checks" in text_of(app, "#grade-status"))
        assert "failed" in text_of(app, "#grade-status")
        assert "dividing by 128 instead of 127" in words_of(app, "#results")
        assert tracker.progress().xp == 0
        stub.write_text(solution)
        await pilot.press("g")
        await wait_for(pilot, app, lambda: app.screen.cancel_event is None and "passed" in text_of(app, "#grade-status"))
        assert tracker.states()["1.1.1"] == "passed" and tracker.progress().xp == 50
        await pilot.press("s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "SolutionScreen"
        await pilot.press("escape", "escape", "1")
        await settle(pilot, app)
        assert "50 XP" in text_of(app, "#level")


@pytest.mark.slow
async def test_cancel_a_grade(repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    tracker = Tracker(Config.load(repo))
    stub = repo / "exercises/1.1/ex1_int8_quantization.py"
    stub.write_text("def symmetric_qparams(x):\n    while True:\n        pass\n")
    app = make_app(tracker)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("1.1.1"))
        await settle(pilot, app)
        await pilot.press("g")
        await wait_for(pilot, app, lambda: "Checking" in text_of(app, "#grade-status"))
        await pilot.press("x")
        await wait_for(pilot, app, lambda: app.screen.cancel_event is None)
        assert "cancelled" in text_of(app, "#grade-status")
        assert tracker.store.attempts("1.1.1") == []  # a cancelled run is not an attempt


async def test_reveal_a_hint(repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    tracker = fixed_tracker(repo)
    app = make_app(tracker)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("1.1.1"))
        await settle(pilot, app)
        assert "0/3 revealed" in text_of(app, "#hints")
        await pilot.press("h")
        await settle(pilot, app)
        assert "1/3 revealed" in text_of(app, "#hints") and "Write the two formulas" in text_of(app, "#hints")
        assert [h.hint_index for h in tracker.store.hints("1.1.1")] == [1]


async def test_write_a_log_entry(repo):
    tracker = fixed_tracker(repo)
    tracker.check("0.1.c1.1")  # something happened today: Progress says so
    app = make_app(tracker)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#log-title")  # the first Tab: the form's first field
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#log-insight")  # Tab goes to the next field
        theme = app.theme
        await pilot.press(*"dq12 d")  # keys that are app bindings elsewhere are text here
        assert app.theme == theme and type(app.screen).__name__ == "LogScreen"
        await pilot.press("enter", *"second line")
        assert app.screen.query_one("#log-insight").text == "dq12 d\nsecond line"
        app.screen.query_one("#log-challenge").text = "Masks\nand padding"
        app.screen.query_one("#log-next").text = "Multi-head"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        [entry] = tracker.store.log_entries()
        assert (entry.insight, entry.challenge, entry.date) == ("dq12 d\nsecond line", "Masks\nand padding", "2026-03-04")
        assert entry.progress.startswith("Ticked 1 checklist item")  # filled in from the day, and stored
        assert tracker.progress().logs["2026-03-04"]["progress"]
        # A complete entry earns its XP; the form shows today's entry as saved.
        assert any(c.reason == "log entry 2026-03-04" and c.delta > 0 for c in tracker.progress().ledger)
        assert app.screen.query_one("#log-next").text == "Multi-head"
        assert "dq12 d" in (repo / "CAPTAINS_LOG.md").read_text()


async def test_worker_errors_become_notifications_and_the_app_stays_up(repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    tracker = fixed_tracker(repo)
    app = make_app(tracker)
    notes = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("1.1.1"))
        await settle(pilot, app)
        await pilot.press("s")  # the solution opens only after a pass
        await settle(pilot, app)
        assert any("opens after you pass it" in n for n in notes)
        assert type(app.screen).__name__ == "ExerciseScreen"


async def test_session_time_is_recorded_per_module_and_idle_is_excluded(repo):
    tracker = fixed_tracker(repo)
    clock = [0.0]
    from tracker.tui.app import build_app

    app = build_app(tracker, clock=lambda: clock[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.current_module = "1.1"
        for _ in range(30):  # 30 s of activity, input every second
            clock[0] += 1.0
            app._last_input = clock[0]
            app._tick()
        clock[0] += 600.0  # ten minutes away from the keyboard
        app._tick()
        app.flush_session()
    assert tracker.time_per_module() == {"1.1": 30}


# --- snapshots ---------------------------------------------------------------------------------------

SCREENS = {
    "today": [],
    "curriculum": ["2"],
    "log": ["3"],
    "achievements": ["4"],
    "stats": ["5"],
    "module": "1.1",
    "exercise": "1.1.1",
    "exercise-0.1.1": "0.1.1",
    "spec-0.1.1": "0.1.1",  # f: the spec alone, the whole of it wrapped
    "spec-end-0.1.1": "0.1.1",  # and scrolled to its end: at 80x24 the two show all of it
}


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_snapshot(screen, size, seeded, snap_compare):
    async def run_before(pilot) -> None:
        from tracker.tui.screens.exercise import ExerciseScreen
        from tracker.tui.screens.module import ModuleScreen

        app = pilot.app
        await settle(pilot, app)
        if screen == "module":
            app.push_screen(ModuleScreen(SCREENS[screen]))
        elif screen.startswith(("exercise", "spec")):
            app.push_screen(ExerciseScreen(SCREENS[screen]))
            if screen.startswith("spec"):
                await settle(pilot, app)
                await pilot.press("f")
            if screen.startswith("spec-end"):
                await settle(pilot, app)
                app.screen.query_one("#spec").scroll_end(animate=False)
        else:
            for key in SCREENS[screen]:
                await pilot.press(key)
                await settle(pilot, app)
        await settle(pilot, app)
        await pilot.pause(0.5)  # the Markdown widget finishes rendering after update() returns
        await settle(pilot, app)

    assert snap_compare(make_app(seeded), terminal_size=size, run_before=run_before)




@pytest.mark.slow
async def test_watch_toggle_regrades_on_save(repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    tracker = Tracker(Config.load(repo))
    app = make_app(tracker)
    stub = repo / "exercises/1.1/ex1_int8_quantization.py"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("1.1.1"))
        await settle(pilot, app)
        await pilot.press("w")
        await wait_for(pilot, app, lambda: "not started" in text_of(app, "#grade-status"))
        stub.write_text((repo / "graders/1.1/solutions/ex1_int8_quantization.py").read_text())
        await wait_for(pilot, app, lambda: "passed" in text_of(app, "#grade-status"))
        # A pass leads on: what it earned, then the next exercise and its file; n moves on, still watching.
        status = text_of(app, "#grade-status")
        assert "9 of 9 checks pass" in status or "checks pass" in status
        up = tracker.next_exercise(after="1.1.1")
        assert f"Next: {up.id} {up.path}" in status and up.path.startswith("exercises/")
        await pilot.press("n")
        await wait_for(pilot, app, lambda: getattr(app.screen, "exercise_id", "") == up.id)
        assert getattr(app.screen, "watcher", None) is not None  # still watching, the next file now
        await pilot.press("w")
        await settle(pilot, app)
    tracker.close()
    assert [a.status for a in tracker.store.attempts("1.1.1")][-1] == "passed"


async def test_enter_on_next_lands_on_the_item_in_its_list(repo):
    monday = datetime(2026, 3, 2, 19, 0, tzinfo=timezone.utc)  # Theory: the next thing is a concept item
    tracker = fixed_tracker(repo, monday)
    app = make_app(tracker)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        up = tracker.next_up()
        assert up.kind == "item" and up.id in text_of(app, "#focus")
        await pilot.press("enter")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ModuleScreen"
        concepts = app.screen.query_one("#concept-list")
        assert app.focused is concepts
        assert concepts.get_option_at_index(concepts.highlighted).value == up.id
        assert up.id in str(concepts.get_option_at_index(concepts.highlighted).prompt)  # the id to type on the CLI
        await pilot.press("space")  # the key a learner presses next ticks that very item
        await wait_for(pilot, app, lambda: up.id in tracker.ticked())


def test_cli_next_and_the_app_name_the_same_exercise_and_its_file(seeded, repo):
    import asyncio

    from .conftest import run_tracker

    result = run_tracker("next", env={"TRACKER_REPO": str(repo), "TRACKER_NOW": NOW.isoformat()})
    up = seeded.next_up()
    assert up.kind == "exercise" and up.path
    assert f"Next: exercise {up.id}" in result.stdout and f"open {up.path}" in result.stdout

    async def today() -> str:
        app = make_app(seeded)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)
            return text_of(app, "#focus")

    focus = asyncio.run(today())
    assert f"Next: {up.id}" in focus and up.path in focus


async def test_palette_offers_the_apps_commands(repo):
    app = make_app(fixed_tracker(repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Go to Curriculum (2)" in titles and "Light/dark theme (d)" in titles
        assert any(t.startswith("Open next") for t in titles)
        before = app.theme
        await pilot.press("d")
        assert app.theme != before  # the light and the dark theme


async def test_the_exercise_screen_is_made_for_reading(seeded, repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("0.1.1"))
        await settle(pilot, app)
        screen = app.screen
        assert screen.query_one("#exercise-body").has_class("narrow")  # below 100 columns: stacked
        spec = screen.query_one("#spec-text")
        assert spec.size.width >= 70  # the whole width, wrapped, not a no-wrap block in 3/5 of it
        assert "compares with scikit-learn" in str(spec.render())
        assert "one sample per row, one feature per column" in str(spec.render())  # reflowed, then wrapped
        shown = {b.binding.key for b in app.active_bindings.values() if b.binding.show}
        assert {"g", "h", "e", "w", "s", "f", "escape"} <= shown and not shown & {"1", "2", "d"}
        await pilot.press("f")
        assert screen.maximized is screen.query_one("#spec")
        await pilot.press("f")
        assert screen.maximized is None
        # An attempt recorded by another process (the CLI) shows up, status line and checks alike.
        other = fixed_tracker(repo)
        other.store.record("attempt", {"exercise": "0.1.1", "status": "failed", "device": "cpu", "device_name": "CPU",
                                       "duration": 0.5, "grader_hash": "", "learner_hash": "", "grader_modified": False,
                                       "passed_checks": 2, "total_checks": 5,
                                       "tests": [{"name": "test_a", "description": "shapes", "outcome": "failed",
                                                  "message": "wrong shape", "duration": 0.1},
                                                 {"name": "test_b", "description": "signs", "outcome": "passed",
                                                  "message": "", "duration": 0.1}]})
        other.close()
        await wait_for(pilot, app, lambda: "2 of 5 checks pass" in text_of(app, "#grade-status"), timeout=10)
        results = text_of(app, "#results")
        assert results.index("shapes") < results.index("signs")  # failing checks first
        assert "stuck? h reveals hint 1 of" in results


async def test_study_time_goes_to_the_screen_in_view_and_the_theme_is_remembered(repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    tracker = fixed_tracker(repo)
    clock = [0.0]
    from tracker.tui.app import build_app

    def study(seconds: int) -> None:
        for _ in range(seconds):
            clock[0] += 1.0
            app._last_input = clock[0]
            app._tick()

    app = build_app(tracker, clock=lambda: clock[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("1.1.1"))
        await settle(pilot, app)
        study(20)  # on the exercise: counted for 1.1
        await pilot.press("3")
        await settle(pilot, app)
        study(40)  # on the Log: counted for nothing
        await pilot.press("d")
        theme = app.theme
        app.flush_session()
    assert tracker.time_per_module() == {"1.1": 20}
    again = build_app(fixed_tracker(repo))
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot, again)
        assert again.theme == theme != "textual-dark"  # remembered, in the local .tracker/ area
    assert (repo / ".tracker/app.json").exists()


async def test_the_hint_for_the_first_failing_check_is_offered_beside_it(repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    tracker = fixed_tracker(repo)
    # An attempt where the projection fails first (hint 3 of 0.1.1 is tied to it), recorded by the CLI.
    other = fixed_tracker(repo)
    other.store.record("attempt", {"exercise": "0.1.1", "status": "failed", "device": "cpu", "device_name": "CPU",
                                   "duration": 0.5, "grader_hash": "", "learner_hash": "", "grader_modified": False,
                                   "passed_checks": 3, "total_checks": 5,
                                   "tests": [{"name": "test_components_match_svd", "description": "components",
                                              "outcome": "passed", "message": "", "duration": 0.1},
                                             {"name": "test_projection", "description": "projection",
                                              "outcome": "failed", "message": "not centred", "duration": 0.1},
                                             {"name": "test_iris_2d_matches_sklearn", "description": "iris",
                                              "outcome": "failed", "message": "differs", "duration": 0.1}]})
    other.close()
    app = make_app(tracker)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("0.1.1"))
        await settle(pilot, app)
        results = text_of(app, "#results").splitlines()
        at = results.index("✗ projection")
        assert results[at + 2].strip() == "stuck? h reveals hint 3 of 3, for this check"
        await pilot.press("h")
        await settle(pilot, app)
        assert [h.hint_index for h in tracker.store.hints("0.1.1")] == [3]
        results = text_of(app, "#results").splitlines()
        at = results.index("✗ projection")
        assert results[at + 2].strip().startswith("hint 3: order = np.argsort(vals)")  # beside its check
        offer = results.index("   stuck? h reveals hint 1 of 3")  # the rest, in order, after it
        assert offer > at + 2 and all(line.startswith("   ") for line in results[at + 1:offer])  # wrapped under itself
        assert "3. order = np.argsort" in text_of(app, "#hints")


async def test_the_course_tree_opens_modules_into_exercises_and_keys_work_after_escape(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")
        await settle(pilot, app)
        tree = app.screen.query_one("#tree")
        await pilot.press("down", "down")  # the first module, 0.1
        assert tree.cursor_node.data == ("module", "0.1") and not tree.cursor_node.is_expanded
        await pilot.press("space")  # its exercises
        assert [c.data for c in tree.cursor_node.children][:2] == [("exercise", "0.1.1"), ("exercise", "0.1.2")]
        await pilot.press("down")
        assert "0.1.1" in str(tree.cursor_node.label) and "Implement PCA" in str(tree.cursor_node.label)
        await pilot.press("enter")  # enter on an exercise opens it
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ExerciseScreen" and app.screen.exercise_id == "0.1.1"
        await pilot.press("escape")
        await settle(pilot, app)
        await pilot.pause(0.1)
        tree = app.screen.query_one("#tree")
        assert app.focused is tree and tree.cursor_node.data == ("exercise", "0.1.1")  # where it was, still open
        await pilot.press("left")  # back to the module; enter there opens the module
        assert tree.cursor_node.data == ("module", "0.1")
        # Every key of the app works after escape from an exercise, whichever way it was opened.
        await pilot.press("slash")  # / goes to the filter
        assert type(app.focused).__name__ == "Input"
        await pilot.press("escape")  # clears it, and the tree has focus again
        assert app.focused is tree and app.screen.query_one("#filter").value == ""
        for key, name in (("1", "TodayScreen"), ("3", "LogScreen"), ("4", "AchievementsScreen"), ("5", "StatsScreen")):
            await pilot.press(key)
            await settle(pilot, app)
            assert type(app.screen).__name__ == name
            await pilot.press("2")
            await settle(pilot, app)
        await pilot.press("slash", *"attention")
        await settle(pilot, app)
        matches = app.screen.query_one("#matches")
        assert matches.display and matches.option_count > 1
        await pilot.press("enter", "enter")  # to the list, then its first match
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ExerciseScreen"
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "CurriculumScreen" and app.focused is matches
        await pilot.press("5")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "StatsScreen"
        await pilot.press("2", "slash")
        assert type(app.focused).__name__ == "Input"


async def test_locked_achievements_show_how_far_the_learner_is(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("4")
        await settle(pilot, app)
        table = app.screen.query_one("#achievement-table")
        rows = {str(table.get_row_at(i)[1]): table.get_row_at(i) for i in range(table.row_count)}
        assert str(rows["Week One"][0]) == "🔒" and str(rows["Week One"][2]) == "2/7"  # two days in a row so far
        assert str(rows["Keeper of the Log"][2]) == "0/7"  # the seeded entry has no Progress line
        assert str(rows["Attention Is All You Need"][2]) == f"1/{len(seeded.curriculum.module('0.5').exercises)}"
        assert str(rows["First Light"][0]) == "🏆" and str(rows["First Light"][2]) == "2026-03-02"
        assert str(rows["Backprop by Hand"][2]) == ""  # one deed: nothing to count


async def test_the_log_form_names_the_days_work_by_title(repo):
    tracker = fixed_tracker(repo)
    tracker.store.record("attempt", {"exercise": "1.1.1", "status": "passed", "device": "cpu", "device_name": "CPU",
                                     "duration": 1.0, "grader_hash": "", "learner_hash": "", "grader_modified": False,
                                     "passed_checks": 5, "total_checks": 5, "tests": []}, ts="2026-03-04T18:00:00.000000Z")
    app = make_app(tracker)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        line = text_of(app, "#log-progress")
        title = tracker.curriculum.exercise("1.1.1").title
        assert f"Passed {title[:30]}" in line.replace("\n", " ") and "(1.1.1)" in line
        app.screen.query_one("#log-insight").text = "Zero maps to zero"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    [entry] = tracker.store.log_entries()
    assert entry.progress.startswith(f"Passed {title[:30]}")  # stored with the titles too


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_full_spec_is_wrapped_to_the_screen(seeded, size):
    from tracker.tui.screens.exercise import ExerciseScreen

    app = make_app(seeded)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("0.1.1"))
        await settle(pilot, app)
        await pilot.press("f")
        await settle(pilot, app)
        spec, text = app.screen.query_one("#spec"), app.screen.query_one("#spec-text")
        assert spec.region.width >= size[0] - 2 and text.region.right <= size[0]  # not 3/5 of it, not wider
        lines = [line.text.rstrip() for line in text.render_lines(text.region.reset_offset)]
        assert 0 < max(len(line) for line in lines) <= size[0] - 2
        words = " ".join(line.strip() for line in lines)
        assert "the classic 2-D picture of PCA, and compares with scikit-learn." in words  # every word there
        if size == (120, 40):
            assert text.region.height <= spec.region.height  # the whole spec on one screen
        else:
            assert spec.max_scroll_y > 0 and spec.region.height <= size[1]  # it scrolls, within the screen


@pytest.mark.slow
async def test_at_80_columns_a_grade_brings_its_results_into_view_and_a_pass_keeps_its_payoff(repo):
    from tracker.tui.screens.exercise import ExerciseScreen

    tracker = fixed_tracker(repo)
    stub = repo / "exercises/0.1/ex1_pca_eigendecomposition.py"
    solution = (repo / "graders/0.1/solutions/ex1_pca_eigendecomposition.py").read_text()
    app = make_app(tracker)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.push_screen(ExerciseScreen("0.1.1"))
        await settle(pilot, app)
        body, side = app.screen.query_one("#exercise-body"), app.screen.query_one("#side")
        assert body.scroll_offset.y == 0 and not side.region.overlaps(body.region)  # stacked below the spec
        stub.write_text(solution.replace("centred.T @ centred / (n - 1)", "centred.T @ centred / n"))
        await pilot.press("g")
        await wait_for(pilot, app, lambda: app.screen.cancel_event is None and "checks pass" in text_of(app, "#grade-status"))
        await settle(pilot, app)
        status = app.screen.query_one("#grade-status")
        assert body.scroll_offset.y > 0 and body.region.contains_point(status.region.offset)  # in view
        assert "stuck? h reveals hint 1 of 3, for this check" in words_of(app, "#results")
        stub.write_text(solution)
        await pilot.press("g")
        await wait_for(pilot, app, lambda: app.screen.cancel_event is None and "passed" in text_of(app, "#grade-status"))
        status = text_of(app, "#grade-status")
        assert "+50 XP · 🏆 First Light" in status and "Next: 0.1.2 exercises/0.1/ex2_linear_regression_gd.py" in status
        await pilot.press("g")  # again: nothing new to earn, and it says so
        await wait_for(pilot, app, lambda: app.screen.cancel_event is None and "passed before" in text_of(app, "#grade-status"))
        assert "no new XP (passed before)" in text_of(app, "#grade-status") and "+0 XP" not in text_of(app, "#grade-status")
