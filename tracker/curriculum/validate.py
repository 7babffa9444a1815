"""Cross-reference checks of a loaded curriculum against the repository.

Structure is checked by the loader; this module checks what the structure points at: ids are unique and
follow the numbering, files exist inside the repository, prerequisites exist and form no cycle (the
cross-reference checks, which every command applies through ``check``), and, for `tracker validate`, what
an author must also get right: the naming convention, hints, buggy variants and the grader manifest.
Every problem names file, line and field.

One path rule holds everywhere: a path from the curriculum is relative, and once every symlink is
followed it still lies inside the repository (``inside``; ``repo_file`` for the commands that read or run one).
"""

from __future__ import annotations

import os
import re
import stat
from functools import lru_cache
from pathlib import Path, PurePosixPath

from tracker.curriculum.loader import CurriculumError, LoadedCurriculum, Problem
from tracker.curriculum.model import EXERCISE_ID, ITEM_ID, MODULE_ID, PAPER_ID, Exercise, Item
from tracker.errors import TrackerError

MIN_HINTS = 2


def inside(repo: Path, rel: str, seen: set[str] | None = None) -> bool:
    """The path rule: relative, no way out by `..` or by a symlink (every link is followed). ``seen`` holds
    folders already found to be plain folders, for many paths checked at once."""
    if not rel or os.path.isabs(rel) or rel.startswith(("/", "\\")):
        return False
    root = _real(str(repo))
    parts = [part for part in rel.replace("\\", "/").split("/") if part not in ("", ".")]
    if ".." not in parts:
        path = root
        for part in parts:
            path = f"{path}{os.sep}{part}"
            if seen is not None and path in seen:
                continue
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                return True  # it does not exist (yet): nothing below it can lead out
            if stat.S_ISLNK(mode):
                break
            if seen is not None and stat.S_ISDIR(mode):
                seen.add(path)
        else:
            return True
    full = os.path.realpath(os.path.join(root, rel))
    return full == root or full.startswith(root + os.sep)


@lru_cache(maxsize=8)
def _real(repo: str) -> str:
    return os.path.realpath(repo)


def repo_file(repo: Path, rel: str) -> Path:
    """The file a curriculum path names, checked by the path rule at the moment it is used."""
    if not inside(repo, rel):
        raise TrackerError(f"{rel!r} points outside the repository; `tracker validate` shows where it is set")
    return repo / rel


def check(loaded: LoadedCurriculum, repo: Path) -> None:
    """Raise CurriculumError (file:line) where the cross-reference checks fail: what every command that
    serves the curriculum applies before it uses it."""
    problems = validate(loaded, repo, check_manifest=False, authoring=False)
    if problems:
        raise CurriculumError(problems)


