"""The store's reads that where-you-stand needs, written once in plain SQL for any DB-API connection.

``Store`` runs them through SQLAlchemy's connection; ``QuickReader`` runs the same functions through the
standard library's ``sqlite3``, so that the app's first screen and ``tracker status`` show progress before
SQLAlchemy is even imported (its import alone costs more than the rest of a warm start). A quick reader is
offered only where it would read exactly what the store reads: a SQLite database of this layout that has
indexed every journal byte. Anything else (a new, older, damaged or other database, or journal lines not yet
indexed, such as another machine's after a pull) is the store's to handle.

Each function takes ``run(sql, params) -> rows``, with ``?`` placeholders (see ``Store._reads``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Iterable, Sequence

from tracker.store.journal import EVENT_TYPES, Event, Journal

SCHEMA_VERSION = "5"  # a database built with another version is rebuilt from the journal
# The events other than attempts (which have their own table): the type index holds only these, and a query
# that reads it says so in these words (SQLite uses a partial index only for a query that repeats its WHERE).
NOT_ATTEMPT = "type != 'attempt'"
TAIL = 32  # bytes kept from just before each journal file's read offset

Run = Callable[[str, Sequence], list]

_CORE = ("id", "ts", "machine", "tz", "type")
ATTEMPT_FIELDS = ("exercise", "status", "device", "device_name", "duration", "grader_hash", "learner_hash",
                  "grader_modified", "passed_checks", "total_checks")
_EVENT_COLUMNS = "id, ts, machine, type, tz, data"
_ATTEMPT_COLUMNS = ("event_id, ts, machine, tz, exercise_id, status, device, device_name, duration, grader_hash, "
                    "learner_hash, grader_modified, passed_checks, total_checks")


def _marks(values: Sequence) -> str:
    return ", ".join("?" for _ in values)


def event_of(id_: str, ts: str, machine: str, type_: str, tz: str, raw: str) -> Event:
    data = json.loads(raw)
    for key in _CORE:
        data.pop(key, None)
    return Event(id=id_, ts=ts, machine=machine, type=type_, tz=tz, data=data, raw=raw)


def events_of(run: Run, type_: str) -> list[Event]:
    """The events of one type, in order (through the type index: for the types other than attempts)."""
    which = "type = ?" if type_ == "attempt" else f"type = ? AND {NOT_ATTEMPT}"
    rows = run(f"SELECT {_EVENT_COLUMNS} FROM events WHERE {which} ORDER BY ts, id", (type_,))
    return [event_of(*row) for row in rows]


def latest_statuses(run: Run) -> tuple[dict[str, str], set[str]]:
    """The status of each exercise's latest attempt that counts, and the exercises only ever graded
    where a GPU was missing: one row per exercise, however long the history."""
    rows = run("SELECT exercise_id, status, needs_gpu FROM exercise_latest", ())
    latest = {exercise: status for exercise, status, _ in rows if status is not None}
    return latest, {exercise for exercise, status, gpu in rows if gpu and status is None}


def ticked_items(run: Run) -> set[str]:
    """Items whose latest event is a tick."""
    state = dict(run("SELECT item_id, ticked FROM ticks ORDER BY ts, event_id", ()))
    return {item for item, ticked in state.items() if ticked}


def damaged_lines(run: Run, folder: str) -> list[tuple[str, int, str]]:
    """The journal lines skipped as damaged: (file as shown to the learner, in the journal's ``folder``,
    line number, reason), in order."""
    rows = run("SELECT file, line, reason FROM damaged_lines ORDER BY file, line", ())
    return [(f"{folder}/{name}", line, reason) for name, line, reason in rows]


def progress_events(run: Run, after: tuple[str, str] | None) -> list[Event]:
    """The events the progress rules need, in order: everything but attempts, and of the attempts only
    those that change whether an exercise is passed (plus the first and the last event, which bound the
    journey's days). With ``after`` (ts, id), only the events after that point. See
    ``Store.progress_events``."""
    later = attempt_later = ""
    later_args: tuple = ()
    if after is not None:
        # The ``>=`` terms let SQLite read a range of the ts indexes; the rest is exact.
        later, later_args = " AND ts >= ? AND (ts > ? OR id > ?)", (after[0], after[0], after[1])
        attempt_later = " AND ts >= ? AND (ts > ? OR event_id > ?)"
    # The whole history: the events other than attempts through the type index; after a point, through
    # the (ts, id) index (the type index would visit every event of those types).
    if after is None:
        types = [t for t in EVENT_TYPES if t != "attempt"]
        others = run(f"SELECT {_EVENT_COLUMNS} FROM events WHERE type IN ({_marks(types)}) AND {NOT_ATTEMPT}{later}",
                     (*types, *later_args))
    else:
        others = run(f"SELECT {_EVENT_COLUMNS} FROM events WHERE type != ?{later}", ("attempt", *later_args))
    # The first and the last event that is not a setting (the journey's days), each read from an end of
    # the (ts, id) index.
    bounds = []
    if after is None:
        bounds += [row[0] for row in run("SELECT ts FROM events WHERE type != ? ORDER BY ts, id LIMIT 1", ("settings",))]
    bounds += [row[0] for row in run("SELECT ts FROM events WHERE type != ? ORDER BY ts DESC, id DESC LIMIT 1",
                                     ("settings",))]
    bounds = [ts for ts in bounds if after is None or ts >= after[0]]
    bound_ids = []
    if bounds:
        rows = run(f"SELECT id, type FROM events WHERE ts IN ({_marks(bounds)}){later}", (*bounds, *later_args))
        bound_ids = [event_id for event_id, type_ in rows if type_ == "attempt"]
    # ``IS 1`` as the partial index of these attempts says it (the store rewrites it for other databases).
    attempts = run(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE flips IS 1{attempt_later}", later_args)
    if bound_ids:
        attempts += run(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE event_id IN ({_marks(bound_ids)})", bound_ids)
    events = {row[0]: event_of(*row) for row in others}
    for event_id, ts, machine, tz, *fields in attempts:
        data = dict(zip(ATTEMPT_FIELDS, fields))
        data["grader_modified"] = bool(data["grader_modified"])
        events[event_id] = Event(id=event_id, ts=ts, machine=machine, type="attempt", tz=tz, data=data)
    return sorted(events.values(), key=lambda ev: (ev.ts, ev.id))


def stale(run: Run, ts: str, event_id: str, seq: int) -> bool:
    """Whether an event indexed after sequence number ``seq`` lies at or before (ts, event_id): a state
    folded up to there misses it. Reads only the events indexed since (the seq index)."""
    # ``ts || ''`` keeps SQLite off the (ts, id) index, which would read every event before the point: the
    # events indexed since are a range of the rowid.
    return bool(run("SELECT ts, id FROM events WHERE seq > ? AND (ts || '' < ? OR (ts || '' = ? AND id <= ?)) LIMIT 1",
                    (seq, ts, ts, event_id)))


def checkpoint(run: Run, key: str, known: str | None = None
               ) -> tuple[tuple[str, str, str, int] | None, str | None, list[Event], int]:
    """For the kept fold of ``key`` (run inside one transaction): its mark (ts and id of the last event
    folded, the token of that write and the sequence number it was read at; None where none is kept or it
    is stale), its state (None without a mark, or where the token is ``known``: the caller holds that
    state), the progress events after it (all of them without one), and the database's latest sequence
    number."""
    seq = run("SELECT max(seq) FROM events", ())[0][0] or 0
    found = run("SELECT ts, event_id, token, seq, state FROM progress_checkpoints WHERE key = ?", (key,))
    row = found[0] if found else None
    if row is not None and stale(run, row[0], row[1], row[3]):
        row = None
    mark = (row[0], row[1], row[2], row[3]) if row is not None else None
    state = row[4] if row is not None and row[2] != known else None
    return mark, state, progress_events(run, mark[:2] if mark else None), seq


def tail(path: Path, offset: int) -> str:
    """The bytes just before offset, as hex."""
    if offset <= 0:
        return ""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, offset - TAIL))
            return fh.read(min(offset, TAIL)).hex()
    except OSError:
        return ""


def journal_state(known: dict[str, tuple[int, str]], files: Iterable[Path]) -> tuple[str, list[tuple[Path, int, int]]]:
    """How the journal stands against what the database read of it (``known``: name -> (offset, tail)):
    ("edited", []) where only a rebuild is exact (a file shrank, was edited before the part already read, or
    went away: a git reset or checkout, a repaired line), else ("read", []) or ("unread", [(file, offset,
    size), ...] for the files with bytes not yet indexed)."""
    found = [(path, *known.get(path.name, (0, "")), path.stat().st_size) for path in files]
    names = {path.name for path, *_ in found}
    if set(known) - names or any(size < offset or (offset and tail(path, offset) != kept)
                                 for path, offset, kept, size in found):
        return "edited", []
    unread = [(path, offset, size) for path, offset, _kept, size in found if size != offset]
    return ("unread" if unread else "read"), unread


class QuickReader:
    """The reads above over a SQLite database through ``sqlite3``, for as long as the database stays in
    this layout and the journal adds nothing it has not indexed (checked at every read: a read that finds
    either changed raises ``Outdated``, and the caller moves to the store)."""

    class Outdated(Exception):
        pass

    notices: tuple[str, ...] = ()  # nothing set aside or rebuilt: that is the store's to do, and to tell

    def __init__(self, connection: sqlite3.Connection, url: str, journal: Journal):
        self._connection = connection
        self.url = url  # the store's name for the same database (the kept fold's memo key)
        self.journal = journal
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path | None, url: str, journal: Journal) -> QuickReader | None:
        """A reader where the SQLite database at ``path`` (the store's ``url``) is current and has read the
        whole journal; else None."""
        if path is None:
            return None
        try:
            if path.stat().st_size < 100:
                return None
            connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error):
            return None
        reader = cls(connection, url, journal)
        try:
            connection.execute("PRAGMA busy_timeout=15000")
            reader._read(lambda run: None)
        except (cls.Outdated, sqlite3.Error):
            connection.close()
            return None
        return reader

    def close(self) -> None:
        self._connection.close()

    def _read(self, reads: Callable[[Run], object]):
        """``reads(run)`` in one read transaction, after checking that the database is the store's, in this
        layout, and has indexed every journal byte."""

        def run(sql: str, params: Sequence) -> list:
            return self._connection.execute(sql, tuple(params)).fetchall()

        with self._lock:
            try:
                self._connection.execute("BEGIN")
                try:
                    version = run("SELECT value FROM meta WHERE key = ?", ("schema",))
                    if not version or version[0][0] != SCHEMA_VERSION:
                        raise self.Outdated("another layout")
                    known = {name: (offset, kept) for name, offset, kept in run("SELECT name, offset, tail FROM journal_files", ())}
                    if journal_state(known, self.journal.files())[0] != "read":
                        raise self.Outdated("journal lines not indexed yet")
                    return reads(run)
                finally:
                    self._connection.execute("ROLLBACK")
            except (sqlite3.Error, OSError) as exc:  # locked past the timeout, damaged, gone: the store says why
                raise self.Outdated(str(exc)) from None

    def checkpoint(self, key: str, known: str | None = None):
        return self._read(lambda run: checkpoint(run, key, known))

    def keep_checkpoint(self, *args, **kwargs) -> None:
        """Nothing is kept through a quick reader (the store keeps the fold the next time it folds)."""
        return None

    def latest_statuses(self) -> tuple[dict[str, str], set[str]]:
        return self._read(latest_statuses)

    def events_of(self, type_: str) -> list[Event]:
        return self._read(lambda run: events_of(run, type_))

    def ticked_items(self) -> set[str]:
        return self._read(ticked_items)

    def damaged_lines(self) -> list[tuple[str, int, str]]:
        return self._read(lambda run: damaged_lines(run, self.journal.folder.name))
