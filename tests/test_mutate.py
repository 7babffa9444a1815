"""The mutation tool: one-point mutants of a solution's text, graded by the real grading path."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tracker.curriculum.loader import load
from tracker.grading.mutate import format_table, mutants, run_exercise, select

from .conftest import PROJECT

SOURCE = '''"""Docstring with 3 < 4 in it."""


def clip(x: list[int], low: int = 0) -> list[int]:
    # a comment that stays
    out = [v for v in x[1:] if v >= low and not v == 7]
    total = -sum(out) * 2.5
    if __name__ == "__main__":
        print(1 + 1)
    return out
'''


def test_every_kind_of_mutation_is_made_once_and_the_rest_of_the_text_is_kept():
    found = mutants(SOURCE)
    descriptions = [m.description for m in found]
    for expected in (">= -> >", "and -> or", "not dropped", "== -> !=", "minus sign dropped", "* -> /",
                     "2.5 -> 5.0", "0 -> 1", "slice lower bound 1 -> 1 + 1", "slice lower bound 1 -> 1 - 1",
                     "return out -> return None", "7 -> 8", "7 -> 6"):
        assert expected in descriptions, expected
    # Docstrings, annotations and the __main__ block are left alone.
    assert not any("3" in d or "4" in d for d in descriptions)
    assert "+ -> -" not in descriptions
    for mutant in found:
        ast.parse(mutant.source)
        assert "# a comment that stays" in mutant.source
        assert mutant.source != SOURCE
    [ge] = [m for m in found if m.description == ">= -> >"]
    assert ge.line == 6
    assert "(v > low)" in ge.source and "v >= low" not in ge.source


@pytest.mark.slow
def test_a_mutant_that_the_grader_misses_is_reported_with_its_line(tmp_path):
    curriculum = load(PROJECT / "curriculum.yaml").curriculum
    [exercise] = select(curriculum, None, ["0.1.1"])
    report = run_exercise(PROJECT, exercise, worker=None, limit=1)
    assert report.graded == 1 and report.total >= 1
    assert report.killed + len(report.survivors) == report.graded
    table = format_table([report])
    assert table.splitlines()[1].startswith("0.1.1")


def test_the_command_names_a_selection_that_matches_nothing():
    proc = subprocess.run([sys.executable, "-m", "tracker.grading.mutate", "--exercise", "9.9.9"], cwd=PROJECT,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "no code exercise" in proc.stderr
