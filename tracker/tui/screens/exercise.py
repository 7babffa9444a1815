"""Exercise: what it asks, hints one at a time, the stub in $EDITOR, grading with live progress and a
cancel key, the result of every check, and the reference solution once passed."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import threading
from dataclasses import dataclass

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.binding import Binding
from textual import events
from textual.containers import Container, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Markdown, ProgressBar, Static

from tracker.curriculum.model import Exercise
from tracker.errors import TrackerError
from tracker.grading import results as R
from tracker.tui.screens import TrackerScreen

OUTCOME_MARK = {"passed": "[green]✓[/]", "failed": "[red]✗[/]", "not_started": "·", "needs_gpu": "[cyan]◌[/]",
                "error": "[red]![/]"}


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


@dataclass
class ExerciseData:
    exercise: Exercise
    text: str
    state: str
    hints: list[tuple[int, object]]  # the revealed hints, (1-based index, Hint)
    xp: int
    last_tests: list
    last: object = None  # the newest attempt, any process's: the status line and the checks both show it


class SolutionScreen(ModalScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Close")]

    def __init__(self, exercise_id: str, code: str):
        super().__init__()
        self.exercise_id, self.code = exercise_id, code

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="solution"):
            yield Static(f"[b]Reference solution of {self.exercise_id}[/b]  [dim](escape closes)[/dim]")
            yield Static(Syntax(self.code, "python", line_numbers=True, word_wrap=True))


def _hanging(text: str, width: int, first: int, indent: int) -> str:
    """Text escaped for markup and wrapped to width: its first line follows ``first`` columns that the caller
    writes, the lines after it are indented by ``indent``. Unwrapped while the width is not known yet."""
    if width <= indent + 20:
        return _escape(text)
    import textwrap

    out: list[str] = []
    for n, paragraph in enumerate(text.splitlines() or [""]):
        lead = "\0" * first if n == 0 else " " * indent
        out += textwrap.wrap(paragraph, width, initial_indent=lead, subsequent_indent=" " * indent,
                             break_on_hyphens=False) or [lead]
    return _escape("\n".join(out).lstrip("\0"))


def reflow(text: str) -> str:
    """Join a docstring's hard-wrapped lines into paragraphs and list items, so that the screen wraps them
    to its own width; indented code, doctest lines and blank lines stay as written."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        starts_item = stripped[:2] in ("* ", "- ") or (stripped[:1].isdigit() and stripped[1:3] in (". ", ") "))
        code = line.startswith("    ") and not (out and out[-1].lstrip()[:2] in ("* ", "- "))
        if out and out[-1].strip() and stripped and not starts_item and not code and not stripped.startswith(">>>") \
                and not out[-1].startswith(("    ", ">>>")):
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(line)
    return "\n".join(out)


class Spec(VerticalScroll):
    """What the exercise asks; f gives it the whole screen."""

    ALLOW_MAXIMIZE = True


NARROW = 100  # below this many columns the spec and the results stack
POLL = 2.0  # seconds between looks for an attempt recorded elsewhere (the CLI, another window)


class ExerciseScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("g", "grade", "Grade"),
        Binding("x", "cancel", "Cancel", show=False),  # the status line says "x cancels" while grading
        Binding("h", "hint", "Hint"),
        Binding("e", "edit", "Edit"),
        Binding("w", "watch", "Watch"),
        Binding("s", "solution", "Solution"),
        Binding("f", "full_spec", "Spec"),
        Binding("n", "next", "Next", show=False),
        # The app's own keys still work here, out of the footer, which keeps this screen's keys at 80 columns.
        *(Binding(str(i), f"app.switch_mode('{mode}')", show=False)
          for i, mode in enumerate(("today", "curriculum", "log", "achievements", "stats"), start=1)),
        Binding("d", "app.toggle_theme", show=False),
    ]

    def __init__(self, exercise_id: str, *, watch: bool = False):
        super().__init__()
        self.exercise_id = exercise_id
        self.start_watching = watch
        self.cancel_event: threading.Event | None = None
        self.done = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="exercise-title")
        with Container(id="exercise-body"):
            with Spec(id="spec"):
                yield Static("", id="spec-text", markup=False)
                yield Markdown("", id="spec-md")
            with VerticalScroll(id="side"):
                yield Static("", id="grade-status")
                yield ProgressBar(id="grade-progress", show_eta=False)
                yield Static("", id="results")
                yield Static("", id="hints")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self._fit(self.app.size.width)
        self.set_interval(POLL, self._poll)
        super().on_mount()
        if self.start_watching:
            self.action_watch()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width)
        if getattr(self, "shown_tests", None):  # the checks wrap to the new width
            self.call_after_refresh(self._show_tests, *self.shown_tests)

    def _fit(self, width: int) -> None:
        self.query_one("#exercise-body").set_class(width < NARROW, "narrow")

    def _show_side(self) -> None:
        """Stacked below the spec, the grading would happen out of sight: bring it into view."""
        body = self.query_one("#exercise-body")
        if body.has_class("narrow") and self.maximized is None:
            side = self.query_one("#side")
            self.call_after_refresh(body.scroll_to_widget, side, animate=False, top=True)

    def action_full_spec(self) -> None:
        """The spec alone on the screen (f or escape gives the results back)."""
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.query_one("#spec"), container=False)

    def _poll(self) -> None:
        if self.cancel_event is None and getattr(self, "watcher", None) is None and not getattr(self, "looking", False):
            self.looking = True
            self.run_worker(self._look, thread=True, group="poll", exit_on_error=False)

    def _look(self) -> None:
        try:
            attempts = self.tracker.store.attempts(self.exercise_id)
            newest = attempts[-1].event_id if attempts else None
            shown = getattr(getattr(self, "data", None), "last", None)
            if newest != (shown.event_id if shown is not None else None):
                self.app.call_from_thread(self.reload)
        finally:
            self.looking = False

    @property
    def module_id(self) -> str:
        return self.exercise_id.rsplit(".", 1)[0]

    def study_module(self) -> str | None:
        return self.module_id

    def gather(self) -> ExerciseData:
        t = self.tracker
        exercise = t.exercise(self.exercise_id)
        attempts = t.store.attempts(exercise.id)
        tests = t.store.test_results(attempts[-1].event_id) if attempts else []
        return ExerciseData(exercise, t.exercise_text(exercise), t.states()[exercise.id], t.revealed_hints(exercise.id),
                            t.curriculum.xp_for_exercise(exercise), tests, attempts[-1] if attempts else None)

    def show(self, data: ExerciseData) -> None:
        self.app.current_module = self.module_id  # type: ignore[attr-defined]
        self.data = data
        e = data.exercise
        state = R.STATUS_LABELS.get(data.state, data.state.replace("_", " "))
        device = " · [cyan]needs a GPU[/]" if e.device == "cuda" else ""
        watching = " · [reverse green] ● watching [/]" if getattr(self, "watcher", None) else ""
        self.query_one("#exercise-title", Static).update(
            f"[b]{e.id}[/b] · {e.kind} · {data.xp} XP · {state}{device}{watching}\n{_escape(e.title)}\n[dim]{e.stub or ''}[/dim]"
        )
        prose = e.kind == "reflection"
        self.query_one("#spec-text", Static).display = not prose
        self.query_one("#spec-md", Markdown).display = prose
        if prose:
            self.query_one("#spec-md", Markdown).update(data.text)
        else:
            self.query_one("#spec-text", Static).update(reflow(data.text))  # wraps to the width it is given
        if not e.gradable:
            self.query_one("#grade-status", Static).update("[dim]This exercise's grader is coming soon.[/dim]")
        elif getattr(self, "fresh", False):
            self.fresh = False  # the result just shown is this attempt's, with its timing and what is next
        elif data.last is not None and self.cancel_event is None:
            last = data.last
            label = R.STATUS_LABELS.get(last.status, last.status)
            counts = f": {last.passed_checks} of {last.total_checks} checks pass" if last.total_checks else ""
            colour = "green" if last.status == R.PASSED else ("yellow" if last.status == R.NOT_STARTED else "red")
            note = getattr(self, "note", "")
            self.query_one("#grade-status", Static).update(
                (f"{note}\n" if note else "") + f"Last grading: [{colour}][b]{label}[/b][/]{counts} [dim]{last.ts[:16].replace('T', ' ')}[/dim]")
            self.note = ""
            self._show_tests(
                [(t.outcome, t.description or t.name.removeprefix("test_").replace("_", " "), t.message, t.name)
                 for t in data.last_tests],
                "Checks",
            )
        hints = data.hints
        total = len(e.hints)
        lines = [f"[b]Hints[/b] {len(hints)}/{total} revealed (h)"]
        lines += [f"{i}. {_escape(h.text)}" for i, h in hints]
        self.query_one("#hints", Static).update("\n".join(lines))

    def _show_tests(self, rows: list[tuple[str, str, str, str]], title: str) -> None:
        """Failing checks first, each message once, and beside the first failure the hint for it: shown if
        revealed, else offered (h reveals it). Messages wrap under themselves, not under the marks."""
        self.shown_tests = (rows, title)
        width = self.query_one("#results").content_size.width
        lines = [f"[b]{title}[/b]"]
        shown: set[str] = set()
        rows = sorted(rows, key=lambda row: row[0] == "passed")
        first_failure = True
        for outcome, description, message, name in rows:
            lines.append(f"{OUTCOME_MARK.get(outcome, '[red]![/]')} {_hanging(description, width, 2, 2)}")
            if message and outcome != "passed" and message not in shown:
                shown.add(message)
                lines.append(f"   [dim]{_hanging(message, width, 3, 3)}[/dim]")
            if outcome in ("failed", "error") and first_failure:
                first_failure = False
                lines += self._hint_beside(name, width)
        self.query_one("#results", Static).update("\n".join(lines))

    def _hint_beside(self, check: str, width: int = 0) -> list[str]:
        """Beside the first failing check: the revealed hints tied to it, then the hint h would reveal."""
        data = getattr(self, "data", None)
        if data is None or not data.exercise.hints:
            return []
        exercise, revealed = data.exercise, dict(data.hints)
        tied = exercise.tied_hints(check)
        lines = [f"   [yellow]hint {i}:[/] " + _hanging(revealed[i].text, width, len(f"   hint {i}: "), 3)
                 for i in tied if i in revealed]
        offer = exercise.hint_for(check, set(revealed))
        if offer is not None:
            lines.append(f"   [yellow]stuck? h reveals hint {offer} of {len(exercise.hints)}"
                         + (", for this check" if offer in tied else "") + "[/]")
        return lines

    # --- grading ------------------------------------------------------------------------------------

    def action_grade(self) -> None:
        if self.cancel_event is not None:
            self.notify("Already grading; press x to cancel.")
            return
        exercise = self.tracker.exercise(self.exercise_id)
        if not exercise.gradable:
            self.notify("This exercise's grader is coming soon.", severity="warning")
            return
        try:  # a part a mastery gate keeps locked: say what opens it, start nothing
            self.tracker.refuse_locked([(exercise.id, exercise.module_id)])
        except TrackerError as exc:
            self.notify(str(exc), severity="warning", timeout=10)
            return
        grader = self.tracker.repo / exercise.grader  # type: ignore[operator]
        total = grader.read_text(encoding="utf-8").count("\ndef test_") if grader.exists() else 0
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=total or None, progress=0)
        self.done = 0
        self.cancel_event = threading.Event()
        self.query_one("#grade-status", Static).update("Grading… (x cancels)")
        self.query_one("#results", Static).update("")
        self._show_side()
        self.run_worker(self._grade, thread=True, exclusive=True, group="grade", exit_on_error=False)

    def _grade(self) -> None:
        cancel = self.cancel_event
        try:
            [result] = self.tracker.grade([self.tracker.exercise(self.exercise_id)], on_event=self._on_event,
                                          cancel=cancel, worker=self.tracker.warm())
            self.app.call_from_thread(self._graded, result, self.tracker.last_publish)
        finally:
            self.cancel_event = None

    def _on_event(self, record: dict) -> None:
        if record.get("event") == "start":
            self.app.call_from_thread(self._progress, f"Checking: {record.get('description') or record.get('test')}", 0)
        elif record.get("event") == "test":
            self.app.call_from_thread(self._progress, None, 1)

    def _progress(self, text: str | None, step: int) -> None:
        if text:
            self.query_one("#grade-status", Static).update(_escape(text) + "  (x cancels)")
        if step:
            self.done += step
            self.query_one(ProgressBar).advance(step)

    def _graded(self, result: R.ExerciseResult, published: str) -> None:
        self.query_one(ProgressBar).display = False
        passed, total = result.counts
        label = R.STATUS_LABELS.get(result.status, result.status)
        colour = "green" if result.passed else ("yellow" if result.status in (R.NOT_STARTED, "cancelled") else "red")
        summary = f"[{colour}][b]{label}[/b][/]" + (f": {result.checks_text()}" if total else "")
        timing = result.timing_text()
        if timing:
            summary += f" · {timing} on {result.device or 'cpu'}"
        if result.message:
            summary += f"\n{_escape(result.message)}"
        self.query_one("#grade-status", Static).update(summary)
        self._show_tests([(t.outcome, t.description, t.message, t.name) for t in result.tests], "Checks")
        if result.status != R.NOT_STARTED:  # an untouched stub: the spec is what to read
            self._show_side()
        self.fresh = result.status != "cancelled"
        if result.status == "cancelled":
            # Nothing was recorded: the status line and the checks go back to the last attempt, together.
            self.note = "[yellow]cancelled[/]: the last grading stands"
            self.reload()
            return
        if result.passed:
            payoff = self.tracker.payoff(self.exercise_id)
            self.next_up = payoff.next if payoff and payoff.next and payoff.next.id != self.exercise_id else None
            lines = [payoff.summary()] if payoff else []
            if self.next_up is not None:
                lines.append(f"Next: {self.next_up.id} · {self.next_up.path}")
                lines.append("n moves on" + (", watching it" if getattr(self, "watcher", None) else ""))
            lines.append("The reference solution is open to you (s).")
            self.notify("\n".join(_escape(line) for line in lines), title=f"{self.exercise_id} passed", timeout=10)
            # What it earned stays on the screen after the toast has gone, with the way on.
            earned = f"\n[green]{_escape(payoff.summary())}[/]" if payoff else ""
            after = f"\n[b]Next:[/b] {self.next_up.id} {_escape(self.next_up.path)}  [dim](n)[/dim]" if self.next_up else ""
            self.query_one("#grade-status", Static).update(summary + earned + after)
        if published.startswith("warning"):
            self.notify(published, severity="warning")
        self.reload()

    def action_cancel(self) -> None:
        if self.cancel_event is None:
            self.notify("Nothing is being graded.")
            return
        self.cancel_event.set()
        self.query_one("#grade-status", Static).update("Cancelling…")

    # --- hints, editor, solution, watch -------------------------------------------------------------

    def action_hint(self) -> None:
        self.run_worker(self._hint, thread=True, group="hint", exit_on_error=False)

    def _hint(self) -> None:
        reveal = self.tracker.hint(self.exercise_id)
        self.app.call_from_thread(
            self.notify, f"Hint {reveal.index} of {reveal.total}" + (f", for “{reveal.check}”" if reveal.check else "")
            + ("" if reveal.newly_revealed else " (all hints are out)")
        )
        self.app.call_from_thread(self.reload)

    def action_edit(self) -> None:
        exercise = self.tracker.exercise(self.exercise_id)
        if not exercise.stub:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or next(
            (e for e in ("nano", "vim", "vi") if shutil.which(e)), "vi"
        )
        path = self.tracker.repo / exercise.stub
        with self.app.suspend():
            try:
                subprocess.run([*shlex.split(editor), str(path)], check=False)
            except OSError as exc:
                self.notify(f"Could not start {editor}: {exc}", severity="error")
        self.reload()

    def action_solution(self) -> None:
        self.run_worker(self._solution, thread=True, group="solution", exit_on_error=False)

    def _solution(self) -> None:
        code = self.tracker.solution(self.exercise_id)
        self.app.call_from_thread(self.app.push_screen, SolutionScreen(self.exercise_id, code))

    def action_watch(self) -> None:
        watcher = getattr(self, "watcher", None)
        if watcher is not None:
            watcher.stop.set()
            self.watcher = None
            self.notify("Watch mode off.")
            self.reload()
            return
        exercise = self.tracker.exercise(self.exercise_id)
        if not exercise.gradable:
            self.notify("This exercise's grader is coming soon.", severity="warning")
            return
        self.watcher = self.tracker.watch(
            exercise,
            lambda result: self.app.call_from_thread(self._graded, result, self.tracker.last_publish),
            on_start=lambda: self.app.call_from_thread(self._watch_started),
        )
        self.notify(f"Watch mode on: every save of {exercise.stub} is graded.")
        self.run_worker(self.watcher.run, thread=True, group="watch", exit_on_error=False)
        self.reload()  # the title shows the watch indicator

    def _watch_started(self) -> None:
        self.query_one("#grade-status", Static).update("Saved: grading… (w stops watching)")
        self.query_one("#results", Static).update("")

    def action_next(self) -> None:
        """Move on to the exercise a pass pointed at (watching it, if this one was watched)."""
        up = getattr(self, "next_up", None) or self.tracker.next_exercise(after=self.exercise_id)
        if up is None:
            self.notify("Every exercise is passed.")
            return
        watching = getattr(self, "watcher", None) is not None
        self.action_back()
        screen = ExerciseScreen(up.id, watch=watching)
        self.app.push_screen(screen)

    def on_unmount(self) -> None:
        watcher = getattr(self, "watcher", None)
        if watcher is not None:
            watcher.stop.set()

    def action_back(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
        if getattr(self, "watcher", None) is not None:
            self.watcher.stop.set()
            self.watcher = None
        self.app.pop_screen()
