"""A pytest plugin for grading children: on SIGUSR1, print where every thread is (faulthandler).

The runner sends the signal to a child that ran past its time limit, just before it kills it, so that the
learner is told which line of their code was running, not only that time ran out.
"""

from __future__ import annotations

import faulthandler
import re
import signal
import sys

DUMP_SIGNAL = getattr(signal, "SIGUSR1", None)
FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<func>\S+)', re.M)


def pytest_configure(config) -> None:  # noqa: ARG001 - pytest's hook signature
    if DUMP_SIGNAL is not None:
        faulthandler.register(DUMP_SIGNAL, file=sys.stderr, all_threads=True)


def learner_frame(dump: str, learner_files: list[str]) -> tuple[str, int, str] | None:
    """The innermost frame of a faulthandler dump that lies in one of the learner's files:
    (file, line, function). faulthandler prints the innermost frame first."""
    wanted = {str(f) for f in learner_files}
    for match in FRAME.finditer(dump):
        if match["file"] in wanted:
            return match["file"], int(match["line"]), match["func"]
    return None
