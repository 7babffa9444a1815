"""Achievements: earned and locked, with how to earn each."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

from tracker.progress.rules import ACHIEVEMENTS
from tracker.tui.screens import TrackerScreen


class AchievementsScreen(TrackerScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="achievement-summary")
        yield DataTable(id="achievement-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("", "Achievement", "Rarity", "How to earn it", "Earned")
        super().on_mount()

    def gather(self):
        return self.tracker.progress().achievements

    def show(self, earned) -> None:
        when = {e.achievement.id: e.ts[:10] for e in earned}
        table = self.query_one(DataTable)
        table.clear()
        for a in sorted(ACHIEVEMENTS, key=lambda a: (a.id not in when, a.id)):
            got = a.id in when
            table.add_row("🏆" if got else "🔒", a.title, a.rarity, a.how, when.get(a.id, ""))
        self.query_one("#achievement-summary", Static).update(f"[b]{len(when)} of {len(ACHIEVEMENTS)} earned[/b]")
