"""Where things are and how the learner set them: repository, data folder, tracker.toml settings.

No engine, path or config is created at import time; ``Config.load`` builds one when asked.
Environment: TRACKER_REPO points at the repository (else the folder holding curriculum.yaml, upwards
from the current one); TRACKER_DATA moves the local data folder (default <repo>/.tracker).
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.errors import TrackerError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILE = "tracker.toml"


def find_repo(start: Path | None = None) -> Path:
    env = os.environ.get("TRACKER_REPO")
    if env:
        path = Path(env).expanduser().resolve()
        if not (path / "curriculum.yaml").exists():
            raise TrackerError(f"TRACKER_REPO={env} has no curriculum.yaml")
        return path
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / "curriculum.yaml").exists():
            return folder
    raise TrackerError("no curriculum.yaml here or in any parent folder: run tracker inside your fork of the course")


@dataclass
class GradingSettings:
    timeout: float = 60.0
    memory_mb: int = 4096
    output_kb: int = 1024
    device: str = "auto"
    threads: int = 1
    jobs: int = 0  # children side by side for several exercises; 0: decided by the machine's cores


@dataclass
class GitSettings:
    commit: str = "event"  # "event": after each pass, tick or log entry; "session": at the end; "off"
    push: bool = False
    include_exercises: bool = False  # also commit your solutions in exercises/ (they become public on push)
    coalesce_minutes: float = 30.0  # events this close together make one commit (an app session always does); 0: one each


@dataclass
class Config:
    repo: Path
    data_dir: Path
    timezone: str = "UTC"
    daily_goal: int = 30
    editor: str = ""  # what opens a stub or a log entry; empty: $VISUAL, then $EDITOR
    database_url: str = ""
    grading: GradingSettings = field(default_factory=GradingSettings)
    git: GitSettings = field(default_factory=GitSettings)
    raw: dict = field(default_factory=dict)

    @property
    def journal_dir(self) -> Path:
        return self.repo / "journal"

    @property
    def curriculum_path(self) -> Path:
        return self.repo / "curriculum.yaml"

    @classmethod
    def load(cls, repo: Path | None = None) -> Config:
        repo = repo or find_repo()
        data_dir = Path(os.environ.get("TRACKER_DATA") or repo / ".tracker").expanduser()
        raw: dict = {}
        for path in (repo / CONFIG_FILE, data_dir / CONFIG_FILE):  # the local file overrides the shared one
            if path.exists():
                try:
                    _merge(raw, tomllib.loads(path.read_text(encoding="utf-8")))
                except tomllib.TOMLDecodeError as exc:
                    raise TrackerError(f"{path.name}: {exc}") from None
        section = raw.get("tracker", {})
        grading = raw.get("grading", {})
        config = cls(
            repo=repo,
            data_dir=data_dir,
            timezone=str(section.get("timezone", "UTC")),
            daily_goal=int(section.get("daily_goal", 30)),
            editor=str(section.get("editor", "")),
            database_url=str(raw.get("store", {}).get("url", "")),
            grading=GradingSettings(
                timeout=float(grading.get("timeout", 60.0)),
                memory_mb=int(grading.get("memory_mb", 4096)),
                output_kb=int(grading.get("output_kb", 1024)),
                device=str(grading.get("device", "auto")),
                threads=int(grading.get("threads", 1)),
                jobs=int(grading.get("jobs", 0)),
            ),
            git=GitSettings(
                commit=str(raw.get("git", {}).get("commit", "event")),
                push=bool(raw.get("git", {}).get("push", False)),
                include_exercises=bool(raw.get("git", {}).get("include_exercises", False)),
                coalesce_minutes=float(raw.get("git", {}).get("coalesce_minutes", 30.0)),
            ),
            raw=raw,
        )
        if config.git.commit not in ("event", "session", "off"):
            raise TrackerError(f"{CONFIG_FILE}: [git] commit must be \"event\", \"session\" or \"off\", not {config.git.commit!r}")
        try:
            ZoneInfo(config.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise TrackerError(f"{CONFIG_FILE}: unknown time zone {config.timezone!r} (use an IANA name such as Europe/Paris)") from None
        return config

    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'tracker.db'}"

    def machine_id(self) -> str:
        """A short random id for this clone, made once; it names this machine's journal file."""
        path = self.data_dir / "machine"
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        machine = secrets.token_hex(4)
        path.write_text(machine + "\n", encoding="ascii")
        return machine


def _merge(into: dict, other: dict) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
