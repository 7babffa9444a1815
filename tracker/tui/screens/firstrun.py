"""The first launch in a fork without settings: the four questions of `tracker init`, on one small screen."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from tracker import firstrun


class FirstRunScreen(ModalScreen[bool]):
    """Asks, writes tracker.toml and prepares the README; Later closes it, and it asks again next time."""

    DEFAULT_CSS = """
    FirstRunScreen { align: center middle; }
    FirstRunScreen > Vertical { width: 72; height: auto; padding: 1 2; border: thick $accent; background: $surface; }
    FirstRunScreen Input { margin-bottom: 1; }
    FirstRunScreen #firstrun-error { color: $error; height: auto; }
    FirstRunScreen Horizontal { height: auto; align-horizontal: right; }
    FirstRunScreen Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "later", "Later")]

    def compose(self) -> ComposeResult:
        proposed = firstrun.defaults(self.app.tracker.repo)
        with Vertical():
            yield Static("[b]Welcome.[/b] Four questions, then this fork is yours (change them later in tracker.toml).")
            yield Label("Time zone (this machine's, to confirm; a day rolls over at 04:00 there)")
            yield Input(proposed.timezone, id="firstrun-timezone")
            yield Label("Editor for stubs and log entries (empty: $VISUAL, then $EDITOR)")
            yield Input(proposed.editor, id="firstrun-editor")
            yield Checkbox("Push to my remote when syncing", proposed.push, id="firstrun-push")
            yield Checkbox("Publish my solutions in exercises/ (public once pushed)", proposed.publish_solutions,
                           id="firstrun-solutions")
            yield Static("", id="firstrun-error")
            with Horizontal():
                yield Button("Later", id="firstrun-later")
                yield Button("Save", variant="primary", id="firstrun-save")

    def answers(self) -> firstrun.Answers:
        return firstrun.Answers(
            self.query_one("#firstrun-timezone", Input).value.strip(),
            self.query_one("#firstrun-editor", Input).value.strip(),
            self.query_one("#firstrun-push", Checkbox).value,
            self.query_one("#firstrun-solutions", Checkbox).value,
        )

    @on(Button.Pressed, "#firstrun-save")
    @on(Input.Submitted)
    def save(self) -> None:
        answers = self.answers()
        if not firstrun.valid_zone(answers.timezone):
            self.query_one("#firstrun-error", Static).update(
                f"unknown time zone {answers.timezone!r}: use an IANA name such as Europe/Paris")
            return
        self.write(answers)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def write(self, answers: firstrun.Answers) -> None:
        from tracker.errors import TrackerError

        try:
            changed = self.app.tracker.first_run(answers)
        except TrackerError as exc:
            self.app.call_from_thread(self.query_one("#firstrun-error", Static).update, str(exc))
            return
        self.app.call_from_thread(self._done, answers, changed)

    def _done(self, answers: firstrun.Answers, changed: list[str]) -> None:
        self.app.notify(f"{', '.join(changed) or 'settings'} written: {firstrun.describe(answers)}", title="Set up")
        self.dismiss(True)

    @on(Button.Pressed, "#firstrun-later")
    def action_later(self) -> None:
        self.dismiss(False)
