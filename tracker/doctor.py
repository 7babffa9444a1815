"""`tracker doctor`: what this machine offers for the course, each line a label, a value and a verdict."""

from __future__ import annotations

import platform
import subprocess
import sys


def _torch_line() -> tuple[str, str, bool]:
    # Asked in a child process so that the tracker itself never imports torch.
    code = (
        "import torch,json;"
        "c=torch.cuda.is_available();"
        "m=bool(getattr(torch.backends,'mps',None) and torch.backends.mps.is_available());"
        "print(json.dumps([torch.__version__, c, torch.cuda.get_device_name(0) if c else '', m]))"
    )
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return ("torch", "importing torch took over 2 minutes", False)
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
        return ("torch", f"cannot import torch: {last}", False)
    import json

    version, cuda, name, mps = json.loads(out.stdout.strip().splitlines()[-1])
    device = f"CUDA: {name}" if cuda else ("MPS (Apple GPU)" if mps else "CPU only (GPU exercises will say 'needs a GPU')")
    return ("torch", f"{version}; {device}", True)


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
            problems = t.store.check_consistency()
            events = t.store.count_events()
            bad = sum(len(v) for v in t.store.bad_lines.values())
            detail = f"{t.config.store_url()} ({events} events)"
            if bad:
                detail += f"; {bad} unreadable journal lines skipped"
            checks.append(("database", detail + ("; " + "; ".join(problems) if problems else ""), not problems))
            checks.extend(_day_lines(t))
            checks.extend(_git_lines(repo))
    except Exception as exc:  # noqa: BLE001 - doctor reports, it does not crash
        checks.append(("tracker", str(exc), False))
    return checks


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
