"""What the site says, as plain data: read from the curriculum and the history alone, as of the last
recorded day (never the clock), so the same history always gives the same pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.curriculum.model import Curriculum, Exercise, Item, Module
from tracker.grading import results as R
from tracker.progress import rules
from tracker.progress import state as S
from tracker.store.journal import Event

DEVICES = {"cuda": "CUDA", "mps": "MPS", "cpu": "CPU", "": "CPU"}


def plain(text: str) -> str:
    """Markdown emphasis and code marks removed, for titles and the search index."""
    return re.sub(r"[*`_]{1,2}(\S(?:.*?\S)?)[*`_]{1,2}", r"\1", text).replace("`", "")


@dataclass(frozen=True)
class Pass:
    day: date
    device: str  # "CUDA", "MPS", "CPU"
    device_name: str
    learner_hash: str  # sha256 of the learner's file when it passed

    @property
    def where(self) -> str:
        """"CUDA (NVIDIA GeForce RTX 4090)", "CPU (x86_64, 2 cores)" or just "CPU"."""
        if not self.device_name:
            return self.device
        return self.device_name if self.device_name.startswith(self.device) else f"{self.device} ({self.device_name})"


@dataclass(frozen=True)
class Done:
    """One line of a day's record: what, in words, with its id."""

    kind: str  # passed, regressed, ticked, unticked, by-hand, module, paper
    id: str
    title: str  # markdown
    href: str  # relative to the site's root
    xp: int
    device: str = ""


@dataclass
class Day:
    day: date
    number: int
    xp: int
    attempts: int
    done: list[Done]
    log: dict | None  # the day's captain's log entry, as recorded
    changes: list = field(default_factory=list)  # the day's XP changes (rules.XPChange)
    module_title: str = ""  # the title of the log entry's module, for an entry written without a title

    @property
    def slug(self) -> str:
        return self.day.isoformat()

    @property
    def href(self) -> str:
        return f"days/{self.slug}.html"

    @property
    def title(self) -> str:
        if self.log:
            module = self.log.get("module") or ""
            title = self.log.get("title") or self.module_title
            return f"Module {module} - {title}" if module else title or "Log entry"
        return "Study day"

    def count(self, kind: str) -> int:
        return sum(d.kind == kind for d in self.done)

    @property
    def summary(self) -> str:
        """What counted that day, in a few words: "1 passed · 3 ticked · 1 paper read"."""
        parts = []
        for kind, one, many in (("passed", "passed", "passed"), ("by-hand", "done by hand", "done by hand"),
                                ("ticked", "ticked", "ticked"), ("paper", "paper read", "papers read"),
                                ("module", "module completed", "modules completed"),
                                ("regressed", "failing again", "failing again")):
            n = self.count(kind)
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        if not parts:
            parts.append(f"{self.attempts} grading run{'s' if self.attempts != 1 else ''}" if self.attempts
                         else "log entry" if self.log else "studied")
        return " · ".join(parts)


@dataclass
class Pacing:
    """Where a paced course expects the learner to be. Only courses with a plan have one (see ``pacing``)."""

    headline: str  # "Day 12 of 180: 3 checks ahead of plan"
    rows: list[tuple[str, int, int]] = field(default_factory=list)  # (label, planned, done)


def pacing(c: Curriculum, progress: rules.Progress) -> Pacing | None:
    """The course's pacing, if it has one. A course model that carries a plan answers through a
    ``pacing_for(progress)`` method returning a Pacing-shaped object; the course in use today has none."""
    provider = getattr(c, "pacing_for", None)
    return provider(progress) if callable(provider) else None


