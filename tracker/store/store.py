"""The store: the only code that touches the database.

``Store(url, journal)`` is used as a context manager. Writing an event appends it to the journal first
(the durable record), then indexes it in the database in one transaction; opening the store indexes
whatever the journal holds that the database lacks (another machine's events after a git pull, or an
event whose process died between the two writes). ``rebuild`` recreates the database from the journal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tracker.errors import TrackerError
from tracker.store import models as M
from tracker.store.journal import Event, Journal, new_id, now_ts, read_file


@dataclass(frozen=True)
class TestRecord:
    name: str
    outcome: str
    message: str
    duration: float
    description: str = ""


@dataclass(frozen=True)
class Attempt:
    event_id: str
    ts: str
    exercise_id: str
    status: str
    device: str
    device_name: str
    duration: float
    grader_hash: str
    learner_hash: str
    grader_modified: bool
    passed_checks: int
    total_checks: int


@dataclass(frozen=True)
class Tick:
    event_id: str
    ts: str
    item_id: str
    ticked: bool


@dataclass(frozen=True)
class Hint:
    event_id: str
    ts: str
    exercise_id: str
    hint_index: int


@dataclass(frozen=True)
class LogEntry:
    event_id: str
    ts: str
    date: str
    module_id: str
    title: str
    progress: str
    insight: str
    challenge: str
    next_steps: str


class StoreError(TrackerError):
    pass


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy issue BEGIN itself, so that writers take the lock up front (BEGIN IMMEDIATE)
        # and wait for each other through busy_timeout instead of failing on an upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """Progress records over SQLAlchemy, kept in step with the journal."""

    def __init__(self, url: str, journal: Journal, tz: str = "UTC", clock: Callable[[], float] | None = None):
        self.url = url
        self.clock = clock  # seconds since the epoch; the real clock when None
        self._last_ts = ""
        self.journal = journal
        self.tz = tz
        self.engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)
        self.bad_lines: dict[str, list[int]] = {}
        try:
            M.Base.metadata.create_all(self.engine)
            with Session(self.engine) as session:
                version = session.get(M.MetaRow, "schema")
            current = version is not None and version.value == M.SCHEMA_VERSION
        except OperationalError:
            current = False  # an older layout: the journal rebuilds it
        if not current:
            self.rebuild()
        else:
            self.sync()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # --- writing -------------------------------------------------------------------------------

    def record(self, type_: str, data: dict[str, Any], ts: str | None = None, tz: str | None = None) -> Event:
        """Append an event to the journal, then index it."""
        if ts is None:
            ts = now_ts(self.clock() if self.clock else None)
            # Never at or before this store's previous event: order is the order things happened,
            # even when the clock is coarse, frozen or steps back.
            if self._last_ts and ts <= self._last_ts:
                ts = _after(self._last_ts)
            self._last_ts = ts
        ev = Event(id=new_id(ts, self.journal.machine), ts=ts, machine=self.journal.machine, type=type_,
                   tz=tz or self.tz, data=data)
        before, after = self.journal.append(ev)
        name = self.journal.own_file.name
        with Session(self.engine) as session, session.begin():
            self._index(session, [ev])
            row = session.get(M.JournalFileRow, name)
            # If everything before this event was indexed, the file is indexed up to its end now.
            if (row.offset if row else 0) == before:
                session.merge(M.JournalFileRow(name=name, offset=after))
        return ev

    def sync(self) -> int:
        """Index the journal lines the database has not seen; return how many events were new."""
        with Session(self.engine) as session:
            offsets = {row.name: row.offset for row in session.scalars(select(M.JournalFileRow))}
        files = [(path, offsets.get(path.name, 0), path.stat().st_size) for path in self.journal.files()]
        if any(size < offset for _, offset, size in files):
            # A file shrank (a git reset or checkout): only a full rebuild is exact.
            return self.rebuild()
        added = 0
        with Session(self.engine) as session, session.begin():
            for path, offset, size in files:
                if size == offset:
                    continue
                result = read_file(path, offset)
                if result.bad_lines:
                    self.bad_lines[path.name] = result.bad_lines
                added += self._index(session, result.events)
                session.merge(M.JournalFileRow(name=path.name, offset=result.end))
        return added

    def rebuild(self) -> int:
        """Recreate every table from the journal; return the number of events indexed."""
        from sqlalchemy import MetaData

        try:
            old = MetaData()
            old.reflect(self.engine)  # tables of any earlier layout too
            old.drop_all(self.engine)
            M.Base.metadata.create_all(self.engine)
        except OperationalError as exc:
            raise StoreError(f"cannot open the database at {self.url}: {exc.orig}") from None
        self.bad_lines.clear()
        total = 0
        with Session(self.engine) as session, session.begin():
            for path in self.journal.files():
                result = read_file(path)
                if result.bad_lines:
                    self.bad_lines[path.name] = result.bad_lines
                total += self._index(session, result.events, fresh_database=total == 0)
                session.add(M.JournalFileRow(name=path.name, offset=result.end))
            session.add(M.MetaRow(key="schema", value=M.SCHEMA_VERSION))
        return total

    def _index(self, session: Session, events: Iterable[Event], fresh_database: bool | None = False) -> int:
        events = list(events)
        if not events:
            return 0
        ids = [ev.id for ev in events]
        known: set[str] = set()
        if fresh_database is False or session.scalar(select(func.count()).select_from(M.EventRow)):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                known.update(session.scalars(select(M.EventRow.id).where(M.EventRow.id.in_(chunk))))
        fresh = [ev for ev in {ev.id: ev for ev in events}.values() if ev.id not in known]
        if not fresh:
            return 0
        rows: dict[type, list[dict]] = {M.EventRow: [], M.AttemptRow: [], M.TickRow: [], M.HintRow: [], M.LogRow: []}
        for ev in fresh:
            rows[M.EventRow].append(
                {"id": ev.id, "ts": ev.ts, "machine": ev.machine, "tz": ev.tz, "type": ev.type, "data": ev.to_json()}
            )
            d = ev.data
            if ev.type == "attempt":
                rows[M.AttemptRow].append(
                    {"event_id": ev.id, "ts": ev.ts, "exercise_id": d["exercise"], "status": d["status"],
                     "device": d.get("device", ""), "device_name": d.get("device_name", ""),
                     "duration": float(d.get("duration", 0.0)), "grader_hash": d.get("grader_hash", ""),
                     "learner_hash": d.get("learner_hash", ""), "grader_modified": bool(d.get("grader_modified")),
                     "passed_checks": int(d.get("passed_checks", 0)), "total_checks": int(d.get("total_checks", 0)),
                     "tests": json.dumps(d.get("tests", []), separators=(",", ":"))}
                )
            elif ev.type in ("tick", "untick"):
                rows[M.TickRow].append({"event_id": ev.id, "ts": ev.ts, "item_id": d["item"],
                                        "ticked": ev.type == "tick"})
            elif ev.type == "hint":
                rows[M.HintRow].append({"event_id": ev.id, "ts": ev.ts, "exercise_id": d["exercise"],
                                        "hint_index": int(d["index"])})
            elif ev.type == "log":
                rows[M.LogRow].append(
                    {"event_id": ev.id, "ts": ev.ts, "date": d["date"], "module_id": d.get("module", ""),
                     "title": d.get("title", ""), "progress": d.get("progress", ""), "insight": d.get("insight", ""),
                     "challenge": d.get("challenge", ""), "next_steps": d.get("next_steps", "")}
                )
        connection = session.connection()
        for table, values in rows.items():
            if values:
                _insert_many(connection, table.__table__, values)
        return len(fresh)

    # --- reading -------------------------------------------------------------------------------

    def events(self) -> list[Event]:
        with Session(self.engine) as session:
            rows = session.execute(
                select(M.EventRow.id, M.EventRow.ts, M.EventRow.machine, M.EventRow.type, M.EventRow.tz, M.EventRow.data)
                .order_by(M.EventRow.ts, M.EventRow.id)
            ).all()
            return [_event(*row) for row in rows]

    def count_events(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(M.EventRow)) or 0)

    def attempts(self, exercise_id: str | None = None) -> list[Attempt]:
        query = select(M.AttemptRow).order_by(M.AttemptRow.ts, M.AttemptRow.event_id)
        if exercise_id is not None:
            query = query.where(M.AttemptRow.exercise_id == exercise_id)
        with Session(self.engine) as session:
            return [_attempt(row) for row in session.scalars(query)]

    def latest_statuses(self) -> tuple[dict[str, str], set[str]]:
        """The status of each exercise's latest attempt that counts, and the exercises only ever graded
        where a GPU was missing. One grouped query, however long the history."""
        counted = (M.AttemptRow.grader_modified.is_(False)) & M.AttemptRow.status.notin_(("needs_gpu", "cancelled"))
        with Session(self.engine) as session:
            ranked = (
                select(
                    M.AttemptRow.exercise_id,
                    M.AttemptRow.status,
                    func.row_number()
                    .over(partition_by=M.AttemptRow.exercise_id, order_by=(M.AttemptRow.ts.desc(), M.AttemptRow.event_id.desc()))
                    .label("rank"),
                )
                .where(counted)
                .subquery()
            )
            latest = dict(session.execute(select(ranked.c.exercise_id, ranked.c.status).where(ranked.c.rank == 1)).all())
            gpu = set(session.scalars(select(M.AttemptRow.exercise_id).where(M.AttemptRow.status == "needs_gpu").distinct()))
        return latest, gpu - set(latest)

    def progress_events(self) -> list[Event]:
        """The events the progress rules need, in order: everything but attempts, and of the attempts only
        those that change whether an exercise is passed (plus the first and the last, which bound the
        journey's days). Equivalent to the whole history for the rules, and far shorter."""
        counted = (M.AttemptRow.grader_modified.is_(False)) & M.AttemptRow.status.notin_(("needs_gpu", "cancelled"))
        with Session(self.engine) as session:
            flagged = (
                select(
                    M.AttemptRow.event_id,
                    (M.AttemptRow.status == "passed").label("passed"),
                    func.lag(M.AttemptRow.status == "passed")
                    .over(partition_by=M.AttemptRow.exercise_id, order_by=(M.AttemptRow.ts, M.AttemptRow.event_id))
                    .label("before"),
                )
                .where(counted)
                .subquery()
            )
            changes = select(flagged.c.event_id).where(
                (flagged.c.before.is_(None)) | (flagged.c.passed != flagged.c.before)
            )
            bounds = select(M.EventRow.id).where(
                M.EventRow.ts.in_(select(func.min(M.EventRow.ts)).union(select(func.max(M.EventRow.ts))))
            )
            wanted = (M.EventRow.type != "attempt") | M.EventRow.id.in_(changes) | M.EventRow.id.in_(bounds)
            rows = session.execute(
                select(M.EventRow.id, M.EventRow.ts, M.EventRow.machine, M.EventRow.type, M.EventRow.tz, M.EventRow.data)
                .where(wanted)
                .order_by(M.EventRow.ts, M.EventRow.id)
            ).all()
            return [_event(*row) for row in rows]

    def test_results(self, attempt_id: str) -> list[TestRecord]:
        with Session(self.engine) as session:
            raw = session.scalar(select(M.AttemptRow.tests).where(M.AttemptRow.event_id == attempt_id))
        return [TestRecord(t["name"], t["outcome"], t.get("message", ""), float(t.get("duration", 0.0)),
                           t.get("description", ""))
                for t in json.loads(raw or "[]")]

    def ticks(self) -> list[Tick]:
        with Session(self.engine) as session:
            rows = session.scalars(select(M.TickRow).order_by(M.TickRow.ts, M.TickRow.event_id))
            return [Tick(r.event_id, r.ts, r.item_id, r.ticked) for r in rows]

    def ticked_items(self) -> set[str]:
        """Items whose latest event is a tick."""
        state: dict[str, bool] = {}
        for tick in self.ticks():
            state[tick.item_id] = tick.ticked
        return {item for item, ticked in state.items() if ticked}

    def hints(self, exercise_id: str | None = None) -> list[Hint]:
        query = select(M.HintRow).order_by(M.HintRow.ts, M.HintRow.event_id)
        if exercise_id is not None:
            query = query.where(M.HintRow.exercise_id == exercise_id)
        with Session(self.engine) as session:
            return [Hint(r.event_id, r.ts, r.exercise_id, r.hint_index) for r in session.scalars(query)]

    def log_entries(self) -> list[LogEntry]:
        with Session(self.engine) as session:
            rows = session.scalars(select(M.LogRow).order_by(M.LogRow.date, M.LogRow.ts, M.LogRow.event_id))
            return [LogEntry(r.event_id, r.ts, r.date, r.module_id, r.title, r.progress, r.insight, r.challenge,
                             r.next_steps) for r in rows]

    def check_consistency(self) -> list[str]:
        """Problems between the journal and the database (empty when both agree)."""
        problems = []
        journal_ids = set()
        for path in self.journal.files():
            journal_ids.update(ev.id for ev in read_file(path).events)
        with Session(self.engine) as session:
            db_ids = set(session.scalars(select(M.EventRow.id)))
        if journal_ids - db_ids:
            problems.append(f"{len(journal_ids - db_ids)} journal events are missing from the database")
        if db_ids - journal_ids:
            problems.append(f"{len(db_ids - journal_ids)} database events are not in the journal")
        return problems


_CORE = ("id", "ts", "machine", "tz", "type")


def _insert_many(connection, table, values: list[dict]) -> None:
    """Insert rows in one executemany; on SQLite through the driver directly (SQLAlchemy's per-row
    parameter handling costs more than SQLite's own insert at journal-rebuild sizes)."""
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), values)
        return
    columns = list(values[0])
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    connection.exec_driver_sql(sql, [tuple(row[c] for c in columns) for row in values])


def _event(id_: str, ts: str, machine: str, type_: str, tz: str, raw: str) -> Event:
    data = json.loads(raw)
    for key in _CORE:
        data.pop(key, None)
    return Event(id=id_, ts=ts, machine=machine, type=type_, tz=tz, data=data, raw=raw)


def _after(ts: str) -> str:
    """The timestamp one microsecond after ts."""
    from datetime import datetime, timedelta

    moment = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(microseconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _attempt(row: M.AttemptRow) -> Attempt:
    return Attempt(row.event_id, row.ts, row.exercise_id, row.status, row.device, row.device_name, row.duration,
                   row.grader_hash, row.learner_hash, row.grader_modified, row.passed_checks, row.total_checks)


__all__ = ["Attempt", "Hint", "LogEntry", "Store", "StoreError", "TestRecord", "Tick"]
