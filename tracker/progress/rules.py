"""The rules of the game: XP, levels, streaks and achievements as pure functions of the recorded history.

``evaluate(curriculum, events, settings, today)`` folds the journal's events in order and returns where the
learner stands; undoing something (an untick, a later failing attempt) takes back exactly what it gave,
because everything follows from the events. The fold can stop and resume: ``fold`` returns a ``Folded``
(the running state after a prefix of the history, which ``to_json`` and ``from_json`` carry), ``fold``
again continues it with later events, and ``finish`` turns it into the ``Progress`` of a given day. The
store keeps one such state so that the history is not replayed at every look (``tracker.progress.kept``).

Published rules (also shown in the app):
- An exercise's XP is earned while it is passed: its first pass gives it, a later failing attempt takes it
  back, passing again gives it again; passing twice in a row gives nothing more.
- Checklist items, capstone steps and complete captain's-log entries (one per day, all four parts
  written) earn smaller amounts; completing a module adds a bonus. Amounts live in curriculum.yaml.
- Hints cost nothing: they are recorded and shown, and only the "Unaided" achievement asks you to do
  without them. Learning from a hint is still learning.
- Level L starts at ``LEVEL_FACTOR × (L − 1) ** LEVEL_EXPONENT`` XP, sized so the whole course ends near
  level 30.
- A day is the learner's local day (the time zone recorded with each event) and rolls over at 04:00.
  A day counts when it earns at least the daily goal. Today, unmet, is "at risk", not broken. One streak
  freeze is earned per 7 counted days, at most 2 banked; a missed day uses one automatically and pauses
  the streak (it does not extend it). Vacation days pause it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from tracker.curriculum.model import Curriculum, Module
from tracker.grading import results as R
from tracker.progress import state as S
from tracker.store.journal import Event

LEVEL_FACTOR = 60
LEVEL_EXPONENT = 1.5
ROLLOVER_HOUR = 4
FREEZE_EVERY = 7
FREEZE_MAX = 2
HABIT_HALF_LIFE = 7.0  # days


@dataclass(frozen=True)
class Settings:
    daily_goal: int = 30
    timezone: str = "UTC"


# --- levels ---------------------------------------------------------------------------------------


def level_floor(level: int) -> int:
    """XP at which ``level`` starts (level 1 starts at 0)."""
    return round(LEVEL_FACTOR * (level - 1) ** LEVEL_EXPONENT)


@dataclass(frozen=True)
class Level:
    number: int
    xp: int
    floor: int
    ceiling: int  # XP at which the next level starts

    @property
    def to_next(self) -> int:
        return self.ceiling - self.xp

    @property
    def fraction(self) -> float:
        return (self.xp - self.floor) / (self.ceiling - self.floor)


def level_for(xp: int) -> Level:
    number = 1 + int((max(xp, 0) / LEVEL_FACTOR) ** (1 / LEVEL_EXPONENT))
    while level_floor(number + 1) <= xp:
        number += 1
    while number > 1 and level_floor(number) > xp:
        number -= 1
    return Level(number, xp, level_floor(number), level_floor(number + 1))


# --- days -----------------------------------------------------------------------------------------


def local_day(moment: datetime, tz: str) -> date:
    """The learner's day: local time in ``tz``, rolling over at 04:00."""
    try:
        zone = ZoneInfo(tz)
    except Exception:  # noqa: BLE001 - an unknown zone in an old event falls back to UTC
        zone = ZoneInfo("UTC")
    return (moment.astimezone(zone) - timedelta(hours=ROLLOVER_HOUR)).date()


def event_day(event: Event) -> date:
    return local_day(event.when, event.tz)


# --- achievements ---------------------------------------------------------------------------------

RARITIES = ("common", "uncommon", "rare", "epic", "legendary")


@dataclass(frozen=True)
class Achievement:
    id: str
    title: str
    rarity: str
    how: str  # how to earn it, in the learner's words