@dataclass
class Site:
    c: Curriculum
    progress: rules.Progress
    states: dict[str, str]
    passes: dict[str, Pass]
    ticked_on: dict[str, date]  # item or paper id -> the day its standing tick was made
    days: list[Day]  # oldest first
    pacing: Pacing | None
    day_set: set[date] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.day_set = {d.day for d in self.days}

    @property
    def ticked(self) -> set[str]:
        return self.progress.ticked | self.progress.by_hand

    def is_ticked(self, item: Item) -> bool:
        return S.is_ticked(item.id, self.c, self.progress.ticked)

    def module_progress(self, module: Module) -> S.ModuleProgress:
        return S.module_progress(module, self.states, self.ticked)

    def day_href(self, day: date | None) -> str:
        if day is None:
            return ""
        return f"days/{day.isoformat()}.html" if day in self.day_set else ""

    def papers_read(self) -> int:
        return sum(self.paper_read(p.id) for p in self.c.papers)

    def paper_read(self, paper_id: str) -> bool:
        return paper_id in self.progress.ticked or paper_id in self.progress.passed


def module_href(module_id: str) -> str:
    return f"modules/{module_id}.html"


def href_of(c: Curriculum, ident: str) -> str:
    """The page (and anchor) where an exercise, item or paper is shown."""
    if ident.startswith("paper."):
        return f"papers.html#{ident}"
    module = ".".join(ident.split(".")[:2])
    return f"{module_href(module)}#{ident}" if c.has_module(module) else "topics.html"


def title_of(c: Curriculum, ident: str) -> str:
    if c.has_exercise(ident):
        exercise = c.exercise(ident)
        return exercise.title if not exercise.is_paper_quiz else f"Quiz: {_paper_title(c, ident)}"
    if c.has_item(ident):
        return c.item(ident).text
    if c.has_module(ident):
        return c.module(ident).title
    return ident


def _paper_title(c: Curriculum, paper_id: str) -> str:
    return next((p.title for p in c.papers if p.id == paper_id), paper_id)


_REASONS = (
    (re.compile(r"^passed (?P<id>\S+)$"), "passed"),
    (re.compile(r"^(?P<id>\S+) fails again$"), "regressed"),
    (re.compile(r"^ticked (?P<id>\S+) by hand$"), "by-hand"),
    (re.compile(r"^unticked (?P<id>\S+) by hand$"), "unticked"),
    (re.compile(r"^ticked (?P<id>\S+)$"), "ticked"),
    (re.compile(r"^unticked (?P<id>\S+)$"), "unticked"),
    (re.compile(r"^module (?P<id>\S+) complete$"), "module"),
    (re.compile(r"^module (?P<id>\S+) no longer complete$"), "module-undone"),
)


def _classify(reason: str) -> tuple[str, str] | None:
    for pattern, kind in _REASONS:
        m = pattern.match(reason)
        if m:
            return kind, m["id"]
    return None  # a log entry's XP: the entry itself is shown


