"""The grading child: learner code that hangs, crashes, exits, hogs memory, floods output, monkeypatches
or calls a forbidden routine is stopped or caught and reported as exactly that; the parent carries on."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tracker.grading import results as R
from tracker.grading.runner import Job, Limits, grade

from .conftest import PROJECT

GRADER = PROJECT / "graders/1.1/test_ex1_int8_quantization.py"
SOLUTION = (PROJECT / "graders/1.1/solutions/ex1_int8_quantization.py").read_text()

pytestmark = pytest.mark.slow


def learner(tmp_path: Path, extra: str = "", replace: tuple[str, str] | None = None) -> Path:
    """The reference solution with something appended or replaced: a learner's file."""
    text = SOLUTION
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "ex1_int8_quantization.py"
    path.write_text(text + textwrap.dedent(extra))
    return path


def run(path: Path, **limits) -> R.ExerciseResult:
    [result] = grade([Job("1.1.1", GRADER, path)], PROJECT, device="cpu", limits=Limits(**limits))
    return result


def messages(result: R.ExerciseResult) -> str:
    return "\n".join([result.message] + [t.message for t in result.tests])


def test_reference_passes_with_structured_results(tmp_path):
    result = run(learner(tmp_path))
    assert result.status == R.PASSED
    assert result.device == "cpu" and result.device_name.startswith("CPU")
    assert len(result.tests) >= 8 and all(t.outcome == R.PASSED for t in result.tests)
    assert all(t.description and t.duration >= 0 for t in result.tests)
    assert len(result.grader_hash) == 64 and len(result.learner_hash) == 64


def test_infinite_loop_is_stopped(tmp_path):
    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    while True:\n        pass\n"))
    result = run(path, timeout=15)
    assert result.status == R.TIMEOUT
    assert "stopped after 15 s" in result.message and "symmetric scale" in result.message


def test_sys_exit_is_reported(tmp_path):
    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    import sys; sys.exit(3)\n"))
    result = run(path)
    assert result.status == R.FAILED
    assert "your code called sys.exit(3)" in messages(result)
    # The other checks still ran and passed.
    assert sum(t.outcome == R.PASSED for t in result.tests) >= 5


def test_os_exit_is_reported(tmp_path):
    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    import os; os._exit(0)\n"))
    result = run(path)
    assert result.status == R.EXITED
    assert "exited with code 0" in result.message and "sys.exit() or os._exit()" in result.message


def test_interpreter_crash_is_reported(tmp_path):
    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    import ctypes; ctypes.string_at(0)\n"))
    result = run(path)
    assert result.status == R.CRASHED
    assert "crashed (SIGSEGV)" in result.message


def test_unbounded_allocation_is_stopped(tmp_path):
    path = learner(
        tmp_path,
        replace=("    amax = float(x.abs().max())\n", "    hoard = []\n    while True:\n        hoard.append(bytearray(50_000_000))\n"),
    )
    result = run(path, memory_mb=1500)
    assert result.status in (R.MEMORY, R.FAILED)
    assert "memory" in messages(result)


def test_output_flood_is_stopped(tmp_path):
    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    while True:\n        print('x' * 1000)\n"))
    result = run(path, output_kb=256)
    assert result.status == R.OUTPUT
    assert "printed more than 256 KB" in result.message


def test_monkeypatch_cannot_turn_a_wrong_answer_into_a_pass(tmp_path):
    # Wrong scale, plus an attempt to make every comparison succeed.
    path = learner(
        tmp_path,
        replace=("amax / 127", "amax / 128"),
        extra="""
        import torch
        torch.allclose = lambda *a, **k: True
        torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)
        """,
    )
    result = run(path)
    assert result.status == R.FAILED
    assert "your code replaced torch.allclose" in messages(result)


def test_forbidden_routine_is_unavailable_to_learner_code(tmp_path):
    path = learner(
        tmp_path,
        replace=(
            "    q = torch.round(x / scale) + zero_point\n    q = torch.clamp(q, qmin, qmax)\n    return q.to(dtype)\n",
            "    qtype = torch.qint8 if dtype == torch.int8 else torch.quint8\n"
            "    return torch.quantize_per_tensor(x, scale, zero_point, qtype).int_repr()\n",
        ),
    )
    result = run(path)
    assert result.status == R.FAILED
    assert "torch.quantize_per_tensor is off-limits in this exercise" in messages(result)


