"""The append-only journal: the durable, git-friendly record of every event.

Each machine appends to its own file, ``journal/<machine>.jsonl``, one JSON object a line, so two
machines never edit the same file and git merges their histories without conflicts. Every event has a
unique id; the database is an index that can be rebuilt from these files at any time.

Appends are serialised with an exclusive lock on the file and written with one ``write`` call. A process
killed mid-write leaves at most one partial last line; readers ignore it and the next writer starts a
fresh line after it.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

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
        record = json.loads(line)
        core = {key: record.pop(key) for key in ("id", "ts", "machine", "type")}
        tz = record.pop("tz", "UTC")
        if core["type"] not in EVENT_TYPES:
            raise ValueError(f"unknown event type {core['type']!r}")
        return cls(tz=tz, data=record, raw=line.strip(), **core)

    @property
    def when(self) -> datetime:
        return datetime.strptime(self.ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def now_ts(clock: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if clock is None else clock, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


@dataclass
class ReadResult:
    events: list[Event]
    end: int  # offset just past the last whole line read
    bad_lines: list[int]  # 1-based numbers of lines that could not be parsed


def read_file(path: Path, offset: int = 0) -> ReadResult:
    """Whole lines from offset on; a partial last line is left for later, a garbled line is skipped."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    cut = data.rfind(b"\n") + 1
    events, bad = [], []
    first_line = 1
    if offset:
        with open(path, "rb") as fh:
            first_line = fh.read(offset).count(b"\n") + 1
    for number, raw in enumerate(data[:cut].split(b"\n")[:-1], start=first_line):
        if not raw.strip():
            continue
        try:
            events.append(Event.from_json(raw.decode("utf-8")))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            bad.append(number)
    return ReadResult(events, offset + cut, bad)


def read_all(folder: Path) -> Iterator[Event]:
    for path in sorted(folder.glob("*.jsonl")) if folder.exists() else []:
        yield from read_file(path).events