def gather(c: Curriculum, events: list[Event], settings: rules.Settings) -> Site:
    from tracker.publish.site import as_of, states_from_events

    events = sorted(events, key=lambda e: (e.ts, e.id))
    progress = rules.evaluate(c, events, settings, as_of(events))
    states = states_from_events(c, events)
    by_pass = {(e.data.get("exercise"), e.ts): e.data for e in events if e.type == "attempt"}

    passes: dict[str, Pass] = {}
    ticked_on: dict[str, date] = {}
    for change in progress.ledger:
        found = _classify(change.reason)
        if not found:
            continue
        kind, ident = found
        if kind == "passed":
            ticked_on[ident] = change.day
        elif kind in ("ticked", "by-hand"):
            ticked_on[ident] = change.day
    for ident, (ts, device) in progress.passed.items():
        data = by_pass.get((ident, ts), {})
        passes[ident] = Pass(ticked_on.get(ident, progress.today), DEVICES.get(device or "", device.upper()),
                             str(data.get("device_name") or ""), str(data.get("learner_hash") or ""))

    first = progress.first_day
    per_day: dict[date, list[Done]] = {}
    xp: dict[date, int] = {}
    changes: dict[date, list[rules.XPChange]] = {}
    for change in progress.ledger:
        xp[change.day] = xp.get(change.day, 0) + change.delta
        changes.setdefault(change.day, []).append(change)
        found = _classify(change.reason)
        if not found:
            continue
        kind, ident = found
        if kind == "passed" and ident.startswith("paper."):
            kind = "paper"
        if kind == "ticked" and ident.startswith("paper."):
            kind = "paper"
        device = ""
        if kind == "passed":
            data = by_pass.get((ident, change.ts), {})
            device = DEVICES.get(data.get("device") or "", str(data.get("device", "")).upper())
        per_day.setdefault(change.day, []).append(
            Done(kind, ident, title_of(c, ident), href_of(c, ident) if kind not in ("module", "module-undone")
                 else module_href(ident), change.delta, device)
        )
    attempts: dict[date, int] = {}
    active: set[date] = set()
    for ev in events:
        if ev.type in ("settings",):
            continue
        day = rules.event_day(ev)
        active.add(day)
        if ev.type == "attempt":
            attempts[day] = attempts.get(day, 0) + 1
    logs = {date.fromisoformat(d): entry for d, entry in progress.logs.items() if _is_day(d)}
    days = []
    for day in sorted(active | set(logs) | set(per_day)):
        number = (day - first).days + 1 if first else 1
        module = (logs.get(day) or {}).get("module") or ""
        days.append(Day(day, number, xp.get(day, 0), attempts.get(day, 0), per_day.get(day, []), logs.get(day),
                        changes.get(day, []), c.module(module).title if c.has_module(module) else ""))
    return Site(c, progress, states, passes, ticked_on, days, pacing(c, progress))


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- the heatmap, drawn as inline SVG whose colours follow the page's light or dark scheme ------------

WEEKS = 26
CELL, GAP, LEFT, TOP = 11, 3, 28, 20
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    level: int
    day: str
    xp: int
    href: str


def heatmap(site: Site, goal: int) -> dict:
    from tracker.publish.heatmap import level

    progress = site.progress
    end = progress.last_day or date(2000, 1, 1)
    last_sunday = end - timedelta(days=(end.weekday() + 1) % 7)
    first = last_sunday - timedelta(weeks=WEEKS - 1)
    cells, months = [], []
    seen_month = None
    for week in range(WEEKS):
        sunday = first + timedelta(weeks=week)
        if sunday.month != seen_month and (sunday.day <= 7 or week == 0):
            seen_month = sunday.month
            months.append((LEFT + week * (CELL + GAP), MONTHS[sunday.month - 1]))
        for weekday in range(7):
            day = sunday + timedelta(days=weekday)
            if day > end:
                continue
            xp = progress.daily_xp.get(day, 0) if progress.last_day else 0
            cells.append(Cell(LEFT + week * (CELL + GAP), TOP + weekday * (CELL + GAP), level(xp, goal),
                              day.isoformat(), xp, site.day_href(day)))
    width = LEFT + WEEKS * (CELL + GAP) + 4
    height = TOP + 7 * (CELL + GAP) + 4
    return {"cells": cells, "months": months, "width": width, "height": height, "cell": CELL,
            "rows": [(TOP + r * (CELL + GAP) + CELL - 2, n) for r, n in ((1, "Mon"), (3, "Wed"), (5, "Fri"))],
            "active": sum(c.xp > 0 for c in cells), "total": sum(max(c.xp, 0) for c in cells)}


def exercise_state(site: Site, exercise: Exercise) -> str:
    """passed, by-hand, failed, needs-gpu, soon or todo: the mark a check shows."""
    if exercise.id in site.passes:
        return "passed"
    if exercise.id in site.progress.by_hand:
        return "by-hand"
    state = site.states.get(exercise.id, "")
    if not exercise.gradable:
        return "soon"
    if state == R.NEEDS_GPU:
        return "needs-gpu"
    if state in (R.FAILED, R.TIMEOUT, R.CRASHED, R.MEMORY, R.OUTPUT, R.EXITED, R.ERROR):
        return "failed"
    return "todo"
