"""Watch mode: re-grade an exercise every time its file is saved.

One loop watches the file's content (not its timestamps, so a save that changes nothing grades nothing,
and an editor that saves by writing a new file and renaming it over the old one is seen like any other
save). Saves are debounced on both edges: a save after a quiet spell is graded at once, and the rest of a
burst (saves less than about 200 ms apart) waits for the burst to end. Only one run happens at a time: a
save that arrives during a run makes that run stale, so it is cancelled, and the file is graded again once
it ends; a burst therefore gives one result, the last save's. What follows a result (``after``: regenerating
the dashboard, committing) runs in a lane of its own, one at a time and in order, so that it never holds
up the grading of the next save; the watcher waits for that lane when it stops.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from pathlib import Path
from typing import Any, Callable

DEBOUNCE = 0.2
POLL = 0.01  # seconds between looks at the file: a save is seen within this, on average half


def signature(paths: list[Path]) -> tuple:
    out = []
    for path in paths:
        try:
            out.append(hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError:
            out.append(None)  # mid-rename, or deleted: wait for it to come back
    return tuple(out)


class Watcher:
    """Calls ``grade(cancel)`` when the watched files settle after a change, and ``on_result`` with its result."""

    def __init__(
        self,
        paths: list[Path],
        grade: Callable[[threading.Event], Any],
        on_result: Callable[[Any], None],
        *,
        on_start: Callable[[], None] | None = None,
        after: Callable[[Any], None] | None = None,
        debounce: float = DEBOUNCE,
        poll: float = POLL,
        grade_first: bool = True,
    ):
        self.paths = paths
        self.grade = grade
        self.on_result = on_result
        self.on_start = on_start
        self.after = after
        self._lane: queue.Queue | None = None
        self._lane_thread: threading.Thread | None = None
        self.debounce = debounce
        self.poll = poll
        self.grade_first = grade_first
        self.stop = threading.Event()
        self.runs = 0
        self.cancelled = 0

    def run(self) -> None:
        seen = signature(self.paths)
        graded = None if self.grade_first else seen
        changed_at = 0.0 if self.grade_first else time.monotonic()
        current: tuple[threading.Thread, threading.Event] | None = None
        leading = False
        while not self.stop.is_set():
            now = time.monotonic()
            sig = signature(self.paths)
            if sig != seen:
                leading = now - changed_at >= self.debounce  # the first save after a quiet spell
                seen, changed_at = sig, now
            if current is not None:
                thread, cancel = current
                if not thread.is_alive():
                    current = None
                elif seen != graded and not cancel.is_set():
                    cancel.set()  # a newer save made this run stale
                    self.cancelled += 1
            quiet = now - changed_at >= self.debounce
            if current is None and seen != graded and (quiet or leading) and None not in seen:
                leading = False
                graded = seen
                cancel = threading.Event()
                thread = threading.Thread(target=self._run_once, args=(cancel,), daemon=True)
                current = (thread, cancel)
                thread.start()
            self.stop.wait(self.poll)
        if current is not None:
            current[1].set()
            current[0].join(timeout=10)
        if self._lane_thread is not None:
            self._lane.put(_DONE)  # what was shown is also published before the watcher returns
            self._lane_thread.join(timeout=60)

    def _run_once(self, cancel: threading.Event) -> None:
        self.runs += 1
        if self.on_start:
            self.on_start()
        result = self.grade(cancel)
        if not cancel.is_set():
            self.on_result(result)
            if self.after is not None:
                self._follow(result)

    def _follow(self, result: Any) -> None:
        if self._lane_thread is None:
            self._lane = queue.Queue()
            self._lane_thread = threading.Thread(target=self._drain, daemon=True, name="tracker-watch-after")
            self._lane_thread.start()
        self._lane.put(result)

    def _drain(self) -> None:
        while (result := self._lane.get()) is not _DONE:
            self.after(result)


_DONE = object()