ACHIEVEMENTS: tuple[Achievement, ...] = (
    Achievement("first-pass", "First Light", "common", "Pass your first exercise."),
    Achievement("backprop-by-hand", "Backprop by Hand", "uncommon", "Pass 0.2.1: forward and backward by hand on XOR."),
    Achievement("autograd", "Autograd from Scratch", "uncommon", "Pass 0.7.1: your own micrograd engine."),
    Achievement("attention", "Attention Is All You Need", "uncommon", "Pass every knowledge check of module 0.5."),
    Achievement("quantizer", "Int8 Whisperer", "uncommon", "Complete module 1.1, quantization theory."),
    Achievement("first-module", "Module Complete", "uncommon", "Complete a module: every check passed, every concept ticked."),
    Achievement("unaided", "Unaided", "rare", "Complete a module without revealing any hint for its exercises."),
    Achievement("builder", "Builder", "rare", "Finish every step of a capstone project."),
    Achievement("category-cleared", "Category Cleared", "epic", "Complete every module of a category."),
    Achievement("halfway", "Halfway There", "rare", "Pass half of the course's knowledge checks."),
    Achievement("graduate", "Graduate", "legendary", "Pass every knowledge check of the course."),
    Achievement("on-the-metal", "On the Metal", "uncommon", "Pass an exercise graded on a CUDA GPU."),
    Achievement("reader", "Reader", "common", "Read your first paper of the Pantheon."),
    Achievement("pantheon", "The Pantheon", "rare", "Read all six papers of the Pantheon."),
    Achievement("log-7", "Keeper of the Log", "common", "Write 7 captain's log entries."),
    Achievement("log-30", "Chronicler", "uncommon", "Write 30 captain's log entries."),
    Achievement("log-100", "Historian", "epic", "Write 100 captain's log entries."),
    Achievement("week-one", "Week One", "common", "Reach a 7-day streak."),
    Achievement("chain-21", "Habit Formed", "rare", "Reach a 21-day streak."),
    Achievement("comeback", "Comeback", "uncommon", "Meet your daily goal after 7 or more days away."),
)
ACHIEVEMENT_BY_ID = {a.id: a for a in ACHIEVEMENTS}


@dataclass(frozen=True)
class Earned:
    achievement: Achievement
    ts: str  # when it was (last) earned


# --- the fold -------------------------------------------------------------------------------------


class XPChange(NamedTuple):  # a tuple: a long ledger is read back from a checkpoint quickly
    ts: str
    day: date
    delta: int
    reason: str


@dataclass
class Streak:
    current: int = 0
    longest: int = 0
    freezes: int = 0
    today_counted: bool = False
    at_risk: bool = False
    on_vacation: bool = False
    active_share: float = 0.0  # counted days / days since the first
    habit: float = 0.0  # 0..1, exponentially weighted share of recent counted days
    frozen_days: list[date] = field(default_factory=list)


@dataclass
class Progress:
    xp: int
    level: Level
    ledger: list[XPChange]
    daily_xp: dict[date, int]
    passed: dict[str, tuple[str, str]]  # exercise id -> (ts, device) of the pass that stands
    by_hand: set[str]  # coming-soon exercises ticked by hand
    ticked: set[str]
    complete_modules: set[str]
    complete_capstones: set[str]
    hints: dict[str, int]
    logs: dict[str, dict]  # date -> the latest log entry of that day
    achievements: list[Earned]
    streak: Streak
    first_day: date | None
    last_day: date | None
    today: date

    @property
    def day_number(self) -> int:
        """Day N of the journey (Day 1 is the day of the first event)."""
        return (self.today - self.first_day).days + 1 if self.first_day else 0

    @property
    def today_xp(self) -> int:
        return self.daily_xp.get(self.today, 0)


