"""Mutation testing of the graders: how many small, plausible bugs in each reference solution does its
grader catch?

Each reference solution is parsed, and every place where a one-token slip is possible becomes one mutant:
a comparison loosened or tightened (``<`` for ``<=``), an arithmetic operator swapped (``+`` for ``-``),
a constant changed (``n`` to ``n + 1``, ``x`` to ``2 x``, ``True`` to ``False``), a slice bound moved by
one, ``and`` for ``or``, a ``not`` or a minus sign dropped, a returned value replaced by ``None``. Each
mutant is graded by the project's own grading path (the warm worker's forked children, the grader's
limits), and counts as killed when the grade is anything but a pass. The survivors are where a grader is
blind: each is either a mistake the stub's words rule out (a check is missing) or a change the
specification allows (the stub should say so).

    python -m tracker.grading.mutate [--modules 0.1,0.2] [--exercise 0.1.1] [--max 40] [--json out.json]
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from tracker.curriculum.model import Exercise
from tracker.grading import results as R
from tracker.grading.runner import Job, Limits, grade


@dataclass(frozen=True)
class Mutant:
    line: int
    description: str
    source: str


@dataclass
class Report:
    exercise: str
    solution: str
    total: int = 0  # mutation points in the solution
    graded: int = 0  # mutants graded (all of them, or an even sample)
    killed: int = 0
    survivors: list[dict] = field(default_factory=list)
    note: str = ""

    @property
    def rate(self) -> float:
        return self.killed / self.graded if self.graded else 0.0


# --- mutation points ----------------------------------------------------------------------------------

_COMPARE = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_BINOP = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult,
}
_SYMBOL = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is",
    ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in", ast.Add: "+", ast.Sub: "-", ast.Mult: "*",
    ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**", ast.And: "and", ast.Or: "or",
}

# (node whose source span is replaced, replacement text, description)
Edit = tuple[ast.AST, str, str]


def _with(node: ast.AST, change: Callable[[ast.AST], None]) -> str:
    new = copy.deepcopy(node)
    change(new)
    return f"({ast.unparse(new)})"


def _edits(node: ast.AST) -> Iterator[Edit]:
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _COMPARE:
                new_op = _COMPARE[type(op)]

                def change(n, i=i, new_op=new_op):
                    n.ops[i] = new_op()

                yield node, _with(node, change), f"{_SYMBOL[type(op)]} -> {_SYMBOL[new_op]}"
    elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BINOP:
        new_op = _BINOP[type(node.op)]
        label = f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[new_op]}"
        if isinstance(node, ast.AugAssign):
            new = copy.deepcopy(node)
            new.op = new_op()
            yield node, ast.unparse(new), label.replace(" ->", "= ->") + "="
        else:
            yield node, _with(node, lambda n: setattr(n, "op", new_op())), label
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield node, _with(node, lambda n: setattr(n, "op", other())), f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[other]}"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        what = "not" if isinstance(node.op, ast.Not) else "minus sign"
        yield node, f"({ast.unparse(node.operand)})", f"{what} dropped"
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield node, repr(not value), f"{value} -> {not value}"
        elif isinstance(value, int):
            yield node, repr(value + 1), f"{value} -> {value + 1}"
            if value != 0:
                yield node, repr(value - 1), f"{value} -> {value - 1}"
        elif isinstance(value, float):
            new = value * 2 if value else 1.0
            yield node, repr(new), f"{value!r} -> {new!r}"
    elif isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            part = getattr(node, bound)
            if part is not None:
                text = ast.unparse(part)
                yield part, f"({text}) + 1", f"slice {bound} bound {text} -> {text} + 1"
                yield part, f"({text}) - 1", f"slice {bound} bound {text} -> {text} - 1"
    elif isinstance(node, ast.Return) and node.value is not None and not (
        isinstance(node.value, ast.Constant) and node.value.value is None
    ):
        yield node.value, "None", f"return {_clip(ast.unparse(node.value))} -> return None"


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _skipped(node: ast.AST) -> bool:
    """Nodes not to mutate: docstrings, the __main__ block, f-strings, raises (stubs' own text)."""
    if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
        left = node.test.left
        return isinstance(left, ast.Name) and left.id == "__name__"
    return isinstance(node, (ast.JoinedStr, ast.Raise, ast.Assert, ast.Import, ast.ImportFrom, ast.Global))


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node worth mutating, in source order, without annotations."""
    if _skipped(node):
        return
    yield node
    for name, value in ast.iter_fields(node):
        if name in ("annotation", "returns", "type_comment", "decorator_list"):
            continue
        children = value if isinstance(value, list) else [value]
        for child in children:
            if isinstance(child, ast.AST):
                yield from _walk(child)


def mutants(source: str) -> list[Mutant]:
    """All single-point mutants of ``source``; the rest of the text stays as it was."""
    tree = ast.parse(source)
    data = source.encode("utf-8")
    starts = [0]
    for line in data.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    out = []
    for node in _walk(tree):
        for target, text, description in _edits(node):
            if not hasattr(target, "end_lineno") or target.end_lineno is None:
                continue
            begin = starts[target.lineno - 1] + target.col_offset
            end = starts[target.end_lineno - 1] + target.end_col_offset
            mutated = data[:begin] + text.encode("utf-8") + data[end:]
            try:
                ast.parse(mutated)
            except SyntaxError:
                continue
            out.append(Mutant(target.lineno, description, mutated.decode("utf-8")))
    return out


def _sample(items: list[Mutant], limit: int) -> list[Mutant]:
    """An even spread of at most ``limit`` items (all of them when limit is 0)."""
    if not limit or len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


# --- grading --------------------------------------------------------------------------------------------


def _grade_file(repo: Path, exercise: Exercise, path: Path, worker, timeout: float) -> R.ExerciseResult:
    [result] = grade([Job(exercise.id, repo / exercise.grader, path)], repo, device="cpu",
                     limits=Limits(timeout=timeout), worker=worker)
    return result


def run_exercise(repo: Path, exercise: Exercise, worker=None, limit: int = 40, jobs: int = 1) -> Report:
    solution = repo / exercise.solution
    report = Report(exercise.id, exercise.solution)
    with tempfile.TemporaryDirectory(prefix=f"mutants-{exercise.id}-") as tmp:
        start = time.monotonic()
        reference = _grade_file(repo, exercise, solution, worker, 120)
        elapsed = time.monotonic() - start
        if reference.status != R.PASSED:
            report.note = f"the reference does not pass ({reference.status}): {reference.message}"
            return report
        # A mutant gets a few times the reference's time: an infinite loop is killed, not waited for.
        timeout = max(10.0, 4 * elapsed)
        found = mutants(solution.read_text(encoding="utf-8"))
        chosen = _sample(found, limit)
        report.total, report.graded = len(found), len(chosen)

        def one(item: tuple[int, Mutant]) -> tuple[Mutant, R.ExerciseResult]:
            number, mutant = item
            path = Path(tmp) / f"m{number}" / solution.name
            path.parent.mkdir()
            path.write_text(mutant.source, encoding="utf-8")
            return mutant, _grade_file(repo, exercise, path, worker, timeout)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for mutant, result in pool.map(one, enumerate(chosen)):
                if result.status == R.PASSED:
                    changed = mutant.source.splitlines()[mutant.line - 1].strip()
                    report.survivors.append({"line": mutant.line, "mutation": mutant.description, "text": changed})
                else:
                    report.killed += 1
    return report


def select(curriculum, modules: list[str] | None, exercise_ids: list[str] | None) -> list[Exercise]:
    chosen = []
    for exercise in curriculum.gradables():
        if not (exercise.gradable and exercise.kind == "code" and exercise.solution and exercise.grader):
            continue
        if exercise_ids and exercise.id not in exercise_ids:
            continue
        module = "papers" if exercise.is_paper_quiz else exercise.module_id
        if modules and module not in modules and exercise.module_id not in modules:
            continue
        chosen.append(exercise)
    return chosen


def format_table(reports: list[Report]) -> str:
    lines = [f"{'exercise':<10} {'mutants':>8} {'graded':>7} {'killed':>7} {'rate':>6}"]
    for r in reports:
        rate = f"{100 * r.rate:5.1f}%" if r.graded else "   -  "
        lines.append(f"{r.exercise:<10} {r.total:>8} {r.graded:>7} {r.killed:>7} {rate}" + (f"  {r.note}" if r.note else ""))
    graded = sum(r.graded for r in reports)
    killed = sum(r.killed for r in reports)
    if graded:
        lines.append(f"{'all':<10} {sum(r.total for r in reports):>8} {graded:>7} {killed:>7} {100 * killed / graded:5.1f}%")
    for r in reports:
        if r.survivors:
            lines.append("")
            lines.append(f"survivors of {r.exercise}:")
            lines.extend(f"  {r.solution}:{s['line']}: {s['mutation']}: {_clip(s.get('text', ''), 90)}"
                         for s in r.survivors)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.grading.mutate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", help="comma-separated module ids (0.1,0.2) or 'papers'")
    parser.add_argument("--exercise", help="comma-separated exercise ids")
    parser.add_argument("--max", type=int, default=40, help="mutants per exercise, an even sample (0: all)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants graded side by side")
    parser.add_argument("--json", type=Path, help="also write the reports here")
    args = parser.parse_args(argv)

    from tracker.curriculum.loader import load
    from tracker.grading.sandbox import repo_root
    from tracker.grading.worker import WarmWorker

    repo = repo_root(Path.cwd().resolve())
    curriculum = load(repo / "curriculum.yaml").curriculum
    modules = args.modules.split(",") if args.modules else None
    exercise_ids = args.exercise.split(",") if args.exercise else None
    exercises = select(curriculum, modules, exercise_ids)
    if not exercises:
        print("no code exercise with a reference solution matches", file=sys.stderr)
        return 2
    # Killed mutants stop at their first failing check.
    os.environ["PYTEST_ADDOPTS"] = (os.environ.get("PYTEST_ADDOPTS", "") + " -x").strip()
    worker = WarmWorker()
    reports = []
    try:
        for exercise in exercises:
            start = time.monotonic()
            report = run_exercise(repo, exercise, worker if worker.usable() else None, args.max, args.jobs)
            reports.append(report)
            print(f"{exercise.id}: {report.killed}/{report.graded} killed ({time.monotonic() - start:.0f} s)",
                  file=sys.stderr, flush=True)
    finally:
        worker.close()
    print(format_table(reports))
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "rate": r.rate} for r in reports], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
