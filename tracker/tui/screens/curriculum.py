"""Curriculum: categories, modules and their exercises as a tree with completion bars, and a filter to find
an exercise."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Input, OptionList, Tree
from textual.widgets.option_list import Option

from tracker.progress.report import bar, status_report
from tracker.tui.screens import TrackerScreen

STATE_MARK = {"passed": "✓", "failed": "✗", "not_started": "·", "coming_soon": "…", "needs_gpu": "◌"}


class CourseTree(Tree):
    """Enter opens the module or exercise under the cursor; space or → shows a module's exercises."""

    BINDINGS = [
        Binding("space", "toggle_node", "Exercises"),
        Binding("right", "open_node", show=False),
        Binding("left", "close_node", show=False),
    ]

    def action_open_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def action_close_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded and node.data is not None:
            node.collapse()
        elif node.parent is not None and node.parent.data is not None:
            self.move_cursor(node.parent)  # from an exercise to its module


class CurriculumScreen(TrackerScreen):
    AUTO_FOCUS = "#tree"
    BINDINGS = [Binding("slash", "focus_filter", "Filter"), Binding("escape", "clear_filter", "Clear", show=False)]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter: an id (1.1.2) or words (attention, GGUF)…", id="filter")
        yield CourseTree("Course", id="tree")
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
        tree.auto_expand = False  # enter opens; space and → expand
        # A reload (back from an exercise, say) keeps the modules that were open and the cursor's place.
        opened = {n.data for n in self._tree_nodes(tree) if n.data and n.is_expanded}
        cursor = tree.cursor_node.data if tree.cursor_node is not None else None
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
                label = f"{mark} {bar(module['fraction'], 8)} {module['id']:<5} {module['title'][:46]} · {passed}/{len(module['exercises'])}"
                data = ("module", module["id"])
                if not module["exercises"]:
                    node.add_leaf(label, data=data)
                    continue
                branch = node.add(label, data=data, expand=data in opened)
                for e in module["exercises"]:
                    branch.add_leaf(f"{STATE_MARK.get(e['state'], '!')} {e['id']:<7} {e['title'][:70]}",
                                    data=("exercise", e["id"]))
        if cursor is not None:
            found = next((n for n in self._tree_nodes(tree) if n.data == cursor), None)
            if found is not None:
                self.call_after_refresh(tree.move_cursor, found)
        self._filter(self.query_one(Input).value)

    @staticmethod
    def _tree_nodes(tree: Tree):
        stack = list(tree.root.children)
        while stack:
            node = stack.pop()
            yield node
            stack.extend(node.children)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        if not event.node.data:
            return
        kind, target = event.node.data
        if kind == "exercise":
            from tracker.tui.screens.exercise import ExerciseScreen

            self.app.push_screen(ExerciseScreen(target))
        else:
            from tracker.tui.screens.module import ModuleScreen

            self.app.push_screen(ModuleScreen(target))

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

