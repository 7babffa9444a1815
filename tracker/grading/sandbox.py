"""What keeps a grading honest inside the child process.

- ``load_learner`` imports the learner's file fresh, under a unique module name, every run.
- ``forbid`` makes library functions unavailable *to the learner's code* ("from scratch" exercises):
  a call whose stack holds a frame of a learner file raises ``Forbidden``; graders still call them. For
  torch routines the operator itself is refused too, under any alias (``tracker.grading.operators``),
  while the learner's functions run.
- ``load_learner`` wraps the learner's functions and methods: while one runs, the operator guards are on,
  and the devices of the tensors it takes and returns are noted (``devices_seen``), so that the record says
  where the learner's tensors actually lived.
- ``Snapshot`` remembers the library namespaces before any learner code runs; a learner file that
  replaces ``torch.softmax`` or ``numpy.allclose`` is detected, the original is put back, and the test
  fails, so a monkeypatch can never turn a wrong answer into a pass.

This module is imported only in the grading child (it imports torch lazily, through the graders).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import itertools
import json
import os
import sys
import types
from pathlib import Path
from typing import Any, Iterable

TARGETS_ENV = "TRACKER_TARGETS"  # JSON: {absolute grader path: absolute learner file}

_counter = itertools.count()


class NotStarted(Exception):
    """The learner has not begun this part (a stub still raises, an answer is still None)."""


class Forbidden(Exception):
    """The learner's code called a library routine that the exercise asks them to write themselves."""


class Tampered(AssertionError):
    """The learner's code replaced a library function that graders rely on."""


class LearnerImportError(Exception):
    """The learner's file could not be imported (syntax error, failing top-level code)."""


def repo_root(start: Path) -> Path:
    for parent in [start, *start.parents]:
        if (parent / "curriculum.yaml").exists():
            return parent
    return start.parent


def target_for(grader_file: str | Path) -> Path:
    """The learner file a grader grades: an override from the runner, else the naming convention
    graders/M.m/test_exK_slug.py -> exercises/M.m/exK_slug.(py|md)."""
    grader = Path(grader_file).resolve()
    overrides = json.loads(os.environ.get(TARGETS_ENV) or "{}")
    if str(grader) in overrides:
        return Path(overrides[str(grader)])
    root = repo_root(grader)
    stem = grader.stem.removeprefix("test_")
    folder = root / "exercises" / grader.parent.name
    for suffix in (".py", ".md"):
        if (folder / (stem + suffix)).exists():
            return folder / (stem + suffix)
    return folder / (stem + ".py")


def learner_files() -> set[str]:
    """Every file whose frames count as the learner's: the runner's targets and all of exercises/."""
    overrides = json.loads(os.environ.get(TARGETS_ENV) or "{}")
    return {str(Path(p).resolve()) for p in overrides.values()}


def is_learner_frame(filename: str) -> bool:
    path = os.path.abspath(filename)
    if path in _LEARNER_FILES:
        return True
    return f"{os.sep}exercises{os.sep}" in path


_LEARNER_FILES: set[str] = learner_files()


def called_from_learner() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        if is_learner_frame(frame.f_code.co_filename):
            return True
        frame = frame.f_back
    return False


def load_learner(path: Path) -> types.ModuleType:
    """Import the learner's file as a brand-new module (never a cached one)."""
    path = Path(path).resolve()
    if not path.exists():
        raise NotStarted(f"{path.name} does not exist; run `tracker reset` to restore the stub")
    _LEARNER_FILES.add(str(path))
    name = f"learner_{path.stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    try:
        with _learner_running:
            spec.loader.exec_module(module)
        _wrap_module(module, str(path))
    except SyntaxError as exc:
        raise LearnerImportError(f"{path.name} has a syntax error on line {exc.lineno}: {exc.msg}") from None
    except NotImplementedError:
        raise
    except (Forbidden, Tampered):
        raise
    except BaseException as exc:  # noqa: BLE001 - any failure at import is the learner's to see
        line = _learner_line(exc)
        raise LearnerImportError(
            f"importing {path.name} failed{line}: {type(exc).__name__}: {exc}".rstrip(": ")
        ) from None
    finally:
        if sys.path and sys.path[0] == str(path.parent):
            sys.path.pop(0)
    return module


