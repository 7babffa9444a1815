"""What a verdict rests on, and how the parent knows that the grading child did not forge it.

Two mechanisms, both set up before any learner code is imported (docs/integrity.md says what they do and
do not guarantee):

- **A signed channel.** The parent makes a fresh random key for every child and hands it over in a file
  that the child reads and deletes while pytest starts. Every record the child writes carries a sequence
  number and an HMAC of its content under that key. The parent accepts a record only if its HMAC is right
  and its number is the next one: a line written, edited, dropped or replayed by anything else marks the
  run as tampered.
- **A seal on the machinery.** ``Seal`` keeps strong references to every object a verdict depends on (the
  grading plugin and its writer, the sandbox and its snapshot, gradelib, the conftest, each grader module's
  globals, the parts of pytest and pluggy that turn a test into a report, the hook registry, the trace
  hooks) and compares them, by identity, after every test. A function whose code, defaults or closure was
  swapped, a name rebound in a grader's globals, a hook unregistered: each is named, and the run is
  recorded as tampered, never as a pass.

This module imports nothing heavy; the parent uses ``Channel`` and ``new_key``, the child ``Signer`` and
``Seal``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import operator
import os
import secrets
import sys
import types
from pathlib import Path
from typing import Any, Iterable

KEY_ENV = "TRACKER_KEY_FILE"
TAMPERED_MESSAGE = (
    "tampered: {what}. A run in which the grading machinery was changed is not a verdict: remove the code "
    "that does it"
)


def new_key() -> bytes:
    return secrets.token_bytes(32)


def write_key(directory: Path) -> Path:
    """A fresh key in a file only this user can read; returns the path (the child deletes it)."""
    path = Path(directory) / "key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(new_key())
    return path


def _body(record: dict) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()


class Channel:
    """The parent's side: accepts only records signed with the run's key, in order."""

    def __init__(self, key: bytes):
        self._key = key
        self.seq = 0
        self.problem = ""

    def accept(self, record: Any) -> dict | None:
        """The record without its signature, or None (and ``problem`` set) when it is not genuine."""
        if self.problem:
            return None
        if not isinstance(record, dict):
            self.problem = "a line that the grading machinery did not write appeared among the results"
            return None
        record = dict(record)
        mac = record.pop("mac", None)
        expected = hmac.new(self._key, _body(record), hashlib.sha256).hexdigest()
        if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
            self.problem = "a result record was not signed by the grading machinery"
            return None
        if record.get("seq") != self.seq:
            self.problem = "result records were dropped, reordered or replayed"
            return None
        self.seq += 1
        return record


class Signer:
    """The child's side: reads the key (and deletes its file) once; signs and numbers every record."""

    def __init__(self, key_file: str | None):
        self._mac = None
        self.seq = 0
        if key_file:
            try:
                with open(key_file, "rb") as fh:
                    key = fh.read()
            finally:
                try:
                    os.unlink(key_file)
                except OSError:
                    pass
            self._mac = hmac.new(key, digestmod=hashlib.sha256)
            del key
        self._dumps = json.dumps

    def sign(self, record: dict) -> str:
        """The line to write for ``record``."""
        record = {**record, "seq": self.seq}
        self.seq += 1
        if self._mac is not None:
            mac = self._mac.copy()
            mac.update(self._dumps(record, sort_keys=True, separators=(",", ":")).encode())
            record["mac"] = mac.hexdigest()
        return self._dumps(record) + "\n"


# --- the seal ----------------------------------------------------------------------------------------

_MISSING = object()
_NO_CELL = object()
# Parts of pytest and pluggy that turn a test function into an outcome, and the standard library the
# channel relies on.
MACHINERY_MODULES = (
    "_pytest.runner",
    "_pytest.reports",
    "_pytest.python",
    "_pytest.main",
    "_pytest.fixtures",
    "_pytest.outcomes",
    "_pytest.nodes",
    "_pytest.skipping",
    "_pytest.terminal",
    "pluggy._callers",
    "pluggy._hooks",
    "pluggy._manager",
    "pluggy._result",
    "pytest",
    "json",
    "json.encoder",
    "hmac",
    "hashlib",
)
# Hooks through which a test's outcome passes.
VERDICT_HOOKS = (
    "pytest_runtestloop",
    "pytest_runtest_protocol",
    "pytest_runtest_setup",
    "pytest_runtest_call",
    "pytest_runtest_teardown",
    "pytest_runtest_makereport",
    "pytest_runtest_logreport",
    "pytest_pyfunc_call",
    "pytest_fixture_setup",
    "pytest_report_teststatus",
    "pytest_sessionfinish",
    "pytest_collectreport",
)


