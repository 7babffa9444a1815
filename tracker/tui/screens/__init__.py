"""The app's screens. Each one gathers its data in a thread worker and shows it on the UI thread."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tracker.service import Tracker


class TrackerScreen(Screen):
    """A screen whose data comes from the service, loaded off the UI thread."""

    @property
    def tracker(self) -> Tracker:
        return self.app.tracker  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        """Nothing to load here: the screen resumes right after it mounts, and loads then (loading on both
        gathered the first screen's data twice at start)."""

    def on_screen_resume(self) -> None:
        # Study time goes to the module of the Exercise or Module screen in view, and to nothing elsewhere.
        self.app.current_module = self.study_module()  # type: ignore[attr-defined]
        self.reload()

    def study_module(self) -> str | None:
        """The module that time spent on this screen is credited to (None: not counted)."""
        return None

    def reload(self) -> None:
        self.run_worker(self._load, thread=True, exclusive=True, group=f"load-{id(self)}", exit_on_error=False)

    def _load(self) -> None:
        data = self.gather()
        self.app.call_from_thread(self._show_then_start, data)

    def _show_then_start(self, data: Any) -> None:
        self.show(data)
        self.app.after_first_screen()  # type: ignore[attr-defined]

    def gather(self) -> Any:
        """Runs in a worker thread: ask the service for what the screen shows."""
        return None

    def show(self, data: Any) -> None:
        """Runs on the UI thread: put the data in the widgets."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker messages do not bubble: every screen turns its workers' errors into notifications,
        # so a failing database, git or grading call never takes the app down.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.after_first_screen()  # type: ignore[attr-defined]
            self.app.notify(str(event.worker.error), title="Something went wrong", severity="error", timeout=8)
