"""Watch mode with real file saves in a scratch fork."""

from __future__ import annotations

import os
import threading
import time

import pytest

from tracker.grading import results as R
from tracker.service import Tracker

pytestmark = pytest.mark.slow

STUB = "exercises/1.1/ex1_int8_quantization.py"
SOLUTION = "graders/1.1/solutions/ex1_int8_quantization.py"


class Session:
    """A watcher running in a thread, collecting results."""

    def __init__(self, repo):
        self.tracker = Tracker.open(repo)
        self.results: list[R.ExerciseResult] = []
        self.starts = 0
        exercise = self.tracker.exercise("1.1.1")
        self.watcher = self.tracker.watch(exercise, self.results.append, on_start=self._started, device="cpu")
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def _started(self) -> None:
        self.starts += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.watcher.stop.set()
        self.thread.join(timeout=30)
        self.tracker.close()

    def wait_results(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.results) < count:
            assert time.monotonic() < deadline, f"only {len(self.results)} results"
            time.sleep(0.05)


def test_save_regrades_and_is_recorded(fork):
    with Session(fork) as s:
        s.wait_results(1)
        assert s.results[0].status == R.NOT_STARTED
        (fork / STUB).write_text((fork / SOLUTION).read_text())
        s.wait_results(2)
        assert s.results[1].status == R.PASSED
        assert [a.status for a in s.tracker.store.attempts("1.1.1")] == [R.NOT_STARTED, R.PASSED]


def test_a_burst_of_saves_gives_one_result(fork):
    with Session(fork) as s:
        s.wait_results(1)
        solution = (fork / SOLUTION).read_text()
        for i in range(5):  # five saves within about 100 ms
            (fork / STUB).write_text(solution + f"\n# save {i}\n")
            time.sleep(0.02)
        s.wait_results(2)
        time.sleep(1.0)
        # The first save of the burst starts a run at once; the next ones make it stale, so it is
        # cancelled, and the last save is graded once the burst is over.
        assert len(s.results) == 2 and s.results[1].status == R.PASSED
        assert s.starts <= 3 and s.watcher.cancelled == s.starts - 2


def test_save_during_a_run_cancels_it_and_grades_again(fork):
    slow = (fork / SOLUTION).read_text().replace(
        "    amax = float(x.abs().max())\n", "    import time; time.sleep(4)\n    amax = float(x.abs().max())\n"
    )
    with Session(fork) as s:
        s.wait_results(1)
        (fork / STUB).write_text(slow)
        deadline = time.monotonic() + 60
        while s.starts < 2:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.5)  # the slow run is under way
        (fork / STUB).write_text((fork / SOLUTION).read_text().replace("amax / 127", "amax / 128"))
        s.wait_results(2)
        assert s.watcher.cancelled >= 1 and s.starts >= 3
        assert s.results[1].status == R.FAILED  # the result is the newest save's, not the stale one's
        assert "dividing by 128" in "\n".join(t.message for t in s.results[1].tests)


def test_save_by_rename_is_seen(fork):
    with Session(fork) as s:
        s.wait_results(1)
        tmp = fork / "exercises/1.1/.ex1_int8_quantization.py.swp"
        tmp.write_text((fork / SOLUTION).read_text())
        os.replace(tmp, fork / STUB)  # how many editors save
        s.wait_results(2)
        assert s.results[1].status == R.PASSED


def test_a_save_that_changes_nothing_grades_nothing(fork):
    with Session(fork) as s:
        s.wait_results(1)
        (fork / STUB).write_text((fork / STUB).read_text())
        os.utime(fork / STUB)
        time.sleep(1.5)
        assert s.starts == 1 and len(s.results) == 1


def test_publishing_a_result_never_holds_up_the_next_save(tmp_path):
    """What follows a result (the dashboard, git) runs in its own lane: a save made while it runs is graded
    at once, and the watcher waits for the lane before it returns, so nothing shown goes unpublished."""
    from tracker.grading.watch import Watcher

    path = tmp_path / "ex.py"
    path.write_text("v = 0\n")
    shown: list[str] = []
    published: list[str] = []
    release = threading.Event()

    def publish(result: str) -> None:
        release.wait(timeout=30)  # a slow commit and push
        published.append(result)

    watcher = Watcher([path], lambda cancel: path.read_text(), shown.append, after=publish)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not shown:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    path.write_text("v = 1\n")
    while len(shown) < 2:
        assert time.monotonic() < deadline, "the second save waited for the first publish"
        time.sleep(0.01)
    assert published == []  # the first publish is still running
    watcher.stop.set()
    time.sleep(0.2)
    assert thread.is_alive()  # stopping waits for the lane
    release.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert published == shown == ["v = 0\n", "v = 1\n"]
