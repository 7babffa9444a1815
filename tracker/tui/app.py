"""The daily-session app. For now a single Today screen with where the learner stands."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from tracker.service import Tracker


class TrackerApp(App):
    TITLE = "tracker"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, tracker: Tracker):
        super().__init__()
        self.tracker = tracker

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._summary(), id="today")
        yield Footer()

    def _summary(self) -> str:
        from tracker.progress.report import bar, status_report

        report = status_report(self.tracker)
        lines = ["Today\n"]
        up = self.tracker.next_up()
        if up:
            lines.append(f"Next: {up[1]}  {up[2].replace('**', '')}\n")
        for category in report["categories"]:
            lines.append(f"{category['title']:<38} {bar(category['fraction'])} {category['modules_completed']}/{category['modules_total']}")
        return "\n".join(lines)


def build_app(tracker: Tracker | None = None) -> TrackerApp:
    """The one factory the CLI and the tests share."""
    return TrackerApp(tracker or Tracker.open())
