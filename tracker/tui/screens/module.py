"""Module: the concept checklist (space ticks), the knowledge checks and their state, the capstone steps,
and the module's notes and tables."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Markdown,
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.selection_list import Selection

from tracker.curriculum.model import Item, Module
from tracker.grading import results as R
from tracker.progress import state as S
from tracker.tui.screens import TrackerScreen

STATE_TEXT = {
    "passed": "[green]✓ passed[/]",
    "failed": "[red]✗ failed[/]",
    "not_started": "· not started",
    "coming_soon": "[dim]… coming soon[/]",
    "needs_gpu": "[cyan]◌ needs a GPU[/]",
}


def _plain(text: str) -> str:
    return text.replace("**", "").replace("`", "").replace("[", r"\[")


@dataclass
class ModuleData:
    module: Module
    states: dict[str, str]
    ticked: set[str]
    progress: S.ModuleProgress


class ModuleScreen(TrackerScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("enter", "open", "Open", show=False)]

    def __init__(self, module_id: str, focus: str | None = None):
        super().__init__()
        self.module_id = module_id
        self.focus_id = focus  # an item, step or exercise to land on

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="module-title")
        with TabbedContent(id="tabs"):
            with TabPane("Concepts", id="concepts"):
                yield SelectionList[str](id="concept-list")
            with TabPane("Checks", id="checks"):
                yield DataTable(id="check-table", cursor_type="row")
            with TabPane("Capstone", id="capstone"):
                yield Static("", id="objective")
                yield SelectionList[str](id="step-list")
            with TabPane("Notes", id="notes"):
                with VerticalScroll():
                    yield Markdown("", id="notes-md")
        yield Footer()

    def on_mount(self) -> None:
        self.app.current_module = self.module_id  # type: ignore[attr-defined]
        table = self.query_one(DataTable)
        table.add_columns("Check", "State", "Exercise")
        super().on_mount()

    def study_module(self) -> str | None:
        return self.module_id

    def gather(self) -> ModuleData:
        t = self.tracker
        module = t.curriculum.module(self.module_id)
        states, ticked = t.states(), t.ticked()
        return ModuleData(module, states, ticked, S.module_progress(module, states, ticked))

    def _selections(self, items: list[Item], data: ModuleData) -> list[Selection]:
        out = []
        for item in items:
            if item.items:
                done = S.is_ticked(item.id, self.tracker.curriculum, data.ticked)
                out.append(Selection(f"[b]{_plain(item.text)}[/b] [dim]{item.id}[/dim]", item.id, done))
                for child in item.items:
                    out.append(Selection(f"   {_plain(child.text)} [dim]{child.id}[/dim]", child.id, child.id in data.ticked))
            else:
                out.append(Selection(f"{_plain(item.text)} [dim]{item.id}[/dim]", item.id, item.id in data.ticked))
        return out

    def show(self, data: ModuleData) -> None:
        m, p = data.module, data.progress
        self.query_one("#module-title", Static).update(
            f"[b]{self.tracker.curriculum.words.module} {m.id}: {_plain(m.title)}[/b]\n{_plain(m.summary)}\n"
            f"{p.exercises_passed}/{p.exercises_total} checks passed · {p.items_ticked}/{p.items_total} concepts · "
            f"{p.steps_ticked}/{p.steps_total} capstone steps" + (" · [green]complete[/]" if p.complete else "")
        )
        concepts = self.query_one("#concept-list", SelectionList)
        highlighted = concepts.highlighted
        concepts.clear_options()
        concepts.add_options(self._selections([i for c in m.checklists for i in c.items], data))
        if highlighted is not None and highlighted < concepts.option_count:
            concepts.highlighted = highlighted
        steps = self.query_one("#step-list", SelectionList)
        step_highlight = steps.highlighted
        steps.clear_options()
        if m.capstone:
            self.query_one("#objective", Static).update(f"[b]{_plain(m.capstone.title)}[/b]: {_plain(m.capstone.objective)}")
            steps.add_options(self._selections(m.capstone.steps, data))
            if step_highlight is not None and step_highlight < steps.option_count:
                steps.highlighted = step_highlight
        else:
            self.query_one("#objective", Static).update("This module has no capstone project.")
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for e in m.exercises:
            state = data.states[e.id]
            label = STATE_TEXT.get(state, f"[red]{R.STATUS_LABELS.get(state, state)}[/]")
            table.add_row(e.id, label, _plain(e.title), key=e.id)
        if m.exercises:
            table.move_cursor(row=min(row, len(m.exercises) - 1))
        if self.focus_id:
            self._land_on(self.focus_id)
            self.focus_id = None
        notes = "\n\n".join(f"### {n.title}\n\n{n.body}" for n in m.notes) or "_No notes or tables for this module._"
        self.query_one("#notes-md", Markdown).update(notes)

    def _land_on(self, ident: str) -> None:
        """Open the tab that holds ``ident``, focus its list and highlight it."""
        tabs = self.query_one(TabbedContent)
        table = self.query_one(DataTable)
        if ident in [str(k.value) for k in table.rows]:
            tabs.active = "checks"
            table.move_cursor(row=[str(k.value) for k in table.rows].index(ident))
            table.focus()
            return
        for pane, list_id in (("concepts", "#concept-list"), ("capstone", "#step-list")):
            options = self.query_one(list_id, SelectionList)
            values = [options.get_option_at_index(i).value for i in range(options.option_count)]
            if ident in values:
                tabs.active = pane
                options.highlighted = values.index(ident)
                options.focus()
                return

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        item_id = event.selection.value
        self.run_worker(lambda: self._tick(item_id), thread=True, group="tick", exit_on_error=False)

    def _tick(self, item_id: str) -> None:
        # The recorded history decides the direction, not the widget (a reload may have redrawn it).
        t = self.tracker
        on = not S.is_ticked(item_id, t.curriculum, t.ticked())
        changed = t.check(item_id, on)
        warning = self.tracker.last_publish if self.tracker.last_publish.startswith("warning") else ""
        self.app.call_from_thread(self._ticked, item_id, on, changed, warning)

    def _ticked(self, item_id: str, on: bool, changed: list[str], warning: str) -> None:
        if changed:
            self.notify(f"{'Ticked' if on else 'Unticked'} {', '.join(changed)}")
        if warning:
            self.notify(warning, severity="warning")
        self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from tracker.tui.screens.exercise import ExerciseScreen

        self.app.push_screen(ExerciseScreen(str(event.row_key.value)))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.has_focus and table.row_count:
            from tracker.tui.screens.exercise import ExerciseScreen

            self.app.push_screen(ExerciseScreen(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)))