class _Fold:
    """Running state while events are replayed in order."""

    def __init__(self, curriculum: Curriculum):
        self.c = curriculum
        self.passed: dict[str, tuple[str, str]] = {}
        self.by_hand: set[str] = set()
        self.ticked: set[str] = set()
        self.hints: dict[str, int] = {}
        self.hints_seen = 0
        self.logs: dict[str, dict] = {}
        self.complete_logs = 0
        self.complete_modules: set[str] = set()
        self.complete_capstones: set[str] = set()
        self.ledger: list[XPChange] = []
        self.module_of_item = {i.id: m for m in curriculum.modules() for i in m.items()}
        self.papers = {p.id for p in curriculum.papers}
        self.required = [e.id for e in curriculum.exercises() if S.required(e)]
        self.required_set = set(self.required)
        self.gpu_pass = False
        # Each module's tickable leaves (items, capstone steps), walked once rather than at every event.
        self.leaves = {m.id: (S.leaf_items(m, capstone=False), S.leaf_items(m, capstone=True)) for m in curriculum.modules()}
        # What the achievements look at, gathered once (``flags`` runs after every event that changes something).
        self.module_exercises = {m.id: [e.id for e in m.exercises] for m in curriculum.modules()}
        self.categories = [[m.id for m in cat.modules] for cat in curriculum.categories]
        self.attention = set(self.module_exercises.get("0.5", ())) if curriculum.has_module("0.5") else None
        # Each graded exercise's XP and module (None for a paper quiz), looked up at every attempt.
        self.graded = {e.id: (curriculum.xp_for_exercise(e),
                              curriculum.module(e.module_id) if curriculum.has_module(e.module_id) else None)
                       for e in curriculum.gradables()}
        self.cuda_passed: set[str] = set()  # passes that stand and were graded on a CUDA GPU

    def give(self, ev: Event, delta: int, reason: str) -> None:
        if delta:
            self.ledger.append(XPChange(ev.ts, event_day(ev), delta, reason))

    def module_done(self, module: Module) -> bool:
        exercises_ok = all(e.id in self.passed or e.id in self.by_hand for e in module.exercises if S.required(e))
        items_ok = all(i in self.ticked for i in self.leaves[module.id][0])
        return exercises_ok and items_ok and bool(module.exercises or module.checklists)

    def refresh_module(self, ev: Event, module: Module) -> None:
        done = self.module_done(module)
        if done and module.id not in self.complete_modules:
            self.complete_modules.add(module.id)
            self.give(ev, self.c.xp.module_bonus, f"module {module.id} complete")
        elif not done and module.id in self.complete_modules:
            self.complete_modules.discard(module.id)
            self.give(ev, -self.c.xp.module_bonus, f"module {module.id} no longer complete")
        steps = self.leaves[module.id][1]
        if steps and all(s in self.ticked for s in steps):
            self.complete_capstones.add(module.id)
        else:
            self.complete_capstones.discard(module.id)

    def apply(self, ev: Event) -> bool:
        """Replay one event; return whether it changed anything the achievements look at."""
        before = len(self.ledger), self.hints_seen
        self._apply(ev)
        return (len(self.ledger), self.hints_seen) != before

    def _apply(self, ev: Event) -> None:
        d = ev.data
        if ev.type == "attempt":
            ex_id = d.get("exercise", "")
            graded = self.graded.get(ex_id)
            if graded is None:
                return
            if d.get("grader_modified") or d.get("status") in (R.NEEDS_GPU, "cancelled"):
                return
            xp, module = graded
            was = ex_id in self.passed
            now = d.get("status") == R.PASSED
            if now and not was:
                self.passed[ex_id] = (ev.ts, d.get("device", ""))
                self.give(ev, xp, f"passed {ex_id}")
                if d.get("device") == "cuda":
                    self.gpu_pass = True
                    self.cuda_passed.add(ex_id)
            elif was and not now:
                del self.passed[ex_id]
                self.cuda_passed.discard(ex_id)
                self.give(ev, -xp, f"{ex_id} fails again")
            if module is not None:  # paper quizzes belong to no module
                self.refresh_module(ev, module)
        elif ev.type in ("tick", "untick"):
            ident = d.get("item", "")
            on = ev.type == "tick"
            if ident not in self.papers and self.c.has_exercise(ident) and not self.c.exercise(ident).gradable:
                # A coming-soon exercise done on one's own, ticked by hand.
                changed = (ident in self.by_hand) != on
                (self.by_hand.add if on else self.by_hand.discard)(ident)
                exercise = self.c.exercise(ident)
                if changed:
                    xp = self.c.xp_for_exercise(exercise)
                    self.give(ev, xp if on else -xp, f"{'ticked' if on else 'unticked'} {ident} by hand")
                self.refresh_module(ev, self.c.module(exercise.module_id))
                return
            if not self.c.has_item(ident):
                return
            if (ident in self.ticked) == on:
                return
            (self.ticked.add if on else self.ticked.discard)(ident)
            item = self.c.item(ident)
            xp = self.c.xp_for_item(item) if ident not in self.papers else self.c.xp.checklist_item
            self.give(ev, xp if on else -xp, f"{'ticked' if on else 'unticked'} {ident}")
            if ident in self.module_of_item:
                self.refresh_module(ev, self.module_of_item[ident])
        elif ev.type == "hint":
            ex_id = d.get("exercise", "")
            self.hints[ex_id] = self.hints.get(ex_id, 0) + 1
            self.hints_seen += 1
        elif ev.type == "log":
            day = d.get("date", "")
            before = _complete_log(self.logs.get(day))
            self.logs[day] = d
            after = _complete_log(d)
            if after != before:
                self.complete_logs += 1 if after else -1
                self.give(ev, self.c.xp.log_entry if after else -self.c.xp.log_entry, f"log entry {day}")

    def flags(self) -> dict[str, bool]:
        """Which achievements the state satisfies now (streak ones are judged after the fold)."""
        passed = self.passed
        unaided = any(
            all(self.hints.get(e, 0) == 0 for e in self.module_exercises[m]) for m in self.complete_modules
        )
        papers_read = sum(p in self.ticked or p in passed for p in self.papers)
        required_passed = len(self.required_set & passed.keys())
        logs = self.complete_logs
        return {
            "first-pass": bool(passed),
            "backprop-by-hand": "0.2.1" in passed,
            "autograd": "0.7.1" in passed,
            "attention": self.attention is not None and all(e in passed for e in self.attention),
            "quantizer": "1.1" in self.complete_modules,
            "first-module": bool(self.complete_modules),
            "unaided": unaided,
            "builder": bool(self.complete_capstones),
            "category-cleared": any(all(m in self.complete_modules for m in mods) for mods in self.categories),
            "halfway": required_passed * 2 >= len(self.required) > 0,
            "graduate": bool(self.required) and required_passed == len(self.required_set),
            "on-the-metal": bool(self.cuda_passed),
            "reader": papers_read >= 1,
            "pantheon": papers_read == len(self.papers) > 0,
            "log-7": logs >= 7,
            "log-30": logs >= 30,
            "log-100": logs >= 100,
        }


