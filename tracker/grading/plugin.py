"""The pytest plugin loaded in the grading child (``-p tracker.grading.plugin``).

It turns each test into one structured record (outcome, a learner-facing message, duration) and
appends it to a JSON-lines file as soon as the test ends, so that the parent still knows what happened
if the child is killed half-way. Records:

    {"event": "start", "grader": <path>, "test": <name>}
    {"event": "test", "grader": <path>, "test": <name>, "description": ..., "outcome": ..., "message": ..., "duration": ...}
    {"event": "collect_error", "grader": <path>, "message": ...}
    {"event": "end", "device": "cpu", "device_name": "..."}
"""

from __future__ import annotations

import json
import os
import traceback
from pathlib import Path

import pytest

from tracker.grading import results as R
from tracker.grading import sandbox

MEMORY_WORDS = ("can't allocate memory", "out of memory", "not enough memory", "DefaultCPUAllocator")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tracker")
    group.addoption("--tracker-results", default=None, help="where to write JSON-lines results")


class _Writer:
    def __init__(self, path: str | None):
        self.file = open(path, "a", encoding="utf-8", buffering=1) if path else None  # noqa: SIM115

    def write(self, record: dict) -> None:
        if self.file:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()


_writer = _Writer(None)
_reports: dict[str, dict] = {}


def pytest_configure(config: pytest.Config) -> None:
    global _writer
    _writer = _Writer(config.getoption("--tracker-results"))


def _grader_of(item_path: str | os.PathLike) -> str:
    return str(Path(item_path).resolve())


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed and report.nodeid:
        text = str(report.longrepr)
        lines = [ln for ln in text.splitlines() if ln.startswith("E ")]
        message = lines[-1][2:].strip() if lines else text.strip().splitlines()[-1]
        _writer.write({"event": "collect_error", "grader": _grader_of(report.fspath), "message": message})


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _writer.write({"event": "start", "grader": _grader_of(item.path), "test": item.name,
                   "description": _describe(item)})


def _learner_frame(excinfo: pytest.ExceptionInfo) -> str:
    """' (line 23, in quantize)' for the deepest frame of the learner's file, if any."""
    where = ""
    for frame in traceback.extract_tb(excinfo.tb):
        if sandbox.is_learner_frame(frame.filename):
            where = f" (line {frame.lineno} of {Path(frame.filename).name}, in {frame.name})"
    return where


def learner_traceback(excinfo: pytest.ExceptionInfo, message: str) -> str:
    """The frames of the learner's files (file, line, function and source line) and the check's message."""
    lines = []
    for frame in traceback.extract_tb(excinfo.tb):
        if sandbox.is_learner_frame(frame.filename):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
    head = ["Traceback (your code only):", *lines] if lines else []
    return "\n".join([*head, *(f"E   {line}" for line in (message or "a check failed").splitlines())])


def classify(excinfo: pytest.ExceptionInfo) -> tuple[str, str]:
    """The outcome and the learner-facing message for a test that raised."""
    exc = excinfo.value
    where = _learner_frame(excinfo)
    if isinstance(exc, (NotImplementedError, sandbox.NotStarted)):
        if isinstance(exc, NotImplementedError):
            return R.NOT_STARTED, f"not started: this still raises NotImplementedError{where}"
        return R.NOT_STARTED, f"not started: {exc}"
    if isinstance(exc, sandbox.Forbidden):
        return R.FAILED, f"{exc}{where}"
    if isinstance(exc, sandbox.LearnerImportError):
        return R.FAILED, str(exc)
    if isinstance(exc, SystemExit):
        return R.FAILED, f"your code called sys.exit({exc.code!r}){where}; return a value instead"
    if isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and any(w in str(exc) for w in MEMORY_WORDS)
    ):
        return R.FAILED, f"out of memory{where}: your code asked for more memory than the limit allows"
    if isinstance(exc, AssertionError):
        text = str(exc).strip() or "a check failed"
        # pytest's rewritten bare asserts add an 'assert ...' explanation; keep the grader's sentence.
        first = text.split("\nassert ")[0].strip()
        return R.FAILED, first
    if where:
        return R.FAILED, f"your code raised {type(exc).__name__}: {exc}{where}"
    if isinstance(exc, (TypeError, AttributeError, ValueError, RuntimeError, IndexError, KeyError)):
        # Raised inside library code called by the learner's code with bad arguments.
        return R.FAILED, f"{type(exc).__name__}: {exc}"
    return R.ERROR, f"the grader itself failed: {type(exc).__name__}: {exc}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    entry = _reports.setdefault(
        item.nodeid,
        {
            "grader": _grader_of(item.path),
            "test": item.name,
            "description": _describe(item),
            "outcome": R.PASSED,
            "message": "",
            "duration": 0.0,
        },
    )
    entry["duration"] += getattr(report, "duration", 0.0)
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        if entry["outcome"] == R.PASSED:
            gpu = "needs a GPU" in reason
            entry["outcome"] = R.NEEDS_GPU if gpu else R.PASSED
            entry["message"] = reason
    elif report.failed and entry["outcome"] in (R.PASSED, R.NEEDS_GPU):
        if call.excinfo is not None:
            kind, message = classify(call.excinfo)
        else:
            kind, message = R.ERROR, str(report.longrepr).strip().splitlines()[-1]
        if call.when == "teardown" and kind == R.ERROR:
            kind = R.FAILED
        entry["outcome"], entry["message"] = kind, message
    if report.failed and call.excinfo is not None:
        # What `tracker grade -v` shows: the learner's own frames and the message, never the hidden grader.
        report.longrepr = learner_traceback(call.excinfo, entry["message"])
    if call.when == "teardown":
        _writer.write({"event": "test", **_reports.pop(item.nodeid)})


def _describe(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    first = doc.strip().splitlines()[0] if doc.strip() else item.name.removeprefix("test_").replace("_", " ")
    return first


def pytest_sessionfinish(session: pytest.Session) -> None:
    record = {"event": "end", "device": "", "device_name": ""}
    try:
        from tracker.grading import device

        used = device.resolve()
        record.update(device=used, device_name=device.describe(used))
    except Exception:  # noqa: BLE001 - torch missing or broken: the parent reports the request
        pass
    _writer.write(record)