def validate(loaded: LoadedCurriculum, repo: Path, check_manifest: bool = True, authoring: bool = True) -> list[Problem]:
    """Every problem of the curriculum; with ``authoring`` False, the cross-reference checks alone."""
    c = loaded.curriculum
    problems: list[Problem] = []

    def bad(loc: tuple, message: str) -> None:
        problems.append(loaded.problem(loc, message))

    first_use: dict[str, tuple] = {}
    seen: set[str] = set()  # folders found plain (no symlink) by the path rule

    def unique(ident: str, loc: tuple) -> None:
        if ident in first_use:
            line, _ = loaded.where(first_use[ident])
            bad(loc, f"duplicate id {ident!r} (first used on line {line})")
        else:
            first_use[ident] = loc

    for ci, category in enumerate(c.categories):
        unique(f"category {category.id}", ("categories", ci, "id"))
        for module in category.modules:
            mloc = module._path
            if not MODULE_ID.match(module.id):
                bad(mloc + ("id",), f"module id {module.id!r} should look like 1.2")
            elif module.id.split(".")[0] != category.id:
                bad(mloc + ("id",), f"module {module.id} is listed under category {category.id}")
            unique(module.id, mloc + ("id",))
            for index, exercise in enumerate(module.exercises, start=1):
                _exercise(exercise, module.id, index, repo, bad, unique, authoring, seen)
            number = 0
            for li, checklist in enumerate(module.checklists):
                for ii, item in enumerate(checklist.items):
                    number += 1
                    _item(item, f"{module.id}.c{number}", bad, unique)
            if module.capstone:
                for si, step in enumerate(module.capstone.steps, start=1):
                    _item(step, f"{module.id}.p{si}", bad, unique)
                for xi, milestone in enumerate(module.capstone.milestones, start=1):
                    _exercise(milestone, module.id, xi, repo, bad, unique, authoring, seen, expected_id=f"{module.id}.m{xi}")
                for item in module.items():
                    if item.artifact and not inside(repo, item.artifact, seen):
                        bad(item._path + ("artifact",), f"{item.artifact!r} points outside the repository")
    for paper in c.papers:
        if not PAPER_ID.match(paper.id):
            bad(paper._path + ("id",), f"paper id {paper.id!r} should look like paper.lora")
        unique(paper.id, paper._path + ("id",))
        if paper.quiz is not None:
            if paper.quiz.kind != "quiz":
                bad(paper.quiz._path + ("kind",), "a paper's quiz must be of kind quiz")
            _exercise(paper.quiz, "papers", 0, repo, bad, lambda ident, loc: None, authoring, seen, expected_id=paper.id)
    known = set(c._modules) | set(c._exercises)  # every gradable, milestones and paper quizzes included
    for module in c.modules():
        for ri, req in enumerate(module.requires):
            if req not in known:
                bad(module._path + ("requires", ri), f"prerequisite {req!r} does not exist")
        for exercise in module.exercises:
            for ri, req in enumerate(exercise.requires):
                if req not in known:
                    bad(exercise._path + ("requires", ri), f"prerequisite {req!r} does not exist")
                elif req == exercise.id:
                    bad(exercise._path + ("requires", ri), "an exercise cannot require itself")
    _cycles(c, known, bad)
    if check_manifest:
        problems.extend(_manifest(loaded, repo))
    return problems


def _cycles(c, known: set[str], bad) -> None:
    """Report each cycle of prerequisites once, at a `requires` entry on it. Passing a module needs its
    exercises and milestones passed, and each of those waits on the module's own prerequisites, so an
    exercise that requires its own module closes a cycle too."""
    edges: dict[str, list[str]] = {}
    where: dict[tuple[str, str], tuple] = {}

    def edge(source: str, target: str, loc: tuple | None) -> None:
        edges.setdefault(source, []).append(target)
        if loc is not None:
            where.setdefault((source, target), loc)

    for module in c.modules():
        parts = list(module.exercises) + (list(module.capstone.milestones) if module.capstone else [])
        inside = {e.id for e in parts} | {module.id}
        for ri, req in enumerate(module.requires):
            loc = module._path + ("requires", ri)
            if req in inside:
                bad(loc, f"module {module.id} cannot require {req}, which it holds" if req != module.id
                    else "a module cannot require itself")
                continue
            if req in known:
                edge(module.id, req, loc)
                for part in parts:  # its exercises wait on it too
                    edge(part.id, req, loc)
        for part in parts:
            edge(module.id, part.id, None)
    for exercise in c.gradables():
        for ri, req in enumerate(exercise.requires):
            if req in known and req != exercise.id:
                edge(exercise.id, req, exercise._path + ("requires", ri))
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[tuple] = set()
    for root in list(edges):
        if state.get(root):
            continue
        path, todo = [root], [iter(edges.get(root, ()))]
        state[root] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt):]
                # Start the cycle at its first `requires` edge: that is where it is written (once per entry).
                first = next(i for i in range(len(cycle)) if (cycle[i], (cycle + cycle)[i + 1]) in where)
                turned = cycle[first:] + cycle[:first]
                loc = where[(turned[0], turned[1 % len(turned)])]
                if loc not in reported:
                    reported.add(loc)
                    bad(loc, f"prerequisite cycle: {' → '.join(turned + [turned[0]])}")
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(edges.get(nxt, ())))


