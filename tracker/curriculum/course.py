"""Courses: several roadmaps over one exercise library.

A course is a file in the format of ``curriculum.yaml`` (same loader, same file:line errors). The project's
first course is ``curriculum.yaml`` itself; the others live in ``courses/NAME.yaml``. A module takes
exercises from the library by stable id with ``uses: [0.5.1, lib.kv_cache_decode]``, so a pass recorded
under that id counts in every course that uses the exercise.

The library is every gradable exercise of ``curriculum.yaml`` (ids ``M.m.k``) plus the exercises of
``courses/library.yaml`` (ids ``lib.NAME``, files ``exercises/lib/NAME.py``, ``graders/lib/test_NAME.py``).
Which course a fork follows is ``[course] active = "NAME"`` in ``tracker.toml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field

from tracker.curriculum.loader import CurriculumError, LoadedCurriculum, Problem, _set_paths, load, parse
from tracker.curriculum.model import Curriculum, Exercise, _Model
from tracker.errors import TrackerError

DEFAULT = "curriculum"  # the course in curriculum.yaml
COURSES = "courses"
LIBRARY = "courses/library.yaml"
LIBRARY_ID = re.compile(r"^lib\.[a-z0-9_]+$")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Library(_Model):
    """courses/library.yaml: exercises that no part of curriculum.yaml holds, for any course to use."""

    version: Literal[1]
    exercises: list[Exercise] = Field(min_length=1)


def course_path(repo: Path, name: str) -> Path:
    if name == DEFAULT:
        return repo / "curriculum.yaml"
    if not NAME.match(name):
        raise TrackerError(f"{name!r} is not a course name (lowercase letters, digits, - and _)")
    return repo / COURSES / f"{name}.yaml"


def course_names(repo: Path) -> list[str]:
    """Every course of the repository: curriculum first, then courses/*.yaml by name (not the library)."""
    folder = repo / COURSES
    others = sorted(p.stem for p in folder.glob("*.yaml") if p.name != Path(LIBRARY).name) if folder.is_dir() else []
    return [DEFAULT] + [n for n in others if NAME.match(n)]


def course_name(repo: Path, path: Path) -> str:
    return DEFAULT if path.resolve() == (repo / "curriculum.yaml").resolve() else path.stem


def load_library(repo: Path, cache_dir: Path | None = None) -> dict[str, Exercise]:
    """Every library exercise by id: curriculum.yaml's gradables, then courses/library.yaml's."""
    base = load(repo / "curriculum.yaml", cache_dir=cache_dir / "library" if cache_dir else None).curriculum
    exercises = {e.id: e for e in base.gradables() if not e.is_paper_quiz}
    path = repo / LIBRARY
    if path.exists():
        for exercise in _load_library_file(path).curriculum.exercises:  # type: ignore[attr-defined]
            exercises[exercise.id] = exercise
    return exercises


def _load_library_file(path: Path) -> LoadedCurriculum:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CurriculumError([Problem(path.name, 1, 1, "", f"not UTF-8 text ({exc.reason})")]) from None
    return parse(text, path, model=Library)


def validate_library(repo: Path) -> list[Problem]:
    """The checks `tracker validate` makes of courses/library.yaml: ids, files, hints and variants."""
    from tracker.curriculum.validate import _exercise

    path = repo / LIBRARY
    if not path.exists():
        return []
    try:
        loaded = _load_library_file(path)
    except CurriculumError as exc:
        return exc.problems
    problems: list[Problem] = []
    seen: dict[str, tuple] = {}
    base = {e.id for e in load(repo / "curriculum.yaml").curriculum.gradables()}

    def bad(loc: tuple, message: str) -> None:
        problems.append(loaded.problem(loc, message))

    def unique(ident: str, loc: tuple) -> None:
        if ident in seen or ident in base:
            bad(loc, f"duplicate id {ident!r}")
        seen[ident] = loc

    for index, exercise in enumerate(loaded.curriculum.exercises):  # type: ignore[attr-defined]
        exercise._path = ("exercises", index)
        if not LIBRARY_ID.match(exercise.id):
            bad(exercise._path + ("id",), f"a library exercise's id looks like lib.kv_cache_decode, not {exercise.id!r}")
            continue
        slug = exercise.id.split(".", 1)[1]
        suffix = ".md" if exercise.kind == "reflection" else ".py"
        want = {"stub": f"exercises/lib/{slug}{suffix}", "grader": f"graders/lib/test_{slug}.py",
                "solution": f"graders/lib/solutions/{slug}{suffix}"}
        for field, rel in want.items():
            if getattr(exercise, field) not in (None, rel):
                bad(exercise._path + (field,), f"the {field} of {exercise.id} must be {rel}")
        _exercise(exercise, "lib", index, repo, bad, unique, True, set(), expected_id=exercise.id)
    return problems


def validate_course(loaded: LoadedCurriculum, repo: Path, library: dict[str, Exercise] | None = None) -> list[Problem]:
    """What a course adds to curriculum.yaml's checks: used exercises exist (once), parts it requires
    exist, and plans are whole days."""
    c = loaded.curriculum
    problems: list[Problem] = []
    if any(m.uses for m in c.modules()):
        library = library if library is not None else load_library(repo)
    own = {e.id for e in c.gradables()}
    used: dict[str, str] = {}
    for module in c.modules():
        for ui, ident in enumerate(module.uses):
            loc = module._path + ("uses", ui)
            if ident not in (library or {}):
                problems.append(loaded.problem(loc, f"{ident!r} is not an exercise of the library"))
            elif ident in own or ident in used:
                where = used.get(ident, "this course")
                problems.append(loaded.problem(loc, f"{ident} is already used by {where}"))
            else:
                used[ident] = f"module {module.id}"
    parts = {cat.id for cat in c.categories} | {m.id for m in c.modules()}
    for ci, category in enumerate(c.categories):
        for ri, req in enumerate(category.requires):
            loc = ("categories", ci, "requires", ri)
            if req not in parts:
                problems.append(loaded.problem(loc, f"prerequisite {req!r} is not a part of this course"))
            elif req == category.id:
                problems.append(loaded.problem(loc, "a part cannot require itself"))
    found = _category_cycle(c)
    if found:
        cycle, loc = found
        problems.append(loaded.problem(loc, f"the parts require each other in a circle: {' -> '.join(cycle + [cycle[0]])}"))
    return problems


def _category_cycle(c: Curriculum) -> tuple[list[str], tuple] | None:
    """A circle of requirements between categories, and the `requires` entry that starts it. A category is
    mastered when all its modules are, so what a module (or one of its exercises) requires in another
    category, its own category waits for too."""
    owner: dict[str, str] = {}
    for cat in c.categories:
        owner[cat.id] = cat.id
        for m in cat.modules:
            owner[m.id] = cat.id
            for e in m.exercises:
                owner.setdefault(e.id, cat.id)
    edges: dict[str, dict[str, tuple]] = {cat.id: {} for cat in c.categories}  # category -> {needed: loc}
    for ci, cat in enumerate(c.categories):
        wants = [(r, ("categories", ci, "requires", ri)) for ri, r in enumerate(cat.requires)]
        for mi, m in enumerate(cat.modules):
            wants += [(r, ("categories", ci, "modules", mi, "requires", ri)) for ri, r in enumerate(m.requires)]
            for ei, e in enumerate(m.exercises):
                wants += [(r, ("categories", ci, "modules", mi, "exercises", ei, "requires", ri))
                          for ri, r in enumerate(e.requires)]
        for req, loc in wants:
            target = owner.get(req)
            if target is not None and target != cat.id:
                edges[cat.id].setdefault(target, loc)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in edges.get(node, {}):
            if state.get(nxt) == 1:
                return path[path.index(nxt):]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for cat in c.categories:
        if cat.id not in state and (cycle := visit(cat.id)):
            return cycle, edges[cycle[0]][cycle[1 % len(cycle)]]
    return None


def resolve(loaded: LoadedCurriculum, library: dict[str, Exercise]) -> LoadedCurriculum:
    """The course with each module's used library exercises placed after its own (same ids)."""
    c = loaded.curriculum
    if not any(m.uses for m in c.modules()):
        return loaded
    categories = []
    for category in c.categories:
        modules = []
        for module in category.modules:
            extra = [library[i].model_copy() for i in module.uses if i in library]
            modules.append(module.model_copy(update={"exercises": list(module.exercises) + extra}) if extra else module)
        categories.append(category.model_copy(update={"modules": modules}))
    curriculum: Curriculum = c.model_copy(update={"categories": categories})
    curriculum.index()
    _set_paths(curriculum)
    return LoadedCurriculum(curriculum, loaded.path, loaded.positions)


def load_course(path: Path, repo: Path, cache_dir: Path | None = None) -> LoadedCurriculum:
    """Load a course and put its library exercises in place; an unknown used id is a CurriculumError."""
    return attach_library(load(path, cache_dir=cache_dir), repo, cache_dir=cache_dir)


def attach_library(loaded: LoadedCurriculum, repo: Path, cache_dir: Path | None = None) -> LoadedCurriculum:
    """A loaded course, checked as a course (what it uses and requires), with the library exercises its
    modules use put in place (unchanged when it uses none)."""
    uses = any(m.uses for m in loaded.curriculum.modules())
    if not uses and not any(cat.requires for cat in loaded.curriculum.categories):
        return loaded
    library = load_library(repo, cache_dir=cache_dir) if uses else {}
    problems = validate_course(loaded, repo, library)
    if problems:
        raise CurriculumError(problems)
    return resolve(loaded, library)


def set_active(repo: Path, name: str) -> Path:
    """Record ``[course] active = "NAME"`` in tracker.toml (the committed settings), keeping the rest."""
    from tracker.config import CONFIG_FILE

    if name not in course_names(repo):
        raise TrackerError(f"no course named {name!r}; `tracker course list` shows them")
    path = repo / CONFIG_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f'active = "{name}"'
    section = re.search(r"(?m)^\[course\][ \t]*$", text)
    if section is None:
        text = text + ("\n" if text and not text.endswith("\n") else "") + ("\n" if text else "") + f"[course]\n{line}\n"
    else:
        end = re.search(r"(?m)^\[", text[section.end():])
        body_end = section.end() + (end.start() if end else len(text) - section.end())
        body = text[section.end():body_end]
        if re.search(r"(?m)^active[ \t]*=.*$", body):
            body = re.sub(r"(?m)^active[ \t]*=.*$", line, body, count=1)
        else:
            body = "\n" + line + body if body.startswith("\n") else "\n" + line + "\n" + body.lstrip("\n")
        text = text[: section.end()] + body + text[body_end:]
    path.write_text(text, encoding="utf-8")
    return path
