"""Captain's log: the entries, and a form for today's with Progress filled in from the day's events."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, ListItem, ListView, Markdown, Static, TextArea

from tracker.tui.screens import TrackerScreen

FIELDS = (("insight", "Key Insight: a major understanding or breakthrough"),
          ("challenge", "Challenge: obstacles, and your approach"),
          ("next", "Next Steps: planned actions and goals"))
ENTRY_KEYS = {"title": "title", "insight": "insight", "challenge": "challenge", "next": "next_steps"}


class _Form(VerticalScroll, can_focus=False):
    """The entry and the form; only its fields take focus (Tab goes from field to field)."""


class LogScreen(TrackerScreen):
    AUTO_FOCUS = "#log-list"  # 1-5 still switch screens; the first Tab goes to the first field
    BINDINGS = [Binding("ctrl+s", "save", "Save entry"), Binding("escape", "leave_form", "Leave form", show=False)]

    def action_leave_form(self) -> None:
        self.query_one(ListView).focus()

    def _value(self, key: str) -> str:
        widget = self.query_one(f"#log-{key}")
        return (widget.value if isinstance(widget, Input) else widget.text).strip()

    def _set(self, key: str, value: str) -> None:
        widget = self.query_one(f"#log-{key}")
        if isinstance(widget, Input):
            widget.value = value
        else:
            widget.text = value

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="log-body"):
            with Vertical(id="log-list-pane"):
                yield Label("[b]Entries[/b]")
                yield ListView(id="log-list")
            with _Form(id="log-detail"):
                yield Label("[b]Today's entry[/b]", classes="section")
                yield Static("", id="log-progress")
                yield Input(placeholder="Title (default: the module's title)", id="log-title")
                for key, label in FIELDS:
                    yield Label(label, classes="field-label")
                    yield TextArea(id=f"log-{key}", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
                yield Button("Save today's entry (ctrl+s)", id="log-save", variant="primary")
                yield Markdown("", id="log-entry")
        yield Footer()

    def gather(self):
        from tracker.publish.captains_log import day_progress, render_entry

        t = self.tracker
        progress = t.progress()
        entries = [(day, render_entry(t.curriculum, progress, day, entry)) for day, entry in sorted(progress.logs.items(), reverse=True)]
        today = progress.today.isoformat()
        return entries, day_progress(progress, today, t.curriculum), today, progress.logs.get(today)

    def show(self, data) -> None:
        entries, today_progress, today, todays = data
        self.entries = dict(entries)
        listing = self.query_one(ListView)
        listing.clear()
        for day, body in entries:
            first = body.splitlines()[0].removeprefix("### ")
            listing.append(ListItem(Label(first[:40]), name=day))
        self.query_one("#log-progress", Static).update(f"[b]Progress ({today}):[/b] {today_progress}")
        self.query_one("#log-entry", Markdown).update(
            entries[0][1] if entries else "_No entries yet. Write today's above: Progress is filled in for you._"
        )
        if todays and not any(self._value(k) for k in ENTRY_KEYS):
            # Today's entry, to read or to improve: saving again replaces it.
            for key, field in ENTRY_KEYS.items():
                self._set(key, str(todays.get(field, "")))

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if event.item is not None and event.item.name in getattr(self, "entries", {}):
            self.query_one("#log-entry", Markdown).update(self.entries[event.item.name])

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "log-save":
            self.action_save()

    def action_save(self) -> None:
        fields = {k: self._value(k) for k in ENTRY_KEYS}
        if not (fields["insight"] or fields["challenge"] or fields["next"]):
            self.notify("Write a Key Insight, a Challenge or Next Steps first.", severity="warning")
            return
        self.run_worker(lambda: self._save(fields), thread=True, group="log", exit_on_error=False)

    def _save(self, fields: dict[str, str]) -> None:
        entry = self.tracker.log_entry(title=fields["title"], insight=fields["insight"], challenge=fields["challenge"],
                                       next_steps=fields["next"])
        self.app.call_from_thread(self._saved, entry, self.tracker.last_publish)

    def _saved(self, entry: dict, published: str) -> None:
        self.notify(f"Logged {entry['date']}: Module {entry['module']} - {entry['title']}")
        if published.startswith("warning"):
            self.notify(published, severity="warning")
        for key, field in ENTRY_KEYS.items():  # the form now holds today's entry as saved
            self._set(key, str(entry.get(field, "")))
        self.reload()
