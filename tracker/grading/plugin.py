"""The pytest plugin loaded in the grading child (``-p tracker.grading.plugin``).

It turns each test into one structured record (outcome, a learner-facing message, duration, the devices the
learner's tensors lived on) and appends it to a JSON-lines file as soon as the test ends, so that the parent
still knows what happened if the child is killed half-way. Records:

    {"event": "collected", "graders": {<path>: <number of tests>}}
    {"event": "start", "grader": <path>, "test": <name>}
    {"event": "test", "grader": <path>, "test": <name>, "description": ..., "outcome": ..., "message": ...,
     "duration": ..., "devices": ["cpu"]}
    {"event": "collect_error", "grader": <path>, "message": ...}
    {"event": "end", "device": "cpu", "device_name": "...", "device_names": {...}, "failed": <pytest's count>}

Every record is numbered and signed with the run's key, and carries ``"tampered": [...]`` when the seal on
the grading machinery was broken before it was written, or when the learner's code (or another thread)
wrote it (see ``tracker.grading.integrity``). An entry that starts with "!" is a sentence, the others name
what changed.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from pathlib import Path

import pytest

from tracker.grading import integrity
from tracker.grading import results as R
from tracker.grading import sandbox
from tracker.grading.worker import GO_ENV

MEMORY_WORDS = ("can't allocate memory", "out of memory", "not enough memory", "DefaultCPUAllocator")

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tracker")
    group.addoption("--tracker-results", default=None, help="where to write JSON-lines results")


class _Writer:
    """Signs, numbers and appends records; each is checked against the seal just before it is signed."""

    def __init__(self, path: str | None, key_file: str | None = None):
        self.file = open(path, "a", encoding="utf-8", buffering=1) if path else None  # noqa: SIM115
        signer = integrity.Signer(key_file)
        seal_broken = [_nothing_broken]
        file = self.file
        # Bound once, here: what this closure calls cannot be rebound by name afterwards.
        getframe, is_learner_frame, get_ident = sys._getframe, sandbox.is_learner_frame, threading.get_ident
        main_thread = get_ident()

        def emit(record: dict) -> None:
            broken = list(seal_broken[0]())
            # Records come from pytest's hooks, in the main thread; never from the learner's code.
            frame = getframe(1)
            while frame is not None:
                if is_learner_frame(frame.f_code.co_filename):
                    broken.append("!your code wrote a result record itself")
                    break
                frame = frame.f_back
            if get_ident() != main_thread:
                broken.append("!a result record was written from another thread")
            if broken:
                record = {**record, "tampered": broken}
            if file is not None:
                file.write(signer.sign(record))
                file.flush()

        def seal_with(seal: integrity.Seal) -> None:
            if seal_broken[0] is _nothing_broken:  # once: the seal taken after collection stays
                seal_broken[0] = seal.broken

        self._emit = emit
        self.seal_with = seal_with

    def write(self, record: dict) -> None:
        self._emit(record)


def _nothing_broken() -> list[str]:
    return []


_writer = _Writer(None)
_reports: dict[str, dict] = {}
_seal: integrity.Seal | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _writer
    _writer = _Writer(config.getoption("--tracker-results"), os.environ.pop(integrity.KEY_ENV, None))


def _grader_of(item_path: str | os.PathLike) -> str:
    return str(Path(item_path).resolve())


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed and report.nodeid:
        text = str(report.longrepr)
        lines = [ln for ln in text.splitlines() if ln.startswith("E ")]
        message = lines[-1][2:].strip() if lines else text.strip().splitlines()[-1]
        _writer.write({"event": "collect_error", "grader": _grader_of(report.fspath), "message": message})


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Seal the grading machinery: graders are imported, the sandbox has its snapshot, no learner code ran."""
    global _seal
    _seal = integrity.Seal()
    take_seal(session, _seal)
    _writer.seal_with(_seal)
    counts: dict[str, int] = {}
    for item in session.items:
        counts[_grader_of(item.path)] = counts.get(_grader_of(item.path), 0) + 1
    _writer.write({"event": "collected", "graders": counts})
    wait_for_go()


