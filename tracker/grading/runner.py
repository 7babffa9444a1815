"""Run hidden graders in a child process under pytest, within limits, and return structured results.

The child is ``python -m pytest`` with the project's plugin, in its own process group, its output read
through a pipe. The parent enforces a wall-clock limit per exercise, a memory cap (the child tree's
resident memory, plus an address-space limit where no GPU driver needs the address space), and an
output cap; whatever breaks a limit is killed with its whole group and reported as exactly that.
Graders that had not run yet when a child was killed are run again in a fresh child.

This module knows nothing of storage or of the curriculum file: it grades (grader, learner file) pairs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from tracker.grading import integrity
from tracker.grading import results as R
from tracker.grading.hashing import file_hash, grader_hash
from tracker.grading.sandbox import TARGETS_ENV
from tracker.grading.worker import die_with_parent, prctl

if TYPE_CHECKING:
    from tracker.grading.worker import WarmWorker

CANCELLED = "cancelled"
STARTUP_ALLOWANCE = 120.0  # seconds for the child to import torch and collect the graders
R.STATUS_LABELS.setdefault(CANCELLED, "cancelled")


@dataclass(frozen=True)
class Limits:
    """Per-exercise limits; configurable in tracker.toml under [grading]."""

    timeout: float = 60.0  # wall-clock seconds, from the child's start for the first exercise
    memory_mb: int = 4096  # resident memory of the child and its descendants
    output_kb: int = 1024  # bytes the child may print
    # Intra-op threads for torch: graders use small tensors, where one thread is fastest and steadiest.
    threads: int = 1


@dataclass(frozen=True)
class Job:
    exercise_id: str
    grader: Path
    target: Path  # the learner's file to grade (the stub path, or a variant in tests)


@dataclass
class _Tracked:
    job: Job
    tests: list[R.TestResult] = field(default_factory=list)
    started: float | None = None
    current: str = ""
    collect_error: str = ""
    done: bool = False
    expected: int | None = None  # tests collected for this grader, as the child signed it
    tampered: set[str] = field(default_factory=set)


Event = Callable[[dict], None]


class _Output:
    """Reads the child's merged stdout/stderr, keeping the head and tail and counting every byte."""

    KEEP = 64 * 1024

    def __init__(self, stream) -> None:
        self.stream = stream
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") else self.stream.read(65536)
            if not chunk:
                return
            self.total += len(chunk)
            if len(self.head) < self.KEEP:
                self.head += chunk[: self.KEEP - len(self.head)]
            else:
                self.tail = (self.tail + chunk)[-self.KEEP :]

    def text(self) -> str:
        middle = "\n[... output cut ...]\n" if self.tail else ""
        return (bytes(self.head) + middle.encode() + bytes(self.tail)).decode("utf-8", "replace")


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants (Linux /proc; 0 elsewhere)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def _gpu_driver_present() -> bool:
    return os.path.exists("/dev/nvidiactl") or os.path.exists("/proc/driver/nvidia")


def limit_address_space(memory_mb: int) -> None:
    """A backstop for huge single allocations (the resident-memory watchdog is the real cap), never above
    the limits this process already lives under: a shared machine's ``ulimit -v`` is a hard limit that
    no process may raise, and a soft limit the learner set is theirs."""
    import resource

    cap = (memory_mb * 2 + 2048) * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    for outer in (soft, hard):
        if outer != resource.RLIM_INFINITY:
            cap = min(cap, outer)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ValueError, OSError):
        pass  # keep the limits as they are: they are already within the outer ones