def _learner_line(exc: BaseException) -> str:
    tb = exc.__traceback__
    line = ""
    while tb is not None:
        if is_learner_frame(tb.tb_frame.f_code.co_filename):
            line = f" (line {tb.tb_lineno})"
        tb = tb.tb_next
    return line


# --- while learner code runs: operator guards and devices ---------------------------------------

devices_seen: set[str] = set()  # device types of tensors the learner's code took or returned, this test
devices_ever: set[str] = set()  # ... in this whole run
_SKIP_METHODS = {"__new__", "__init_subclass__", "__class_getitem__", "__set_name__", "__getattribute__",
                 "__getattr__", "__setattr__", "__delattr__", "__torch_function__", "__torch_dispatch__"}


def _note(value: Any, depth: int = 0) -> None:
    torch = sys.modules.get("torch")
    if torch is None:
        return
    if isinstance(value, torch.Tensor):
        kind = value.device.type
        if kind == "meta":  # the device checks' dry run: no data, nothing computed there
            return
        devices_seen.add(kind)
        devices_ever.add(kind)
    elif depth < 2 and isinstance(value, (list, tuple)):
        for item in value[:32]:
            _note(item, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for item in list(value.values())[:32]:
            _note(item, depth + 1)
    elif depth < 1 and isinstance(value, torch.nn.Module) and "_parameters" in vars(value):
        # (a module under construction has no parameters yet)
        for tensor in itertools.chain(value._parameters.values(), value._buffers.values()):
            if tensor is not None:
                _note(tensor, depth + 1)
                break


class _LearnerRunning:
    """Entered around every call into the learner's code; the outermost entry turns the guards on."""

    def __init__(self) -> None:
        self.depth = 0
        self.active: list[Any] = []

    def __enter__(self) -> None:
        self.depth += 1
        if self.depth == 1:
            guard = _operator_guard()
            if guard is not None:
                self.active = guard.modes()
                for mode in self.active:
                    mode.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self.depth -= 1
        if self.depth == 0 and self.active:
            active, self.active = self.active, []
            for mode in reversed(active):
                mode.__exit__(None, None, None)


_learner_running = _LearnerRunning()


def _operator_guard():
    guards = [f.operators for f in _forbids if f.operators is not None]
    if not guards:
        return None
    from tracker.grading import operators

    return operators.combined(guards)


def _wrap_call(fn: Any) -> Any:
    if getattr(fn, "__tracker_learner__", False):
        return fn
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def learner_generator(*args, **kwargs):
            for value in itertools.chain(args, kwargs.values()):
                _note(value)
            with _learner_running:
                gen = fn(*args, **kwargs)
            while True:
                with _learner_running:
                    try:
                        item = next(gen)
                    except StopIteration as stop:
                        return stop.value
                _note(item)
                yield item

        learner_generator.__tracker_learner__ = True
        return learner_generator

    running = _learner_running

    @functools.wraps(fn)
    def learner_call(*args, **kwargs):
        if running.depth:
            return fn(*args, **kwargs)  # a call inside the learner's code: already watched
        for value in itertools.chain(args, kwargs.values()):
            _note(value)
        with running:
            result = fn(*args, **kwargs)
        _note(result)
        if isinstance(result, types.FunctionType) and is_learner_frame(result.__code__.co_filename):
            return _wrap_call(result)  # a closure the learner's code returned runs under the same watch
        return result

    learner_call.__tracker_learner__ = True
    return learner_call


def _wrap_class(cls: type) -> None:
    for name, value in list(vars(cls).items()):
        if name in _SKIP_METHODS:
            continue
        try:
            if isinstance(value, staticmethod):
                setattr(cls, name, staticmethod(_wrap_call(value.__func__)))
            elif isinstance(value, classmethod):
                setattr(cls, name, classmethod(_wrap_call(value.__func__)))
            elif isinstance(value, property):
                setattr(cls, name, property(*(_wrap_call(f) if f else None for f in (value.fget, value.fset, value.fdel)),
                                            value.__doc__))
            elif isinstance(value, types.FunctionType):
                setattr(cls, name, _wrap_call(value))
        except (AttributeError, TypeError):
            continue


def _wrap_module(module: types.ModuleType, filename: str) -> None:
    """Wrap the functions and classes the learner's file defines (not what it imported)."""
    for name, value in list(vars(module).items()):
        if isinstance(value, types.FunctionType) and value.__code__.co_filename == filename:
            setattr(module, name, _wrap_call(value))
        elif isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
            _wrap_class(value)


# --- forbidding library routines -------------------------------------------------------------


def _resolve(dotted: str) -> tuple[Any, str]:
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:-1]:
            obj = getattr(obj, attr)
        return obj, parts[-1]
    raise ValueError(f"cannot resolve {dotted}")


