"""`tracker doctor`: what this machine offers for the course, each line a label, a value and a verdict."""

from __future__ import annotations

import platform
import subprocess
import sys


_PROBE = (
    "import torch,json;"
    "c=torch.cuda.is_available();"
    "m=bool(getattr(torch.backends,'mps',None) and torch.backends.mps.is_available());"
    "p=torch.cuda.get_device_properties(0) if c else None;"
    "r=getattr(getattr(torch,'mps',None),'recommended_max_memory',None);"
    "mem=p.total_memory if c else (r() if m and r else 0);"
    "print(json.dumps([torch.__version__, c, p.name if c else '', m, mem]))"
)
_probed: list | None = None


def _probe() -> list:
    """[torch version, CUDA?, GPU name, MPS?, GPU memory in bytes], asked in a child process so that the
    tracker itself never imports torch; raises RuntimeError with one line when torch cannot be imported."""
    global _probed
    if _probed is None:
        try:
            out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise RuntimeError("importing torch took over 2 minutes") from None
        if out.returncode != 0:
            last = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise RuntimeError(f"cannot import torch: {last}")
        import json

        _probed = json.loads(out.stdout.strip().splitlines()[-1])
    return _probed


def _torch_line() -> tuple[str, str, bool]:
    try:
        version, cuda, name, mps, _ = _probe()
    except RuntimeError as exc:
        return ("torch", str(exc), False)
    device = f"CUDA: {name}" if cuda else ("MPS (Apple GPU)" if mps else "CPU only (GPU exercises will say 'needs a GPU')")
    return ("torch", f"{version}; {device}", True)


def gpu_line(exercises) -> tuple[str, str, bool]:
    """The GPU, its memory, and how many of the gradable ``exercises`` will grade on it."""
    try:
        _, cuda, name, mps, memory = _probe()
    except RuntimeError:
        return ("gpu", "unknown: torch cannot be imported", False)
    gradable = [e for e in exercises if e.gradable]
    on_gpu = [e for e in gradable if e.device != "cpu"]
    need_cuda = sum(e.device == "cuda" for e in gradable)
    size = f", {memory / 2**30:.1f} GiB" if memory else ""
    if cuda:
        return ("gpu", f"{name}{size}; {len(on_gpu)} of {len(gradable)} exercises grade on it", True)
    if mps:
        usable = len(on_gpu) - need_cuda
        return ("gpu", f"Apple GPU (MPS){size}; {usable} of {len(gradable)} exercises grade on it, "
                       f"{need_cuda} need CUDA", True)
    return ("gpu", f"none: {len(on_gpu)} of {len(gradable)} exercises would grade on one and grade on the CPU here "
                   f"({need_cuda} of them {'needs' if need_cuda == 1 else 'need'} CUDA and will say 'needs a GPU')", True)


def run_checks() -> list[tuple[str, str, bool]]:
    checks: list[tuple[str, str, bool]] = []
    good_python = sys.version_info >= (3, 10)
    checks.append(("python", f"{platform.python_version()} ({sys.executable})", good_python))
    checks.append(_torch_line())
    try:
        from tracker.service import Tracker

        with Tracker.open() as t:
            repo = t.repo
            checks.append(("curriculum", f"{len(list(t.curriculum.exercises()))} exercises in {repo / 'curriculum.yaml'}", True))
            checks.append(gpu_line(list(t.curriculum.gradables())))
            problems = t.store.check_consistency()
            events = t.store.count_events()
            detail = f"{t.config.store_url()} ({events} events)"
            checks.append(("database", detail + ("; " + "; ".join(problems) if problems else ""), not problems))
            checks.extend(_journal_lines(t.store.damaged_lines()))
            checks.extend(_day_lines(t))
            checks.extend(_git_lines(repo))
    except Exception as exc:  # noqa: BLE001 - doctor reports, it does not crash
        checks.append(("tracker", str(exc), False))
    return checks


def _journal_lines(damaged: list[tuple[str, int, str]]) -> list[tuple[str, str, bool]]:
    """Each damaged journal line (skipped; every other event is kept), then how to repair them."""
    if not damaged:
        return [("journal", "every line is readable", True)]
    lines = [("journal", f"{file}:{line}: {reason}", False) for file, line, reason in damaged]
    files = sorted({file for file, _, _ in damaged})
    lines.append(("repair", f"fix or delete each line named above in {', '.join(files)} (a line cut off by a killed "
                            f"write can simply be deleted; `git diff -- journal/` shows what changed since the last "
                            "commit), then run `tracker rebuild`", False))
    return lines


def _day_lines(t) -> list[tuple[str, str, bool]]:
    """The zone the days are counted in (and where it was set), and when today ends there."""
    from datetime import datetime, time, timedelta

    from tracker import firstrun
    from tracker.progress.rules import ROLLOVER_HOUR

    source = "tracker.toml" if not firstrun.needs_first_run(t.repo, t.config.data_dir) else "the default: run `tracker init`"
    now = t.now()
    system = firstrun.system_timezone()
    differs = f"; this machine is on {system}" if system != t.config.timezone else ""
    lines = [("time zone", f"{t.config.timezone} ({source}){differs}; now {now:%Y-%m-%d %H:%M} there", True)]
    today = t.progress(now).today
    ends = datetime.combine(today + timedelta(days=1), time(ROLLOVER_HOUR), tzinfo=now.tzinfo)
    left = ends - now
    hours, minutes = divmod(int(left.total_seconds()) // 60, 60)
    lines.append(("day", f"today is {today.isoformat()}; it rolls over at {ROLLOVER_HOUR:02d}:00 local time "
                         f"({ends:%Y-%m-%d %H:%M}, in {hours} h {minutes:02d} min)", True))
    return lines


def _git_lines(repo) -> list[tuple[str, str, bool]]:
    import git

    try:
        r = git.Repo(repo)
    except git.InvalidGitRepositoryError:
        return [("git", "not a git repository: progress cannot be committed or synced", False)]
    lines = []
    reader = r.config_reader()
    name = reader.get_value("user", "name", default="")
    email = reader.get_value("user", "email", default="")
    lines.append(("git identity", f"{name} <{email}>" if name and email else "user.name/user.email are not set", bool(name and email)))
    remotes = [f"{rem.name} {next(iter(rem.urls), '')}" for rem in r.remotes]
    lines.append(("git remote", ", ".join(remotes) if remotes else "none (progress stays on this machine)", True))
    return lines
