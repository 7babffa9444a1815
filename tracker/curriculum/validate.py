"""Cross-reference checks of a loaded curriculum against the repository.

Structure is checked by the loader; this module checks what the structure points at: ids are unique and
follow the numbering, files exist inside the repository and follow the naming convention, prerequisites
exist, and the grader manifest matches the graders on disk. Every problem names file, line and field.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from tracker.curriculum.loader import LoadedCurriculum, Problem
from tracker.curriculum.model import EXERCISE_ID, ITEM_ID, MODULE_ID, PAPER_ID, Exercise, Item
from tracker.grading import hashing
from tracker.grading.variants import load_variants, variants_path

MIN_HINTS = 2


def _inside(repo: Path, rel: str) -> bool:
    if PurePosixPath(rel).is_absolute() or Path(rel).is_absolute():
        return False
    return (repo / rel).resolve().is_relative_to(repo.resolve())


def validate(loaded: LoadedCurriculum, repo: Path, check_manifest: bool = True) -> list[Problem]:
    c = loaded.curriculum
    problems: list[Problem] = []

    def bad(loc: tuple, message: str) -> None:
        problems.append(loaded.problem(loc, message))

    seen: dict[str, tuple] = {}

    def unique(ident: str, loc: tuple) -> None:
        if ident in seen:
            line, _ = loaded.where(seen[ident])
            bad(loc, f"duplicate id {ident!r} (first used on line {line})")
        else:
            seen[ident] = loc

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
                _exercise(exercise, module.id, index, repo, bad, unique)
            number = 0
            for li, checklist in enumerate(module.checklists):
                for ii, item in enumerate(checklist.items):
                    number += 1
                    _item(item, f"{module.id}.c{number}", bad, unique)
            if module.capstone:
                for si, step in enumerate(module.capstone.steps, start=1):
                    _item(step, f"{module.id}.p{si}", bad, unique)
                for xi, milestone in enumerate(module.capstone.milestones, start=1):
                    _exercise(milestone, module.id, xi, repo, bad, unique, expected_id=f"{module.id}.m{xi}")
                for item in module.items():
                    if item.artifact and not _inside(repo, item.artifact):
                        bad(item._path + ("artifact",), f"{item.artifact!r} points outside the repository")
    for paper in c.papers:
        if not PAPER_ID.match(paper.id):
            bad(paper._path + ("id",), f"paper id {paper.id!r} should look like paper.lora")
        unique(paper.id, paper._path + ("id",))
        if paper.quiz is not None:
            if paper.quiz.kind != "quiz":
                bad(paper.quiz._path + ("kind",), "a paper's quiz must be of kind quiz")
            _exercise(paper.quiz, "papers", 0, repo, bad, lambda ident, loc: None, expected_id=paper.id)
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
    if check_manifest:
        problems.extend(_manifest(loaded, repo))
    return problems


def _exercise(exercise: Exercise, module_id: str, index: int, repo: Path, bad, unique,
              expected_id: str | None = None) -> None:
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
        if not _inside(repo, rel):
            bad(loc + (name,), f"{rel!r} points outside the repository")
            continue
        if exercise.gradable and not (repo / rel).is_file():
            bad(loc + (name,), f"{rel} does not exist")
    if exercise.grader and exercise.stub and _inside(repo, exercise.grader) and _inside(repo, exercise.stub):
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
        solution_ok = exercise.solution and _inside(repo, exercise.solution)
        if exercise.kind == "code" and solution_ok and (repo / exercise.solution).is_file():
            try:
                count = len(load_variants(variants_path(repo / exercise.solution)))
            except Exception as exc:  # noqa: BLE001 - reported as a problem, not raised
                bad(loc + ("solution",), str(exc))
                count = 3
            if count < 3:
                bad(loc + ("solution",), f"a code exercise needs at least 3 buggy variants, it has {count}")


def _item(item: Item, expected: str, bad, unique) -> None:
    if item.id != expected or not ITEM_ID.match(item.id):
        bad(item._path + ("id",), f"this item must have id {expected!r}, not {item.id!r}")
    unique(item.id, item._path + ("id",))
    for index, child in enumerate(item.items, start=1):
        if child.items:
            bad(child._path + ("items",), "items nest at most two levels deep")
        _item(child, f"{expected}.{index}", bad, unique)


def _manifest(loaded: LoadedCurriculum, repo: Path) -> list[Problem]:
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
