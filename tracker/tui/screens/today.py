"""Today: the day, the streak, the level, the goal, the focus, what to do next, and recent activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from tracker.grading import results as R
from tracker.tui.screens import TrackerScreen
from tracker.tui.widgets import Bar, Heatmap


@dataclass
class TodayData:
    progress: Any
    focus: Any
    suggestion: Any
    failing: list[tuple[str, str, str]]
    goal: int
    path: str = ""  # the file of the next exercise
    course: list[str] = field(default_factory=list)  # the course's pace and locked parts
    rank: str = "Level"  # what the course calls the XP levels


class TodayScreen(TrackerScreen):
    BINDINGS = [Binding("enter", "open_next", "Open next"), Binding("r", "reload", "Refresh")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="today"):
            yield Static("Loading…", id="headline")
            course = Static("", id="course")
            course.display = False  # shown for a course with a plan or gates
            yield course
            yield Static("", id="streak")
            yield Bar(id="level")
            yield Bar(id="goal")
            yield Static("", id="focus")
            yield Static("", id="reviews")
            yield Static("", id="achievements")
            yield Static("Activity", classes="section")
            yield Heatmap(id="heatmap")
        yield Footer()

    def gather(self) -> TodayData:
        t = self.tracker
        progress = t.progress()
        focus, suggestion = t.suggestion()
        up = t.next_up()
        states = t.states()
        failing = [
            (e.id, R.STATUS_LABELS.get(states[e.id], states[e.id]), e.title)
            for e in t.curriculum.exercises()
            if states[e.id] not in (R.PASSED, "not_started", "coming_soon", R.NEEDS_GPU)
        ]
        return TodayData(progress, focus, suggestion, failing, t.config.daily_goal, up.path if up else "",
                         t.course_lines(progress), t.curriculum.words.rank)

    def show(self, data: TodayData) -> None:
        p = data.progress
        self.suggestion = data.suggestion
        day = f"Day {p.day_number}" if p.first_day else "Day 1: welcome aboard"
        self.query_one("#headline", Static).update(f"[b]{day}[/b] · {p.today:%A %d %B %Y}")
        course = [("🔒 " if line.startswith("locked") else "") + line.replace("[", r"\[") for line in data.course]
        self.query_one("#course", Static).update("\n".join(course))
        self.query_one("#course", Static).display = bool(course)
        s = p.streak
        if s.on_vacation:
            state = "[cyan]on vacation: the streak is paused[/]"
        elif s.today_counted:
            state = "[green]safe today[/]"
        elif s.at_risk:
            state = f"[yellow]at risk: earn {data.goal - p.today_xp} more XP today[/]"
        else:
            state = "start one today"
        self.query_one("#streak", Static).update(
            f"🔥 Streak [b]{s.current}[/b] day{'s' if s.current != 1 else ''} ({state}) · ❄ {s.freezes} · "
            f"{s.active_share:.0%} of days active · habit {s.habit:.0%}"
        )
        level = p.level
        self.query_one("#level", Bar).show(
            f"{data.rank} {level.number}", level.fraction,
            f"{level.xp} XP · {level.to_next} to {data.rank.lower()} {level.number + 1}"
        )
        self.query_one("#goal", Bar).show("Today", min(1.0, p.today_xp / max(data.goal, 1)), f"{p.today_xp} / {data.goal} XP")
        text = f"[b]Focus:[/b] {data.focus.name}. {data.focus.why}"
        if data.suggestion:
            what = data.suggestion.text.replace("**", "").replace("[", r"\[")
            text += f"\n[b]Next:[/b] {data.suggestion.id} · {what}  [dim](enter)[/dim]"
            if data.path:
                text += f"\n      [dim]{data.path}[/dim]"
        self.query_one("#focus", Static).update(text)
        reviews = "\n".join(f"  ✗ {i} {label}: {title[:60]}" for i, label, title in data.failing[:5])
        self.query_one("#reviews", Static).update(f"[b]To look at again[/b]\n{reviews}" if reviews else "")
        recent = p.achievements[-3:]
        self.query_one("#achievements", Static).update(
            "[b]Recent achievements:[/b] " + " · ".join(f"🏆 {e.achievement.title} ({e.achievement.rarity})" for e in recent)
            if recent else "[dim]No achievements yet: pass an exercise to earn First Light.[/dim]"
        )
        self.query_one(Heatmap).show(p.daily_xp, p.today, data.goal)

    def action_reload(self) -> None:
        self.reload()

    def action_open_next(self) -> None:
        suggestion = getattr(self, "suggestion", None)
        if suggestion is None:
            return
        if suggestion.kind == "exercise":
            from tracker.tui.screens.exercise import ExerciseScreen

            self.app.push_screen(ExerciseScreen(suggestion.id))
        elif suggestion.kind == "log":
            self.app.switch_mode("log")
        else:
            from tracker.tui.screens.module import ModuleScreen

            self.app.push_screen(ModuleScreen(".".join(suggestion.id.split(".")[:2]), focus=suggestion.id))
