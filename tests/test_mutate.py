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


def test_a_survivor_is_listed_with_the_line_it_changed():
    from tracker.grading.mutate import Report

    report = Report("9.9.9", "graders/9.9/solutions/ex.py", total=3, graded=2, killed=1,
                    survivors=[{"line": 6, "mutation": ">= -> >", "text": "out = [v for v in x if v > low]"}])
    table = format_table([report])
    assert "graders/9.9/solutions/ex.py:6: >= -> >: out = [v for v in x if v > low]" in table
    assert " 50.0%" in table


def test_named_mistakes_tells_a_named_message_from_a_bare_comparison(monkeypatch):
    monkeypatch.syspath_prepend(str(PROJECT / "bench"))
    import named_mistakes as nm

    headline = ("history['val_loss'] over 6 epochs: the worst difference from the reference is 0.0123 at index [3] "
                "(expected 1.05, got 1.0623, allowed 1.1e-05); 6 of 6 values are outside rtol=1e-05, atol=1e-06")
    assert nm.bare(headline)
    assert nm.bare("the top eigenvalue: got 3.1, expected -2.9 (rtol=1e-06, atol=0)")
    assert nm.bare("beta has shape (3,), expected (4,)")
    assert not nm.bare(headline + ". This is what averaging the loss per batch gives.")
    assert not nm.bare("beta has shape (3, 4), expected (4, 3) (same number of elements: a transpose or a reshape "
                       "in the wrong order?)")
    assert nm.verdict("failed", ["", headline + ". This is what averaging the loss per batch gives."],
                      "averaging the loss per batch")[0] == "named"
    # The expected text found only in the quantity's name is not a named mistake.
    assert nm.verdict("failed", [headline], "val_loss")[0] == "bare"
    assert nm.verdict("passed", [], "anything")[0] == "not caught"
    assert nm.verdict("error", ["the grader itself failed"], "failed")[0] == "other message"
    assert nm.verdict("failed", ["something else"], "averaging")[0] == "other message"
