"""Where the learner stands: pure functions from the curriculum and the recorded history.

Nothing here is stored; everything is derived again from attempts and ticks whenever it is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.curriculum.model import Curriculum, Exercise, Module
from tracker.grading import results as R

# Exercise states shown to the learner.
NOT_STARTED = "not_started"
COMING_SOON = "coming_soon"


def states_from_latest(curriculum: Curriculum, latest: dict[str, str], gpu_only: set[str]) -> dict[str, str]:
    """Each exercise's state: the status of its latest attempt that counts (not against a modified grader,
    not cancelled, not skipped for want of a GPU), else "needs_gpu" where it was only ever graded without
    one, else not started; coming soon for exercises without a grader yet."""
    states = {}
    for exercise in curriculum.gradables():
        if not exercise.gradable:
            states[exercise.id] = COMING_SOON
        elif exercise.id in latest:
            states[exercise.id] = latest[exercise.id]
        elif exercise.id in gpu_only:
            states[exercise.id] = R.NEEDS_GPU
        else:
            states[exercise.id] = NOT_STARTED
    return states


def required(exercise: Exercise) -> bool:
    """Exercises that need a GPU are optional for completing a module: a CPU-only learner can finish."""
    return exercise.device != "cuda"


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    exercises_passed: int
    exercises_total: int
    items_ticked: int
    items_total: int
    steps_ticked: int
    steps_total: int

    @property
    def complete(self) -> bool:
        return (
            self.exercises_passed == self.exercises_total
            and self.items_ticked == self.items_total
            and self.exercises_total + self.items_total > 0
        )

    @property
    def capstone_complete(self) -> bool:
        return self.steps_total > 0 and self.steps_ticked == self.steps_total

    @property
    def fraction(self) -> float:
        done = self.exercises_passed + self.items_ticked + self.steps_ticked
        total = self.exercises_total + self.items_total + self.steps_total
        return done / total if total else 0.0


def leaf_items(module: Module, capstone: bool) -> list[str]:
    """Ids of the tickable leaves: a parent item is done when all its children are."""
    roots = (module.capstone.steps if module.capstone else []) if capstone else [
        item for checklist in module.checklists for item in checklist.items
    ]
    out = []
    for root in roots:
        out.extend(leaf.id for leaf in root.walk() if not leaf.items)
    return out


def module_progress(module: Module, states: dict[str, str], ticked: set[str]) -> ModuleProgress:
    # A coming-soon exercise done on one's own is ticked by hand; a gradable one counts only when passed.
    needed = [e for e in module.exercises if required(e)]
    items = leaf_items(module, capstone=False)
    steps = leaf_items(module, capstone=True)
    return ModuleProgress(
        module_id=module.id,
        exercises_passed=sum(states.get(e.id) == R.PASSED or (not e.gradable and e.id in ticked) for e in needed),
        exercises_total=len(needed),
        items_ticked=sum(i in ticked for i in items),
        items_total=len(items),
        steps_ticked=sum(s in ticked for s in steps),
        steps_total=len(steps),
    )


def category_status(progress: list[ModuleProgress]) -> str:
    """Not Started, Started (something done, no module complete), In Progress, Completed."""
    done = sum(p.complete for p in progress)
    if progress and done == len(progress):
        return "Completed"
    if done:
        return "In Progress"
    if any(p.fraction > 0 for p in progress):
        return "Started"
    return "Not Started"


def is_ticked(item_id: str, curriculum: Curriculum, ticked: set[str]) -> bool:
    """A leaf is ticked when its latest event says so; a parent when all its leaves are."""
    item = curriculum.item(item_id)
    if not item.items:
        return item_id in ticked
    return all(leaf.id in ticked for leaf in item.walk() if not leaf.items)
