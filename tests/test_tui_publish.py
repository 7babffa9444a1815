"""Publishing from the app, under Pilot, with real repositories: the sync key, the count of commits waiting,
the sync on quit (bounded by the push timeout), the first-run screen, one commit per session."""

from __future__ import annotations

import time
from pathlib import Path

from tracker.config import Config
from tracker.service import Tracker

from .conftest import git, make_fork
from .test_git_faults import hook
from .test_tui import settle, wait_for


def clones(tmp_path: Path, settings: str = "") -> tuple[Path, Path]:
    source = make_fork(tmp_path / "source")
    if settings:
        (source / "tracker.toml").write_text(settings)
        git(source, "add", "tracker.toml")
        git(source, "commit", "-qm", "settings")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(source), str(remote))
    git(tmp_path, "clone", "--quiet", str(remote), "desktop")
    return remote, tmp_path / "desktop"


def app_for(repo: Path, **kwargs):
    from tracker.tui.app import build_app

    return build_app(Tracker(Config.load(repo)), clock=lambda: 0.0, **kwargs)


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_sync_key_pushes_and_the_count_of_waiting_commits_goes(tmp_path):
    remote, desktop = clones(tmp_path)
    with Tracker(Config.load(desktop)) as t:
        t.check("0.1.c1.1")
    app = app_for(desktop)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "↑ 1 commit to push (p)" in app.sub_title
        await pilot.press("p")
        await wait_for(pilot, app, lambda: not app.syncing)
        await settle(pilot, app)
        assert "pushed to origin/main" in messages(app)[-1]
        assert "to push" not in app.sub_title
    assert git(remote, "rev-parse", "HEAD") == git(desktop, "rev-parse", "HEAD")


async def test_a_refused_push_in_the_app_shows_the_hooks_words(tmp_path):
    remote, desktop = clones(tmp_path)
    before = git(remote, "rev-parse", "HEAD")
    hook(desktop, "pre-push", 'echo "no pushing before the tests pass" >&2\nexit 1\n')
    app = app_for(desktop)
    async with app.run_test(size=(110, 30)) as pilot:
        app.tracker.check("0.1.c1.1")
        await pilot.press("p")
        await wait_for(pilot, app, lambda: not app.syncing)
        assert any("refused" in m and "no pushing before the tests pass" in m for m in messages(app))
    assert git(remote, "rev-parse", "HEAD") == before


async def test_quitting_syncs_when_pushing_is_on_and_one_session_is_one_commit(tmp_path):
    remote, desktop = clones(tmp_path, "[git]\npush = true\n")
    app = app_for(desktop)
    async with app.run_test(size=(110, 30)) as pilot:
        for item in ("0.1.c1.1", "0.1.c1.2", "0.1.c1.3"):
            app.tracker.check(item)
        await pilot.press("q")
    assert app.quit_sync is not None and app.quit_sync.pushed
    assert git(remote, "rev-parse", "HEAD") == git(desktop, "rev-parse", "HEAD")
    assert git(remote, "log", "--format=%s").splitlines()[1:] == ["settings", "course"]  # three ticks, one commit


async def test_quitting_never_waits_longer_than_the_push_timeout(tmp_path):
    _, desktop = clones(tmp_path, "[git]\npush = true\n")
    hook(desktop, "pre-push", "sleep 40\nexit 1\n")
    app = app_for(desktop)
    app.QUIT_SYNC_TIMEOUT = 1.0
    async with app.run_test(size=(110, 30)) as pilot:
        app.tracker.check("0.1.c1.1")
        started = time.monotonic()
        await pilot.press("q")
        await wait_for(pilot, app, lambda: app.return_code is not None or not app.is_running, timeout=30)
        assert time.monotonic() - started < 30  # far less than the hook's 40 s: the quit did not wait for it
    assert app.quit_sync is None
    assert git(desktop, "log", "-1", "--format=%s").startswith("progress(0.1)")  # the commit waits for next time


async def test_the_first_launch_asks_and_writes_the_settings(tmp_path, monkeypatch):
    fork = make_fork(tmp_path / "fork")
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    app = app_for(fork, first_run=True)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot, app)
        zone = app.screen.query_one("#firstrun-timezone")
        assert zone.value == "America/Los_Angeles"  # the system's, to confirm
        zone.value = "Mars/Olympus"
        await pilot.click("#firstrun-save")
        await settle(pilot, app)
        assert "unknown time zone 'Mars/Olympus'" in str(app.screen.query_one("#firstrun-error").render())
        assert not (fork / "tracker.toml").exists()
        zone.value = "Asia/Tokyo"
        app.screen.query_one("#firstrun-editor").value = "vim"
        await pilot.click("#firstrun-solutions")
        await pilot.click("#firstrun-save")
        await wait_for(pilot, app, lambda: (fork / "tracker.toml").exists() and app.screen.id != "firstrun")
        await settle(pilot, app)
        assert type(app.screen).__name__ != "FirstRunScreen"
    settings = (fork / "tracker.toml").read_text()
    assert 'timezone = "Asia/Tokyo"' in settings and 'editor = "vim"' in settings and "include_exercises = true" in settings
    assert (fork / "README.md").read_text().startswith("![A journey through ML systems]")
    assert app.tracker.config.timezone == "Asia/Tokyo"
