"""SQLAlchemy 2.0 tables: an index of the journal's events, shaped for fast queries.

ORM objects never leave the store; callers get the plain records of ``tracker.store.records``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


SCHEMA_VERSION = "2"  # a database built with another version is rebuilt from the journal


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    """Every journal event, whatever its type (the rest of the tables index these)."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32), index=True)
    machine: Mapped[str] = mapped_column(String(40))
    tz: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16), index=True)
    data: Mapped[str] = mapped_column(Text)  # the event's own fields, as JSON


class AttemptRow(Base):
    __tablename__ = "attempts"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32))
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
    # The outcome of each test, as JSON: read for one attempt at a time, never queried across attempts.
    tests: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_attempts_exercise_ts", "exercise_id", "ts"),)


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
    """How far each journal file has been read into the database."""

    __tablename__ = "journal_files"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    offset: Mapped[int] = mapped_column(Integer)
