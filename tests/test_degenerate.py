"""No grader fails itself on a learner's degenerate answer.

For every gradable exercise, a degenerate learner file is made from its stub: each function that still
raises NotImplementedError instead returns, call after call, None, zeros shaped like its first array
argument, a tensor disconnected from the inputs, a value of the wrong type, and an empty selection; each
quiz answer is a value of the wrong kind. Every grader must report that as an ordinary failure of its
checks: never "the grader itself failed", and never a bare exception from the grader's own code
(``AttributeError: 'NoneType' object has no attribute 'abs'``), which tells the learner nothing.

One grading child per module grades all of its exercises, so the whole catalogue costs a few children.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tracker.curriculum.loader import load
from tracker.grading import results as R
from tracker.grading.runner import Job, Limits, grade

from .conftest import PROJECT
from .test_exercises import worker  # noqa: F401 - the warm worker fixture, shared

CURRICULUM = load(PROJECT / "curriculum.yaml").curriculum
EXERCISES = [e for e in CURRICULUM.gradables() if e.gradable and e.stub and e.grader and e.device != "cuda"]
MODULES = sorted({"papers" if e.is_paper_quiz else e.module_id for e in EXERCISES},
                 key=lambda m: [int(p) if p.isdigit() else 99 for p in m.split(".")])

# Appended to each degenerate learner file; the functions call it where the stub raised.
HELPER = '''

import itertools as _itertools

_calls = _itertools.count()
_KINDS = ("none", "zeros", "disconnected", "wrong type", "empty")


def _degenerate(arguments):
    import numpy as np
    import torch

    kind = _KINDS[next(_calls) % len(_KINDS)]
    first = next((v for k, v in arguments.items() if k != "self" and isinstance(v, (torch.Tensor, np.ndarray))), None)
    if kind == "none":
        return None
    if kind == "wrong type":
        return "not an answer"
    if kind == "zeros":
        return first * 0 if first is not None else 0.0
    if kind == "disconnected":
        if isinstance(first, torch.Tensor):
            return torch.zeros(first.shape, dtype=torch.float32, requires_grad=True)
        return torch.zeros(1, requires_grad=True)
    return first[:0] if first is not None and first.ndim else []


def _degenerate_init(instance):
    try:
        super(type(instance), instance).__init__()
    except TypeError:
        pass
'''

QUIZ_VALUES = ('"?"', "3.5", "[]", '{"a": 1}', 'float("nan")', "True", "-1", "{None}")

# A message that is only an exception from the grader's own code: no sentence for the learner.
BARE = re.compile(r"^(TypeError|AttributeError|ValueError|RuntimeError|IndexError|KeyError|ZeroDivisionError)\b")


def degenerate_source(stub: str) -> str:
    """The stub with every NotImplementedError replaced by degenerate answers, and quiz answers of the
    wrong kind."""
    tree = ast.parse(stub)
    lines = stub.splitlines(keepends=True)
    edits: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for statement in node.body:
                if isinstance(statement, ast.Raise) and "NotImplementedError" in ast.unparse(statement):
                    indent = " " * statement.col_offset
                    call = "_degenerate_init(self)" if node.name == "__init__" else "return _degenerate(locals())"
                    edits[statement.lineno] = indent + call + "\n"
                    for extra in range(statement.lineno + 1, (statement.end_lineno or statement.lineno) + 1):
                        edits[extra] = ""
    values = iter(QUIZ_VALUES * 10)
    for statement in tree.body:
        if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
                and statement.value.value is None and statement.lineno == statement.end_lineno):
            line = lines[statement.lineno - 1]
            head = line[: statement.value.col_offset]
            tail = line[statement.value.end_col_offset:]
            edits[statement.lineno] = head + next(values) + tail
    out = [edits.get(number, line) for number, line in enumerate(lines, start=1)]
    return "".join(out) + HELPER


def problems(result: R.ExerciseResult) -> list[str]:
    found = []
    if result.status in (R.ERROR, R.CRASHED, R.EXITED, R.TIMEOUT, R.MEMORY, R.OUTPUT):
        found.append(f"{result.status}: {result.message}")
    for test in result.tests:
        if test.outcome == R.ERROR or BARE.match(test.message):
            found.append(f"{test.name}: {test.outcome}: {test.message}")
    return found


def test_a_degenerate_file_keeps_the_stubs_signatures_and_answers_wrongly():
    stub = (PROJECT / "exercises/0.6/ex1_normalization_layers.py").read_text(encoding="utf-8")
    source = degenerate_source(stub)
    assert "NotImplementedError" not in source.split("_calls")[0]
    namespace: dict = {}
    exec(compile(source, "degenerate.py", "exec"), namespace)  # noqa: S102 - our own generated text
    import torch

    x = torch.ones(2, 3, 4)
    answers = [namespace["layer_norm"](x, (4,), torch.ones(4), torch.zeros(4)) for _ in range(5)]
    assert answers[0] is None and answers[3] == "not an answer"
    assert torch.equal(answers[1], torch.zeros(2, 3, 4))
    assert answers[2].requires_grad and answers[2].grad_fn is None
    assert answers[4].shape == (0, 3, 4)
    quiz = degenerate_source('"""Quiz."""\n\nANSWER = None  # a number\nOTHER = None\n')
    assert 'ANSWER = "?"  # a number' in quiz and "OTHER = 3.5" in quiz


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_no_grader_fails_itself_on_degenerate_answers(module, worker, tmp_path: Path):
    exercises = [e for e in EXERCISES if ("papers" if e.is_paper_quiz else e.module_id) == module]
    jobs = []
    for exercise in exercises:
        stub = PROJECT / exercise.stub
        target = tmp_path / exercise.id / stub.name
        target.parent.mkdir()
        text = stub.read_text(encoding="utf-8")
        target.write_text(degenerate_source(text) if stub.suffix == ".py" else "# Notes\n\nTODO\n", encoding="utf-8")
        jobs.append(Job(exercise.id, PROJECT / exercise.grader, target))
    results = grade(jobs, PROJECT, device="cpu", limits=Limits(timeout=60), worker=worker)
    report = [f"{r.exercise_id} {line}" for r in results for line in problems(r)]
    assert not report, "\n".join(report)
