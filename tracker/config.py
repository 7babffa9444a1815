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
from pathlib import Path, PurePosixPath
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
class SiteSettings:
    enabled: bool = False  # rebuild and commit the progress site with the README after each event
    dir: str = "docs"  # the site's folder; GitHub Pages serves it from main's /docs


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
    site: SiteSettings = field(default_factory=SiteSettings)
    raw: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # settings ignored (unknown keys), one line each

    @property
    def journal_dir(self) -> Path:
        return self.repo / "journal"

    @property
    def course(self) -> str:
        """The active course: ``[course] active`` in tracker.toml, else curriculum.yaml's."""
        return str(self.raw.get("course", {}).get("active", "curriculum"))

    @property
    def curriculum_path(self) -> Path:
        from tracker.curriculum.course import course_path

        return course_path(self.repo, self.course)

    @classmethod
    def load(cls, repo: Path | None = None) -> Config:
        repo = repo or find_repo()
        data_dir = Path(os.environ.get("TRACKER_DATA") or repo / ".tracker").expanduser()
        raw: dict = {}
        warnings: list[str] = []
        for path in (repo / CONFIG_FILE, data_dir / CONFIG_FILE):  # the local file overrides the shared one
            if path.exists():
                data = read_settings(path, repo)
                warnings.extend(check_settings(data, _shown(path, repo)))
                _merge(raw, data)
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
            site=SiteSettings(
                enabled=bool(raw.get("site", {}).get("enabled", False)),
                dir=str(raw.get("site", {}).get("dir", "docs")),
            ),
            raw=raw,
            warnings=warnings,
        )
        config.site.dir = site_dir(config.site.dir)
        return config

    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.database_file()}"

    def database_file(self) -> Path | None:
        """The SQLite file of the default store (None where tracker.toml names another database)."""
        return None if self.database_url else self.data_dir / "tracker.db"

    def machine_id(self) -> str:
        """A short random id for this clone, made once; it names this machine's journal file."""
        path = self.data_dir / "machine"
        if path.exists():
            return path.read_text(encoding="ascii").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        machine = secrets.token_hex(4)
        path.write_text(machine + "\n", encoding="ascii")
        return machine


# --- checking tracker.toml ------------------------------------------------------------------------

_NUMBER = (int, float)


def _one_of(*choices: str):
    return (lambda v: isinstance(v, str) and v in choices,
            " or ".join(f'"{c}"' for c in choices) if len(choices) < 3
            else ", ".join(f'"{c}"' for c in choices[:-1]) + f' or "{choices[-1]}"')


def _whole(low: int, high: int, unit: str):
    return (lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high,
            f"a whole number of {unit} from {low:,} to {high:,}")


def _zone(value) -> bool:
    try:
        ZoneInfo(value)
        return True
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False


def _store_url(value) -> bool:
    if not isinstance(value, str):
        return False
    scheme, sep, _rest = value.partition("://")
    return value == "" or (bool(sep) and scheme.split("+")[0] in ("sqlite", "postgresql"))


# Every setting: section -> key -> (test, what the value must be). Keys not listed are warned about and ignored.
SETTINGS: dict[str, dict[str, tuple]] = {
    "tracker": {
        "timezone": (_zone, "an IANA time zone name such as \"Europe/Paris\""),
        "daily_goal": _whole(1, 100_000, "XP"),
        "editor": (lambda v: isinstance(v, str), "a command such as \"code --wait\" (empty: $VISUAL, then $EDITOR)"),
    },
    "grading": {
        "timeout": (lambda v: isinstance(v, _NUMBER) and not isinstance(v, bool) and 0 < v <= 86_400,
                    "a number of seconds above 0 (at most 86,400)"),
        "memory_mb": _whole(64, 1_048_576, "megabytes"),
        "output_kb": _whole(1, 1_048_576, "kilobytes"),
        "device": _one_of("auto", "cuda", "mps", "cpu"),
        "threads": _whole(1, 1024, "threads"),
        "jobs": _whole(0, 1024, "grading children (0: one per core)"),
    },
    "git": {
        "commit": _one_of("event", "session", "off"),
        "push": (lambda v: isinstance(v, bool), "true or false"),
        "include_exercises": (lambda v: isinstance(v, bool), "true or false"),
        "coalesce_minutes": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1440,
                             "a number of minutes from 0 (one commit per event) to 1,440"),
    },
    "site": {
        "enabled": (lambda v: isinstance(v, bool), "true or false"),
        "dir": (lambda v: isinstance(v, str) and bool(v.strip()), "a folder inside the repository such as \"docs\""),
    },
    "course": {
        "active": (lambda v: isinstance(v, str) and bool(v.strip()), "the name of a course (`tracker course list` shows them)"),
    },
    "store": {
        "url": (_store_url, "a SQLAlchemy URL such as \"sqlite:///path/to/tracker.db\" or \"postgresql://host/db\""),
    },
}
_DEFAULTS = {"grading": GradingSettings(), "git": GitSettings()}


def read_settings(path: Path, repo: Path) -> dict:
    """A tracker.toml file's tables; a syntax error is one line with the file, line and column."""
    import re

    shown = _shown(path, repo)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise TrackerError(f"{shown}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if where:
            message = message[: where.start()].rstrip()
            raise TrackerError(f"{shown}:{where.group(1)}:{where.group(2)}: not valid TOML: {message}") from None
        raise TrackerError(f"{shown}: not valid TOML: {message}") from None


def check_settings(data: dict, shown: str) -> list[str]:
    """Raise TrackerError on the first bad value (naming the file, the key and what it must be); return a
    warning for each key or section that is not a setting."""
    warnings: list[str] = []
    bad: list[str] = []
    for section, values in data.items():
        known = SETTINGS.get(section)
        if known is None:
            warnings.append(f"{shown}: [{section}] is not a section of the settings ({', '.join(f'[{k}]' for k in SETTINGS)}); it is ignored")
            continue
        if not isinstance(values, dict):
            bad.append(f"{shown}: {section} must be a table ([{section}] followed by its keys), not {_toml(values)}")
            continue
        for key, value in values.items():
            rule = known.get(key)
            if rule is None:
                default = getattr(_DEFAULTS.get(section), key, None)
                if default is None:
                    warnings.append(f"{shown}: [{section}] {key} is not a setting (known: {', '.join(known)}); it is ignored")
                    continue
                # A setting that has a default but no rule here: its value must at least have the default's type.
                kind = type(default)
                rule = (lambda v, kind=kind: isinstance(v, kind) and not (isinstance(v, bool) and kind is not bool),
                        f"of the same type as its default ({_toml(default)})")
            test, must = rule
            if not test(value):
                bad.append(f"{shown}: [{section}] {key} must be {must}, not {_toml(value)}")
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise TrackerError(bad[0] + more)
    return warnings


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"')[:60] + '"'
    if isinstance(value, dict):
        return "a table"
    return str(value)[:60]


def _shown(path: Path, repo: Path) -> str:
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return str(path)


def site_dir(value: str) -> str:
    """[site] dir as a clean relative folder inside the repository, or a one-line error."""
    path = PurePosixPath(value.strip().replace("\\", "/"))
    if not value.strip() or path.is_absolute() or ".." in path.parts or path.parts[:1] == (".git",):
        raise TrackerError(f"{CONFIG_FILE}: [site] dir must be a folder inside the repository such as \"docs\", not {value!r}")
    return path.as_posix()


def _merge(into: dict, other: dict) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
