"""The warm grading worker: same verdicts and limits as the cold path, a fresh import of every file on
every run, a restart after a crash, and no life after its owner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tracker.grading import results as R
from tracker.grading.runner import Job, Limits, grade
from tracker.grading.worker import FORK_SAFE, WarmWorker

from .conftest import PROJECT
from .test_grading import GRADER, learner, messages

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not FORK_SAFE, reason="the warm worker forks (Linux only)")]


@pytest.fixture(scope="module")
def worker():
    w = WarmWorker()
    w.start()
    yield w
    w.close()


def run(worker, path, **limits) -> R.ExerciseResult:
    [result] = grade([Job("1.1.1", GRADER, path)], PROJECT, device="cpu", limits=Limits(**limits), worker=worker)
    return result


def test_same_verdicts_as_cold(worker, tmp_path):
    assert run(worker, learner(tmp_path)).status == R.PASSED
    stub = PROJECT / "exercises/1.1/ex1_int8_quantization.py"
    assert run(worker, stub).status == R.NOT_STARTED


def test_an_edited_file_is_always_what_gets_graded(worker, tmp_path):
    path = learner(tmp_path)
    assert run(worker, path).status == R.PASSED
    path.write_text(path.read_text().replace("amax / 127", "amax / 128"))
    result = run(worker, path)
    assert result.status == R.FAILED and "dividing by 128" in messages(result)
    path.write_text(path.read_text().replace("amax / 128", "amax / 127"))
    assert run(worker, path).status == R.PASSED


@pytest.mark.parametrize("replacement,limits,status,words", [
    ("    while True:\n        pass\n", {"timeout": 10}, R.TIMEOUT, "stopped after 10 s"),
    ("    import ctypes; ctypes.string_at(0)\n", {}, R.CRASHED, "crashed (SIGSEGV)"),
    ("    import os; os._exit(0)\n", {}, R.EXITED, "exited with code 0"),
    ("    while True:\n        print('x' * 1000)\n", {"output_kb": 256}, R.OUTPUT, "printed more than 256 KB"),
    ("    hoard = []\n    while True:\n        hoard.append(bytearray(50_000_000))\n", {"memory_mb": 1500}, None, "memory"),
])
def test_limits_hold_in_forked_children(worker, tmp_path, replacement, limits, status, words):
    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", replacement))
    result = run(worker, path, **limits)
    if status:
        assert result.status == status
    assert words in messages(result)
    assert worker.alive()  # a child's death is not the worker's


def test_the_worker_restarts_after_a_crash(tmp_path):
    w = WarmWorker()
    w.start()
    os.kill(w.proc.pid, signal.SIGKILL)
    w.proc.wait()
    assert run(w, learner(tmp_path)).status == R.PASSED  # this run falls back to cold, or a new worker
    assert run(w, learner(tmp_path)).status == R.PASSED
    assert w.alive()
    w.close()


def test_the_worker_dies_with_its_owner(tmp_path):
    owner = textwrap.dedent(
        """
        import sys, time
        from tracker.grading.worker import WarmWorker
        w = WarmWorker(); w.start()
        print(w.proc.pid, flush=True)
        time.sleep(120)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", owner], stdout=subprocess.PIPE, text=True)
    worker_pid = int(proc.stdout.readline())
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("the worker outlived its owner")