def _complete_log(entry: dict | None) -> bool:
    return bool(entry) and all(str(entry.get(k, "")).strip() for k in ("progress", "insight", "challenge", "next_steps"))


@dataclass
class Folded:
    """The fold after a prefix of the history, in (ts, id) order: what ``finish`` needs besides the day."""

    fold: _Fold
    since: dict[str, str | None]  # achievement id -> since when it holds (None: it does not)
    vacations: list[tuple[date, bool]]
    first_day: date | None = None  # of the events other than settings
    last_day: date | None = None
    last: tuple[str, str, str] | None = None  # (ts, id, tz) of the last event folded

    def copy(self) -> Folded:
        """An independent copy, to fold further without changing this one."""
        f, g = self.fold, _Fold.__new__(_Fold)
        g.__dict__.update(f.__dict__)
        for name in _FOLD_STATE:
            value = getattr(f, name)
            setattr(g, name, value.copy() if hasattr(value, "copy") else value)
        return Folded(g, dict(self.since), list(self.vacations), self.first_day, self.last_day, self.last)

    def to_json(self) -> str:
        f = self.fold
        return json.dumps({
            "passed": f.passed, "by_hand": sorted(f.by_hand), "ticked": sorted(f.ticked), "hints": f.hints,
            "hints_seen": f.hints_seen, "logs": f.logs, "complete_logs": f.complete_logs,
            "complete_modules": sorted(f.complete_modules), "complete_capstones": sorted(f.complete_capstones),
            "gpu_pass": f.gpu_pass, "ledger": [(c.ts, c.day.isoformat(), c.delta, c.reason) for c in f.ledger],
            "since": self.since, "vacations": [(d.isoformat(), v) for d, v in self.vacations],
            "first_day": self.first_day and self.first_day.isoformat(),
            "last_day": self.last_day and self.last_day.isoformat(), "last": self.last,
        }, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, curriculum: Curriculum, text: str) -> Folded:
        """The state ``to_json`` wrote, for the same curriculum (the caller keys it by the curriculum)."""
        d = json.loads(text)
        f = _Fold(curriculum)
        f.passed = {k: tuple(v) for k, v in d["passed"].items()}
        f.by_hand, f.ticked = set(d["by_hand"]), set(d["ticked"])
        f.hints, f.hints_seen, f.logs, f.complete_logs = d["hints"], d["hints_seen"], d["logs"], d["complete_logs"]
        f.complete_modules, f.complete_capstones = set(d["complete_modules"]), set(d["complete_capstones"])
        f.gpu_pass = d["gpu_pass"]
        f.cuda_passed = {k for k, (_ts, device) in f.passed.items() if device == "cuda"}
        days: dict[str, date] = {}
        for change in d["ledger"]:
            day = change[1]
            change[1] = days.get(day) or days.setdefault(day, date.fromisoformat(day))
        f.ledger = list(map(XPChange._make, d["ledger"]))
        since = {a.id: None for a in ACHIEVEMENTS}
        since.update((k, v) for k, v in d["since"].items() if k in since)
        first, last_day = (date.fromisoformat(d[k]) if d[k] else None for k in ("first_day", "last_day"))
        return cls(f, since, [(date.fromisoformat(t), v) for t, v in d["vacations"]], first, last_day,
                   tuple(d["last"]) if d["last"] else None)


