"""Display-only widgets: they are given data by their screen and hold no database or git code."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.widgets import Static

HEAT_STYLES = ("grey23", "dark_green", "green4", "green3", "bright_green")


class Heatmap(Static):
    """Daily XP as a grid of squares: one column a week, Monday at the top, the last column this week."""

    def show(self, daily_xp: dict[date, int], today: date, goal: int, weeks: int = 26) -> None:
        from tracker.publish.heatmap import level

        weeks = max(4, min(weeks, (self.size.width - 4) // 2 if self.size.width else weeks))
        monday = today - timedelta(days=today.weekday())
        start = monday - timedelta(weeks=weeks - 1)
        text = Text()
        for weekday, name in enumerate(("Mo", "  ", "We", "  ", "Fr", "  ", "Su")):
            text.append(f"{name} ", style="dim")
            for week in range(weeks):
                day = start + timedelta(weeks=week, days=weekday)
                if day > today:
                    text.append("  ")
                    continue
                text.append("■ ", style=HEAT_STYLES[level(daily_xp.get(day, 0), goal)])
            text.append("\n")
        self.update(text)


class Bar(Static):
    """A labelled bar of cells, like the README's."""

    def show(self, label: str, fraction: float, detail: str, width: int = 20) -> None:
        from tracker.progress.report import bar

        self.update(Text.assemble((f"{label:<10}", "bold"), bar(fraction, width), f"  {detail}"))
