"""The warm grading worker: same verdicts and limits as the cold path, a fresh import of every file on
every run, a restart after a crash, and no life after its owner."""

from __future__ import annotations

import os
import re
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


@pytest.mark.parametrize("warm", [True, False], ids=["warm", "cold"])
def test_a_timeout_names_the_learners_line_and_how_long_it_ran(worker, tmp_path, warm):
    path = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    while True:\n        amax = 1\n"))
    line = path.read_text().splitlines().index("        amax = 1") + 1
    [result] = grade([Job("1.1.1", GRADER, path)], PROJECT, device="cpu", limits=Limits(timeout=3),
                     worker=worker if warm else None)
    assert result.status == R.TIMEOUT
    # The loop is two lines; the dump catches it on either.
    assert (f"your code was at ex1_int8_quantization.py line {line} (in symmetric_qparams): `amax = 1`" in result.message
            or f"ex1_int8_quantization.py line {line - 1} (in symmetric_qparams): `while True:`" in result.message), result.message
    assert re.search(r"stopped after 3 s \(this check ran \d+\.\d s\)", result.message), result.message


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


def test_a_worker_started_by_a_thread_that_exits_serves_the_next_grading(fork):
    """A thread (a watch save, a TUI grading) starts the worker and exits; the next grading, from another
    thread, is served by the same worker, warm."""
    import threading

    from tracker.service import Tracker

    t = Tracker.open(fork)
    try:
        exercise = t.exercise("1.1.1")
        seen: list = []

        def grade_in_a_thread() -> None:
            worker = t.warm()
            seen.append((t.grade([exercise], device="cpu", worker=worker, publish=False)[0], worker.proc.pid))

        first = threading.Thread(target=grade_in_a_thread)
        first.start()
        first.join()
        time.sleep(1.5)  # what killed the worker before took effect within a second of the thread's end
        second = threading.Thread(target=grade_in_a_thread)
        second.start()
        second.join()
        (r1, pid1), (r2, pid2) = seen
        assert r1.status == r2.status == R.NOT_STARTED
        assert pid1 == pid2 and t.warm().alive()
        assert t.warm().served == 2  # both runs were forks of that worker, not cold fallbacks
    finally:
        t.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pids: list[int], what: str) -> None:
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            pytest.fail(f"{what} outlived the tracker: {[p for p in pids if _alive(p)]}")
        time.sleep(0.1)


SPINNING_OWNER = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from tracker.grading.runner import Job, Limits, grade
    from tracker.grading.worker import WarmWorker
    project, grader, target, warm = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "warm"
    worker = None
    if warm:
        worker = WarmWorker()
        starter = threading.Thread(target=worker.start)  # started from a thread that exits at once
        starter.start(); starter.join()
        print("worker", worker.proc.pid, flush=True)
    def event(record):
        if record.get("event") == "start":
            print("running", flush=True)
    threading.Thread(target=grade, args=([Job("1.1.1", grader, target)], project),
                     kwargs=dict(device="cpu", limits=Limits(timeout=300), worker=worker, on_event=event),
                     daemon=True).start()
    time.sleep(300)
    """
)


def _descendants(pid: int) -> list[int]:
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    kids = [int(c) for c in fh.read().split()]
                out += kids
                stack += kids
        except OSError:
            continue
    return out


@pytest.mark.parametrize("path", ["warm", "cold"])
def test_grading_children_die_when_the_tracker_is_killed(tmp_path, path):
    """SIGKILL of the tracker mid-grading (a learner's loop spinning) leaves no worker and no child behind."""
    spin = learner(tmp_path, replace=("    amax = float(x.abs().max())\n", "    while True:\n        pass\n"))
    owner = subprocess.Popen([sys.executable, "-c", SPINNING_OWNER, str(PROJECT), str(GRADER), str(spin), path],
                             stdout=subprocess.PIPE, text=True)
    try:
        line = owner.stdout.readline()
        if path == "warm":
            assert line.startswith("worker")
            line = owner.stdout.readline()
        assert line.strip() == "running"
        time.sleep(0.3)
        below = _descendants(owner.pid)
        assert below, "no grading child was found"
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
        _wait_gone(below, "the grading processes")
    finally:
        if owner.poll() is None:
            owner.kill()


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
            out.update(int(c) for c in fh.read().split())
    return out


def _wait_for_children(pid: int, count: int = 1, timeout: float = 60) -> set[int]:
    deadline = time.monotonic() + timeout
    while len(children := _children(pid)) < count:
        assert time.monotonic() < deadline, "no spare child"
        time.sleep(0.05)
    return children


def test_the_next_grading_child_is_made_before_it_is_asked_for(tmp_path):
    """The worker keeps a spare child, isolated and warmed, that the next request goes to; once it ends, the
    next spare is a new process (a child serves one request)."""
    w = WarmWorker()
    try:
        w.start()
        [spare] = _wait_for_children(w.proc.pid)
        request = {"args": ["--version"], "env": {}, "cwd": str(tmp_path), "output": str(tmp_path / "out.txt"),
                   "memory_mb": 4096, "limit_as": False}
        served = w.submit(request)
        assert w.reply(served)["pid"] == spare
        assert w.wait_exit(served, timeout=60) == 0
        assert "pytest" in (tmp_path / "out.txt").read_text()
        [after] = _wait_for_children(w.proc.pid)
        assert after != spare
    finally:
        w.close()


def test_a_run_made_ready_grades_the_save_that_follows_and_never_a_changed_grader(fork):
    """Watch mode makes the next grading ready after a verdict: it grades the file as saved afterwards;
    if the grader changed meanwhile, the ready run is let go and the new grader runs."""
    from tracker.grading.runner import prepare

    grader = fork / "graders/1.1/test_ex1_int8_quantization.py"
    stub = fork / "exercises/1.1/ex1_int8_quantization.py"
    job = Job("1.1.1", grader, stub)
    w = WarmWorker()
    try:
        prepare([job], fork, w, device="cpu")
        stub.write_text((fork / "graders/1.1/solutions/ex1_int8_quantization.py").read_text())
        [result] = grade([job], fork, device="cpu", worker=w)
        assert result.status == R.PASSED, result.message
        prepare([job], fork, w, device="cpu")
        grader.write_text(grader.read_text() + "\n\ndef test_added_later():\n    assert False, 'the grader as it is now'\n")
        [result] = grade([job], fork, device="cpu", worker=w)
        assert w.ready is None
        assert any("the grader as it is now" in t.message for t in result.tests), [t.message for t in result.tests]
    finally:
        w.close()
