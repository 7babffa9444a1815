"""Curriculum: categories and modules as a tree with completion bars, and a filter to find an exercise."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Input, OptionList, Tree
from textual.widgets.option_list import Option

from tracker.progress.report import bar, status_report
from tracker.tui.screens import TrackerScreen

STATE_MARK = {"passed": "✓", "failed": "✗", "not_started": "·", "coming_soon": "…", "needs_gpu": "◌"}


class CurriculumScreen(TrackerScreen):
    AUTO_FOCUS = "#tree"
    BINDINGS = [Binding("slash", "focus_filter", "Filter"), Binding("escape", "clear_filter", "Clear", show=False)]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter: an id (1.1.2) or words (attention, GGUF)…", id="filter")
        yield Tree("Course", id="tree")
        yield OptionList(id="matches")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#matches").display = False
        super().on_mount()

    def gather(self):
        return status_report(self.tracker)

    def show(self, report) -> None:
        self.report = report
        tree = self.query_one(Tree)
        tree.clear()
        tree.root.expand()
        for category in report["categories"]:
            locked = f" · 🔒 opens when {' and '.join(category['locked_until'])} is mastered" if category["locked_until"] else ""
            node = tree.root.add(
                f"{bar(category['fraction'], 12)} {category['label']} · {category['modules_completed']}/{category['modules_total']} · {category['status']}{locked}",
                expand=True,
            )
            for module in category["modules"]:
                passed = sum(e["state"] == "passed" for e in module["exercises"])
                mark = "✓" if module["complete"] else ("🔒" if module["locked_until"] or category["locked_until"] else " ")
                node.add_leaf(
                    f"{mark} {bar(module['fraction'], 8)} {module['id']:<5} {module['title'][:46]} · {passed}/{len(module['exercises'])}",
                    data=("module", module["id"]),
                )
        self._filter(self.query_one(Input).value)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data:
            from tracker.tui.screens.module import ModuleScreen

            self.app.push_screen(ModuleScreen(event.node.data[1]))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        matches = self.query_one(OptionList)
        if not (matches.display and matches.option_count):
            return
        if matches.option_count == 1 and matches.get_option_at_index(0).id:
            from tracker.tui.screens.exercise import ExerciseScreen

            self.app.push_screen(ExerciseScreen(matches.get_option_at_index(0).id))
            return
        matches.focus()
        matches.highlighted = 0

    def _filter(self, text: str) -> None:
        text = text.strip().lower()
        matches = self.query_one(OptionList)
        tree = self.query_one(Tree)
        matches.display = bool(text)
        tree.display = not text
        if not text or not hasattr(self, "report"):
            return
        matches.clear_options()
        words = text.split()
        for category in self.report["categories"]:
            for module in category["modules"]:
                for e in module["exercises"]:
                    hay = f"{e['id']} {e['title']} {module['title']}".lower()
                    if e["id"].startswith(text) or all(w in hay for w in words):
                        mark = STATE_MARK.get(e["state"], "!")
                        matches.add_option(Option(f"{mark} {e['id']:<7} {e['title'][:90]}", id=e["id"]))
        if not matches.option_count:
            matches.add_option(Option("No exercise matches.", disabled=True))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from tracker.tui.screens.exercise import ExerciseScreen

        if event.option.id:
            self.app.push_screen(ExerciseScreen(event.option.id))

    def on_screen_resume(self) -> None:
        # Back from an exercise: focus the list it was opened from, not the filter, so 1-5 and / work.
        super().on_screen_resume()
        if isinstance(self.focused, Input):
            matches = self.query_one(OptionList)
            (matches if matches.display else self.query_one(Tree)).focus()

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one(Input).value = ""
        self.query_one(Tree).focus()