def _preexec(memory_mb: int, limit_as: bool) -> Callable[[], None]:
    parent = os.getpid()
    # Die with the tracker, even under SIGKILL. The signal is tied to the thread that starts the child,
    # which is the thread that watches it until it ends.
    call = prctl() if sys.platform.startswith("linux") else None

    def apply() -> None:
        os.setsid()
        if call is not None:
            die_with_parent(parent, call)
        if limit_as:
            limit_address_space(memory_mb)

    return apply


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def grade(
    jobs: list[Job],
    repo: Path,
    *,
    device: str = "auto",
    limits: Limits = Limits(),
    on_event: Event | None = None,
    cancel: threading.Event | None = None,
    worker: "WarmWorker | None" = None,
    parallel: int = 1,
) -> list[R.ExerciseResult]:
    """Grade each job; results come back in the order of ``jobs``.

    With a warm ``worker``, each child is a fork of a process that has already imported torch and pytest;
    without one (or where it cannot fork), each child is a fresh interpreter. Limits are the same.
    ``parallel`` runs that many children side by side (warm worker only).
    """
    warm = worker is not None and worker.usable()
    launch: Launcher = worker.launcher() if warm else ColdChild
    tracked = {str(job.grader.resolve()): _Tracked(job) for job in jobs}
    outcomes: dict[str, R.ExerciseResult] = {}
    keys = [str(job.grader.resolve()) for job in jobs]
    # With a warm worker, children are cheap forks and can run side by side where cores allow it.
    lanes = max(1, min(parallel, len(keys))) if worker is not None else 1
    groups = [keys[i::lanes] for i in range(lanes)]
    ready = [_take_ready(worker, jobs, repo, device, limits)] if warm and lanes == 1 else [None]

    def run_group(pending: list[str]) -> None:
        while pending:
            run, ready[0] = ready[0], None
            finished = _run_child(launch, pending, tracked, repo, device, limits, on_event, cancel, run)
            outcomes.update(finished)
            pending = [key for key in pending if key not in outcomes]
            if cancel is not None and cancel.is_set():
                for key in pending:
                    outcomes[key] = _result(tracked[key], CANCELLED, "the grading was cancelled before this ran")
                break

    if lanes == 1:
        run_group(keys)
    else:
        threads = [threading.Thread(target=run_group, args=(group,)) for group in groups]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for key, result in outcomes.items():
        job = tracked[key].job
        result.grader_hash = grader_hash(repo, job.grader)
        result.learner_hash = file_hash(job.target) if job.target.exists() else ""
    return [outcomes[str(job.grader.resolve())] for job in jobs]


# --- runs made ready ahead of time (watch mode) ---------------------------------------------------------


class _Run:
    """One grading child and what goes with it: its folder, results file, key and channel."""

    def __init__(self, launch, pending: list[str], tracked: dict[str, _Tracked], repo: Path, device: str,
                 limits: Limits, ready: bool = False):
        self.folder = tempfile.TemporaryDirectory(prefix="tracker-grade-")
        tmp = Path(self.folder.name)
        try:
            self.results_path = tmp / "results.jsonl"
            self.results_path.touch()
            env = child_env({key: str(tracked[key].job.target.resolve()) for key in pending}, device, limits.threads)
            key_file = integrity.write_key(tmp)
            self.channel = integrity.Channel(key_file.read_bytes())
            env[integrity.KEY_ENV] = str(key_file)
            args = pytest_args(repo, self.results_path, pending)
            self.proc = launch(args, env, repo, limits, tmp, ready=True) if ready else launch(args, env, repo, limits, tmp)
        except BaseException:
            self.folder.cleanup()
            raise
        self.hashes = {key: grader_hash(repo, tracked[key].job.grader) for key in pending} if ready else {}

    def drop(self) -> None:
        """Let a run made ready go, unused."""
        self.proc.let_go()
        self.proc.kill()  # should it not have left already
        self.proc.finish()
        self.folder.cleanup()


def _ready_key(jobs: list[Job], repo: Path, device: str, limits: Limits) -> tuple:
    return (str(repo), device, limits, tuple((str(j.grader.resolve()), str(j.target.resolve())) for j in jobs))


def prepare(jobs: list[Job], repo: Path, worker: "WarmWorker", *, device: str = "auto",
            limits: Limits = Limits()) -> None:
    """Make the next grading of ``jobs`` ready ahead of time (watch mode, after a verdict): a child of the
    warm worker starts pytest, collects the graders and seals the machinery, then waits; the next
    ``grade`` of the same jobs only tells it to go. Nothing of the learner's has run in it: their file is
    imported when the tests start, as in any run. A grader changed meanwhile lets it go unused."""
    if not worker.usable() or not jobs:
        return
    from tracker.grading.worker import WarmChild, WorkerDied

    def launch(args, env, cwd, limits, tmp, ready=False):
        return WarmChild(worker, args, env, cwd, limits, tmp, ready=ready)

    tracked = {str(job.grader.resolve()): _Tracked(job) for job in jobs}
    try:
        run = _Run(launch, list(tracked), tracked, repo, device, limits, ready=True)
    except WorkerDied:
        return
    worker.keep_ready(_ready_key(jobs, repo, device, limits), run)


