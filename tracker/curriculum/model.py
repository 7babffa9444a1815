"""The course as typed data: categories, modules, checklists, exercises, capstones, papers.

These models only describe the course; they know nothing of progress, grading or storage.
Every object that a learner can tick or grade has a stable id:

- modules ``0.1`` .. ``2.2``; exercises ``M.m.k`` (``1.1.2`` is module 1.1, check 2);
- checklist items ``M.m.cN`` with nested items ``M.m.cN.j``;
- capstone steps ``M.m.pN`` with nested items ``M.m.pN.j``;
- papers ``paper.NAME`` (a paper's quiz is graded under the paper's id);
- capstone milestones ``M.m.mK``: graded steps of a capstone project.
"""

from __future__ import annotations

import re
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

Kind = Literal["code", "quiz", "reflection"]
# Where an exercise can be graded: "any" runs on CUDA, MPS or CPU; "cuda" needs an NVIDIA GPU; "cpu" is
# NumPy-only or pure Python, graded on the CPU whatever the machine has.
Device = Literal["any", "cuda", "cpu"]
Status = Literal["gradable", "coming_soon"]

MODULE_ID = re.compile(r"^\d+\.\d+$")
EXERCISE_ID = re.compile(r"^(\d+\.\d+)\.(\d+)$")
MILESTONE_ID = re.compile(r"^(\d+\.\d+)\.m(\d+)$")
ITEM_ID = re.compile(r"^(\d+\.\d+)\.([cp])(\d+)(?:\.(\d+))?$")
PAPER_ID = re.compile(r"^paper\.[a-z0-9_-]+$")
MAX_XP = 10_000  # for any one entry; the course gives 5 to 150


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Where the object sits in curriculum.yaml, as a path of keys and indexes (set by the loader).
    _path: tuple = PrivateAttr(default=())


class Item(_Model):
    """A tickable line: a concept-checklist item or a capstone step, possibly with nested items."""

    id: str
    text: str = Field(min_length=1)
    items: list[Item] = []
    xp: int | None = Field(default=None, ge=0, le=MAX_XP)
    # A file or folder in the repository that this step produces (checked by `tracker check`).
    artifact: str | None = None

    def walk(self) -> Iterator[Item]:
        yield self
        for child in self.items:
            yield from child.walk()


class Checklist(_Model):
    title: str = Field(min_length=1)
    items: list[Item] = Field(min_length=1)


class Note(_Model):
    """A table or text block shown with the module (markdown)."""

    title: str = Field(min_length=1)
    body: str = Field(min_length=1)


CHECK_NAME = re.compile(r"^test_\w+$")


class Hint(_Model):
    """One hint. ``check`` ties it to the grader test it helps with: when that test is the first to fail,
    this is the hint offered. In curriculum.yaml a hint is its text alone, or ``{text: ..., check: test_...}``."""

    text: str = Field(min_length=1)
    check: str | None = None

    @field_validator("check")
    @classmethod
    def _check_is_a_test_name(cls, value: str | None) -> str | None:
        if value is not None and not CHECK_NAME.match(value):
            raise ValueError(f"must name a test function of the grader, such as test_projection, not {value!r}")
        return value

    def __str__(self) -> str:
        return self.text


class Exercise(_Model):
    """One knowledge check, graded by a hidden pytest file."""

    id: str
    title: str = Field(min_length=1)
    kind: Kind
    status: Status
    device: Device = "any"
    xp: int | None = Field(default=None, ge=0, le=MAX_XP)
    stub: str | None = None
    grader: str | None = None
    solution: str | None = None
    hints: list[Hint] = []
    requires: list[str] = []
    # The module that holds the exercise in this course (set by Curriculum.index); a library exercise used
    # by another course keeps its own id, so the id alone does not say where it sits.
    _module_id: str = PrivateAttr(default="")

    @field_validator("hints", mode="before")
    @classmethod
    def _plain_hints(cls, value: object) -> object:
        # A hint written as plain text is a hint for the exercise as a whole.
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value

    @property
    def module_id(self) -> str:
        return self._module_id or self.id.rsplit(".", 1)[0]

    def tied_hints(self, check: str | None) -> list[int]:
        """The 1-based indexes of the hints tied to ``check`` (a test name, parametrised or not)."""
        base = check.split("[", 1)[0] if check else None
        return [i for i, hint in enumerate(self.hints, start=1) if base is not None and hint.check == base]

    def hint_for(self, check: str | None, revealed: set[int] = frozenset()) -> int | None:
        """The hint to offer when ``check`` is the first to fail: the first unrevealed hint tied to it, else
        the first unrevealed hint; None when all are out."""
        unrevealed = [i for i in range(1, len(self.hints) + 1) if i not in revealed]
        tied = [i for i in self.tied_hints(check) if i not in revealed]
        return (tied or unrevealed or [None])[0]

    @property
    def number(self) -> int:
        """The check's number within its module (1 for 1.1.1); 0 for milestones and paper quizzes."""
        last = self.id.rsplit(".", 1)[1]
        return int(last) if last.isdigit() else 0

    @property
    def is_milestone(self) -> bool:
        return bool(MILESTONE_ID.match(self.id))

    @property
    def is_paper_quiz(self) -> bool:
        return self.id.startswith("paper.")

    @property
    def gradable(self) -> bool:
        return self.status == "gradable"


