"""A warm grading worker: one long-lived process that has imported torch, numpy and pytest once, and
grades each request in a fresh forked child.

Why: on a small machine ``import torch`` alone takes over a second, and a learner re-grades dozens of times
an hour. Forking a process that already holds torch and pytest costs milliseconds.

Isolation is the cold path's: the worker itself never imports a grader or a learner file; each child
does, fresh, and exits. Children get the same limits (their own session and process group, the address
space cap, the parent's time, memory and output watch). Known traps are avoided: the worker never runs a
torch operation (a child forked after torch ran multi-threaded code can deadlock in OpenMP), and it freezes
the garbage collector after its imports (pytest's unraisable-exception hook collects on every run, which
would otherwise walk the whole torch heap).

Protocol, one JSON object a line. Requests on stdin: ``{"id", "args", "env", "cwd", "output", "memory_mb",
"limit_as"}``. Replies on stdout: ``{"id", "pid"}`` when the child starts, ``{"id", "exit"}`` when it ends
(a negative exit is the signal that ended it).

A spare: the worker forks the next grading child before it is asked for it. The spare isolates itself
(its own session, the parent-death signal) and touches what every grading reads (so that the pages the
fork shares are copied now, not while the learner waits), then blocks on a pipe of its own until a
request arrives. It has run no code but the worker's; a spare serves one request and exits like any child.
When a child ends, the worker makes the next spare (never while a grading runs, to leave it the CPU).

Lifetime: the worker lives as long as its owner *process*, whichever of the owner's threads started it or
sent it work. It reads its requests from a pipe only the owner holds, so when the owner exits or is killed
(SIGKILL included) the kernel closes that pipe, the worker reads end-of-file, kills every child's process
group and exits. (It does not use PR_SET_PDEATHSIG for itself: that signal fires when the *thread* that
forked it exits, which killed the worker whenever a short-lived thread had started it.) Each child is forked
by the worker's main thread, which lives as long as the worker, so the children do use PR_SET_PDEATHSIG.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path

FORK_SAFE = sys.platform.startswith("linux")
GO_ENV = "TRACKER_GO_FD"  # the pipe a child made ready ahead of time waits on (see plugin.wait_for_go)


def prctl():
    """libc's prctl, loaded before a fork (nothing is imported between a fork and an exec); None if absent."""
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent(parent: int, call=None) -> None:
    """Ask for SIGKILL when the thread that forked this process exits (Linux); if the parent is already
    gone (it died before the request took effect), exit now."""
    call = call or prctl()
    if call is not None:
        call(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


# --- the worker process ------------------------------------------------------------------------------


def _isolate(worker_pid: int, call, inherited: tuple[int, ...]) -> None:
    """The first steps of every forked child: its own session, death with the worker, and none of the
    worker's pipes (its requests, its replies)."""
    os.setsid()
    die_with_parent(worker_pid, call)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    for fd in {null, *inherited} - {0, 1, 2}:
        try:
            os.close(fd)
        except OSError:
            pass


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            os._exit(0)  # the worker is gone, or let this child go
        data += chunk
    return data


def _send(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data):]


def _spare(worker_pid: int, call, inherited: tuple[int, ...], inbox: int, warm: bool) -> None:
    """Runs in a forked child: isolate, warm up (a spare), wait for the request, grade it, exit."""
    _isolate(worker_pid, call, inherited)
    if warm:
        try:
            from tracker.grading import sandbox

            sandbox.Snapshot()  # reads every table a grading's snapshot and checks read: their pages are ours now
        except Exception:  # noqa: BLE001 - warming is only an optimization
            pass
    size = int(_read_exactly(inbox, 10))
    request = json.loads(_read_exactly(inbox, size))
    if request.get("ready"):
        # Made ready ahead of time: collected and sealed, it waits on this pipe before any test (plugin.py).
        request["env"] = {**request["env"], GO_ENV: str(inbox)}
    else:
        os.close(inbox)
    _child(request, worker_pid, call)