# The parts of _Fold that change while folding (the rest is read from the curriculum once).
_FOLD_STATE = ("passed", "by_hand", "ticked", "hints", "hints_seen", "logs", "complete_logs", "complete_modules",
               "complete_capstones", "ledger", "gpu_pass", "cuda_passed")


def fold(curriculum: Curriculum, events: list[Event], start: Folded | None = None) -> Folded:
    """Replay events in order, from the beginning or on from ``start`` (which is left as it was). Events at
    or before the point ``start`` reached are not folded again."""
    state = start.copy() if start is not None else Folded(_Fold(curriculum), {a.id: None for a in ACHIEVEMENTS}, [])
    f, since = state.fold, state.since
    after = state.last[:2] if state.last else None
    for ev in sorted(events, key=lambda e: (e.ts, e.id)):
        if after is not None and (ev.ts, ev.id) <= after:
            continue
        state.last = (ev.ts, ev.id, ev.tz)
        if ev.type == "settings":
            if "vacation" in ev.data:
                state.vacations.append((event_day(ev), bool(ev.data["vacation"])))
            continue
        day = event_day(ev)
        if state.first_day is None or day < state.first_day:
            state.first_day = day
        if state.last_day is None or day > state.last_day:
            state.last_day = day
        if not f.apply(ev):
            continue  # nothing changed: the achievements stand as they were
        for key, value in f.flags().items():
            if value and since[key] is None:
                since[key] = ev.ts
            elif not value:
                since[key] = None
    return state


def finish(curriculum: Curriculum, state: Folded, settings: Settings, now: datetime) -> Progress:
    """Where the learner stands at ``now``, from the folded history (``state`` is left as it was)."""
    f = state.fold
    since = dict(state.since)
    today = local_day(now, settings.timezone)
    daily: dict[date, int] = {}
    for change in f.ledger:
        daily[change.day] = daily.get(change.day, 0) + change.delta
    streak, streak_flags = _streak(daily, state.first_day, today, settings.daily_goal, state.vacations)
    for key, ts in streak_flags.items():
        since[key] = ts
    xp = sum(daily.values())
    earned = [Earned(ACHIEVEMENT_BY_ID[k], ts) for k, ts in since.items() if ts is not None]
    earned.sort(key=lambda e: (e.ts, RARITIES.index(e.achievement.rarity)))
    return Progress(
        xp=xp,
        level=level_for(xp),
        ledger=list(f.ledger),
        daily_xp=daily,
        passed=dict(f.passed),
        by_hand=set(f.by_hand),
        ticked=set(f.ticked),
        complete_modules=set(f.complete_modules),
        complete_capstones=set(f.complete_capstones),
        hints=dict(f.hints),
        logs=dict(f.logs),
        achievements=earned,
        streak=streak,
        first_day=state.first_day,
        last_day=state.last_day,
        today=today,
    )


def evaluate(curriculum: Curriculum, events: list[Event], settings: Settings, now: datetime) -> Progress:
    """Replay the history and return where the learner stands at ``now``."""
    return finish(curriculum, fold(curriculum, events), settings, now)


