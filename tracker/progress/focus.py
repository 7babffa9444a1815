"""Today's focus, from the handbook's weekly cadence, and the next thing that fits it.

Monday and Tuesday: theory (concept checklists). Wednesday and Thursday: implementation (exercises).
Friday: benchmark and write-up (capstone steps and the captain's log). Weekend: revision (what failed,
what needed hints, what was passed longest ago).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.curriculum.model import Curriculum
from tracker.grading import results as R
from tracker.progress import state as S
from tracker.progress.rules import Progress


@dataclass(frozen=True)
class Focus:
    name: str
    why: str


CADENCE = {
    0: Focus("Theory", "Mondays and Tuesdays are for concepts: read, derive, tick the checklist."),
    1: Focus("Theory", "Mondays and Tuesdays are for concepts: read, derive, tick the checklist."),
    2: Focus("Implementation", "Wednesdays and Thursdays are for code: solve and grade exercises."),
    3: Focus("Implementation", "Wednesdays and Thursdays are for code: solve and grade exercises."),
    4: Focus("Benchmark & write-up", "Fridays are for measuring and writing: capstone steps and the log."),
    5: Focus("Revision", "Weekends are for revision: fix what fails, redo what needed hints."),
    6: Focus("Revision", "Weekends are for revision: fix what fails, redo what needed hints."),
}


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "exercise", "item", "step" or "log"
    id: str
    text: str


def focus_for(day: date) -> Focus:
    return CADENCE[day.weekday()]


def _current_module(c: Curriculum, progress: Progress, closed: frozenset[str] = frozenset()):
    for module in c.modules():
        if module.id not in progress.complete_modules and module.id not in closed:
            return module
    return None


def _open(c: Curriculum, exercise_id: str, closed: frozenset[str]) -> bool:
    return not closed or not c.has_exercise(exercise_id) or c.exercise(exercise_id).module_id not in closed


def suggest(c: Curriculum, progress: Progress, states: dict[str, str], day: date,
            closed: frozenset[str] = frozenset()) -> Suggestion | None:
    """The next exercise or item that fits the day's focus, falling back to anything not done. Nothing in
    the modules ``closed`` (those a mastery gate keeps locked) is suggested."""
    focus = focus_for(day).name
    failing = [e for e in c.exercises() if states.get(e.id) not in (R.PASSED, S.NOT_STARTED, S.COMING_SOON, R.NEEDS_GPU)
               and e.module_id not in closed]
    module = _current_module(c, progress, closed)

    def next_item(capstone: bool) -> Suggestion | None:
        for m in c.modules():
            if m.id in closed:
                continue
            for leaf in S.leaf_items(m, capstone):
                if leaf not in progress.ticked:
                    return Suggestion("step" if capstone else "item", leaf, c.item(leaf).text)
        return None

    def next_exercise_() -> Suggestion | None:
        return next_exercise(c, progress, states, closed=closed)

    if focus == "Theory" and module is not None:
        for leaf in S.leaf_items(module, capstone=False):
            if leaf not in progress.ticked:
                return Suggestion("item", leaf, c.item(leaf).text)
    if focus == "Implementation":
        found = next_exercise_()
        if found:
            return found
    if focus == "Benchmark & write-up":
        if day.isoformat() not in progress.logs:
            return Suggestion("log", day.isoformat(), "Write today's captain's log entry")
        found = next_item(capstone=True)
        if found:
            return found
    if focus == "Revision":
        if failing:
            return Suggestion("exercise", failing[0].id, failing[0].title)
        hinted = sorted((n, e) for e, n in progress.hints.items() if n and c.has_exercise(e) and _open(c, e, closed))
        if hinted:
            exercise = c.exercise(hinted[-1][1])
            return Suggestion("exercise", exercise.id, f"Redo without hints: {exercise.title}")
        passed = {e: when for e, when in progress.passed.items() if _open(c, e, closed)}
        if passed:
            oldest = min(passed.items(), key=lambda kv: kv[1][0])[0]
            return Suggestion("exercise", oldest, f"Re-solve from memory: {c.exercise(oldest).title}")
    return next_exercise_() or next_item(capstone=False) or next_item(capstone=True)


def next_exercise(c: Curriculum, progress: Progress, states: dict[str, str], after: str | None = None,
                  closed: frozenset[str] = frozenset()) -> Suggestion | None:
    """An exercise that fails (other than ``after``), else the first required one not passed, counting
    from ``after`` in course order and then from the start; none of the modules ``closed``."""
    failing = [e for e in c.exercises()
               if e.id != after and states.get(e.id) not in (R.PASSED, S.NOT_STARTED, S.COMING_SOON, R.NEEDS_GPU)
               and e.module_id not in closed]
    if failing:
        return Suggestion("exercise", failing[0].id, failing[0].title)
    todo = [e for m in c.modules() if m.id not in closed
            for e in m.exercises if e.gradable and S.required(e) and e.id not in progress.passed]
    order = [e.id for m in c.modules() for e in m.exercises]
    if after in order:
        later = [e for e in todo if order.index(e.id) > order.index(after)]
        todo = later + [e for e in todo if e not in later]
    return Suggestion("exercise", todo[0].id, todo[0].title) if todo else None