def _guard(dotted: str, original: Any) -> Any:
    short = dotted.replace("torch.nn.functional.", "F.").replace("torch.nn.", "nn.")
    message = (
        f"{short} is off-limits in this exercise: the point is to write it yourself "
        "from basic tensor operations"
    )
    if isinstance(original, type):

        def __init__(self, *args, **kwargs):  # noqa: N807
            if called_from_learner():
                raise Forbidden(message)
            original.__init__(self, *args, **kwargs)

        return type(original.__name__, (original,), {"__init__": __init__, "__module__": original.__module__})

    def guarded(*args, **kwargs):
        if called_from_learner():
            raise Forbidden(message)
        return original(*args, **kwargs)

    guarded.__name__ = getattr(original, "__name__", "guarded")
    guarded.__doc__ = getattr(original, "__doc__", None)
    return guarded


class Forbid:
    """Install guards for a list of dotted names; undo restores the originals."""

    def __init__(self, names: Iterable[str]):
        self.installed: list[tuple[Any, str, Any, Any]] = []
        self.operators = None
        originals: dict[str, Any] = {}
        for dotted in names:
            parent, attr = _resolve(dotted)
            original = getattr(parent, attr)
            originals[dotted] = original
            guard = _guard(dotted, original)
            setattr(parent, attr, guard)
            self.installed.append((parent, attr, original, guard))
        if any(d.startswith("torch.") for d in originals):
            from tracker.grading import operators

            self.operators = operators.OperatorGuard(originals, is_learner_frame, Forbidden) or None

    def expected(self) -> dict[tuple[int, str], Any]:
        return {(id(parent), attr): guard for parent, attr, _, guard in self.installed}

    def undo(self) -> None:
        for parent, attr, original, _ in reversed(self.installed):
            setattr(parent, attr, original)
        self.installed.clear()


# --- detecting monkeypatches ------------------------------------------------------------------

_WATCHED = (
    "builtins",
    "math",
    "numpy",
    "numpy.linalg",
    "numpy.testing",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.linalg",
    "torch.testing",
    "torch.autograd",
    "pytest",
    "tracker.grading.sandbox",
    "tracker.grading.plugin",
)


