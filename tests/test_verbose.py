"""`tracker grade -v` shows the learner's own frames and the failing check's message, never the hidden grader."""

from __future__ import annotations

import shutil

import pytest

from .conftest import run_tracker

SOLUTION = "graders/0.5/solutions/ex1_scaled_dot_product_attention.py"
STUB = "exercises/0.5/ex1_scaled_dot_product_attention.py"


@pytest.mark.slow
def test_verbose_output_shows_the_learners_frames_and_no_grader_source(fork):
    stub = fork / STUB
    shutil.copy(fork / SOLUTION, stub)
    text = stub.read_text()
    # One check fails on a wrong value (an assertion in the grader), the causal path raises in the learner's code.
    text = text.replace("/ math.sqrt(d_k)", "/ d_k")
    text = text.replace("    if is_causal:\n", "    if is_causal:\n        raise ValueError('causal is not done yet')\n")
    stub.write_text(text)
    result = run_tracker("grade", "0.5.1", "-v")
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert "Traceback (your code only):" in out
    assert f'{STUB}", line ' in out and "raise ValueError('causal is not done yet')" in out
    assert "E   your code raised ValueError: causal is not done yet" in out
    assert "largest difference" not in out and "the worst difference from the reference" in out
    grader = (fork / "graders/0.5/test_ex1_scaled_dot_product_attention.py").read_text()
    # Neither the grader's lines nor its docstrings reach the learner.
    assert "test_ex1_scaled_dot_product_attention.py:" not in out
    assert "def test_" not in out and "check_close(" not in out
    docstring_lines = [ln.strip() for ln in grader.splitlines() if ln.strip().startswith('"""') and len(ln.strip()) > 20]
    for line in docstring_lines[1:]:  # the first is the module docstring; test docstrings are the checks' titles
        assert line not in out
