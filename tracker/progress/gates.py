"""Mastery gates: a part (category or module) with ``requires`` stays locked until what it requires is
mastered. A learner may lift the gates; the choice is a ``settings`` event in the journal.

Mastered means: an exercise passed; a module whose graded exercises are all passed (a module without any
is mastered when every item in it is ticked); a category whose modules are all mastered.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.curriculum.model import Curriculum, Module
from tracker.progress.state import required


@dataclass(frozen=True)
class Lock:
    part: str  # the locked category or module id
    title: str
    needs: tuple[str, ...]  # what opens it: the unmet requirements, as "Phase 1: Foundational ..." labels
    needs_ids: tuple[str, ...] = ()  # the same, as ids


def _leaves(module: Module) -> list[str]:
    return [item.id for item in module.items() if not item.items]


def module_mastered(module: Module, progress) -> bool:
    graded = [e.id for e in module.exercises if e.gradable and required(e)]  # a GPU-only one is optional
    if graded:
        return all(e in progress.passed for e in graded)
    hand = [e.id for e in module.exercises]
    return all(i in progress.ticked for i in _leaves(module)) and all(e in progress.by_hand for e in hand)


def mastered(curriculum: Curriculum, progress, part: str) -> bool:
    for category in curriculum.categories:
        if category.id == part:
            return all(module_mastered(m, progress) for m in category.modules)
    if curriculum.has_module(part):
        return module_mastered(curriculum.module(part), progress)
    return part in progress.passed


def label(curriculum: Curriculum, part: str) -> str:
    for category in curriculum.categories:
        if category.id == part:
            return f"{curriculum.words.category} {category.id}: {category.title}"
    if curriculum.has_module(part):
        return f"{curriculum.words.module} {part}: {curriculum.module(part).title}"
    return f"exercise {part}"


def gates_lifted(events) -> bool:
    """Whether the learner lifted the gates (the latest ``settings`` event with a ``gates`` key says)."""
    lifted = False
    for ev in events:
        if ev.type == "settings" and "gates" in ev.data:
            lifted = ev.data["gates"] == "lifted"
    return lifted


def locks(curriculum: Curriculum, progress) -> list[Lock]:
    """Every locked part, in course order, with what would open it (gates lifted or not: the caller decides)."""
    out = []
    for category in curriculum.categories:
        unmet = tuple(r for r in category.requires if not mastered(curriculum, progress, r))
        if unmet:
            out.append(Lock(category.id, label(curriculum, category.id), tuple(label(curriculum, r) for r in unmet), unmet))
            continue
        for module in category.modules:
            needs = tuple(r for r in module.requires if not mastered(curriculum, progress, r))
            if needs:
                out.append(Lock(module.id, label(curriculum, module.id), tuple(label(curriculum, r) for r in needs), needs))
    return out


def locked_ids(curriculum: Curriculum, found: list[Lock]) -> set[str]:
    """The module ids that the locks close (a locked category closes all its modules)."""
    ids = set()
    for lock in found:
        category = next((c for c in curriculum.categories if c.id == lock.part), None)
        ids |= {m.id for m in category.modules} if category else {lock.part}
    return ids


def has_gates(curriculum: Curriculum) -> bool:
    """Whether any part of the course requires another (most courses have no gates at all)."""
    return any(c.requires for c in curriculum.categories) or any(m.requires for m in curriculum.modules())


def lock_of(curriculum: Curriculum, found: list[Lock], module_id: str) -> Lock | None:
    """The lock that keeps a module closed: its own, or its category's."""
    if not curriculum.has_module(module_id):
        return None
    category = curriculum.category_of(module_id).id
    return next((lock for lock in found if lock.part in (module_id, category)), None)


def describe(curriculum: Curriculum, progress, events) -> list[str]:
    """The course's lines for `status`, `next`, Today and the README, from the history: the pace (when the
    course plans days), then each locked part and what opens it."""
    from tracker.progress.pacing import course_start, pace

    lifted = gates_lifted(events) if has_gates(curriculum) else False
    found = pace(curriculum, progress, course_start(events))
    lines = [found.line()] if found else []
    closed = locks(curriculum, progress) if has_gates(curriculum) else []
    # The parts that open next are named with what opens them; those behind them, in one line.
    shut = {lock.part for lock in closed}
    behind = [lock for lock in closed if any(r in shut or _part_of(curriculum, r) in shut for r in lock.needs_ids)]
    for lock in closed:
        if lock in behind:
            continue
        if lifted:
            lines.append(f"open (gates lifted): {lock.title}")
        else:
            lines.append(f"locked: {lock.title} · opens when {' and '.join(lock.needs)} is mastered")
    if behind:
        names = ", ".join(_short(curriculum, lock.part) for lock in behind)
        after = "it" if len(closed) - len(behind) == 1 else "those"
        lines.append(f"open (gates lifted): {names}" if lifted else f"locked: {names} · open in turn after {after}")
    return lines


def _part_of(curriculum: Curriculum, ident: str) -> str:
    """The category a requirement sits in (itself, for a category)."""
    if curriculum.has_module(ident):
        return curriculum.category_of(ident).id
    if curriculum.has_exercise(ident) and curriculum.has_module(curriculum.exercise(ident).module_id):
        return curriculum.category_of(curriculum.exercise(ident).module_id).id
    return ident


def _short(curriculum: Curriculum, part: str) -> str:
    if any(c.id == part for c in curriculum.categories):
        return f"{curriculum.words.category} {part}"
    return f"{curriculum.words.module} {part}"


def part_title(curriculum: Curriculum, category) -> str:
    """A category as the course names it: "Phase 2: Core Transformer Components" (just its title where the
    course keeps the word Category)."""
    if curriculum.words.category == "Category":
        return category.title
    return f"{curriculum.words.category} {category.id}: {category.title}"
