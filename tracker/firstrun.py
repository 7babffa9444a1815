"""The first run of a fork: four answers written to tracker.toml, and the README's opening made the learner's.

`tracker init` and the app's first launch both call ``apply``. Writing tracker.toml changes only the keys
asked about: any other line, comment or section the learner wrote stays as it was.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.config import CONFIG_FILE
from tracker.errors import TrackerError

# The opening the course ships (a product page) and the one a learner's fork starts from.
SHIPPED_MARK = "**tracker** is a gamified progress tracker"
OPENING = "![A journey through ML systems](progress/cover.svg)\n\n> {quote}\n\n"
QUOTE = "Let's see how far I go"


@dataclass
class Answers:
    timezone: str
    editor: str
    push: bool
    publish_solutions: bool


def system_timezone() -> str:
    """The IANA name of this machine's zone ($TZ, /etc/timezone, the /etc/localtime link), else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    try:
        link = os.readlink("/etc/localtime")
        candidates.append(link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "")
    except OSError:
        pass
    for name in candidates:
        if name and valid_zone(name):
            return name
    return "UTC"


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def defaults(repo: Path) -> Answers:
    """What a first run proposes: the system's zone, $VISUAL or $EDITOR, pushing when there is a remote,
    solutions kept private."""
    from tracker.publish import gitops

    has_remote = gitops.is_repo(repo) and bool(gitops.out(repo, "remote", check=False))
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or ""
    return Answers(system_timezone(), editor, has_remote, False)


def needs_first_run(repo: Path, data_dir: Path) -> bool:
    return not (repo / CONFIG_FILE).exists() and not (data_dir / CONFIG_FILE).exists()


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_keys(text: str, values: dict[str, dict[str, object]]) -> str:
    """``text`` (a TOML file) with these keys set, each in its section, every other line untouched."""
    lines = text.splitlines()
    for section, keys in values.items():
        for key, value in keys.items():
            line = f"{key} = {_toml_value(value)}"
            header = next((i for i, l in enumerate(lines) if l.strip() == f"[{section}]"), None)
            if header is None:
                lines += ([""] if lines and lines[-1].strip() else []) + [f"[{section}]", line]
                continue
            end = next((i for i in range(header + 1, len(lines)) if lines[i].strip().startswith("[")), len(lines))
            found = next((i for i in range(header + 1, end) if re.match(rf"\s*{re.escape(key)}\s*=", lines[i])), None)
            if found is not None:
                lines[found] = line
            else:
                at = end
                while at > header + 1 and not lines[at - 1].strip():
                    at -= 1
                lines.insert(at, line)
    return "\n".join(lines) + "\n"


def prepare_readme(repo: Path, quote: str = QUOTE) -> bool:
    """Turn the shipped product opening into the learner's (picture and quote above the dashboard).
    An opening the learner already wrote is left alone. Returns whether the README changed."""
    from tracker.publish.readme import start_marker

    path = repo / "README.md"
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    marker = start_marker("dashboard")
    if marker not in text:
        return False
    opening, rest = text.split(marker, 1)
    if opening != _shipped_opening(repo, marker):
        return False
    path.write_text(OPENING.format(quote=quote) + marker + rest, encoding="utf-8")
    return True


def _shipped_opening(repo: Path, marker: str) -> str | None:
    """The README's opening as the course shipped it: its first committed version (the shipped product
    opening when there is no history)."""
    from tracker.publish import gitops

    if not gitops.is_repo(repo):
        return None
    first = gitops.out(repo, "log", "--diff-filter=A", "--format=%H", "--", "README.md", check=False).split()
    text = gitops.committed_text(repo, first[-1], "README.md") if first else None
    if not text or marker not in text or SHIPPED_MARK not in text.split(marker, 1)[0]:
        return None
    return text.split(marker, 1)[0]


def apply(repo: Path, answers: Answers) -> list[str]:
    """Write the answers to tracker.toml and prepare the README; returns the files changed."""
    if not valid_zone(answers.timezone):
        raise TrackerError(f"unknown time zone {answers.timezone!r} (use an IANA name such as Europe/Paris)")
    path = repo / CONFIG_FILE
    before = path.read_text(encoding="utf-8") if path.exists() else "# tracker settings (see docs/manual.md)\n"
    after = set_keys(before, {
        "tracker": {"timezone": answers.timezone, "editor": answers.editor},
        "git": {"push": answers.push, "include_exercises": answers.publish_solutions},
    })
    changed = []
    if after != (path.read_text(encoding="utf-8") if path.exists() else None):
        path.write_text(after, encoding="utf-8")
        changed.append(CONFIG_FILE)
    if prepare_readme(repo):
        changed.append("README.md")
    return changed


def describe(answers: Answers) -> str:
    return (f"time zone {answers.timezone}, editor {answers.editor or '$VISUAL/$EDITOR'}, "
            f"push {'on' if answers.push else 'off'}, solutions {'published' if answers.publish_solutions else 'kept private'}")