def wait_for_go() -> None:
    """A run made ready ahead of time (watch mode) waits here until it is told to grade: collected and
    sealed, before any test, so before any of the learner's code. Told to leave instead, it exits."""
    fd = os.environ.pop(GO_ENV, None)
    if fd is None:
        return
    try:
        told = os.read(int(fd), 1)
    finally:
        os.close(int(fd))
    if told != b"g":
        os._exit(0)


# Module files resolved once, in the warm worker, for what it imported before forking any child: resolving
# every file of torch again in each grading took most of the seal's time. Only paths are kept here; a module
# a run imports (a grader, gradelib) is resolved afresh.
_real_paths: dict[str, str] = {}


def real_path(path: str) -> str:
    real = _real_paths.get(path)
    return real if real is not None else os.path.realpath(path)


def remember_module_paths() -> None:
    """Resolve the files of every module imported so far (the warm worker calls this once)."""
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and os.path.isabs(path):  # a relative one depends on the directory
            _real_paths[path] = os.path.realpath(path)


def take_seal(session: pytest.Session, seal: integrity.Seal) -> None:
    import builtins

    graders = str(Path(str(session.config.inipath or session.config.rootpath)).resolve().parent)
    inside = graders.rstrip(os.sep) + os.sep
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and (real_path(path) + os.sep).startswith(inside):
            # The graders, their conftest and gradelib: names, code and the data they keep in globals.
            seal.add_namespace(name, module, data=True)
    seal.add_namespace("tracker.grading.sandbox", sandbox, state=("_snapshot", "_forbids", "_LEARNER_FILES"))
    seal.add_namespace("tracker.grading.plugin", sys.modules[__name__], state=("_writer", "_seal", "_reports"))
    seal.add_object("the plugin's result writer", _writer)
    seal.add_namespace("tracker.grading.integrity", integrity)
    seal.add_namespace("tracker.grading.results", R)
    if sandbox._snapshot is not None:
        seal.add_object("the sandbox's snapshot", sandbox._snapshot)
    for name in integrity.MACHINERY_MODULES:
        if name in sys.modules:
            seal.add_namespace(name, sys.modules[name])
    seal.add_namespace("builtins", builtins)
    seal.add_probe("pytest's hook registry", integrity.hook_registry(session.config.pluginmanager))
    seal.add_probe("the trace and profile hooks", integrity.trace_hooks)
    items = list(session.items)
    seal.add_probe("the collected tests", lambda: tuple(integrity.identity(getattr(i, "obj", None)) for i in items))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    sandbox.devices_seen.clear()
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
    if report.skipped and call.excinfo is not None and _learner_frame(call.excinfo):
        # Only a grader decides that a check does not apply here; a skip raised by the learner's code is not that.
        if entry["outcome"] in (R.PASSED, R.NEEDS_GPU):
            entry["outcome"] = R.FAILED
            entry["message"] = f"your code skipped this check{_learner_frame(call.excinfo)}; return a value instead"
    elif report.skipped:
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
        entry = _reports.pop(item.nodeid)
        entry["devices"] = sorted(sandbox.devices_seen)
        _writer.write({"event": "test", **entry})


def _describe(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    first = doc.strip().splitlines()[0] if doc.strip() else item.name.removeprefix("test_").replace("_", " ")
    return first


def pytest_sessionfinish(session: pytest.Session) -> None:
    # ``failed`` is pytest's own count, kept by its session and not by this plugin: a second witness.
    record: dict = {"event": "end", "device": "", "device_name": "", "device_names": {},
                    "failed": int(getattr(session, "testsfailed", 0))}
    try:
        from tracker.grading import device

        used = device.resolve()
        record.update(device=used, device_name=device.describe(used))
        record["device_names"] = {kind: device.describe(kind) for kind in sorted(sandbox.devices_ever | {"cpu"})
                                  if kind in ("cpu", "cuda", "mps")}
    except Exception:  # noqa: BLE001 - torch missing or broken: the parent reports the request
        pass
    _writer.write(record)
