"""Load curriculum.yaml safely into the typed model, with file:line:column on every error.

PyYAML composes the document into nodes (no objects are constructed, so no code can run); this module
turns the nodes into plain data while recording where each key and item sits, rejects anything that is
not plain YAML (tags, anchors used as merge keys, duplicate keys), and hands the data to pydantic.
Before composing, one pass over the parser's events bounds the document's shape: nesting deeper than
MAX_DEPTH and aliases that would expand to more than MAX_ALIAS_NODES nodes are rejected where they occur,
so no file, however built, costs more than its size to reject.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tracker.curriculum.model import Curriculum
from tracker.errors import TrackerError

Loc = tuple  # a path of keys (str) and indexes (int)

MAX_DEPTH = 40  # nested mappings and lists (the course itself uses 12)
MAX_ALIAS_NODES = 10_000  # nodes that aliases may add to the document, all aliases together

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the curriculum, with where it is."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class CurriculumError(TrackerError):
    """The curriculum file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0])
        more = f" (and {len(problems) - 1} more; run `tracker validate`)" if len(problems) > 1 else ""
        super().__init__(first + more)


def format_loc(loc: Loc) -> str:
    """('categories', 0, 'modules', 2, 'title') -> 'categories[0].modules[2].title'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class LoadedCurriculum:
    curriculum: Curriculum
    path: Path
    positions: dict[Loc, tuple[int, int]]

    def where(self, loc: Loc) -> tuple[int, int]:
        """The line and column of loc, or of its nearest ancestor that has a position."""
        loc = tuple(loc)
        while loc not in self.positions and loc:
            loc = loc[:-1]
        return self.positions.get(loc, (1, 1))

    def problem(self, loc: Loc, message: str) -> Problem:
        line, column = self.where(loc)
        return Problem(self.path.name, line, column, format_loc(loc), message)


class _Builder:
    def __init__(self, filename: str):
        self.filename = filename
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, loc: Loc, message: str) -> None:
        self.problems.append(
            Problem(self.filename, node.start_mark.line + 1, node.start_mark.column + 1, format_loc(loc), message)
        )

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, loc, f"the tag {node.tag!r} is not allowed; curriculum.yaml holds plain data only")
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.fail(key_node, loc, "merge keys (<<) are not allowed")
                    continue
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                    self.fail(key_node, loc, "keys must be plain strings")
                    continue
                key = key_node.value
                if key in out:
                    self.fail(key_node, loc + (key,), "duplicate key")
                    continue
                self.positions[loc + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.build(value_node, loc + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, loc + (i,)) for i, child in enumerate(node.value)]
        # Resolve the scalar exactly as YAML's safe loader would (ints, floats, bools, null, strings).
        return self._constructor.construct_object(node, deep=True)


def _set_paths(curriculum: Curriculum) -> None:
    """Record on each model object where it sits in the file (for cross-reference errors)."""
    for ci, category in enumerate(curriculum.categories):
        category._path = ("categories", ci)
        for mi, module in enumerate(category.modules):
            module._path = category._path + ("modules", mi)
            for ei, exercise in enumerate(module.exercises):
                exercise._path = module._path + ("exercises", ei)
            for li, checklist in enumerate(module.checklists):
                _set_item_paths(checklist.items, module._path + ("checklists", li, "items"))
            if module.capstone:
                _set_item_paths(module.capstone.steps, module._path + ("capstone", "steps"))
                for xi, milestone in enumerate(module.capstone.milestones):
                    milestone._path = module._path + ("capstone", "milestones", xi)
    for pi, paper in enumerate(curriculum.papers):
        paper._path = ("papers", pi)
        if paper.quiz is not None:
            paper.quiz._path = paper._path + ("quiz",)


def _set_item_paths(items: list, base: Loc) -> None:
    for i, item in enumerate(items):
        item._path = base + (i,)
        _set_item_paths(item.items, item._path + ("items",))


def _check_shape(text: str, name: str, loader) -> None:
    """Reject nesting beyond MAX_DEPTH and alias expansion beyond MAX_ALIAS_NODES, at the line where it
    happens, from the parser's event stream (which never recurses and never expands an alias)."""
    sizes: dict[str, int] = {}  # anchor -> nodes in what it names, aliases inside expanded
    open_: list[list] = []  # [anchor, nodes so far] of each collection being read
    expanded = 0
    for ev in yaml.parse(text, Loader=loader):
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(open_) >= MAX_DEPTH:
                mark = ev.start_mark
                raise CurriculumError([Problem(name, mark.line + 1, mark.column + 1, "",
                                               f"nesting is deeper than {MAX_DEPTH} levels")])
            open_.append([ev.anchor, 1])
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, count = open_.pop()
            if anchor:
                sizes[anchor] = count
            if open_:
                open_[-1][1] += count
        elif isinstance(ev, (yaml.ScalarEvent, yaml.AliasEvent)):
            count = 1
            if isinstance(ev, yaml.AliasEvent):
                count = sizes.get(ev.anchor, 1)
                expanded += count
                if expanded > MAX_ALIAS_NODES:
                    mark = ev.start_mark
                    raise CurriculumError([Problem(
                        name, mark.line + 1, mark.column + 1, "",
                        f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes; write the data out instead of repeating it by alias")])
            elif ev.anchor:
                sizes[ev.anchor] = 1
            if open_:
                open_[-1][1] += count


def parse(text: str, path: Path, model: type = Curriculum) -> LoadedCurriculum:
    """Parse and validate the text of a curriculum file (or, with ``model``, another file of plain data
    such as the exercise library); raise CurriculumError with every problem."""
    name = path.name
    try:
        try:
            # libyaml's composer is ten times faster where PyYAML was built with it; both keep line marks.
            fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            _check_shape(text, name, fast)
            node = yaml.compose(text, Loader=fast)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            if "maximum nesting depth" in str(exc) and mark is not None:
                # libyaml's own limit, met while it scans ahead (the pure-Python scanner would take seconds).
                raise CurriculumError([Problem(name, mark.line + 1, mark.column + 1, "",
                                               f"nesting is deeper than {MAX_DEPTH} levels")]) from None
            # Report the error in PyYAML's own words, the same on every platform.
            _check_shape(text, name, yaml.SafeLoader)
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise CurriculumError([Problem(name, line, column, "", f"not valid YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise CurriculumError([Problem(name, 1, 1, "", f"not valid YAML: {exc}")]) from None
    if node is None:
        raise CurriculumError([Problem(name, 1, 1, "", "the file is empty")])
    builder = _Builder(name)
    data = builder.build(node, ())
    if builder.problems:
        raise CurriculumError(builder.problems)
    if not isinstance(data, dict):
        raise CurriculumError([Problem(name, 1, 1, "", "the top level must be a mapping of keys to values")])
    loaded_positions = builder.positions
    try:
        curriculum = model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # For a missing or unexpected key, point at the mapping that should (not) hold it.
            probe = LoadedCurriculum(None, path, loaded_positions)  # type: ignore[arg-type]
            line, column = probe.where(loc)
            message = err["msg"]
            if err["type"] == "missing":
                message = "required field is missing"
            elif err["type"] == "extra_forbidden":
                message = "unknown field"
            problems.append(Problem(name, line, column, format_loc(loc), message))
        raise CurriculumError(problems) from None
    if isinstance(curriculum, Curriculum):
        curriculum.index()
        _set_paths(curriculum)
    return LoadedCurriculum(curriculum, path, loaded_positions)


def load(path: Path, cache_dir: Path | None = None) -> LoadedCurriculum:
    """Read and validate curriculum.yaml (structure only; see validate.py for cross-references).

    With ``cache_dir``, a validated curriculum is kept there, keyed by the file's exact bytes, so that the
    next start skips parsing; any change to the file makes a new key.
    """
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise CurriculumError([Problem(path.name, 1, 1, "", f"no curriculum file at {path}")]) from None
    except UnicodeDecodeError as exc:
        raise CurriculumError([Problem(path.name, 1, 1, "", f"not UTF-8 text ({exc.reason})")]) from None
    if cache_dir is None:
        return parse(text, path)
    import hashlib
    import pickle
    import sys

    from tracker import __version__

    # The key covers the file, the model's own code and the Python version: a new model never meets an old pickle.
    model_code = Path(__file__).with_name("model.py").read_bytes()
    key = hashlib.sha256(data + model_code + f"{__version__}{sys.version_info[:2]}".encode()).hexdigest()[:24]
    cached = cache_dir / f"curriculum-{key}.pickle"
    if cached.exists():
        try:
            loaded = pickle.loads(cached.read_bytes())  # our own file, written below
            loaded.path = path
            list(loaded.curriculum.gradables())  # touch the model: a stale object fails here, not later
            return loaded
        except Exception:  # noqa: BLE001 - a stale or broken cache is simply rebuilt
            cached.unlink(missing_ok=True)
    loaded = parse(text, path)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("curriculum-*.pickle"):
            old.unlink(missing_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(loaded))
        tmp.replace(cached)
    except OSError:
        pass
    return loaded
