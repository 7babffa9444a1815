"""The append-only journal: the durable, git-friendly record of every event.

Each machine appends to its own file, ``journal/<machine>.jsonl``, one JSON object a line, so two
machines never edit the same file and git merges their histories without conflicts. Every event has a
unique id; the database is an index that can be rebuilt from these files at any time.

Appends are serialised with an exclusive lock on the file and written with one ``write`` call. A process
killed mid-write leaves at most one partial last line; readers skip it and the next writer starts a
fresh line after it. Any line that cannot be used (cut off, not JSON, binary, a missing field, a bad
timestamp, a field of the wrong type) is reported by number and skipped; every other line is kept.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

try:
    import fcntl
except ImportError:  # Windows: appends are still one write each; no lock
    fcntl = None  # type: ignore[assignment]

EVENT_TYPES = ("attempt", "tick", "untick", "hint", "log", "reset", "settings", "session")


@dataclass(frozen=True)
class Event:
    """One thing that happened, as recorded in the journal."""

    id: str
    ts: str  # ISO 8601 in UTC with microseconds, e.g. 2026-11-21T02:50:00.123456Z
    machine: str
    type: str
    tz: str = "UTC"  # the learner's time zone when it happened
    data: dict[str, Any] = field(default_factory=dict)
    # The journal line as read (kept so that indexing need not encode it again).
    raw: str = field(default="", compare=False, repr=False)

    def to_json(self) -> str:
        if self.raw:
            return self.raw
        record = {"id": self.id, "ts": self.ts, "machine": self.machine, "tz": self.tz, "type": self.type}
        record.update(self.data)
        return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Event:
        """Parse one journal line; raise ValueError saying what is wrong with a damaged one."""
        line = line.strip()
        try:
            record = _loads(line)
        except ValueError:  # what orjson refuses and Python's json reads (NaN, a huge number), or bad JSON
            try:
                record, end = _decode(line)  # json.loads without its two whitespace scans
                if end != len(line):
                    raise ValueError
            except ValueError:
                raise ValueError("not valid JSON") from None
        problem = event_problem(record)
        if problem:
            raise ValueError(problem)
        pop = record.pop
        # What the dataclass's __init__ would set, without its per-field frozen checks (read at every line).
        event = object.__new__(cls)
        event.__dict__.update(id=pop("id"), ts=pop("ts"), machine=pop("machine"), type=pop("type"),
                              tz=pop("tz", "UTC"), data=record, raw=line)
        return event

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.ts[:-1]).replace(tzinfo=timezone.utc)  # ts is checked on reading


def now_ts(clock: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if clock is None else clock, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_STR, _INT, _NUM, _BOOL, _LIST = "a string", "a whole number", "a number", "true or false", "a list"
_TYPES = {_STR: {str}, _INT: {int}, _NUM: {int, float}, _BOOL: {bool}, _LIST: {list}}  # as JSON decodes them
# The fields each type of event carries: name -> (what it must be, required).
FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "attempt": {"exercise": (_STR, True), "status": (_STR, True), "device": (_STR, False),
                "device_name": (_STR, False), "duration": (_NUM, False), "grader_hash": (_STR, False),
                "learner_hash": (_STR, False), "grader_modified": (_BOOL, False), "passed_checks": (_INT, False),
                "total_checks": (_INT, False), "tests": (_LIST, False)},
    "tick": {"item": (_STR, True)},
    "untick": {"item": (_STR, True)},
    "hint": {"exercise": (_STR, True), "index": (_INT, True)},
    "log": {"date": (_STR, True), "module": (_STR, False), "title": (_STR, False), "progress": (_STR, False),
            "insight": (_STR, False), "challenge": (_STR, False), "next_steps": (_STR, False)},
    "reset": {"exercise": (_STR, True), "saved": (_STR, False)},
    "settings": {"vacation": (_BOOL, False)},
    "session": {"module": (_STR, True), "seconds": (_INT, True)},
}
_CHECKS = {type_: [(name, _TYPES[kind], kind, required) for name, (kind, required) in fields.items()]
           for type_, fields in FIELDS.items()}
_known_zones: set[str] = {"UTC"}
_MISSING = object()


def event_problem(record: Any) -> str:
    """What makes a decoded journal line unusable as an event ("" when it is a whole, well-typed event).
    Run on every line of every rebuild, so the common case is one lookup and one type test a field."""
    if type(record) is not dict:
        return "not a JSON object"
    get = record.get
    for key in ("id", "ts", "machine", "type"):
        value = get(key, _MISSING)
        if type(value) is not str or not value:
            if value is _MISSING:
                return f"the field {key!r} is missing"
            return f"the field {key!r} must be a non-empty string"
    type_ = record["type"]
    checks = _CHECKS.get(type_)
    if checks is None:
        if type_ not in EVENT_TYPES:
            return f"unknown event type {type_[:40]!r}"
        checks = []
    ts = record["ts"]
    try:
        if not _ts_shape(ts):
            raise ValueError
        _datetime_from(ts[:-1])
    except ValueError:
        return f"bad timestamp {ts[:40]!r} (it must look like 2026-03-02T18:00:00.000000Z)"
    tz = get("tz", "UTC")
    if tz not in _known_zones:
        try:
            if type(tz) is not str:
                raise ValueError
            ZoneInfo(tz)
        except (ValueError, ZoneInfoNotFoundError):
            return f"unknown time zone {str(tz)[:40]!r}"
        _known_zones.add(tz)
    for name, types, kind, required in checks:
        if type(get(name, _MISSING)) not in types:  # a missing field's marker is of no field's type
            value = get(name, _MISSING)
            if value is not _MISSING:
                return f"the field {name!r} of a {type_} event must be {kind}, not {json.dumps(value)[:40]}"
            if required:
                return f"a {type_} event needs the field {name!r}"
    if type_ == "attempt":
        for test in get("tests", ()):
            if type(test) is not dict:
                return "the field 'tests' of an attempt event must be a list of objects"
    elif type_ == "log":
        try:
            if not _DAY.fullmatch(record["date"]):
                raise ValueError
            date.fromisoformat(record["date"])
        except ValueError:
            return f"bad date {record['date'][:40]!r} (it must look like 2026-03-02)"
    return ""


_ts_shape = _TS.fullmatch
_datetime_from = datetime.fromisoformat
_decode = json.JSONDecoder().raw_decode
_loads = orjson.loads
_sequence = itertools.count()


def new_id(ts: str, machine: str) -> str:
    """Sortable by time, unique across machines: <ts digits>-<machine>-<sequence><random>.

    The per-process sequence keeps events created in the same microsecond in creation order."""
    digits = "".join(ch for ch in ts if ch.isdigit())
    return f"{digits}-{machine}-{next(_sequence):08x}{secrets.token_hex(3)}"


class Journal:
    """The journal folder of a repository."""

    def __init__(self, folder: Path, machine: str):
        self.folder = folder
        self.machine = machine

    @property
    def own_file(self) -> Path:
        return self.folder / f"{self.machine}.jsonl"

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.jsonl")) if self.folder.exists() else []

    def append(self, event: Event) -> tuple[int, int]:
        """Append one event; return the file's size before and after the write."""
        self.folder.mkdir(parents=True, exist_ok=True)
        line = (event.to_json() + "\n").encode("utf-8")
        fd = os.open(self.own_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size:
                # A writer killed mid-line left no newline: start ours on a fresh line.
                with open(self.own_file, "rb") as fh:
                    fh.seek(size - 1)
                    if fh.read(1) != b"\n":
                        line = b"\n" + line
            os.write(fd, line)
            os.fsync(fd)
            return size, size + len(line)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Damage:
    """A journal line that cannot be used, and why."""

    line: int  # 1-based
    reason: str


@dataclass
class ReadResult:
    events: list[Event]
    end: int  # offset just past the last whole line read
    damaged: list[Damage] = field(default_factory=list)

    @property
    def bad_lines(self) -> list[int]:
        return [d.line for d in self.damaged]


CUT_OFF = "the line is cut off (a write was interrupted)"


def read_file(path: Path, offset: int = 0) -> ReadResult:
    """Whole lines from offset on. A damaged line is skipped and reported with its number and what is wrong;
    every other line is kept. A last line without its newline is left unread (a writer may be finishing it)
    and, once no writer holds the file, reported as cut off."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
        cut = data.rfind(b"\n") + 1
        if cut < len(data) and fcntl is not None:
            # Appends hold an exclusive lock for their one write: once we hold a shared one, a last line
            # still without its newline belongs to a writer that died.
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
            try:
                fh.seek(offset)
                data = fh.read()
                cut = data.rfind(b"\n") + 1
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        first_line = 1
        if offset:
            fh.seek(0)
            first_line = fh.read(offset).count(b"\n") + 1
    events, damaged = [], []
    lines = data[:cut].split(b"\n")[:-1]
    for number, raw in enumerate(lines, start=first_line):
        if not raw.strip():
            continue
        try:
            events.append(Event.from_json(raw.decode("utf-8")))
        except UnicodeDecodeError:
            damaged.append(Damage(number, "not UTF-8 text (binary data)"))
        except ValueError as exc:
            damaged.append(Damage(number, str(exc)))
    if data[cut:].strip():
        damaged.append(Damage(first_line + len(lines), CUT_OFF))
    return ReadResult(events, offset + cut, damaged)


def read_all(folder: Path) -> Iterator[Event]:
    for path in sorted(folder.glob("*.jsonl")) if folder.exists() else []:
        yield from read_file(path).events
