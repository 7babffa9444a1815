"""The learner's standing as plain data: what `tracker status --json` prints (schema in docs/status-json.md)."""

from __future__ import annotations

from typing import Any

from tracker.curriculum.model import Item
from tracker.progress import state as S

SCHEMA_VERSION = 1


def bar(fraction: float, width: int = 25) -> str:
    """A bar of width cells: at least one filled cell above 0 %, never a full bar below 100 %."""
    fraction = max(0.0, min(1.0, fraction))
    filled = round(fraction * width)
    if fraction > 0:
        filled = max(1, filled)
    if fraction < 1:
        filled = min(width - 1, filled)
    return "█" * filled + "░" * (width - filled)


def _item(item: Item, ticked: set[str], curriculum) -> dict[str, Any]:
    return {
        "id": item.id,
        "text": item.text,
        "ticked": S.is_ticked(item.id, curriculum, ticked),
        "items": [_item(child, ticked, curriculum) for child in item.items],
    }


def _exercise(c, e, states: dict[str, str], passed: dict[str, tuple] | None = None) -> dict[str, Any]:
    recorded = (passed or {}).get(e.id)
    return {
        "id": e.id,
        "title": e.title,
        "kind": e.kind,
        "status": e.status,
        "state": states[e.id],
        "device": e.device,
        "stub": e.stub,
        "grader": e.grader,
        "xp": c.xp_for_exercise(e),
        # Where the learner's tensors lived in the recorded pass (never the device the run merely resolved).
        "graded_on": (recorded[1] or "cpu") if recorded else None,
    }


def status_report(tracker) -> dict[str, Any]:
    from tracker.progress import gates as G

    c = tracker.curriculum
    states = tracker.states()
    ticked = tracker.ticked()
    now = tracker.progress()
    passed = now.passed
    closed = {lock.part: list(lock.needs) for lock in G.locks(c, now)} if tracker.closed_modules(now) else {}
    categories = []
    for category in c.categories:
        modules, progresses = [], []
        for module in category.modules:
            progress = S.module_progress(module, states, ticked)
            progresses.append(progress)
            modules.append(
                {
                    "id": module.id,
                    "title": module.title,
                    "complete": progress.complete,
                    "locked_until": closed.get(module.id, []),
                    "fraction": round(progress.fraction, 4),
                    "exercises": [_exercise(c, e, states, passed) for e in module.exercises],
                    "checklist": [_item(i, ticked, c) for cl in module.checklists for i in cl.items],
                    "capstone": None
                    if module.capstone is None
                    else {
                        "title": module.capstone.title,
                        "objective": module.capstone.objective,
                        "complete": progress.capstone_complete,
                        "steps": [_item(s, ticked, c) for s in module.capstone.steps],
                        "milestones": [_exercise(c, m, states, passed) for m in module.capstone.milestones],
                    },
                }
            )
        done = sum(p.complete for p in progresses)
        total_fraction = sum(p.fraction for p in progresses) / len(progresses)
        categories.append(
            {
                "id": category.id,
                "title": category.title,
                "label": G.part_title(c, category),
                "locked_until": closed.get(category.id, []),
                "status": S.category_status(progresses),
                "fraction": round(1.0 if done == len(progresses) else total_fraction, 4),
                "modules_completed": done,
                "modules_total": len(progresses),
                "modules": modules,
            }
        )
    return {
        "schema": SCHEMA_VERSION,
        "title": c.title,
        "course": {"name": tracker.config.course, "words": {"category": c.words.category, "module": c.words.module},
                   "lines": tracker.course_lines(now)},
        "categories": categories,
        "papers": [
            {"id": p.id, "title": p.title, "ticked": p.id in ticked or states.get(p.id) == "passed",
             "quiz": _exercise(c, p.quiz, states) if p.quiz else None}
            for p in c.papers
        ],
    }
