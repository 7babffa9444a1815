"""Pacing: where the learner is against a course's planned days, without blame.

A course plans days per category (``days:``) or per module (the category's plan is then the sum). The plan
is a yardstick: Day N counts calendar days from the first day of work, the position is how many planned
days the work done is worth, and the difference is "ahead" or "behind". A missed day resets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.curriculum.model import Category, Curriculum, Module


@dataclass(frozen=True)
class Pace:
    day: int  # today's day of the journey (1 on the first day)
    total: int  # planned days of the whole course
    part: str  # "Month 1: Foundations": the part the learner is working in
    planned_part: str  # the part the plan expects today
    ahead: int  # planned days of work done minus days elapsed; negative: behind

    def line(self) -> str:
        head = f"Day {min(self.day, 10**6)} of {self.total} · {self.part}"
        if self.ahead > 0:
            return f"{head} · {self.ahead} day{'s' if self.ahead != 1 else ''} ahead of plan"
        if self.ahead < 0:
            behind = -self.ahead
            where = f"the plan says {self.planned_part}; " if self.planned_part != self.part else ""
            return f"{head} · {behind} day{'s' if behind != 1 else ''} behind plan ({where}it waits for you, nothing is lost)"
        return f"{head} · on plan"


def category_days(category: Category) -> int:
    if category.days:
        return category.days
    return sum(m.days or 0 for m in category.modules)


def _units(module: Module, progress) -> tuple[int, int]:
    """(done, total) of a module's gradable exercises, hand-ticked exercises and leaf items."""
    done = total = 0
    for exercise in module.exercises:
        total += 1
        done += exercise.id in progress.passed or exercise.id in progress.by_hand
    for item in module.items():
        if not item.items:
            total += 1
            done += item.id in progress.ticked
    return done, total


def course_start(events) -> date | None:
    """The day the learner first chose the course they follow now (`tracker course use`), or None when they
    never chose one: the journey's first day is then the course's."""
    from tracker.progress.rules import event_day

    chosen = [ev for ev in events if ev.type == "settings" and "course" in ev.data]
    if not chosen:
        return None
    name = chosen[-1].data["course"]
    return event_day(next(ev for ev in chosen if ev.data["course"] == name))


def pace(curriculum: Curriculum, progress, start: date | None = None) -> Pace | None:
    """The course's pace today, or None when the course plans no days. Day 1 is ``start`` when given (the
    day the course was chosen), else the journey's first day."""
    plan = [(c, category_days(c)) for c in curriculum.categories]
    total = sum(days for _, days in plan)
    if total <= 0:
        return None
    word = curriculum.words.category
    day = max((progress.today - start).days + 1 if start and progress.first_day else progress.day_number, 1)
    worth = 0.0
    current = None
    for category, days in plan:
        # A module with its own plan is worth its days; the others share what the category has left.
        planned = sum(m.days or 0 for m in category.modules)
        unplanned = [m for m in category.modules if not m.days]
        rest = max(days - planned, 0) / len(unplanned) if unplanned else 0.0
        finished = True
        for module in category.modules:
            d, t = _units(module, progress)
            share = d / t if t else 1.0
            worth += share * (module.days or rest)
            finished &= share >= 1.0
        if current is None and not finished:
            current = category
    current = current or plan[-1][0]
    elapsed, planned = 0, plan[-1][0]
    for category, days in plan:
        elapsed += days
        if day <= elapsed:
            planned = category
            break
    return Pace(day, total, f"{word} {current.id}: {current.title}", f"{word} {planned.id}: {planned.title}",
                round(worth - (day - 1)))