def _cell(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return _NO_CELL


def _fingerprint(value: Any) -> tuple:
    """The objects that decide what ``value`` does when called: itself, and for a Python function its
    code, defaults, globals and the callables its closure holds."""
    parts: list[Any] = [value]
    func = value
    if isinstance(value, (staticmethod, classmethod)):
        func = value.__func__
        parts.append(func)
    elif isinstance(value, property):
        for accessor in (value.fget, value.fset, value.fdel):
            if accessor is not None:
                parts.extend(_fingerprint(accessor))
        return tuple(parts)
    if isinstance(func, types.MethodType):
        parts.append(func.__self__)
        func = func.__func__
        parts.append(func)
    if isinstance(func, types.FunctionType):
        parts.extend((func.__code__, func.__defaults__, func.__globals__))
        if func.__kwdefaults__:
            parts.extend(func.__kwdefaults__.values())
        for cell in func.__closure__ or ():
            content = _cell(cell)
            if callable(content) or isinstance(content, types.ModuleType) or content is _NO_CELL:
                parts.append(content)
    return tuple(parts)


def _is_machinery(value: Any) -> bool:
    return callable(value) or isinstance(value, (types.ModuleType, staticmethod, classmethod, property))


def _data_digest(value: Any) -> Any:
    """A content digest of plain data a grader keeps in its globals (test cases, tolerances, tensors):
    mutating it in place is as good as rewriting the grader."""
    if isinstance(value, (int, float, complex, str, bytes, bool, type(None))):
        return value
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001 - an object whose repr fails is not compared
            return _MISSING
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest() if len(text) < 1_000_000 else _MISSING
    numpy = sys.modules.get("numpy")
    torch = sys.modules.get("torch")
    try:
        if numpy is not None and isinstance(value, numpy.ndarray) and value.nbytes <= 1 << 24:
            return (value.shape, str(value.dtype), hashlib.sha256(value.tobytes()).hexdigest())
        if (torch is not None and isinstance(value, torch.Tensor) and value.device.type == "cpu"
                and value.layout == torch.strided and value.numel() * value.element_size() <= 1 << 24):
            return (tuple(value.shape), str(value.dtype), hashlib.sha256(value.detach().contiguous().numpy().tobytes()).hexdigest())
    except Exception:  # noqa: BLE001 - a tensor numpy cannot view (bfloat16, quantized) is compared by identity
        return _MISSING
    return _MISSING


class Seal:
    """Strong references to what a verdict depends on, compared by identity after learner code ran."""

    def __init__(self) -> None:
        # (label, owner, key, fingerprint): owner is a module or class, looked up in vars(owner)[key].
        self._entries: list[tuple[str, Any, str, tuple]] = []
        # (label, getter, fingerprint) for things that are not attributes (hook registry, trace hooks).
        self._probes: list[tuple[str, Any, Any]] = []
        self._seen: set[tuple[int, str]] = set()
        self._quick: _Quick | None = None

    def _add(self, label: str, owner: Any, key: str, value: Any, fingerprint: tuple) -> None:
        if (id(owner), key) in self._seen:
            return
        self._seen.add((id(owner), key))
        self._entries.append((label, owner, key, (value, fingerprint)))
        self._quick = None

    def add_namespace(self, label: str, owner: Any, *, data: bool = False, state: Iterable[str] = ()) -> None:
        """Every function, class and module in ``owner``'s namespace (and, for a module, the methods of the
        classes it defines); with ``data``, plain data too, by content; ``state`` names module state that
        must keep its identity (a snapshot object, say)."""
        try:
            table = dict(vars(owner))
        except TypeError:
            return
        state = set(state)
        if data or state:
            # A name added later can shadow a builtin in a module's globals, or a method on an instance.
            keys = frozenset(k for k in table if not k.startswith("__"))
            self._probes.append((f"{label} (a name was added)", lambda o=owner: frozenset(
                k for k in vars(o) if not k.startswith("__")) <= keys, True))
        for key, value in table.items():
            if key in state:
                self._add(f"{label}.{key}", owner, key, value, (value,))
            elif _is_machinery(value):
                self._add(f"{label}.{key}", owner, key, value, _fingerprint(value))
                if (isinstance(owner, types.ModuleType) and isinstance(value, type)
                        and value.__module__ == owner.__name__):
                    self.add_namespace(f"{label}.{key}", value)
            elif data and not key.startswith("__"):
                digest = _data_digest(value)
                if digest is not _MISSING:
                    self._add(f"{label}.{key}", owner, key, value, ("data", digest))

    def add_object(self, label: str, obj: Any) -> None:
        """An object's own attributes (a writer instance: its file, its methods)."""
        self.add_namespace(label, obj, state=[k for k in getattr(obj, "__dict__", {})])

    def add_probe(self, label: str, getter) -> None:
        self._probes.append((label, getter, getter()))

    def broken(self) -> list[str]:
        """What changed since the references were taken (empty when nothing did)."""
        if self._quick is None:
            self._quick = _Quick(self._entries)
        if self._quick.intact() and not self._probes_broken():
            return []
        return self._full()

    def _probes_broken(self) -> list[str]:
        changed = []
        for label, getter, expected in self._probes:
            try:
                if getter() != expected:
                    changed.append(label)
            except Exception:  # noqa: BLE001 - a probe that cannot be read was broken
                changed.append(label)
        return changed

    def _full(self) -> list[str]:
        """Every entry compared one by one, naming each that changed."""
        changed = []
        for label, owner, key, (value, fingerprint) in self._entries:
            try:
                now = vars(owner).get(key, _MISSING)
            except TypeError:
                now = _MISSING
            if now is _MISSING:
                changed.append(label)
            elif fingerprint and fingerprint[0] == "data":
                if now is not value or _data_digest(now) != fingerprint[1]:
                    changed.append(label)
            elif now is not value or len(fingerprint) > 1 and not _same(_fingerprint(now), fingerprint):
                changed.append(label)
        return changed + self._probes_broken()


_CODE = operator.attrgetter("__code__")
_DEFAULTS = operator.attrgetter("__defaults__")
_KWDEFAULTS = operator.attrgetter("__kwdefaults__")


class _Quick:
    """The seal's entries arranged for a check at C speed, run after every test: it says only whether
    anything changed, and the full comparison then names what did.

    It compares identities (``id`` of live objects, every one of them held by the seal, so an id cannot be
    reused) and is exact: it passes only when the full comparison would find nothing. Per owner, the ids of
    the values under the sealed keys; for each plain function (and bound method) among them, the ids of its
    code, defaults and keyword defaults (its globals and closure cannot be rebound). What can change inside
    an object that keeps its identity is left to the full comparison, entry by entry: plain data (by
    content), closures (a cell's contents can be set), keyword defaults held in a dict, and staticmethods,
    classmethods and properties (``__init__`` can be called again on them)."""

    def __init__(self, entries: list) -> None:
        owners: dict[int, tuple[Any, list[str], list[int]]] = {}
        self.functions: list[types.FunctionType] = []
        self.rest: list = []
        for entry in entries:
            _, owner, key, (value, fingerprint) = entry
            _, keys, ids = owners.setdefault(id(owner), (owner, [], []))
            keys.append(key)
            ids.append(id(value))
            if len(fingerprint) < 2:
                continue  # compared by identity alone
            func = value.__func__ if isinstance(value, types.MethodType) else value
            if (fingerprint[0] != "data" and isinstance(func, types.FunctionType) and func.__closure__ is None
                    and func.__kwdefaults__ is None):
                self.functions.append(func)
            else:
                self.rest.append(entry)
        self.owners = list(owners.values())
        self.code = list(map(id, map(_CODE, self.functions)))
        self.defaults = list(map(id, map(_DEFAULTS, self.functions)))
        self.kwdefaults = list(map(id, map(_KWDEFAULTS, self.functions)))

    def intact(self) -> bool:
        for owner, keys, ids in self.owners:
            try:
                table = vars(owner)
            except TypeError:
                return False
            if list(map(id, map(table.get, keys, itertools.repeat(_MISSING)))) != ids:
                return False
        functions = self.functions
        if (list(map(id, map(_CODE, functions))) != self.code
                or list(map(id, map(_DEFAULTS, functions))) != self.defaults
                or list(map(id, map(_KWDEFAULTS, functions))) != self.kwdefaults):
            return False
        for _, _, _, (value, fingerprint) in self.rest:
            if fingerprint[0] == "data":
                if _data_digest(value) != fingerprint[1]:
                    return False
            elif not _same(_fingerprint(value), fingerprint):
                return False
        return True


def _same(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def hook_registry(pluginmanager: Any) -> Any:
    """A probe over the hook implementations a verdict passes through (which functions, in which order)."""

    def read() -> tuple:
        out = []
        for name in VERDICT_HOOKS:
            caller = getattr(pluginmanager.hook, name, None)
            if caller is None:
                continue
            impls = caller.get_hookimpls()
            out.append((name, tuple(Identity(impl.function) for impl in impls),
                        Identity(getattr(caller, "_hookexec", None))))
        return tuple(out)

    return read


def trace_hooks() -> tuple:
    """sys.settrace, sys.setprofile and sys.monitoring tools: ways to run code between the grader's lines."""
    out: list[Any] = [Identity(sys.gettrace()), Identity(sys.getprofile())]
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is not None:
        out.extend(monitoring.get_tool(i) for i in range(6))
    return tuple(out)


class Identity:
    """Compares by the identity of what it holds (and keeps it alive, so that ids are never reused)."""

    __slots__ = ("obj", "parts")

    def __init__(self, obj: Any):
        self.obj = obj
        self.parts = _fingerprint(obj) if obj is not None else ()

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Identity) and other.obj is self.obj
                and _same(_fingerprint(other.obj) if other.obj is not None else (), self.parts))

    def __hash__(self) -> int:
        return id(self.obj)


def identity(obj: Any) -> Identity:
    return Identity(obj)
