"""The daily-session app: wiring only. Screens hold the handlers; the service does the work."""

from __future__ import annotations

import json
import secrets
import time

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding

from tracker.service import Tracker
from tracker.tui.publishing import Publishing
from tracker.tui.screens.today import TodayScreen


# The other modes are imported when first opened, to keep the first frame fast.
def _curriculum():
    from tracker.tui.screens.curriculum import CurriculumScreen

    return CurriculumScreen()


def _log():
    from tracker.tui.screens.log import LogScreen

    return LogScreen()


def _achievements():
    from tracker.tui.screens.achievements import AchievementsScreen

    return AchievementsScreen()


def _stats():
    from tracker.tui.screens.stats import StatsScreen

    return StatsScreen()


IDLE_AFTER = 120.0  # seconds without a key or a click before study time stops counting
FLUSH_EVERY = 300.0  # seconds of active time recorded at once


# App bindings on printable keys: they never fire while a text field has focus.
TYPED_ACTIONS = {"switch_mode", "toggle_theme"}  # "q" reaches the field first; ctrl+q still quits


class TrackerApp(Publishing, App):
    TITLE = "tracker"
    CSS_PATH = "tracker.tcss"
    MODES = {
        "today": TodayScreen,
        "curriculum": _curriculum,
        "log": _log,
        "achievements": _achievements,
        "stats": _stats,
    }
    DEFAULT_MODE = "today"
    BINDINGS = [
        Binding("1", "switch_mode('today')", "Today"),
        Binding("2", "switch_mode('curriculum')", "Course"),
        Binding("3", "switch_mode('log')", "Log"),
        Binding("4", "switch_mode('achievements')", "Awards"),
        Binding("5", "switch_mode('stats')", "Stats"),
        Binding("d", "toggle_theme", "Light/dark"),
        Binding("p", "sync", "Publish", show=False),  # the subtitle shows it beside the commits waiting
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, tracker: Tracker, *, clock=time.monotonic, first_run: bool = False):
        super().__init__()
        self.tracker = tracker
        self.first_run = first_run  # ask the first-run questions (a fork without tracker.toml)
        self.current_module: str | None = None
        self._clock = clock
        self._last_input = clock()
        self._last_tick = clock()
        self._pending: dict[str, float] = {}
        self.active_seconds = 0.0
        self._started = False  # see after_first_screen

    def on_mount(self) -> None:
        self.theme = self._saved_theme()
        if self.tracker.config.course != "curriculum":  # the header names the course the fork follows
            self.title = f"tracker · {self.tracker.config.course}"
        self.tracker.session = secrets.token_hex(4)  # this session's events make one commit
        self.sub_title = self._subtitle()
        self.set_interval(1.0, self._tick)
        if self.first_run:
            from tracker.tui.screens.firstrun import FirstRunScreen

            self.push_screen(FirstRunScreen())

    def after_first_screen(self) -> None:
        """Once a screen shows its data (the first one read it without SQLAlchemy where it could), the rest
        starts: the store opens in the background, so the first grading or entry does not wait for it, and
        git is asked how many commits wait to be pushed."""
        if self._started:
            return
        self._started = True
        self.set_interval(20.0, self.count_unpushed)
        self.count_unpushed()
        self.run_worker(lambda: self.tracker.store, thread=True, group="open-store", exit_on_error=False)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self._last_input = self._clock()
        await super().on_event(event)

    # --- the session timer ------------------------------------------------------------------------------

    def _tick(self) -> None:
        now = self._clock()
        elapsed, self._last_tick = now - self._last_tick, now
        if self.current_module and now - self._last_input < IDLE_AFTER:
            self._pending[self.current_module] = self._pending.get(self.current_module, 0.0) + elapsed
            self.active_seconds += elapsed
            self.sub_title = self._subtitle()
        if sum(self._pending.values()) >= FLUSH_EVERY:
            self.flush_session()

    def _subtitle(self) -> str:
        minutes, seconds = divmod(int(self.active_seconds), 60)
        where = f" on {self.current_module}" if self.current_module else ""
        return f"⏱ {minutes:02d}:{seconds:02d} studied this session{where}{self.waiting_text()}"

    def flush_session(self) -> None:
        pending, self._pending = self._pending, {}
        for module_id, seconds in pending.items():
            self.tracker.record_session(module_id, int(round(seconds)))

    async def action_quit(self) -> None:
        self.flush_session()
        if self.tracker.config.git.commit == "session":
            try:
                self.tracker.commit(self.tracker.commit_message(None, "session"))
            except Exception as exc:  # noqa: BLE001 - the app closes anyway; say why nothing was committed
                self.notify(str(exc), severity="error")
        await self.sync_on_quit()
        self.exit()

    # --- everything else ---------------------------------------------------------------------------

    def get_system_commands(self, screen):
        """The palette (ctrl+p) offers everything the footer does, with the key to remember."""
        yield from super().get_system_commands(screen)
        for mode, key, help_text in (
            ("today", "1", "Streak, level, today's goal and focus, what is next"),
            ("curriculum", "2", "Categories and modules, and a filter to find an exercise"),
            ("log", "3", "The captain's log, and today's entry"),
            ("achievements", "4", "Earned and locked achievements"),
            ("stats", "5", "XP over time, study time per module"),
        ):
            yield SystemCommand(f"Go to {mode.title()} ({key})", help_text, lambda mode=mode: self.switch_mode(mode))
        yield SystemCommand("Publish (p)", "Commit and push your progress (tracker sync)", self.action_sync)
        yield SystemCommand("Light/dark theme (d)", "Switch between the light and the dark theme", self.action_toggle_theme)
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.show and binding.action not in ("back",):
                action = binding.action
                yield SystemCommand(
                    f"{binding.description} ({binding.key_display or binding.key})",
                    f"On this screen: {binding.description.lower()}",
                    lambda action=action, screen=screen: self.call_later(screen.run_action, action),
                )

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # A key typed into a field is text, never a command: no app binding fires while one has focus.
        from textual.widgets import Input, TextArea

        if isinstance(self.focused, (Input, TextArea)) and action in TYPED_ACTIONS:
            return False
        return True

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        try:  # remembered on this machine only, beside the database (never committed)
            path = self.tracker.config.data_dir / "app.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"theme": self.theme}), encoding="utf-8")
        except OSError:
            pass

    def _saved_theme(self) -> str:
        try:
            theme = json.loads((self.tracker.config.data_dir / "app.json").read_text(encoding="utf-8")).get("theme")
        except (OSError, ValueError, AttributeError):
            theme = None
        return theme if theme in ("textual-light", "textual-dark") else "textual-dark"


def build_app(tracker: Tracker | None = None, **kwargs) -> TrackerApp:
    """The one factory the CLI and the tests share."""
    return TrackerApp(tracker or Tracker.open(), **kwargs)
