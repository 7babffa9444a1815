"""The store: the only code that touches the database.

``Store(url, journal)`` is used as a context manager. Writing an event appends it to the journal first
(the durable record), then indexes it in the database in one transaction; opening the store indexes
whatever the journal holds that the database lacks (another machine's events after a git pull, or an
event whose process died between the two writes). ``rebuild`` recreates the database from the journal.

What is kept only for speed (each exercise's latest counted attempt, and which attempts changed an exercise
from passed to not or back) is updated in the same transaction as the attempt it follows from, whatever
order attempts arrive in, so two writers and a killed one leave it exact; ``check_consistency`` recomputes
it from the attempts to prove so. A SQLite file that cannot be read is set aside, never deleted, and the
index is rebuilt from the journal.

The reads that where-you-stand needs (the kept fold and the events after it, each exercise's latest status,
the ticked items, the settings) are plain SQL in ``tracker.store.reads``, run here through SQLAlchemy and
there through ``sqlite3`` before SQLAlchemy is imported.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from operator import itemgetter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import bindparam, create_engine, event, func, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError
from sqlalchemy.orm import Session

from tracker.errors import TrackerError
from tracker.store import models as M
from tracker.store import reads
from tracker.store.reads import tail as _tail
from tracker.store.journal import Damage, Event, Journal, new_id, now_ts, read_file

try:
    import fcntl
except ImportError:  # Windows: no lock around a rebuild
    fcntl = None  # type: ignore[assignment]

# Statuses that do not decide an exercise's state (with a modified grader, no attempt counts either).
UNCOUNTED = ("needs_gpu", "cancelled")
PAGE_SIZE = 8192  # of a new SQLite database: a rebuild writes half as many pages as with the default 4096
REBUILD_CACHE_KIB = 512 * 1024  # the most page cache a rebuild may hold (only what it writes is held)


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


class _Unreadable(Exception):
    """The database's tables could not be dropped or created (a damaged file)."""

    def __init__(self, error: DatabaseError):
        super().__init__(str(error))
        self.error = error


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy issue BEGIN itself, so that writers take the lock up front (BEGIN IMMEDIATE)
        # and wait for each other through busy_timeout instead of failing on an upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # takes effect only where the file is new: before WAL
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while a rebuild builds its rows: with hundreds of thousands of young
    objects alive, the collector's passes cost as much as the rebuild's own work (and find nothing to free)."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Store:
    """Progress records over SQLAlchemy, kept in step with the journal."""

    def __init__(self, url: str, journal: Journal, tz: str = "UTC", clock: Callable[[], float] | None = None,
                 catch_up: bool = True):
        self.url = url
        self.clock = clock  # seconds since the epoch; the real clock when None
        self._last_ts = ""
        self.journal = journal
        self.tz = tz
        self.notices: list[str] = []  # what the learner should hear about (a database set aside)
        self.bad_lines: dict[str, list[int]] = {}  # journal lines skipped by this store's last read
        try:
            self.engine = create_engine(url, future=True)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise StoreError(f"cannot use the database URL {url!r}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)
        if self._health() == "current":
            if catch_up:
                self.sync()
            return
        with self._exclusive():
            state = self._health()  # another process may have rebuilt it while this one waited
            if state not in ("current", "old", "new"):
                self._set_aside(state)
                state = "new"
            if state != "current" and catch_up:
                self._rebuild()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def _reads(self, reads_of: Callable[[reads.Run], Any], begin: bool = False) -> Any:
        """One of ``tracker.store.reads``' functions over this store's connection (in a transaction of its
        own with ``begin``: reads that must see one moment of the database)."""
        with Session(self.engine) as session:
            if begin:
                with session.begin():
                    return reads_of(_run(session.connection()))
            return reads_of(_run(session.connection()))

    # --- a database that cannot be read ----------------------------------------------------------

    @property
    def sqlite_file(self) -> Path | None:
        """The database file, where the store is a SQLite file."""
        url = make_url(self.url)
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return None
        return Path(url.database)

    def _health(self) -> str:
        """"current", "old" (an earlier layout of this store: rebuilt in place), "new" (empty), or what makes
        the database unreadable. A SQLite file is only read here (a damaged one is set aside as it was)."""
        path = self.sqlite_file
        if path is not None:
            if not path.exists() or path.stat().st_size == 0:
                return "new"
            problem = _sqlite_file_problem(path)
            if problem:
                return problem
            import sqlite3
            from urllib.parse import quote

            try:
                con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
                try:
                    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                    return _layout(tables, lambda sql: con.execute(sql).fetchall())
                finally:
                    con.close()
            except sqlite3.OperationalError as exc:
                return f"its layout is wrong ({exc})"
            except sqlite3.DatabaseError as exc:
                return f"it cannot be read ({exc})"
        try:
            with self.engine.connect() as connection:
                tables = set(self.engine.dialect.get_table_names(connection))
                return _layout(tables, lambda sql: connection.exec_driver_sql(sql).fetchall())
        except DatabaseError as exc:
            raise StoreError(f"cannot open the database at {self.url}: {exc.orig}") from None

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One process at a time sets a database aside or rebuilds it (a lock file beside a SQLite file)."""
        path = self.sqlite_file
        if path is None or fcntl is None:
            yield
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _set_aside(self, why: str) -> None:
        """Rename the unreadable SQLite file (and its WAL files), never delete it; a fresh one is built."""
        path = self.sqlite_file
        if path is None:
            raise StoreError(f"the database at {self.url} cannot be used: {why}")
        self.engine.dispose()
        stamp = now_ts(self.clock() if self.clock else None)[:19].replace("-", "").replace(":", "")
        aside = path.with_name(f"{path.name}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        for suffix in ("", "-wal", "-shm"):
            part = path.with_name(path.name + suffix)
            if part.exists():
                os.replace(part, aside.with_name(aside.name + suffix))
        self.notices.append(f"{_shown(path)} could not be read ({why}); it was set aside as {aside.name} "
                            "and rebuilt from the journal")

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
                session.merge(M.JournalFileRow(name=name, offset=after, tail=_tail(self.journal.own_file, after)))
        return ev

    def sync(self) -> int:
        """Index the journal lines the database has not seen; return how many events were new."""
        with Session(self.engine) as session:
            known = {row.name: (row.offset, row.tail) for row in session.scalars(select(M.JournalFileRow))}
        state, files = reads.journal_state(known, self.journal.files())
        if state == "edited":  # only a full rebuild is exact
            return self.rebuild()
        added = 0
        with Session(self.engine) as session, session.begin():
            for path, offset, _size in files:
                result = read_file(path, offset)
                self._note_damage(session, path.name, result.damaged)
                added += self._index(session, result.events)
                session.merge(M.JournalFileRow(name=path.name, offset=result.end, tail=_tail(path, result.end)))
        return added

    def rebuild(self) -> int:
        """Recreate every table from the journal; return the number of events indexed."""
        with self._exclusive():
            return self._rebuild()

    def _rebuild(self) -> int:
        try:
            return self._refill(drop=True)
        except _Unreadable as exc:
            if self.sqlite_file is None:
                raise StoreError(f"cannot open the database at {self.url}: {exc.error.orig}") from None
            self._set_aside(f"it cannot be read ({exc.error.orig})")
            return self._refill(drop=False)

    def _refill(self, drop: bool) -> int:
        """Drop every table, create this layout's and index the journal, in one transaction: other processes
        read the old index until the new one is whole (and one commit costs less than three)."""
        from sqlalchemy import MetaData

        self.bad_lines.clear()
        with _bulk(), Session(self.engine) as session, session.begin():
            connection = session.connection()
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # The whole new index in memory until the commit: pages spilled to the WAL mid-transaction
                # would be written twice.
                cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
                connection.exec_driver_sql(f"PRAGMA cache_size={-REBUILD_CACHE_KIB}")
            try:
                if drop:
                    old = MetaData()
                    old.reflect(connection)  # tables of any earlier layout too
                    old.drop_all(connection)
                M.Base.metadata.create_all(connection)
            except DatabaseError as exc:
                raise _Unreadable(exc) from None
            # Indexes are built once after the rows are in: cheaper than keeping them up to date row by row.
            indexes = [index for table in M.Base.metadata.sorted_tables for index in table.indexes]
            for index in indexes:
                index.drop(connection)
            # The events are freed as _index returns, before the collector is back (which would otherwise go
            # through every one of them once).
            total = self._index(session, self._read_journal(session), fresh_database=True)
            session.add(M.MetaRow(key="schema", value=M.SCHEMA_VERSION))
            session.flush()
            for index in indexes:
                index.create(connection)
            if sqlite:
                # Back to the usual size for the connection's later use (SQLite keeps the pages written
                # in this transaction until the commit whatever the size).
                connection.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")
        return total

    def _read_journal(self, session: Session) -> list[Event]:
        """Every event of the journal files, noting how far each was read and its damaged lines."""
        events: list[Event] = []
        for path in self.journal.files():
            result = read_file(path)
            self._note_damage(session, path.name, result.damaged)
            events.extend(result.events)
            session.add(M.JournalFileRow(name=path.name, offset=result.end, tail=_tail(path, result.end)))
        return events

    def _note_damage(self, session: Session, name: str, damaged: list[Damage]) -> None:
        if not damaged:
            return
        self.bad_lines.setdefault(name, []).extend(d.line for d in damaged)
        for d in damaged:
            session.merge(M.DamagedLineRow(file=name, line=d.line, reason=d.reason[:200]))

    def damaged_lines(self) -> list[tuple[str, int, str]]:
        """Every journal line skipped as damaged: (file as shown to the learner, line number, what is wrong)."""
        return self._reads(lambda run: reads.damaged_lines(run, self.journal.folder.name))

    def _index(self, session: Session, events: Iterable[Event], fresh_database: bool | None = False) -> int:
        events = list(events)
        if not events:
            return 0
        ids = [ev.id for ev in events]
        known: set[str] = set()
        if fresh_database is False or session.scalar(select(func.count()).select_from(M.EventRow)):
            fresh_database = False
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                known.update(session.scalars(select(M.EventRow.id).where(M.EventRow.id.in_(chunk))))
        fresh = [ev for ev in {ev.id: ev for ev in events}.values() if ev.id not in known]
        if not fresh:
            return 0
        event_rows, attempt_rows, tick_rows, hint_rows, log_rows = [], [], [], [], []
        seq = 0 if fresh_database else session.scalar(select(func.max(M.EventRow.seq))) or 0
        # Rows as tuples in each table's column order (one executemany per table below); attempts as lists,
        # whose ``flips`` _derive sets.
        for seq, ev in enumerate(fresh, start=seq + 1):
            type_, d = ev.type, ev.data
            event_rows.append((ev.id, ev.ts, ev.machine, ev.tz, type_, ev.to_json(), seq))
            if type_ == "attempt":
                get = d.get
                modified = bool(get("grader_modified"))
                status = d["status"]
                attempt_rows.append(
                    [ev.id, ev.ts, ev.machine, ev.tz, d["exercise"], status, get("device", ""), get("device_name", ""),
                     float(get("duration", 0.0)), get("grader_hash", ""), get("learner_hash", ""), modified,
                     int(get("passed_checks", 0)), int(get("total_checks", 0)),
                     not modified and status not in UNCOUNTED, False])
            elif type_ in ("tick", "untick"):
                tick_rows.append((ev.id, ev.ts, d["item"], type_ == "tick"))
            elif type_ == "hint":
                hint_rows.append((ev.id, ev.ts, d["exercise"], int(d["index"])))
            elif type_ == "log":
                log_rows.append((ev.id, ev.ts, d["date"], d.get("module", ""), d.get("title", ""), d.get("progress", ""),
                                 d.get("insight", ""), d.get("challenge", ""), d.get("next_steps", "")))
        if attempt_rows:
            self._derive(session, attempt_rows, fresh_database)
        connection = session.connection()
        attempt_rows = [tuple(row) for row in attempt_rows]
        for table, rows in ((M.EventRow, event_rows), (M.AttemptRow, attempt_rows), (M.TickRow, tick_rows),
                            (M.HintRow, hint_rows), (M.LogRow, log_rows)):
            if rows:
                _insert_many(connection, table.__table__, rows)
        return len(fresh)

    def _derive(self, session: Session, attempts: list[list], fresh_database: bool | None) -> None:
        """Set ``flips`` on the new attempt rows (and correct it on stored ones after them), and move each
        exercise's latest row forward: the same result whatever order the attempts arrive in."""
        by_exercise: dict[str, list[list]] = {}
        for row in attempts:
            by_exercise.setdefault(row[_EXERCISE], []).append(row)
        latest = {} if fresh_database else {
            row.exercise_id: row for row in session.scalars(select(M.LatestRow).where(M.LatestRow.exercise_id.in_(list(by_exercise))))
        }
        A = M.AttemptRow
        for exercise_id, new in by_exercise.items():
            counted = [r for r in new if r[_COUNTED]]
            counted.sort(key=_HISTORY_ORDER)
            if fresh_database:  # nothing stored: the new attempts are the whole history
                before: bool | None = None
                for row in counted:
                    passed = row[_STATUS] == "passed"
                    row[_FLIPS] = before is None or passed != before
                    before = passed
            elif counted:
                first = (counted[0][_TS], counted[0][_EVENT_ID])
                mine = (A.exercise_id == exercise_id) & A.counted.is_(True)
                earlier = (A.ts < first[0]) | ((A.ts == first[0]) & (A.event_id < first[1]))
                prev = session.scalar(select(A.status).where(mine & earlier)
                                      .order_by(A.ts.desc(), A.event_id.desc()).limit(1))
                before = None if prev is None else prev == "passed"
                stored = session.execute(select(A.event_id, A.ts, A.status, A.flips).where(mine & ~earlier)).all()
                merged = sorted([(r[_TS], r[_EVENT_ID], r[_STATUS] == "passed", r) for r in counted]
                                + [(ts, event_id, status == "passed", flips) for event_id, ts, status, flips in stored],
                                key=lambda t: (t[0], t[1]))
                corrected = []
                for ts, event_id, passed, row in merged:
                    flips = before is None or passed != before
                    if isinstance(row, list):
                        row[_FLIPS] = flips
                    elif row != flips:
                        corrected.append({"id": event_id, "new_flips": flips})
                    before = passed
                if corrected:
                    table = A.__table__
                    session.connection().execute(
                        update(table).where(table.c.event_id == bindparam("id")).values(flips=bindparam("new_flips")),
                        corrected)
            current = latest.get(exercise_id)
            if current is None:
                current = M.LatestRow(exercise_id=exercise_id, ts=None, event_id=None, status=None, needs_gpu=False)
                session.add(current)
            if counted:
                top = counted[-1]
                if current.ts is None or (top[_TS], top[_EVENT_ID]) > (current.ts, current.event_id):
                    current.ts, current.event_id, current.status = top[_TS], top[_EVENT_ID], top[_STATUS]
            if any(r[_STATUS] == "needs_gpu" for r in new):
                current.needs_gpu = True
        session.flush()

    # --- reading -------------------------------------------------------------------------------

    def events(self) -> list[Event]:
        with Session(self.engine) as session:
            rows = session.execute(
                select(M.EventRow.id, M.EventRow.ts, M.EventRow.machine, M.EventRow.type, M.EventRow.tz, M.EventRow.data)
                .order_by(M.EventRow.ts, M.EventRow.id)
            ).all()
            return [_event(*row) for row in rows]

    def events_of(self, type_: str) -> list[Event]:
        """The events of one type, in order (through the type index: for the types other than attempts)."""
        return self._reads(lambda run: reads.events_of(run, type_))

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
        where a GPU was missing: one row per exercise, however long the history."""
        return self._reads(reads.latest_statuses)

    def progress_events(self, after: tuple[str, str] | None = None) -> list[Event]:
        """The events the progress rules need, in order: everything but attempts, and of the attempts only
        those that change whether an exercise is passed (plus the first and the last event, which bound the
        journey's days). Equivalent to the whole history for the rules, and far shorter: its length grows
        with what changed, not with how often the same result was graded again. Attempts carry their
        indexed fields, not each test's outcome (``test_results`` has those). With ``after`` (ts, id), only
        the events after that point (and the last event, if it is after it)."""
        return self._reads(lambda run: reads.progress_events(run, after))

    # --- the progress rules' kept fold ----------------------------------------------------------

    def checkpoint(self, key: str, known: str | None = None
                   ) -> tuple[tuple[str, str, str, int] | None, str | None, list[Event], int]:
        """Read together, for the kept fold of ``key``: its mark (ts and id of the last event folded, the
        token of that write and the sequence number it was read at; None where none is kept or it is
        stale), its state (None without a mark, or
        where the token is ``known``: the caller holds that state), the progress events after it (all of
        them without one), and the database's latest sequence number."""
        return self._reads(lambda run: reads.checkpoint(run, key, known), begin=True)

    def keep_checkpoint(self, key: str, ts: str, event_id: str, seq: int, state: str, keep: int = 4) -> str | None:
        """Keep the fold's state after (ts, event_id), read at sequence number ``seq``, unless what is kept
        for ``key`` is as far along and still good. At most ``keep`` curricula keep one each (the least
        recently written goes). Returns the new write's token, None where nothing was written."""
        import secrets

        with Session(self.engine) as session, session.begin():
            row = session.get(M.CheckpointRow, key)
            if row is not None and (row.ts, row.event_id) >= (ts, event_id) and not reads.stale(_run(session.connection()), row.ts, row.event_id, row.seq):
                return None
            token = secrets.token_hex(8)
            if row is None:
                session.add(M.CheckpointRow(key=key, ts=ts, event_id=event_id, seq=seq, token=token, state=state))
            else:
                row.ts, row.event_id, row.seq, row.token, row.state = ts, event_id, seq, token, state
            session.flush()
            for old in session.scalars(select(M.CheckpointRow).order_by(M.CheckpointRow.seq.desc()).offset(keep)):
                session.delete(old)
        return token

    def checkpoints(self) -> dict[str, tuple[str, str, int, bool]]:
        """Every kept fold: key -> (ts, event id, seq, whether it is stale)."""
        with Session(self.engine) as session:
            rows = session.execute(select(M.CheckpointRow.key, M.CheckpointRow.ts, M.CheckpointRow.event_id,
                                          M.CheckpointRow.seq)).all()
            run = _run(session.connection())
            return {key: (ts, event_id, seq, reads.stale(run, ts, event_id, seq)) for key, ts, event_id, seq in rows}

    def session_seconds(self) -> dict[str, int]:
        """Study time per module, from the session events (one per stretch of study, not per attempt)."""
        totals: dict[str, int] = {}
        with Session(self.engine) as session:
            for raw in session.scalars(select(M.EventRow.data).where((M.EventRow.type == "session") & _NOT_ATTEMPT)):
                data = json.loads(raw)
                totals[data["module"]] = totals.get(data["module"], 0) + int(data.get("seconds", 0))
        return totals

    def recent_module(self, accept: Callable[[str], bool] | None = None, sessions: bool = False) -> str | None:
        """The module of the latest event that names an exercise or an item (with ``sessions``, a study
        session's module too), among those ``accept`` takes; read newest first, a few events at a time."""
        E = M.EventRow
        types = {"attempt", "hint", "reset", "tick", "untick", *(["session"] if sessions else [])}
        # Filtered here, not in SQL: the (ts, id) index gives the newest first, where the type index would
        # have every attempt sorted.
        query = select(E.type, E.data).order_by(E.ts.desc(), E.id.desc())
        offset, batch = 0, 16
        with Session(self.engine) as session:
            while True:
                rows = session.execute(query.offset(offset).limit(batch)).all()
                for type_, raw in rows:
                    if type_ not in types:
                        continue
                    data = json.loads(raw)
                    ident = data.get("module") if type_ == "session" else data.get("exercise") or data.get("item")
                    if ident and ident[0].isdigit():
                        module = ".".join(ident.split(".")[:2])
                        if accept is None or accept(module):
                            return module
                if len(rows) < batch:
                    return None
                offset, batch = offset + batch, min(batch * 4, 4096)

    def test_results(self, attempt_id: str) -> list[TestRecord]:
        with Session(self.engine) as session:
            raw = session.scalar(select(M.EventRow.data).where(M.EventRow.id == attempt_id))
        tests = json.loads(raw).get("tests", []) if raw else []
        return [TestRecord(t.get("name", ""), t.get("outcome", ""), t.get("message", ""), float(t.get("duration", 0.0)),
                           t.get("description", ""))
                for t in tests]

    def ticks(self) -> list[Tick]:
        with Session(self.engine) as session:
            rows = session.scalars(select(M.TickRow).order_by(M.TickRow.ts, M.TickRow.event_id))
            return [Tick(r.event_id, r.ts, r.item_id, r.ticked) for r in rows]

    def ticked_items(self) -> set[str]:
        """Items whose latest event is a tick."""
        return self._reads(reads.ticked_items)

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
        """Problems between the journal and the database, and in what the database keeps for speed
        (empty when all agree)."""
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
        kept, recomputed = self.derived(), self._derived_from_attempts()
        if kept != recomputed:
            wrong = sorted(k for k in set(kept) | set(recomputed) if kept.get(k) != recomputed.get(k))
            problems.append(f"the kept state of {len(wrong)} exercises differs from their attempts ({', '.join(wrong[:5])})")
        return problems

    def derived(self) -> dict[str, tuple]:
        """What is kept for speed, per exercise: (latest counted attempt id, its status, needs a GPU, the ids
        of the attempts that changed its pass state)."""
        with Session(self.engine) as session:
            latest = session.execute(select(M.LatestRow.exercise_id, M.LatestRow.event_id, M.LatestRow.status,
                                            M.LatestRow.needs_gpu)).all()
            flips = session.execute(select(M.AttemptRow.exercise_id, M.AttemptRow.event_id)
                                    .where(M.AttemptRow.flips.is_(True))).all()
        return _derived_table(latest, flips)

    def _derived_from_attempts(self) -> dict[str, tuple]:
        """The same, computed from scratch over every attempt with window functions (slow, exact)."""
        A = M.AttemptRow
        order = (A.ts, A.event_id)
        with Session(self.engine) as session:
            ranked = (select(A.exercise_id, A.event_id, A.status,
                             func.row_number().over(partition_by=A.exercise_id, order_by=(A.ts.desc(), A.event_id.desc()))
                             .label("rank"),
                             func.lag(A.status == "passed").over(partition_by=A.exercise_id, order_by=order).label("before"))
                      .where(A.counted.is_(True)).subquery())
            latest_rows = session.execute(select(ranked.c.exercise_id, ranked.c.event_id, ranked.c.status)
                                          .where(ranked.c.rank == 1)).all()
            flips = session.execute(select(ranked.c.exercise_id, ranked.c.event_id).where(
                ranked.c.before.is_(None) | ((ranked.c.status == "passed") != ranked.c.before))).all()
            gpu = set(session.scalars(select(A.exercise_id).where(A.status == "needs_gpu").distinct()))
            graded = set(session.scalars(select(A.exercise_id).distinct()))
        found = {exercise: (event_id, status) for exercise, event_id, status in latest_rows}
        latest = [(exercise, *found.get(exercise, (None, None)), exercise in gpu) for exercise in graded]
        return _derived_table(latest, flips)


def _layout(tables: set[str], run: Callable[[str], list]) -> str:
    """Whether the tables are this store's, in the current layout (see Store._health)."""
    if not tables:
        return "new"
    if "meta" not in tables:
        if tables & set(M.Base.metadata.tables):
            return "old"
        return f"it is not a tracker database (it holds {', '.join(sorted(tables)[:3])})"
    version = run("SELECT value FROM meta WHERE key = 'schema'")
    if not version or version[0][0] != M.SCHEMA_VERSION:
        return "old"
    for table in M.Base.metadata.sorted_tables:
        run(f"SELECT {', '.join(c.name for c in table.columns)} FROM {table.name} LIMIT 0")
    return "current"


def _run(connection) -> reads.Run:
    """``run(sql, params)`` over a SQLAlchemy connection, for the SQL of ``tracker.store.reads`` (written with
    ``?`` placeholders, as SQLite's driver takes them)."""
    rewrite = connection.dialect.paramstyle in ("format", "pyformat")
    sqlite = connection.dialect.name == "sqlite"

    def run(sql: str, params) -> list:
        if not sqlite:  # SQLite's booleans are 1 and 0 (``IS 1`` is what its partial index on them says)
            sql = sql.replace(" IS 1", " IS TRUE")
        return connection.exec_driver_sql(sql.replace("?", "%s") if rewrite else sql, tuple(params)).fetchall()

    return run


def _derived_table(latest, flips) -> dict[str, tuple]:
    changes: dict[str, list[str]] = {}
    for exercise, event_id in flips:
        changes.setdefault(exercise, []).append(event_id)
    return {exercise: (event_id, status, bool(gpu), tuple(sorted(changes.get(exercise, ()))))
            for exercise, event_id, status, gpu in latest}


def _sqlite_file_problem(path: Path) -> str:
    """Why a SQLite file cannot be this store's database ("" when its header looks whole)."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
        size = path.stat().st_size
    except OSError as exc:
        return f"it cannot be opened ({exc.strerror})"
    if not header:
        return ""  # an empty file: a new database
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return "it is not a SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid when the header's change counter matches "version valid for".
    if header[24:28] == header[92:96] and page_size and size < pages * page_size:
        return f"it is cut short ({size} of {pages * page_size} bytes)"
    return ""


def _shown(path: Path) -> str:
    """A path as the learner knows it: relative to the working folder where it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


_NOT_ATTEMPT = text(M.NOT_ATTEMPT)  # lets SQLite read the type index (of the events other than attempts)
# Positions in an attempt row (the attempts table's column order, which _index builds them in).
_EVENT_ID, _TS, _EXERCISE, _STATUS, _COUNTED, _FLIPS = 0, 1, 4, 5, 14, 15
_HISTORY_ORDER = itemgetter(_TS, _EVENT_ID)
_ATTEMPT_FIELDS = reads.ATTEMPT_FIELDS
_event = reads.event_of


def _insert_many(connection, table, rows: list) -> None:
    """Insert rows, each a sequence of values in the table's column order, in one executemany; on SQLite
    through the driver directly (SQLAlchemy's per-row parameter handling costs more than SQLite's own
    insert at journal-rebuild sizes)."""
    columns = [column.name for column in table.columns]
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), [dict(zip(columns, row)) for row in rows])
        return
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    connection.exec_driver_sql(sql, rows)


def _after(ts: str) -> str:
    """The timestamp one microsecond after ts."""
    from datetime import datetime, timedelta

    moment = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(microseconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _attempt(row: M.AttemptRow) -> Attempt:
    return Attempt(row.event_id, row.ts, row.exercise_id, row.status, row.device, row.device_name, row.duration,
                   row.grader_hash, row.learner_hash, row.grader_modified, row.passed_checks, row.total_checks)


__all__ = ["Attempt", "Hint", "LogEntry", "Store", "StoreError", "TestRecord", "Tick"]