def _exercise(exercise: Exercise, module_id: str, index: int, repo: Path, bad, unique, authoring: bool,
              seen: set[str], expected_id: str | None = None) -> None:
    loc = exercise._path
    if expected_id is None:
        expected_id = f"{module_id}.{index}"
        if not EXERCISE_ID.match(exercise.id) or exercise.id != expected_id:
            bad(loc + ("id",), f"exercise {index} of module {module_id} must have id {expected_id!r}, not {exercise.id!r}")
    elif exercise.id != expected_id:
        bad(loc + ("id",), f"this must have id {expected_id!r}, not {exercise.id!r}")
    unique(exercise.id, loc + ("id",))
    paths = {"stub": exercise.stub, "grader": exercise.grader, "solution": exercise.solution}
    for name, rel in paths.items():
        if rel is None:
            if exercise.gradable:
                bad(loc + (name,), f"a gradable exercise needs a {name}")
            continue
        if not inside(repo, rel, seen):
            bad(loc + (name,), f"{rel!r} points outside the repository")
            continue
        if exercise.gradable and not os.path.isfile(os.path.join(repo, rel)):
            bad(loc + (name,), f"{rel} does not exist")
    if not authoring:
        return
    if exercise.grader and exercise.stub and inside(repo, exercise.grader) and inside(repo, exercise.stub):
        stub, grader = PurePosixPath(exercise.stub), PurePosixPath(exercise.grader)
        want = PurePosixPath("graders", stub.parent.name, f"test_{stub.stem}.py")
        if stub.parts[0] != "exercises" or grader != want:
            bad(loc + ("grader",), f"the grader of {exercise.stub} must be {want}")
        suffix = ".md" if exercise.kind == "reflection" else ".py"
        if stub.suffix != suffix:
            bad(loc + ("stub",), f"a {exercise.kind} exercise's stub must be a {suffix} file")
    if exercise.gradable:
        if len(exercise.hints) < MIN_HINTS:
            bad(loc + ("hints",), f"a gradable exercise needs at least {MIN_HINTS} hints, it has {len(exercise.hints)}")
        _hint_checks(exercise, repo, bad)
        solution_ok = exercise.solution and inside(repo, exercise.solution)
        if exercise.kind == "code" and solution_ok and (repo / exercise.solution).is_file():
            from tracker.grading.variants import load_variants, variants_path

            try:
                count = len(load_variants(variants_path(repo / exercise.solution)))
            except Exception as exc:  # noqa: BLE001 - reported as a problem, not raised
                bad(loc + ("solution",), str(exc))
                count = 3
            if count < 3:
                bad(loc + ("solution",), f"a code exercise needs at least 3 buggy variants, it has {count}")


def _hint_checks(exercise: Exercise, repo: Path, bad) -> None:
    """A hint tied to a check must name a test function that the exercise's grader defines."""
    tied = [(i, h.check) for i, h in enumerate(exercise.hints) if h.check]
    if not tied or not exercise.grader or not inside(repo, exercise.grader):
        return
    try:
        source = (repo / exercise.grader).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # the grader's own problem is reported where its path is checked
    tests = set(re.findall(r"^(?:async )?def (test_\w+)\(", source, flags=re.MULTILINE))
    for i, check in tied:
        if check not in tests:
            bad(exercise._path + ("hints", i, "check"), f"{exercise.grader} has no test named {check}")


def _item(item: Item, expected: str, bad, unique) -> None:
    if item.id != expected or not ITEM_ID.match(item.id):
        bad(item._path + ("id",), f"this item must have id {expected!r}, not {item.id!r}")
    unique(item.id, item._path + ("id",))
    for index, child in enumerate(item.items, start=1):
        if child.items:
            bad(child._path + ("items",), "items nest at most two levels deep")
        _item(child, f"{expected}.{index}", bad, unique)


def _manifest(loaded: LoadedCurriculum, repo: Path) -> list[Problem]:
    from tracker.grading import hashing

    manifest = hashing.read_manifest(repo)
    name = hashing.MANIFEST
    if not manifest:
        return [Problem(name, 1, 1, "", "the grader manifest is missing; restore it with `git checkout -- graders/`")]
    problems = []
    on_disk = {p.relative_to(repo).as_posix(): p for p in hashing.tracked_files(repo)}
    lines = {rel: n for n, rel in enumerate(manifest, start=1)}
    for rel, path in on_disk.items():
        if rel not in manifest:
            problems.append(Problem(name, 1, 1, rel, "this grader file is not in the manifest"))
        elif manifest[rel] != hashing.file_hash(path):
            problems.append(Problem(name, lines[rel], 1, rel,
                                    f"differs from the manifest; restore it with `git checkout -- {rel}`"))
    for rel in manifest:
        if rel not in on_disk:
            problems.append(Problem(name, lines[rel], 1, rel, "listed in the manifest but missing"))
    return problems