def _child(request: dict, worker_pid: int, call) -> None:
    """Runs in the forked child (isolated already): become a grading run, then exit."""
    import faulthandler

    if request.get("limit_as"):
        from tracker.grading.runner import limit_address_space

        limit_address_space(int(request["memory_mb"]))
    fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.chdir(request["cwd"])
    os.environ.update(request["env"])
    sys.dont_write_bytecode = True
    faulthandler.enable()
    code = 3
    try:
        import pytest

        import torch

        from tracker.grading import sandbox

        # The forked child has torch already; its thread count is set here (the env var is read at start).
        threads = max(1, int(os.environ.get("TRACKER_THREADS", "1")))
        torch.set_num_threads(threads)
        try:  # OpenMP and BLAS pools of other libraries (scikit-learn, NumPy) read the env var only at start
            from threadpoolctl import threadpool_limits

            threadpool_limits(threads)
        except ImportError:
            pass
        sandbox.reset()
        code = int(pytest.main(request["args"]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - report and leave
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def preload() -> None:
    """Everything a grading run needs, imported once; nothing is executed."""
    import gc

    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401
    from _pytest.config import builtin_plugins

    # pytest's own plugins, which every run imports and registers: importing them here saves each child
    # that part of its start.
    for name in sorted(builtin_plugins):
        try:
            __import__(f"_pytest.{name}")
        except ImportError:
            pass
    # What torch imports lazily on first use, paid once here instead of in every child: optimizers import
    # torch._dynamo, and nn.MultiheadAttention with a padding mask imports the symbolic-shapes machinery.
    for lazy in ("torch._dynamo", "torch.fx.experimental.symbolic_shapes", "torch.optim", "sklearn", "sklearn.datasets",
                 "_pytest.assertion.rewrite", "_pytest.python_api", "threadpoolctl", "faulthandler"):
        try:
            __import__(lazy)
        except ImportError:
            pass

    import tracker.grading.device  # noqa: F401
    import tracker.grading.plugin
    import tracker.grading.sandbox  # noqa: F401

    tracker.grading.plugin.remember_module_paths()

    gc.collect()
    gc.freeze()


def serve() -> None:
    """The worker's main loop: import once, then fork a child per request."""
    preload()
    out_lock = threading.Lock()
    real_stdout = os.fdopen(os.dup(1), "w", buffering=1)

    def reply(message: dict) -> None:
        with out_lock:
            real_stdout.write(json.dumps(message) + "\n")
            real_stdout.flush()

    reply({"ready": True, "pid": os.getpid()})

    live: set[int] = set()
    me, call = os.getpid(), prctl()
    requests = sys.stdin.fileno()
    wake_r, wake_w = os.pipe()  # a reaper tells the main thread that a child ended
    worker_fds = (requests, real_stdout.fileno(), wake_r, wake_w)
    spare: tuple[int, int] | None = None  # (pid, the pipe its request goes down)

    def reap(request_id: int, pid: int) -> None:
        _, status = os.waitpid(pid, 0)
        live.discard(pid)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        try:
            reply({"id": request_id, "exit": code})
        except OSError:
            pass  # the owner is gone
        os.write(wake_w, b"x")

    waiting: dict[int, int] = {}  # request id -> the pipe that tells a child made ready to grade

    def make_spare(warm: bool = True) -> tuple[int, int]:
        inbox, outbox = os.pipe()
        pid = os.fork()  # from the main thread: the child's parent-death signal is tied to the forking thread
        if pid == 0:
            os.close(outbox)
            _spare(me, call, (*worker_fds, *waiting.values()), inbox, warm)  # never returns
        os.close(inbox)
        return pid, outbox

    def start(request: dict) -> int:
        nonlocal spare
        for _ in range(2):
            if spare is None:
                spare = make_spare(warm=False)
            pid, outbox = spare
            spare = None
            body = json.dumps(request).encode()
            try:
                _send(outbox, b"%010d" % len(body) + body)
            except OSError:  # that spare died (killed from outside): make another
                os.close(outbox)
                continue
            if request.get("ready"):
                waiting[request["id"]] = outbox
            else:
                os.close(outbox)
            return pid
        raise OSError("no grading child could be started")

    def release(request_id: int, go: bool) -> None:
        outbox = waiting.pop(request_id, None)
        if outbox is not None:
            try:
                if go:
                    os.write(outbox, b"g")
            except OSError:
                pass  # it died waiting; its exit is reported as any child's
            os.close(outbox)  # without a "g": the child leaves without grading

    buffer = b""
    spare = make_spare()
    while True:
        ready, _, _ = select.select([requests, wake_r], [], [])
        if wake_r in ready:
            os.read(wake_r, 4096)
            if spare is None and not live:  # the next grading's child, made while nothing else runs
                spare = make_spare()
        if requests not in ready:
            continue
        chunk = os.read(requests, 65536)
        if not chunk:
            break  # end-of-file: the owner closed the pipe, or died
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if not line.strip():
                continue
            request = json.loads(line)
            if "go" in request or "drop" in request:
                release(request.get("go", request.get("drop")), "go" in request)
                continue
            pid = start(request)
            live.add(pid)
            try:
                reply({"id": request["id"], "pid": pid})
            except OSError:
                break
            threading.Thread(target=reap, args=(request["id"], pid), daemon=True).start()
    if spare is not None:
        live.add(spare[0])
    for pid in list(live):  # nothing a grading run started outlives the worker
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    os._exit(0)


# --- the owner's side --------------------------------------------------------------------------------


class WorkerDied(RuntimeError):
    pass


class WarmWorker:
    """The owner's handle on a warm worker. Restarts it after a crash; ends it on close."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._next = 0
        self._replies: dict[int, dict] = {}
        self._cond = threading.Condition()
        self.served = 0  # grading children forked by the current process
        self.ready: tuple | None = None  # (key, run): a grading made ready ahead of time (runner.prepare)

    def usable(self) -> bool:
        return FORK_SAFE

    def start(self) -> None:
        with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                return
            self.served = 0
            # Started from whichever thread asks first; its lifetime is the owner process's (see above).
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from tracker.grading.worker import serve; serve()"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                bufsize=1,
            )
            ready = self.proc.stdout.readline()
            if not ready:
                raise WorkerDied("the grading worker could not start")
            threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()

    def start_soon(self) -> None:
        """Start the worker in the background, so that the first grading finds it warm."""

        def start() -> None:
            try:
                self.start()
            except WorkerDied:
                pass  # the first run falls back to the cold path and starts it again

        threading.Thread(target=start, daemon=True, name="tracker-worker-start").start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            message = json.loads(line)
            with self._cond:
                entry = self._replies.setdefault(message["id"], {})
                entry.update(message)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def submit(self, request: dict) -> int:
        """Send a request; return the child's pid."""
        self.start()
        with self._lock:
            self._next += 1
            request_id = self._next
            try:
                self.proc.stdin.write(json.dumps({**request, "id": request_id}) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                raise WorkerDied("the grading worker is gone") from None
            self.served += 1
        with self._cond:
            while "pid" not in self._replies.get(request_id, {}):
                if not self.alive():
                    raise WorkerDied("the grading worker died")
                self._cond.wait(timeout=0.5)
        return request_id

    def release(self, request_id: int, go: bool) -> None:
        """Tell a child made ready ahead of time to grade now (``go``), or to leave without grading."""
        with self._lock:
            if self.proc is None:
                return
            try:
                self.proc.stdin.write(json.dumps({"go" if go else "drop": request_id}) + "\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                raise WorkerDied("the grading worker is gone") from None

    def reply(self, request_id: int) -> dict:
        with self._cond:
            return dict(self._replies.get(request_id, {}))

    def wait_exit(self, request_id: int, timeout: float | None = None) -> int | None:
        with self._cond:
            self._cond.wait_for(lambda: "exit" in self._replies.get(request_id, {}) or not self.alive(), timeout)
            return self._replies.get(request_id, {}).get("exit")

    def forget(self, request_id: int) -> None:
        with self._cond:
            self._replies.pop(request_id, None)

    def keep_ready(self, key: tuple, run) -> None:
        """Keep a run made ready ahead of time for the grading of ``key`` (one at a time)."""
        old, self.ready = self.ready, (key, run)
        if old is not None:
            old[1].drop()

    def take_ready(self, key: tuple):
        """The run made ready for ``key``, if any (it is then the caller's); any other is let go."""
        ready, self.ready = self.ready, None
        if ready is None:
            return None
        if ready[0] == key:
            return ready[1]
        ready[1].drop()
        return None

    def close(self) -> None:
        ready, self.ready = self.ready, None
        if ready is not None:
            ready[1].drop()
        with self._lock:
            if self.proc is not None:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                self.proc = None

    def launcher(self):
        """A launcher for the runner: each call forks one grading child from this worker."""

        def launch(args, env, cwd, limits, tmp):
            try:
                return WarmChild(self, args, env, cwd, limits, tmp)
            except WorkerDied:
                # Fall back to the cold path for this run; the worker restarts on the next request.
                from tracker.grading.runner import ColdChild

                return ColdChild(args, env, cwd, limits, tmp)

        return launch


class WarmChild:
    """A grading child forked by the warm worker; the same interface as the runner's ColdChild."""

    def __init__(self, worker: WarmWorker, args, env, cwd: Path, limits, tmp: Path, ready: bool = False):
        from tracker.grading.runner import _gpu_driver_present

        self.worker = worker
        self.output_path = Path(tmp) / "output.txt"
        self.request_id = worker.submit(
            {
                "args": args,
                "env": env,
                "cwd": str(cwd),
                "output": str(self.output_path),
                "memory_mb": limits.memory_mb,
                "limit_as": not _gpu_driver_present(),
                "ready": ready,  # collect and seal, then wait for go()
            }
        )
        self.pid = worker.reply(self.request_id)["pid"]
        self.returncode: int | None = None

    def go(self) -> None:
        self.worker.release(self.request_id, go=True)

    def let_go(self) -> None:
        """A child made ready and not needed leaves without grading."""
        try:
            self.worker.release(self.request_id, go=False)
        except WorkerDied:
            pass

    def poll(self) -> int | None:
        if self.returncode is None:
            code = self.worker.reply(self.request_id).get("exit")
            if code is None and not self.worker.alive():
                code = -int(signal.SIGKILL)
            self.returncode = code
        return self.returncode

    def wait(self) -> None:
        if self.returncode is None:
            code = self.worker.wait_exit(self.request_id, timeout=30)
            self.returncode = code if code is not None else -int(signal.SIGKILL)

    def pause(self, seconds: float) -> None:
        """Wait at most ``seconds``, less when the child ends sooner."""
        if self.returncode is None:
            self.worker.wait_exit(self.request_id, timeout=seconds)

    def kill(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def output_total(self) -> int:
        try:
            return self.output_path.stat().st_size
        except OSError:
            return 0

    def output_text(self) -> str:
        keep = 64 * 1024
        try:
            with open(self.output_path, "rb") as fh:
                data = fh.read(keep)
                size = self.output_path.stat().st_size
                if size > 2 * keep:
                    fh.seek(size - keep)
                    data += b"\n[... output cut ...]\n" + fh.read()
                else:
                    data += fh.read()
        except OSError:
            return ""
        return data.decode("utf-8", "replace")

    def finish(self) -> None:
        self.wait()
        self.worker.forget(self.request_id)