class Capstone(_Model):
    title: str = Field(min_length=1)
    objective: str = Field(min_length=1)
    steps: list[Item] = Field(min_length=1)
    # Graded milestones of the project (ids M.m.m1, M.m.m2, ...).
    milestones: list[Exercise] = []


class Module(_Model):
    id: str
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    # How the seed labels this module's knowledge checks ("Exercise", "Check", "Self-Study").
    check_label: str = "Exercise"
    checklists: list[Checklist] = []
    notes: list[Note] = []
    exercises: list[Exercise] = []
    capstone: Capstone | None = None
    requires: list[str] = []
    # Library exercises this module uses, by their stable id (see courses/README.md).
    uses: list[str] = []
    # Planned days for the module (pacing); None: the module has no plan of its own.
    days: int | None = Field(default=None, ge=1)

    def items(self) -> Iterator[Item]:
        """Every checklist item and capstone step of the module, depth first."""
        for checklist in self.checklists:
            for item in checklist.items:
                yield from item.walk()
        if self.capstone:
            for step in self.capstone.steps:
                yield from step.walk()


class Category(_Model):
    id: str
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    modules: list[Module] = Field(min_length=1)
    # Parts (category or module ids) that must be mastered before this one opens.
    requires: list[str] = []
    # Planned days for the whole part (pacing); without it, the sum of its modules' days.
    days: int | None = Field(default=None, ge=1)


class Paper(_Model):
    id: str
    title: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    # A short quiz on what the paper says; its id is the paper's. Passing it marks the paper read.
    quiz: Exercise | None = None


class ToolGroup(_Model):
    title: str = Field(min_length=1)
    lines: list[str] = Field(min_length=1)


class XPDefaults(_Model):
    """XP given per kind of event when an entry does not set its own amount."""

    code: int = Field(default=50, ge=0, le=MAX_XP)
    quiz: int = Field(default=30, ge=0, le=MAX_XP)
    reflection: int = Field(default=20, ge=0, le=MAX_XP)
    checklist_item: int = Field(default=5, ge=0, le=MAX_XP)
    capstone_step: int = Field(default=15, ge=0, le=MAX_XP)
    log_entry: int = Field(default=10, ge=0, le=MAX_XP)
    module_bonus: int = Field(default=100, ge=0, le=MAX_XP)


class Words(_Model):
    """What the course calls its parts: "Level", "Phase", "Month"; "Step", "Week"."""

    category: str = Field(default="Category", min_length=1)
    module: str = Field(default="Module", min_length=1)

    @property
    def rank(self) -> str:
        """What the XP levels are called: "Level", or "Rank" where the course's own parts are levels."""
        return "Rank" if "level" in (self.category.lower(), self.module.lower()) else "Level"


class Curriculum(_Model):
    version: Literal[1]
    title: str = Field(min_length=1)
    tagline: str = ""
    words: Words = Words()
    xp: XPDefaults = XPDefaults()
    categories: list[Category] = Field(min_length=1)
    arsenal: list[ToolGroup] = []
    papers: list[Paper] = []
    log_template: str = Field(min_length=1)

    # Lookups built once by the loader.
    _modules: dict[str, Module] = PrivateAttr(default_factory=dict)
    _exercises: dict[str, Exercise] = PrivateAttr(default_factory=dict)
    _items: dict[str, Item] = PrivateAttr(default_factory=dict)

    def modules(self) -> Iterator[Module]:
        for category in self.categories:
            yield from category.modules

    def exercises(self) -> Iterator[Exercise]:
        """The knowledge checks (91 in the course)."""
        for module in self.modules():
            yield from module.exercises

    def gradables(self) -> Iterator[Exercise]:
        """Everything a grader can pass: knowledge checks, capstone milestones and paper quizzes."""
        for module in self.modules():
            yield from module.exercises
            if module.capstone:
                yield from module.capstone.milestones
        for paper in self.papers:
            if paper.quiz is not None:
                yield paper.quiz

    def category_of(self, module_id: str) -> Category:
        for category in self.categories:
            if any(m.id == module_id for m in category.modules):
                return category
        raise KeyError(module_id)

    def module(self, module_id: str) -> Module:
        return self._modules[module_id]

    def exercise(self, exercise_id: str) -> Exercise:
        return self._exercises[exercise_id]

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def has_module(self, module_id: str) -> bool:
        return module_id in self._modules

    def has_exercise(self, exercise_id: str) -> bool:
        return exercise_id in self._exercises

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items

    def index(self) -> None:
        """Build the id lookups (called by the loader after validation)."""
        self._modules = {m.id: m for m in self.modules()}
        self._exercises = {e.id: e for e in self.gradables()}
        for module in self.modules():
            for exercise in module.exercises:
                exercise._module_id = module.id
        self._items = {i.id: i for m in self.modules() for i in m.items()}
        for paper in self.papers:
            self._items[paper.id] = Item(id=paper.id, text=paper.title)

    def xp_for_exercise(self, exercise: Exercise) -> int:
        return exercise.xp if exercise.xp is not None else getattr(self.xp, exercise.kind)

    def xp_for_item(self, item: Item) -> int:
        if item.xp is not None:
            return item.xp
        kind = ITEM_ID.match(item.id)
        if kind and kind.group(2) == "p":
            return self.xp.capstone_step
        return self.xp.checklist_item