class Snapshot:
    """The attribute tables of the libraries graders trust, taken before any learner code runs."""

    def __init__(self, extra: Iterable[str] = ()):
        self.tables: list[tuple[str, Any, dict[str, Any]]] = []
        names = [*_WATCHED, *extra, *(m for m in list(sys.modules) if m.startswith("gradelib"))]
        for name in names:
            module = sys.modules.get(name)
            if module is not None:
                table = dict(vars(module))
                if name.startswith("tracker."):
                    # Our own modules keep mutable state; only their functions and classes are watched.
                    table = {k: v for k, v in table.items() if callable(v)}
                self.tables.append((name, module, table))
        torch = sys.modules.get("torch")
        if torch is not None:
            self.tables.append(("torch.Tensor", torch.Tensor, dict(vars(torch.Tensor))))
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            self.tables.append(("numpy.ndarray", numpy.ndarray, dict(vars(numpy.ndarray))))
        # A class can also be changed by a new attribute that shadows what it inherits
        # (``torch.Tensor.add = ...`` hides TensorBase.add): its table must not grow either.
        self.closed = [(owner, table) for _, owner, table in self.tables if isinstance(owner, type)]
        # The ids every table should show under a set of allowed replacements (the forbid guards), keyed by
        # the ids of those replacements; the check runs before and after every check a grader makes.
        self._expected: dict[tuple, list[tuple[Any, list[str], list[int]]]] = {}

    def _intact(self, allowed: dict[tuple[int, str], Any]) -> bool:
        """Whether every table holds what it should, compared by the ids of live objects (the snapshot and
        ``allowed`` hold each of them, so an id cannot be reused): exactly when ``restore`` would find
        nothing to put back."""
        signature = tuple(sorted((owner, key, id(value)) for (owner, key), value in allowed.items()))
        expected = self._expected.get(signature)
        if expected is None:
            expected = ([(owner, list(table), [id(allowed.get((id(owner), key), value)) for key, value in table.items()])
                         for _, owner, table in self.tables],
                        [(owner, len(table) + sum(1 for (o, key) in allowed if o == id(owner) and key not in table))
                         for owner, table in self.closed])
            self._expected[signature] = expected
        tables, sizes = expected
        for owner, keys, ids in tables:
            if list(map(id, map(vars(owner).get, keys, itertools.repeat(_MISSING)))) != ids:
                return False
        return all(len(vars(owner)) == size for owner, size in sizes)

    def restore(self, allowed: dict[tuple[int, str], Any] | None = None) -> list[str]:
        """Put back anything changed; return the dotted names that were changed."""
        allowed = allowed or {}
        if self._intact(allowed):
            return []
        self._expected.clear()
        changed = []
        for name, owner, table in self.tables:
            current = vars(owner)
            for key, value in table.items():
                now = current.get(key, _MISSING)
                expected = allowed.get((id(owner), key), value)
                if now is not expected and _torch_wrapper_of(now, expected):
                    # torch itself wrapped the original (importing torch._dynamo wraps manual_seed, say).
                    table[key] = now
                    continue
                if now is not expected:
                    changed.append(f"{name}.{key}")
                    try:
                        setattr(owner, key, expected)
                    except (AttributeError, TypeError):
                        pass
        for name, owner, table in self.tables:
            if not isinstance(owner, type):
                continue
            for key in [k for k in vars(owner) if k not in table and (id(owner), k) not in allowed]:
                if not any(key in vars(base) for base in owner.__mro__[1:]):
                    # New, shadowing nothing (copyreg caches __slotnames__ when a tensor is pickled).
                    table[key] = vars(owner)[key]
                    continue
                changed.append(f"{name}.{key}")
                try:
                    delattr(owner, key)
                except (AttributeError, TypeError):
                    pass
        return changed


_MISSING = object()


def _torch_wrapper_of(new: Any, original: Any) -> bool:
    """Whether ``new`` is a wrapper that torch's own code put around ``original`` (its code lives in the
    torch package; ``functools.wraps`` would copy a learner's wrapper's name and module, not its code)."""
    if getattr(new, "__wrapped__", None) is not original:
        return False
    torch = sys.modules.get("torch")
    code = getattr(new, "__code__", None)
    if torch is None or code is None:
        return False
    return os.path.abspath(code.co_filename).startswith(os.path.dirname(os.path.abspath(torch.__file__)) + os.sep)


# --- the state of one grading session ----------------------------------------------------------

_snapshot: Snapshot | None = None
_forbids: list[Forbid] = []


def take_snapshot() -> None:
    """Remember the trusted namespaces (called once, after the graders are imported)."""
    global _snapshot
    _snapshot = Snapshot()


def push_forbid(names: Iterable[str]) -> Forbid:
    forbid = Forbid(names)
    _forbids.append(forbid)
    return forbid


def pop_forbid(forbid: Forbid) -> None:
    forbid.undo()
    if forbid in _forbids:
        _forbids.remove(forbid)


def verify() -> None:
    """Fail if learner code replaced a trusted library function (after putting the original back)."""
    if _snapshot is None:
        return
    allowed: dict[tuple[int, str], Any] = {}
    for forbid in _forbids:
        allowed.update(forbid.expected())
    changed = _snapshot.restore(allowed)
    if changed:
        names = ", ".join(changed[:3]) + (" and more" if len(changed) > 3 else "")
        raise Tampered(
            f"your code replaced {names}; graders compare against the real library, so remove "
            "the monkeypatch (the original has been put back)"
        )


def reset() -> None:
    """Start a grading run from a clean state (a child forked by the warm worker inherits this module)."""
    global _snapshot
    _snapshot = None
    _forbids.clear()
    devices_seen.clear()
    devices_ever.clear()
    _LEARNER_FILES.clear()
    _LEARNER_FILES.update(learner_files())
