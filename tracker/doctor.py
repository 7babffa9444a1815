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
            detail = f"{t.config.store_url()} ({events} events)"
            checks.append(("database", detail + ("; " + "; ".join(problems) if problems else ""), not problems))
            checks.extend(_journal_lines(t.store.damaged_lines()))
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