def _take_ready(worker: "WarmWorker", jobs: list[Job], repo: Path, device: str, limits: Limits) -> _Run | None:
    run = worker.take_ready(_ready_key(jobs, repo, device, limits))
    if run is None:
        return None
    same = all(grader_hash(repo, job.grader) == run.hashes.get(str(job.grader.resolve())) for job in jobs)
    if not same or run.proc.poll() is not None:
        run.drop()  # a grader changed since, or the child is gone: grade the usual way
        return None
    try:
        run.proc.go()
    except Exception:  # noqa: BLE001 - the worker is gone: the usual way restarts it
        run.drop()
        return None
    return run


def _result(track: _Tracked, status: str, message: str = "") -> R.ExerciseResult:
    return R.ExerciseResult(exercise_id=track.job.exercise_id, status=status, tests=list(track.tests), message=message)


def child_env(targets: dict[str, str], device: str, threads: int = 1) -> dict[str, str]:
    """What a grading child adds to the environment: its targets and device, its thread count, and no
    bytecode files."""
    return {
        TARGETS_ENV: json.dumps(targets),
        "TRACKER_DEVICE": device,
        "OMP_NUM_THREADS": str(threads),
        "TRACKER_THREADS": str(threads),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONFAULTHANDLER": "1",
        # Graders need pytest and our plugin only: other installed plugins would cost start-up time and
        # could change how tests run.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }


def pytest_args(repo: Path, results_path: Path, graders: list[str]) -> list[str]:
    """The pytest command line of a grading run (after ``python -m pytest``)."""
    return [
        "-c",
        str(repo / "graders" / "pytest.ini"),
        "-p",
        "tracker.grading.plugin",
        "-p",
        "tracker.grading.stack",
        "-q",
        "-s",
        "--no-header",
        "-rN",
        "--continue-on-collection-errors",
        "--tracker-results",
        str(results_path),
        *graders,
    ]


class ColdChild:
    """A fresh ``python -m pytest`` in its own process group: the path that works everywhere."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, limits: Limits, tmp: Path):
        full_env = dict(os.environ)
        full_env.update(env)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", *args],
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_preexec(limits.memory_mb, not _gpu_driver_present()),
        )
        self.pid = self.proc.pid
        self.output = _Output(self.proc.stdout)

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def poll(self) -> int | None:
        return self.proc.poll()

    def wait(self) -> None:
        self.proc.wait()

    def pause(self, seconds: float) -> None:
        """Wait at most ``seconds``, less when the child ends sooner."""
        try:
            self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pass

    def kill(self) -> None:
        _kill_group(self.proc.pid)

    def output_total(self) -> int:
        return self.output.total

    def output_text(self) -> str:
        return self.output.text()

    def finish(self) -> None:
        self.proc.wait()
        self.output.thread.join(timeout=2)


Launcher = Callable[[list[str], dict, Path, Limits, Path], "ColdChild"]


def _run_child(
    launch: Launcher,
    pending: list[str],
    tracked: dict[str, _Tracked],
    repo: Path,
    device: str,
    limits: Limits,
    on_event: Event | None,
    cancel: threading.Event | None,
    run: _Run | None = None,
) -> dict[str, R.ExerciseResult]:
    start = time.monotonic()
    if run is None:
        run = _Run(launch, pending, tracked, repo, device, limits)
    proc, results_path, channel = run.proc, run.results_path, run.channel
    try:
        reason, current_key = "", None
        ran, where = 0.0, ""
        offset = 0
        end_record: dict = {}
        last_memory_check = 0.0
        while True:
            offset, records = _read_new(results_path, offset, channel)
            for record in records:
                current_key = _apply(record, tracked, current_key, end_record) or current_key
                if on_event:
                    on_event(record)
            if proc.poll() is not None:
                break
            now = time.monotonic()
            running = tracked.get(current_key) if current_key else None
            # The clock of an exercise starts with its first test; starting Python, torch and pytest
            # gets its own allowance, so that a slow, busy machine is not blamed on the learner.
            if running is not None and running.started is not None and now - running.started > limits.timeout:
                reason = R.TIMEOUT
            elif running is None and now - start > limits.timeout + STARTUP_ALLOWANCE:
                reason = R.TIMEOUT
            elif proc.output_total() > limits.output_kb * 1024:
                reason = R.OUTPUT
            elif now - last_memory_check > 0.1:
                last_memory_check = now
                if _tree_rss_kb(proc.pid) > limits.memory_mb * 1024:
                    reason = R.MEMORY
            if cancel is not None and cancel.is_set():
                reason = CANCELLED
            if reason:
                if reason == R.TIMEOUT and running is not None:
                    ran = now - (running.started or start)
                    where = _where_it_was(proc, running.job.target)
                proc.kill()
                proc.wait()
                break
            proc.pause(0.01)
        proc.kill()  # nothing the learner started outlives the run
        proc.finish()
        offset, records = _read_new(results_path, offset, channel)
        for record in records:
            current_key = _apply(record, tracked, current_key, end_record) or current_key
            if on_event:
                on_event(record)
        duration = time.monotonic() - start
        text = proc.output_text()
    finally:
        run.folder.cleanup()
    tampered = _tampering(channel, tracked, pending, end_record, proc.returncode, reason)
    finished = _finish(pending, tracked, proc.returncode, reason, current_key, text, end_record, limits, duration,
                       (ran, where))
    if tampered:
        for result in finished.values():
            result.status = R.TAMPERED
            result.message = integrity.TAMPERED_MESSAGE.format(what=tampered)
            for test in result.tests:
                if test.outcome in (R.PASSED, R.NEEDS_GPU):
                    test.outcome = R.TAMPERED
    return finished


def _where_it_was(proc, target: Path) -> str:
    """Ask a child that ran out of time where it is (stack.py dumps its threads on SIGUSR1) and name the
    learner's line that was running: "ex1.py line 31 (in quantize): `while True:`"; "" when unknown."""
    import linecache

    from tracker.grading.stack import DUMP_SIGNAL, learner_frame

    if DUMP_SIGNAL is None:
        return ""
    before = proc.output_total()
    try:
        os.kill(proc.pid, DUMP_SIGNAL)
    except (ProcessLookupError, PermissionError):
        return ""
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if proc.output_total() > before and "File " in proc.output_text()[-4000:]:
            time.sleep(0.05)  # let the dump finish
            break
    text = proc.output_text()
    frame = learner_frame(text[-max(proc.output_total() - before, 1):], [str(target.resolve())])
    if frame is None:
        return ""
    path, line, func = frame
    source = linecache.getline(path, line).strip()
    return f"{Path(path).name} line {line} (in {func})" + (f": `{source}`" if source else "")


def _read_new(path: Path, offset: int, channel: integrity.Channel) -> tuple[int, list[dict]]:
    """The genuine records appended since ``offset``; anything else stops the channel (``channel.problem``)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    cut = data.rfind(b"\n") + 1  # only whole lines; a half-written one waits for the next read
    records = []
    for line in data[:cut].splitlines():
        try:
            raw = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raw = None
        record = channel.accept(raw)
        if record is None:
            break
        records.append(record)
    return offset + cut, records


def _tampering(channel: integrity.Channel, tracked: dict[str, _Tracked], pending: list[str], end: dict,
               returncode: int | None, reason: str) -> str:
    """What says this run was tampered with, or ''.

    Three witnesses must agree: the signed channel, the seal's verdict carried on every record, and pytest's
    own count of failures (kept by its session, not by the plugin) and exit status."""
    if channel.problem:
        return channel.problem
    broken = {name for key in pending for name in tracked[key].tampered}
    if broken:
        said = sorted(b[1:] for b in broken if b.startswith("!"))
        names = sorted(b for b in broken if not b.startswith("!"))
        if names:
            said.append("your code changed " + ", ".join(names[:3])
                        + (f" and {len(names) - 3} more" if len(names) > 3 else ""))
        return "; ".join(said)
    if end and not reason:
        outcomes = [t.outcome for key in pending for t in tracked[key].tests]
        failing = any(o not in (R.PASSED, R.NEEDS_GPU) for o in outcomes)
        failing = failing or any(tracked[key].collect_error for key in pending)
        if not failing and (int(end.get("failed", 0)) > 0 or returncode not in (0, None)):
            return "pytest counted a failure that the result records do not show"
    return ""


def _apply(record: dict, tracked: dict[str, _Tracked], current: str | None, end: dict) -> str | None:
    event = record.get("event")
    key = record.get("grader")
    track = tracked.get(key) if key else None
    if record.get("tampered"):
        target = track or tracked.get(current or "") or next(iter(tracked.values()))
        target.tampered.update(str(name) for name in record["tampered"])
    if event == "collected":
        for grader, count in (record.get("graders") or {}).items():
            if grader in tracked:
                tracked[grader].expected = int(count)
        return None
    if event == "start" and track is not None:
        if track.started is None:
            track.started = time.monotonic()
        track.current = record.get("description") or record.get("test", "")
        return key
    if event == "test" and track is not None:
        track.tests.append(
            R.TestResult(
                name=record["test"],
                description=record.get("description", ""),
                outcome=record["outcome"],
                message=record.get("message", ""),
                duration=float(record.get("duration", 0.0)),
                devices=[str(d) for d in record.get("devices") or []],
            )
        )
        track.current = ""
    elif event == "collect_error" and track is not None:
        track.collect_error = record.get("message", "")
        track.done = True
    elif event == "end":
        end.update(record)
    return None


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _finish(
    pending: list[str],
    tracked: dict[str, _Tracked],
    returncode: int,
    reason: str,
    current_key: str | None,
    text: str,
    end: dict,
    limits: Limits,
    duration: float,
    timed_out: tuple[float, str] = (0.0, ""),
) -> dict[str, R.ExerciseResult]:
    finished: dict[str, R.ExerciseResult] = {}
    # No closing record means the child did not finish pytest's session: it exited or crashed.
    crashed = not reason and not end
    # The exercise that was running when the child stopped takes the blame; the rest run again.
    culprit = current_key if (reason or crashed) else None
    if culprit is None and (reason or crashed):
        culprit = next((k for k in pending if not tracked[k].tests), pending[0])
    for key in pending:
        track = tracked[key]
        if key == culprit:
            where = f" while running “{track.current}”" if track.current else ""
            if reason == R.TIMEOUT:
                ran, line = timed_out
                after = f"{limits.timeout:g} s" + (f" (this check ran {ran:.1f} s)" if ran else "")
                at = f"; your code was at {line}" if line else ""
                message = f"stopped after {after}{where}{at}: an infinite loop, or far too much work?"
                status = R.TIMEOUT
            elif reason == R.MEMORY:
                message = f"stopped{where}: it used more than {limits.memory_mb} MB of memory"
                status = R.MEMORY
            elif reason == R.OUTPUT:
                message = f"stopped{where}: it printed more than {limits.output_kb} KB; remove the prints in loops"
                status = R.OUTPUT
            elif reason == CANCELLED:
                message, status = "cancelled", CANCELLED
            elif returncode < 0:
                message = f"the Python process crashed ({_signal_name(returncode)}){where}"
                status = R.CRASHED
            else:
                message = (
                    f"the process exited with code {returncode}{where} before the grader finished: "
                    "does your code call sys.exit() or os._exit()?"
                )
                status = R.EXITED
            result = _result(track, status, message)
        elif reason or crashed:
            if track.tests or track.collect_error:
                # It finished before the failure; keep what it recorded.
                result = _complete(track)
            else:
                continue  # not reached: it runs again in a fresh child
        else:
            result = _complete(track)
            if not track.tests and not track.collect_error:
                result.status = R.ERROR
                tail = text.strip().splitlines()[-3:] if text.strip() else ["(no output)"]
                result.message = "the grader did not run: " + " / ".join(tail)
        result.device = used_device(result.tests) if end else ""
        names = end.get("device_names") or {}
        result.device_name = str(names.get(result.device, "")) if result.device else ""
        result.duration = sum(t.duration for t in result.tests) or duration
        result.output = text
        finished[key] = result
    return finished


def _complete(track: _Tracked) -> R.ExerciseResult:
    if track.collect_error:
        return _result(track, R.ERROR, f"the grader could not be loaded: {track.collect_error}")
    result = _result(track, R.summarize([t.outcome for t in track.tests]))
    if track.expected is not None and len(track.tests) < track.expected and result.status == R.PASSED:
        result.status = R.EXITED
        result.message = (
            f"only {len(track.tests)} of {track.expected} checks ran: something stopped the test session "
            "(pytest.exit or KeyboardInterrupt in your code?)"
        )
    return result


def used_device(tests: list[R.TestResult]) -> str:
    """Where the learner's tensors lived: the most capable device any test saw them on; "cpu" when none did
    (code that touched no tensor ran on the CPU). Never the device the run merely resolved."""
    seen = {d for t in tests for d in t.devices}
    for kind in ("cuda", "mps", "xpu"):
        if kind in seen:
            return kind
    return "cpu"
