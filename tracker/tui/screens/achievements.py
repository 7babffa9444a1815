"""Achievements: earned and locked, with how to earn each and how far the learner is toward a locked one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

from tracker.progress.rules import ACHIEVEMENTS, toward
from tracker.tui.screens import TrackerScreen


class AchievementsScreen(TrackerScreen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="achievement-summary")
        yield DataTable(id="achievement-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("", "Achievement", "Earned", "Rarity", "How to earn it")
        super().on_mount()

    def gather(self):
        progress = self.tracker.progress()
        return progress.achievements, toward(self.tracker.curriculum, progress)

    def show(self, data) -> None:
        earned, far = data
        when = {e.achievement.id: e.ts[:10] for e in earned}
        table = self.query_one(DataTable)
        table.clear()
        for a in sorted(ACHIEVEMENTS, key=lambda a: (a.id not in when, a.id)):
            got = a.id in when
            so_far = f"{far[a.id][0]}/{far[a.id][1]}" if a.id in far else ""
            # The date it was earned, or how far toward it (2/7): beside the title, in view at 80 columns.
            table.add_row("🏆" if got else "🔒", a.title, when[a.id] if got else so_far, a.rarity, a.how)
        self.query_one("#achievement-summary", Static).update(f"[b]{len(when)} of {len(ACHIEVEMENTS)} earned[/b]")
