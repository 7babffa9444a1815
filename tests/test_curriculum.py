"""The course as data: the real curriculum loads whole, and malformed ones fail with exact, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tracker.curriculum.loader import CurriculumError, load, parse
from tracker.curriculum.validate import validate
from tracker.grading import hashing

from .conftest import PROJECT

MINI = """\
version: 1
title: Mini
categories:
  - id: "1"
    title: Cat
    description: A category.
    modules:
      - id: "1.1"
        title: Mod
        summary: Sum
        checklists:
          - title: Core
            items:
              - id: 1.1.c1
                text: Item one
                items:
                  - id: 1.1.c1.1
                    text: Child
        exercises:
          - id: 1.1.1
            title: Ex
            kind: code
            status: gradable
            stub: exercises/1.1/ex1_a.py
            grader: graders/1.1/test_ex1_a.py
            solution: graders/1.1/solutions/ex1_a.py
            hints: ["h1", "h2"]
        capstone:
          title: Cap
          objective: Obj
          steps:
            - id: 1.1.p1
              text: Step
log_template: T
"""


def mini_repo(root: Path, text: str = MINI) -> Path:
    files = {
        "exercises/1.1/ex1_a.py": "def f():\n    raise NotImplementedError\n",
        "graders/1.1/test_ex1_a.py": "def test_f(learner):\n    assert learner.f() == 1\n",
        "graders/1.1/solutions/ex1_a.py": "def f():\n    return 1\n",
        "graders/1.1/variants/ex1_a.yaml": "".join(
            f'- name: v{i}\n  expect: "x"\n  replace:\n    - ["return 1", "return {i + 2}"]\n' for i in range(3)
        ),
        "graders/conftest.py": "",
        "graders/pytest.ini": "[pytest]\n",
        "graders/gradelib/__init__.py": "",
    }
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    (root / "curriculum.yaml").write_text(text)
    (root / hashing.MANIFEST).write_text(hashing.build_manifest(root))
    return root


def errors(root: Path, text: str) -> list[str]:
    """Every problem the loader and the validator report, as the learner sees them."""
    mini_repo(root, text)
    try:
        loaded = load(root / "curriculum.yaml")
    except CurriculumError as exc:
        return [str(p) for p in exc.problems]
    return [str(p) for p in validate(loaded, root)]


def test_real_curriculum_is_whole():
    c = load(PROJECT / "curriculum.yaml").curriculum
    modules = list(c.modules())
    assert [cat.title for cat in c.categories] == [
        "Revisiting the Basics",
        "The Art of Model Miniaturization",
        "The Science of Serving",
    ]
    assert [m.id for m in modules] == [f"0.{i}" for i in range(1, 11)] + [f"1.{i}" for i in range(1, 7)] + ["2.1", "2.2"]
    assert len(list(c.exercises())) == 91
    assert sum(1 for m in modules if m.capstone) == 17
    assert [p.id for p in c.papers] == [
        "paper.qlora", "paper.gptq", "paper.awq", "paper.smoothquant", "paper.pagedattention", "paper.lora",
    ]
    assert len(c.arsenal) == 4
    assert {n.title for m in modules for n in m.notes} == {
        "Comparative Analysis Table", "GGUF Structure Overview", "Memory Hierarchy Table",
    }
    # 0.7's capstone phases are nested; 0.10 has two checklists.
    phases = c.module("0.7").capstone.steps
    assert phases[0].text.startswith("**Phase 1") and len(phases[0].items) == 3
    assert [cl.title for cl in c.module("0.10").checklists] == ["Core Papers to Implement", "Implementation Standards"]
    assert c.exercise("1.1.2").module_id == "1.1" and c.exercise("1.1.2").number == 2


def test_real_curriculum_validates():
    loaded = load(PROJECT / "curriculum.yaml")
    assert [str(p) for p in validate(loaded, PROJECT)] == []


def test_mini_is_valid(tmp_path):
    assert errors(tmp_path, MINI) == []


def test_a_hint_can_be_tied_to_a_check_of_the_grader(tmp_path):
    text = _swap('hints: ["h1", "h2"]', 'hints: ["h1", {text: h2, check: test_f}]')
    assert errors(tmp_path, text) == []
    exercise = load(tmp_path / "curriculum.yaml").curriculum.exercise("1.1.1")
    assert [(h.text, h.check) for h in exercise.hints] == [("h1", None), ("h2", "test_f")]
    assert exercise.hint_for("test_f") == 2 and exercise.hint_for("test_f[cpu]") == 2  # parametrised ids too
    assert exercise.hint_for("test_other") == 1 and exercise.hint_for("test_f", revealed={2}) == 1
    assert exercise.hint_for(None, revealed={1, 2}) is None


def _swap(old: str, new: str, count: int = 1) -> str:
    assert MINI.count(old) >= 1, old
    return MINI.replace(old, new, count)


CASES = [
    ("empty file", "", ["curriculum.yaml:1:1: the file is empty"]),
    ("not YAML", MINI.replace('title: Mini', 'title: "Mini'),
     ["curriculum.yaml:4:10: not valid YAML: expected <block end>, but found '<scalar>'"]),
    ("top level list", "- a\n- b\n", ["curriculum.yaml:1:1: the top level must be a mapping of keys to values"]),
    ("wrong version", _swap("version: 1", "version: 2"), ["curriculum.yaml:1:1: version: Input should be 1"]),
    ("missing title", _swap("title: Mini\n", ""), ["curriculum.yaml:1:1: title: required field is missing"]),
    ("unknown module field", _swap("        summary: Sum\n", "        summary: Sum\n        sumary: typo\n"),
     ["curriculum.yaml:11:9: categories[0].modules[0].sumary: unknown field"]),
    ("bad kind", _swap("kind: code", "kind: essay"),
     ["curriculum.yaml:22:13: categories[0].modules[0].exercises[0].kind: Input should be 'code', 'quiz' or 'reflection'"]),
    ("bad status", _swap("status: gradable", "status: maybe"),
     ["curriculum.yaml:23:13: categories[0].modules[0].exercises[0].status: Input should be 'gradable' or 'coming_soon'"]),
    ("negative xp", _swap("            kind: code\n", "            kind: code\n            xp: -5\n"),
     ["curriculum.yaml:23:13: categories[0].modules[0].exercises[0].xp: Input should be greater than or equal to 0"]),
    ("bad device", _swap("            kind: code\n", "            kind: code\n            device: tpu\n"),
     ["curriculum.yaml:23:13: categories[0].modules[0].exercises[0].device: Input should be 'any', 'cuda' or 'cpu'"]),
    ("duplicate key", _swap("        summary: Sum\n", "        summary: Sum\n        summary: Again\n"),
     ["curriculum.yaml:11:9: categories[0].modules[0].summary: duplicate key"]),
    ("python tag", _swap("title: Mini", "title: !!python/object/apply:os.system ['echo hacked']"),
     ["curriculum.yaml:2:8: title: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; curriculum.yaml holds plain data only"]),
    ("merge key", _swap("log_template: T", "base: &b {x: 1}\nother:\n  <<: *b\nlog_template: T"),
     ["curriculum.yaml:36:3: other: merge keys (<<) are not allowed"]),
    ("no categories", MINI.split("categories:")[0] + "categories: []\nlog_template: T\n",
     ["curriculum.yaml:3:1: categories: List should have at least 1 item after validation, not 0"]),
    ("hints not a list", _swap('hints: ["h1", "h2"]', "hints: first do this"),
     ["curriculum.yaml:27:13: categories[0].modules[0].exercises[0].hints: Input should be a valid list"]),
    ("empty text", _swap("text: Child", 'text: ""'),
     ["curriculum.yaml:18:21: categories[0].modules[0].checklists[0].items[0].items[0].text: String should have at least 1 character"]),
    ("duplicate exercise id", _swap("        capstone:", """          - id: 1.1.1
            title: Again
            kind: quiz
            status: coming_soon
        capstone:"""),
     ["curriculum.yaml:28:13: categories[0].modules[0].exercises[1].id: exercise 2 of module 1.1 must have id '1.1.2', not '1.1.1'",
      "curriculum.yaml:28:13: categories[0].modules[0].exercises[1].id: duplicate id '1.1.1' (first used on line 20)"]),
    ("exercise numbering", _swap("- id: 1.1.1", "- id: 1.1.2"),
     ["curriculum.yaml:20:13: categories[0].modules[0].exercises[0].id: exercise 1 of module 1.1 must have id '1.1.1', not '1.1.2'"]),
    ("item numbering", _swap("id: 1.1.c1.1", "id: 1.1.c1.2"),
     ["curriculum.yaml:17:21: categories[0].modules[0].checklists[0].items[0].items[0].id: this item must have id '1.1.c1.1', not '1.1.c1.2'"]),
    ("path outside repo", _swap("stub: exercises/1.1/ex1_a.py", "stub: ../outside/ex1_a.py"),
     ["curriculum.yaml:24:13: categories[0].modules[0].exercises[0].stub: '../outside/ex1_a.py' points outside the repository"]),
    ("absolute path", _swap("solution: graders/1.1/solutions/ex1_a.py", "solution: /etc/passwd"),
     ["curriculum.yaml:26:13: categories[0].modules[0].exercises[0].solution: '/etc/passwd' points outside the repository"]),
    ("missing stub file", _swap("stub: exercises/1.1/ex1_a.py", "stub: exercises/1.1/ex1_b.py"),
     ["curriculum.yaml:24:13: categories[0].modules[0].exercises[0].stub: exercises/1.1/ex1_b.py does not exist",
      "curriculum.yaml:25:13: categories[0].modules[0].exercises[0].grader: the grader of exercises/1.1/ex1_b.py must be graders/1.1/test_ex1_b.py"]),
    ("missing prerequisite", _swap("        summary: Sum\n", "        summary: Sum\n        requires: [\"0.9\"]\n"),
     ["curriculum.yaml:11:20: categories[0].modules[0].requires[0]: prerequisite '0.9' does not exist"]),
    ("reflection with py stub", _swap("kind: code", "kind: reflection"),
     ["curriculum.yaml:24:13: categories[0].modules[0].exercises[0].stub: a reflection exercise's stub must be a .md file"]),
    ("too few hints", _swap('hints: ["h1", "h2"]', 'hints: ["h1"]'),
     ["curriculum.yaml:27:13: categories[0].modules[0].exercises[0].hints: a gradable exercise needs at least 2 hints, it has 1"]),
    ("module in wrong category", _swap('- id: "1.1"', '- id: "2.1"').replace("1.1.", "2.1.").replace("exercises/2.1", "exercises/1.1").replace("graders/2.1", "graders/1.1"),
     ["curriculum.yaml:8:9: categories[0].modules[0].id: module 2.1 is listed under category 1"]),
    ("gradable without grader", _swap("            grader: graders/1.1/test_ex1_a.py\n", ""),
     ["curriculum.yaml:20:13: categories[0].modules[0].exercises[0].grader: a gradable exercise needs a grader"]),
    ("hint tied to no test name", _swap('hints: ["h1", "h2"]', 'hints: ["h1", {text: h2, check: f}]'),
     ["curriculum.yaml:27:38: categories[0].modules[0].exercises[0].hints[1].check: Value error, must name a test "
      "function of the grader, such as test_projection, not 'f'"]),
    ("hint tied to a test the grader lacks", _swap('hints: ["h1", "h2"]', 'hints: ["h1", {text: h2, check: test_g}]'),
     ["curriculum.yaml:27:38: categories[0].modules[0].exercises[0].hints[1].check: graders/1.1/test_ex1_a.py has no test named test_g"]),
    ("tied hint without text", _swap('hints: ["h1", "h2"]', 'hints: ["h1", {check: test_f}]'),
     ["curriculum.yaml:27:27: categories[0].modules[0].exercises[0].hints[1].text: required field is missing"]),
    ("unknown hint field", _swap('hints: ["h1", "h2"]', 'hints: ["h1", {text: h2, test: test_f}]'),
     ["curriculum.yaml:27:38: categories[0].modules[0].exercises[0].hints[1].test: unknown field"]),
]


TWO_MODULES = MINI.replace("log_template: T", '''      - id: "1.2"
        title: Two
        summary: S
        requires: ["1.1"]
        checklists:
          - title: C
            items:
              - id: 1.2.c1
                text: I
log_template: T''')
REQUIRES_1_2 = '            hints: ["h1", "h2"]\n            requires: ["1.2"]\n'
# Ten aliases of ten aliases of ... of ten items: 10^10 nodes once expanded (a "billion laughs").
ALIAS_BOMB = "".join(f"k{i}: &a{i} [{', '.join([f'*a{i - 1}' if i else 'x'] * 10)}]\n" for i in range(10))

CASES += [
    ("alias bomb", MINI.replace("log_template: T", ALIAS_BOMB + "log_template: T"),
     ["curriculum.yaml:37:45: aliases expand to more than 10,000 nodes; write the data out instead of repeating it by alias"]),
    ("deep nesting", MINI.replace("log_template: T", "tagline: " + "[" * 100_000 + "]" * 100_000 + "\nlog_template: T"),
     # Where libyaml is built in, its own depth limit (1,000 flow levels) is met first, while it scans ahead.
     [f"curriculum.yaml:34:{1009 if hasattr(yaml, 'CSafeLoader') else 49}: nesting is deeper than 40 levels"]),
    ("deep block nesting", MINI.replace("log_template: T", "tagline:\n" + "".join("  " * i + "- \n" for i in range(1, 3000)) + "log_template: T"),
     ["curriculum.yaml:74:81: nesting is deeper than 40 levels"]),
    ("absurd xp", _swap("            kind: code\n", "            kind: code\n            xp: 1000000000000000000\n"),
     ["curriculum.yaml:23:13: categories[0].modules[0].exercises[0].xp: Input should be less than or equal to 10000"]),
    ("absurd default xp", _swap("log_template: T", "xp:\n  module_bonus: 1000000000000000000\nlog_template: T"),
     ["curriculum.yaml:35:3: xp.module_bonus: Input should be less than or equal to 10000"]),
    ("module prerequisite cycle", TWO_MODULES.replace("        summary: Sum\n", '        summary: Sum\n        requires: ["1.2"]\n'),
     ["curriculum.yaml:11:20: categories[0].modules[0].requires[0]: prerequisite cycle: 1.1 → 1.2 → 1.1"]),
    ("exercise requires its own module", _swap('            hints: ["h1", "h2"]\n', '            hints: ["h1", "h2"]\n            requires: ["1.1"]\n'),
     ["curriculum.yaml:28:24: categories[0].modules[0].exercises[0].requires[0]: prerequisite cycle: 1.1.1 → 1.1 → 1.1.1"]),
    ("exercise cycle through a module", TWO_MODULES.replace('            hints: ["h1", "h2"]\n', REQUIRES_1_2),
     ["curriculum.yaml:28:24: categories[0].modules[0].exercises[0].requires[0]: prerequisite cycle: 1.1.1 → 1.2 → 1.1 → 1.1.1"]),
    ("module requires what it holds", _swap("        summary: Sum\n", '        summary: Sum\n        requires: ["1.1.1"]\n'),
     ["curriculum.yaml:11:20: categories[0].modules[0].requires[0]: module 1.1 cannot require 1.1.1, which it holds"]),
]


def test_prerequisites_without_a_cycle_are_valid(tmp_path):
    assert errors(tmp_path, TWO_MODULES) == []


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_curriculum(tmp_path, text, expected):
    assert errors(tmp_path, text) == expected


def test_at_least_twenty_malformed_cases():
    assert len(CASES) >= 20


def test_modified_grader_breaks_the_manifest(tmp_path):
    mini_repo(tmp_path)
    (tmp_path / "graders/1.1/test_ex1_a.py").write_text("def test_f():\n    pass\n")
    loaded = load(tmp_path / "curriculum.yaml")
    assert [str(p) for p in validate(loaded, tmp_path)] == [
        "graders/MANIFEST.sha256:2:1: graders/1.1/test_ex1_a.py: differs from the manifest; restore it with "
        "`git checkout -- graders/1.1/test_ex1_a.py`"
    ]


def test_loading_never_runs_code(tmp_path):
    marker = tmp_path / "pwned"
    text = MINI.replace("title: Mini", f"title: !!python/object/apply:os.system ['touch {marker}']")
    with pytest.raises(CurriculumError):
        parse(text, tmp_path / "curriculum.yaml")
    assert not marker.exists()


def test_the_curriculum_cache_follows_the_file_and_never_serves_a_broken_object(tmp_path):
    cache = tmp_path / "cache"
    first = load(PROJECT / "curriculum.yaml", cache_dir=cache)
    [pickled] = list(cache.glob("curriculum-*.pickle"))
    again = load(PROJECT / "curriculum.yaml", cache_dir=cache)
    assert again.curriculum.exercise("1.1.1").title == first.curriculum.exercise("1.1.1").title
    pickled.write_bytes(b"not a pickle")  # a cache from another version, or a torn write
    assert load(PROJECT / "curriculum.yaml", cache_dir=cache).curriculum.has_exercise("1.1.1")
    changed = tmp_path / "curriculum.yaml"
    changed.write_text((PROJECT / "curriculum.yaml").read_text().replace("Let's see how far I go", "Onwards"))
    assert load(changed, cache_dir=cache).curriculum.tagline == "Onwards"


# --- one path rule, and the cross-reference checks, for every command that serves the course ---------

SOLUTION_LINE = "            solution: graders/0.1/solutions/ex1_pca_eigendecomposition.py\n"


def _line_of(fork: Path, text: str) -> int:
    """The line of curriculum.yaml that holds ``text`` (its first use)."""
    lines = (fork / "curriculum.yaml").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def _edit_course(fork: Path, old: str, new: str) -> None:
    text = (fork / "curriculum.yaml").read_text()
    assert text.count(old) == 1, old
    (fork / "curriculum.yaml").write_text(text.replace(old, new))


def test_a_solution_outside_the_repository_is_never_shown(fork, tmp_path):
    from .conftest import run_tracker

    secret = tmp_path / "secret.txt"
    secret.write_text("a private file\n")
    _edit_course(fork, SOLUTION_LINE, f"            solution: {secret}\n")
    line = _line_of(fork, f"solution: {secret}")
    expected = (f"tracker: curriculum.yaml:{line}:13: categories[0].modules[0].exercises[0].solution: '{secret}' points "
                "outside the repository\n")
    for command in (("solution", "0.1.1"), ("status",), ("grade", "0.1.1"), ()):  # () is the app
        done = run_tracker(*command)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", expected), command
    assert "private" not in done.stdout + done.stderr


def test_a_stub_that_leaves_the_repository_by_symlink_is_not_graded(fork, tmp_path):
    from .conftest import run_tracker

    outside = tmp_path / "outside.py"
    outside.write_text("def pca(*a):\n    return 0\n")
    stub = fork / "exercises/0.1/ex1_pca_eigendecomposition.py"
    stub.unlink()
    stub.symlink_to(outside)
    done = run_tracker("grade", "0.1.1")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = _line_of(fork, "stub: exercises/0.1/ex1_pca_eigendecomposition.py")
    assert done.stderr == (f"tracker: curriculum.yaml:{line}:13: categories[0].modules[0].exercises[0].stub: "
                           "'exercises/0.1/ex1_pca_eigendecomposition.py' points outside the repository\n")
    assert not (fork / "journal").exists()  # nothing graded, nothing recorded


def test_status_refuses_duplicate_ids_and_cycles_with_the_errors_of_validate(fork):
    from .conftest import run_tracker

    _edit_course(fork, '      - id: "0.2"\n', '      - id: "0.2"\n        requires: ["0.3"]\n')
    text = (fork / "curriculum.yaml").read_text()
    at = text.index('      - id: "0.3"\n')
    summary = text.index("        summary:", at)
    (fork / "curriculum.yaml").write_text(text[:summary] + '        requires: ["0.2"]\n' + text[summary:])
    validate = run_tracker("validate")
    assert validate.returncode == 2
    [cycle] = [line for line in validate.stdout.splitlines() if "cycle" in line]
    assert cycle.endswith("prerequisite cycle: 0.2 → 0.3 → 0.2")
    status = run_tracker("status")
    assert (status.returncode, status.stdout) == (2, "")
    assert status.stderr == f"tracker: {cycle}\n"