def test_forbidden_routine_captured_at_import_is_still_unavailable(tmp_path):
    path = learner(tmp_path, extra="""
        from torch import quantize_per_tensor as _q

        def quantize(x, scale, zero_point, dtype):
            return _q(x, scale, zero_point, torch.qint8 if dtype == torch.int8 else torch.quint8).int_repr()
        """)
    result = run(path)
    assert "off-limits" in messages(result)


def test_syntax_error_is_reported_with_its_line(tmp_path):
    path = tmp_path / "ex1_int8_quantization.py"
    path.write_text("import torch\n\ndef symmetric_qparams(x)\n    return 1, 0\n")
    result = run(path)
    assert result.status == R.FAILED
    assert "syntax error on line 3" in messages(result)


def test_learner_exception_names_the_line(tmp_path):
    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    amax = float(x.abs().max()) / 0 + [][1]\n"))
    result = run(path)
    assert "(line 11 of ex1_int8_quantization.py, in symmetric_qparams)" in messages(result)


def test_a_killed_exercise_does_not_take_the_others_with_it(tmp_path):
    """In a module run, graders after a hung one run again in a fresh child."""
    hung = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    while True:\n        pass\n"))
    jobs = [Job("1.1.1", GRADER, hung)]
    other = PROJECT / "graders/1.1/test_ex2_per_channel_outliers.py"
    if not other.exists():
        pytest.skip("1.1.2 is not written yet")
    jobs.append(Job("1.1.2", other, PROJECT / "graders/1.1/solutions/ex2_per_channel_outliers.py"))
    first, second = grade(jobs, PROJECT, device="cpu", limits=Limits(timeout=15))
    assert first.status == R.TIMEOUT
    assert second.status == R.PASSED


def test_cancel_stops_a_run(tmp_path):
    import threading

    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    while True:\n        pass\n"))
    cancel = threading.Event()
    timer = threading.Timer(3.0, cancel.set)
    timer.start()
    [result] = grade([Job("1.1.1", GRADER, path)], PROJECT, device="cpu", limits=Limits(timeout=60), cancel=cancel)
    assert result.status == "cancelled"


def test_events_stream_while_grading(tmp_path):
    seen = []
    grade([Job("1.1.1", GRADER, learner(tmp_path))], PROJECT, device="cpu", on_event=seen.append)
    kinds = [e["event"] for e in seen]
    assert kinds.count("start") == kinds.count("test") >= 8 and kinds[-1] == "end"


def test_a_wraps_style_monkeypatch_is_still_caught(tmp_path):
    """A learner's wrapper that copies the original's name and module is not torch's own wrapper."""
    path = learner(
        tmp_path,
        replace=("amax / 127", "amax / 128"),
        extra="""
        import functools
        import torch
        _real = torch.allclose
        torch.allclose = functools.wraps(_real)(lambda *a, **k: True)
        """,
    )
    result = run(path)
    assert result.status == R.FAILED and "your code replaced torch.allclose" in messages(result)


def test_torch_wrapping_its_own_functions_is_not_tampering(tmp_path):
    """Building an optimizer imports torch._dynamo, which wraps torch.manual_seed: not the learner's doing."""
    path = learner(tmp_path, extra="""
        import torch
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        """)
    assert run(path).status == R.PASSED


def test_a_correct_solution_grades_under_an_outer_address_space_limit(fork):
    """A shared machine's `ulimit -v`: the child's cap stays within it, and the pass is recorded."""
    import os
    import resource
    import subprocess
    import sys

    limit = 3_500 * 1024 * 1024  # below the tracker's own cap (10 GB by default), above what torch needs

    def outer_limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    (fork / "exercises/1.1/ex1_int8_quantization.py").write_text(SOLUTION)
    proc = subprocess.run([sys.executable, "-m", "tracker", "grade", "1.1.1", "--device", "cpu"], cwd=fork,
                          env=dict(os.environ), capture_output=True, text=True, timeout=300, preexec_fn=outer_limit)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "1.1.1 passed" in proc.stdout
