"""Stats: XP over time, time spent per module and category, and per-category bars."""

from __future__ import annotations

from datetime import timedelta

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from tracker.progress.report import bar, status_report
from tracker.tui.screens import TrackerScreen


def _minutes(seconds: int) -> str:
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min" if seconds >= 3600 else f"{seconds // 60} min"


class StatsScreen(TrackerScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats"):
            yield Static("", id="xp-caption")
            yield Sparkline([], id="xp-spark")
            yield Static("", id="category-bars")
            yield Static("[b]Time spent (active, idle excluded)[/b]", classes="section")
            yield DataTable(id="time-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Module", "Time", "Category")
        super().on_mount()

    def gather(self):
        t = self.tracker
        progress = t.progress()
        days = [progress.today - timedelta(days=i) for i in range(59, -1, -1)]
        series = [max(progress.daily_xp.get(d, 0), 0) for d in days]
        return series, progress, status_report(t), t.time_per_module(), t.curriculum.words.rank.lower()

    def show(self, data) -> None:
        series, progress, report, times, rank = data
        self.query_one("#xp-caption", Static).update(
            f"[b]XP over the last 60 days[/b]: {sum(series)} XP · total {progress.xp} XP · {rank} {progress.level.number}"
        )
        self.query_one(Sparkline).data = series
        lines = ["[b]Categories[/b]"]
        for c in report["categories"]:
            lines.append(f"{bar(c['fraction'], 25)} {c['title']} · {c['modules_completed']}/{c['modules_total']} modules")
        self.query_one("#category-bars", Static).update("\n".join(lines))
        table = self.query_one(DataTable)
        table.clear()
        per_category: dict[str, int] = {}
        curriculum = self.tracker.curriculum
        for module_id, seconds in sorted(times.items()):
            category = curriculum.category_of(module_id).title
            per_category[category] = per_category.get(category, 0) + seconds
            table.add_row(module_id, _minutes(seconds), category)
        for category, seconds in per_category.items():
            table.add_row("all", _minutes(seconds), category)
        if not times:
            table.add_row("—", "no study time recorded yet", "")