def toward(curriculum: Curriculum, progress: Progress) -> dict[str, tuple[int, int]]:
    """How far the learner is toward each achievement that counts something, as (have, need): "Week One
    3/7". Achievements that are one deed (pass 0.2.1, a pass on CUDA) have no count and are left out."""
    c = curriculum
    passed = set(progress.passed)
    required = [e.id for e in c.exercises() if S.required(e)]
    out: dict[str, tuple[int, int]] = {}
    if c.has_module("0.5"):
        checks = [e.id for e in c.module("0.5").exercises]
        out["attention"] = (len(passed & set(checks)), len(checks))
    if c.has_module("1.1"):
        module = c.module("1.1")
        parts = [e.id for e in module.exercises if S.required(e)] + S.leaf_items(module, capstone=False)
        done = passed | progress.by_hand | progress.ticked
        out["quantizer"] = (sum(p in done for p in parts), len(parts))
    capstones = [S.leaf_items(m, capstone=True) for m in c.modules() if m.capstone]
    if capstones:
        steps = max(capstones, key=lambda s: (sum(x in progress.ticked for x in s) / len(s), -len(s)))
        out["builder"] = (sum(x in progress.ticked for x in steps), len(steps))
    best = max(c.categories, key=lambda cat: sum(m.id in progress.complete_modules for m in cat.modules) / len(cat.modules))
    out["category-cleared"] = (sum(m.id in progress.complete_modules for m in best.modules), len(best.modules))
    if required:
        have = len(passed & set(required))
        out["halfway"] = (have, (len(required) + 1) // 2)
        out["graduate"] = (have, len(required))
    papers = [p.id for p in c.papers]
    if papers:
        out["pantheon"] = (sum(p in progress.ticked or p in progress.passed for p in papers), len(papers))
    logs = sum(_complete_log(entry) for entry in progress.logs.values())
    out.update({"log-7": (logs, 7), "log-30": (logs, 30), "log-100": (logs, 100)})
    out.update({"week-one": (progress.streak.current, 7), "chain-21": (progress.streak.current, 21)})
    return {k: (min(have, need), need) for k, (have, need) in out.items()}


def _on_vacation(day: date, vacations: list[tuple[date, bool]]) -> bool:
    state = False
    for start, value in vacations:
        if start <= day:
            state = value
    return state


def _streak(
    daily: dict[date, int], first: date | None, today: date, goal: int, vacations: list[tuple[date, bool]]
) -> tuple[Streak, dict[str, str]]:
    streak = Streak()
    flags: dict[str, str] = {}
    if first is None:
        streak.on_vacation = _on_vacation(today, vacations)
        return streak, flags
    counted_total = 0
    days_seen = 0
    habit = 0.0
    decay = 0.5 ** (1 / HABIT_HALF_LIFE)
    last_counted: date | None = None
    day = first
    while day <= today:
        counted = daily.get(day, 0) >= max(goal, 1)
        vacation = _on_vacation(day, vacations)
        if counted:
            if last_counted is not None and (day - last_counted).days > 7 and "comeback" not in flags:
                flags["comeback"] = f"{day.isoformat()}T12:00:00.000000Z"
            last_counted = day
            streak.current += 1
            counted_total += 1
            days_seen += 1
            habit = habit * decay + (1 - decay)
            if counted_total % FREEZE_EVERY == 0:
                streak.freezes = min(FREEZE_MAX, streak.freezes + 1)
            streak.longest = max(streak.longest, streak.current)
            for length, key in ((7, "week-one"), (21, "chain-21")):
                if streak.current >= length and key not in flags:
                    flags[key] = f"{day.isoformat()}T12:00:00.000000Z"
        elif day == today:
            streak.at_risk = streak.current > 0 and not vacation
        elif vacation:
            pass  # paused
        elif streak.freezes > 0:
            streak.freezes -= 1
            streak.frozen_days.append(day)
        else:
            streak.current = 0
            days_seen += 1
            habit = habit * decay
        day += timedelta(days=1)
    streak.today_counted = daily.get(today, 0) >= max(goal, 1)
    streak.on_vacation = _on_vacation(today, vacations)
    total_days = (today - first).days + (1 if streak.today_counted else 0)
    streak.active_share = counted_total / total_days if total_days > 0 else (1.0 if counted_total else 0.0)
    streak.habit = habit
    return streak, flags


def curve_text() -> str:
    return f"level L starts at {LEVEL_FACTOR} × (L − 1)^{LEVEL_EXPONENT:g} XP"

