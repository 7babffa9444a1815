"""SQLAlchemy 2.0 tables: an index of the journal's events, shaped for fast queries.

ORM objects never leave the store; callers get the plain records of ``tracker.store.store``. Every table
is derived from the journal and rebuilt exactly from it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


from tracker.store.reads import NOT_ATTEMPT, SCHEMA_VERSION  # noqa: F401 - read where the database is checked


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    """Every journal event, whatever its type (the rest of the tables index these)."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(80), unique=True)
    ts: Mapped[str] = mapped_column(String(32))
    machine: Mapped[str] = mapped_column(String(40))
    tz: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)  # the event's own fields, as JSON
    # The order events were indexed in this database (1, 2, ...): says what arrived after a kept checkpoint.
    # SQLite's rowid, so that reading the events after a point needs no index of its own.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

    __table_args__ = (Index("ix_events_ts_id", "ts", "id"),  # history order, newest first too
                      Index("ix_events_type", "type", sqlite_where=text(NOT_ATTEMPT)))


class AttemptRow(Base):
    __tablename__ = "attempts"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32))
    machine: Mapped[str] = mapped_column(String(40))  # the event's, repeated: the rules read attempts alone
    tz: Mapped[str] = mapped_column(String(64))
    exercise_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    device: Mapped[str] = mapped_column(String(16))
    device_name: Mapped[str] = mapped_column(String(120))
    duration: Mapped[float] = mapped_column(Float)
    grader_hash: Mapped[str] = mapped_column(String(64))
    learner_hash: Mapped[str] = mapped_column(String(64))
    grader_modified: Mapped[bool] = mapped_column(Boolean)
    passed_checks: Mapped[int] = mapped_column(Integer)
    total_checks: Mapped[int] = mapped_column(Integer)
    # Whether the attempt counts for the exercise's state (not against a modified grader, not cancelled,
    # not skipped for want of a GPU), and whether it changed the exercise from passed to not or back,
    # against the counted attempt before it. Kept on insert; the outcome of each test stays in events.data.
    counted: Mapped[bool] = mapped_column(Boolean)
    flips: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (Index("ix_attempts_exercise_counted_ts", "exercise_id", "counted", "ts", "event_id"),
                      # Only the few attempts that change an exercise's state (the progress rules read these).
                      Index("ix_attempts_flips_ts", "ts", sqlite_where=text("flips IS 1")))


class LatestRow(Base):
    """Per exercise: its latest counted attempt, and whether it was ever graded where a GPU was missing.
    Kept up to date on insert, so that the state of every exercise is one small read."""

    __tablename__ = "exercise_latest"
    exercise_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    needs_gpu: Mapped[bool] = mapped_column(Boolean, default=False)


class CheckpointRow(Base):
    """The progress rules' fold after the events up to (ts, event_id), for one curriculum and version of the
    rules (``key``), as JSON; ``seq`` is the database's latest sequence number when those events were read.
    An event indexed later (a higher seq) at or before that point makes it stale: it is then not used."""

    __tablename__ = "progress_checkpoints"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(32))  # new at every write: a reader that holds it has this state
    state: Mapped[str] = mapped_column(Text)


class TickRow(Base):
    """A checklist item or capstone step ticked (ticked=True) or unticked."""

    __tablename__ = "ticks"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(40), index=True)
    ticked: Mapped[bool] = mapped_column(Boolean)


class HintRow(Base):
    __tablename__ = "hints"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32))
    exercise_id: Mapped[str] = mapped_column(String(32), index=True)
    hint_index: Mapped[int] = mapped_column(Integer)


class LogRow(Base):
    __tablename__ = "log_entries"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32))
    date: Mapped[str] = mapped_column(String(10), index=True)
    module_id: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    progress: Mapped[str] = mapped_column(Text)
    insight: Mapped[str] = mapped_column(Text)
    challenge: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str] = mapped_column(Text)


class MetaRow(Base):
    """Facts about the database itself, such as the schema version it was built with."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class JournalFileRow(Base):
    """How far each journal file has been read into the database, and the bytes just before that point
    (a file edited before it, not only appended to, no longer ends the read part with them)."""

    __tablename__ = "journal_files"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    offset: Mapped[int] = mapped_column(Integer)
    tail: Mapped[str] = mapped_column(String(80), default="")


class DamagedLineRow(Base):
    """A journal line that could not be used (skipped), reported by every command until it is repaired."""

    __tablename__ = "damaged_lines"
    file: Mapped[str] = mapped_column(String(120), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
