"""The `tracker` command in a scratch fork, run as a learner would run it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tracker.cli import cli

from .conftest import run_tracker

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    assert cli.commands[command].help, f"{command} has no help text"
    result = run_tracker(command, "--help")
    assert result.returncode == 0 and "Usage: tracker" in result.stdout


def test_errors_are_one_line_without_traceback(fork):
    for args in (["grade", "9.9.9"], ["check", "nope"], ["hint", "1.1.99"], ["grade"]):
        result = run_tracker(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("tracker: ")


def test_outside_a_course_is_a_clear_error(tmp_path):
    result = run_tracker("status", cwd=tmp_path, env={"TRACKER_REPO": ""})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "tracker: no curriculum.yaml here or in any parent folder: run tracker inside your fork of the course"
    )


def test_malformed_curriculum_names_file_line_and_field(fork):
    text = (fork / "curriculum.yaml").read_text().replace("kind: code", "kind: essay", 1)
    (fork / "curriculum.yaml").write_text(text)
    result = run_tracker("status")
    assert result.returncode == 2
    assert "curriculum.yaml:" in result.stderr and ".kind: Input should be 'code', 'quiz' or 'reflection'" in result.stderr


@pytest.mark.slow
def test_grade_from_stub_to_pass(fork):
    stub = fork / "exercises/1.1/ex1_int8_quantization.py"
    result = run_tracker("grade", "1.1.1")
    assert result.returncode == 1
    assert "1.1.1 not started" in result.stdout and "tracker grade" not in result.stderr
    # The solution stays closed until a pass.
    assert run_tracker("solution", "1.1.1").returncode == 2

    shutil.copy(fork / "graders/1.1/solutions/ex1_int8_quantization.py", stub)
    text = stub.read_text().replace("amax / 127", "amax / 128")
    stub.write_text(text)
    result = run_tracker("grade", "1.1.1")
    assert result.returncode == 1
    assert "This is what dividing by 128 instead of 127 gives." in result.stdout
    assert "1.1.1 failed: " in result.stdout and " checks pass (tests " in result.stdout and " s in all" in result.stdout
    assert "stuck? `tracker hint 1.1.1` shows hint 1 of 3" in result.stdout

    stub.write_text(text.replace("amax / 128", "amax / 127"))
    result = run_tracker("grade", "1.1.1")
    assert result.returncode == 0, result.stdout
    assert "✓ 1.1.1 passed" in result.stdout
    # A pass leads on: what it earned, then the next exercise with its file.
    assert "+50 XP · 🏆 First Light" in result.stdout
    assert "Next: exercise 1.1.2" in result.stdout and "open exercises/1.1/" in result.stdout
    assert "def quantize" in run_tracker("solution", "1.1.1").stdout

    report = json.loads(run_tracker("status", "--json").stdout)
    ex = report["categories"][1]["modules"][0]["exercises"][0]
    assert (ex["id"], ex["state"], ex["status"]) == ("1.1.1", "passed", "gradable")


@pytest.mark.slow
def test_modified_grader_is_shown_but_not_recorded_as_a_pass(fork):
    shutil.copy(fork / "graders/1.1/solutions/ex1_int8_quantization.py", fork / "exercises/1.1/ex1_int8_quantization.py")
    grader = fork / "graders/1.1/test_ex1_int8_quantization.py"
    grader.write_text(grader.read_text() + "\n# edited\n")
    result = run_tracker("grade", "1.1.1")
    assert "differs from the grader manifest" in result.stdout
    assert "git checkout -- graders/1.1/test_ex1_int8_quantization.py" in result.stdout
    report = json.loads(run_tracker("status", "--json").stdout)
    assert report["categories"][1]["modules"][0]["exercises"][0]["state"] == "not_started"
    assert run_tracker("solution", "1.1.1").returncode == 2


def test_hints_are_revealed_one_at_a_time(fork):
    outputs = [run_tracker("hint", "1.1.1").stdout for _ in range(4)]
    assert outputs[0].startswith("Hint 1 of 3 for 1.1.1:")
    assert outputs[1].startswith("Hint 2 of 3 for 1.1.1:")
    assert outputs[2].startswith("Hint 3 of 3 for 1.1.1:")
    assert outputs[3].startswith("Hint 3 of 3 for 1.1.1 (all hints are out):")
    lines = (fork / "journal").glob("*.jsonl")
    events = [json.loads(line) for path in lines for line in path.read_text().splitlines()]
    assert [e["index"] for e in events if e["type"] == "hint"] == [1, 2, 3]


def test_reset_restores_the_stub_and_keeps_the_learners_version(fork):
    stub = fork / "exercises/1.1/ex1_int8_quantization.py"
    original = stub.read_text()
    stub.write_text("my work\n")
    result = run_tracker("reset", "1.1.1")
    assert result.returncode == 0 and "your version is saved at" in result.stdout
    assert stub.read_text() == original
    saved = list((fork / ".tracker" / "saved").iterdir())
    assert [p.read_text() for p in saved] == ["my work\n"]
    assert "already the original stub" in run_tracker("reset", "1.1.1").stdout


def test_check_and_uncheck(fork):
    assert run_tracker("check", "0.1.c1").stdout.strip() == "ticked 0.1.c1.1, 0.1.c1.2, 0.1.c1.3"
    assert run_tracker("uncheck", "0.1.c1.2").stdout.strip() == "unticked 0.1.c1.2"
    report = json.loads(run_tracker("status", "--json").stdout)
    [group] = [i for i in report["categories"][0]["modules"][0]["checklist"] if i["id"] == "0.1.c1"]
    assert group["ticked"] is False
    assert [c["ticked"] for c in group["items"]] == [True, False, True]
    assert report["categories"][0]["status"] == "Started"


def test_status_json_schema(fork):
    report = json.loads(run_tracker("status", "--json").stdout)
    assert report["schema"] == 1
    assert [c["id"] for c in report["categories"]] == ["0", "1", "2"]
    module = report["categories"][0]["modules"][0]
    assert set(module) == {"id", "title", "complete", "locked_until", "fraction", "exercises", "checklist", "capstone"}
    assert set(module["exercises"][0]) == {"id", "title", "kind", "status", "state", "device", "stub", "grader", "xp", "graded_on"}
    assert set(module["capstone"]) == {"title", "objective", "complete", "steps", "milestones"}
    assert set(report["papers"][0]) == {"id", "title", "ticked", "quiz"}
    assert len(report["papers"]) == 6
    total = sum(len(m["exercises"]) for c in report["categories"] for m in c["modules"])
    assert total == 91


def test_rebuild_after_losing_the_database(fork):
    run_tracker("check", "0.1.c2.1")
    run_tracker("hint", "1.1.1")
    shutil.rmtree(fork / ".tracker")
    result = run_tracker("rebuild")
    assert result.stdout.strip() == "rebuilt the database from the journal: 2 events"
    report = json.loads(run_tracker("status", "--json").stdout)
    [group] = [i for i in report["categories"][0]["modules"][0]["checklist"] if i["id"] == "0.1.c2"]
    assert group["items"][0]["ticked"] is True


def test_doctor_reports_the_machine(fork):
    result = run_tracker("doctor")
    assert "python" in result.stdout and "torch" in result.stdout and "database" in result.stdout
    assert "git identity" in result.stdout


def test_headless_modules_never_import_textual_or_torch():
    code = (
        "import sys, tracker.cli, tracker.service, tracker.store.store, tracker.progress.report, "
        "tracker.curriculum.validate, tracker.grading.runner, tracker.doctor;"
        "bad = [m for m in ('textual', 'torch') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command():
    from .conftest import PROJECT

    readme = (PROJECT / "README.md").read_text()
    command = readme.split("## Test", 1)[1].split("```bash\n", 1)[1].split("\n```", 1)[0].strip()
    ci = (PROJECT / ".ci" / "run").read_text().splitlines()
    assert ci[-1].strip() == command


def test_a_log_entry_written_on_the_cli_is_complete_and_earns_xp(fork):
    from tracker.service import Tracker

    assert run_tracker("check", "0.1.c1.1").returncode == 0
    result = run_tracker("log", "--insight", "Norms", "--challenge", "Orthogonality", "--next", "PCA")
    assert result.returncode == 0, result.stderr
    with Tracker.open(fork) as t:
        [entry] = t.store.log_entries()
        assert entry.progress.startswith("Ticked 1 checklist item")
        day = t.progress().today.isoformat()
        assert any(c.reason == f"log entry {day}" and c.delta > 0 for c in t.progress().ledger)


@pytest.mark.slow
def test_words_for_a_syntax_error_and_an_untouched_quiz(fork):
    stub = fork / "exercises/1.1/ex1_int8_quantization.py"
    stub.write_text(stub.read_text() + "\ndef broken(:\n    pass\n")
    result = run_tracker("grade", "1.1.1")
    assert result.stdout.count("has a syntax error on line") == 1, result.stdout  # once, not once per check
    quiz = run_tracker("grade", "1.1.3")
    assert "answer each question in place of its `= None`" in quiz.stdout
    assert "NotImplementedError" not in quiz.stdout


def test_status_of_a_module_lists_its_ids_and_unknown_ids_point_there(fork):
    assert run_tracker("check", "0.1.c1.1").returncode == 0
    out = run_tracker("status", "0.1").stdout
    assert "· 0.1.1    not started" in out and "exercises/0.1/ex1_pca_eigendecomposition.py" in out
    assert "[x] 0.1.c1.1" in out and "[ ] 0.1.c1.2" in out and "0.1.p1" in out
    wrong = run_tracker("grade", "9.9.9")
    assert wrong.returncode == 2 and "`tracker status 1.1` lists a module's" in wrong.stderr
    assert "0.1.c1.1" in run_tracker("status", "0.1").stdout  # the id the error asked for is listed there


@pytest.mark.slow
def test_the_hint_offered_is_the_one_for_the_first_failing_check(fork):
    stub = fork / "exercises/0.1/ex1_pca_eigendecomposition.py"
    solution = (fork / "graders/0.1/solutions/ex1_pca_eigendecomposition.py").read_text()
    # Dividing by n: the explained variance is the first check to fail; hint 1 is tied to it.
    stub.write_text(solution.replace("centred.T @ centred / (n - 1)", "centred.T @ centred / n"))
    result = run_tracker("grade", "0.1.1")
    assert result.returncode == 1
    assert "stuck? `tracker hint 0.1.1` shows hint 1 of 3, for “explained variance" in result.stdout
    # Projecting the raw data: the projection fails first, and hint 3 (tied to it) comes before hint 2.
    stub.write_text(solution.replace("projection = centred @ components.T", "projection = X @ components.T"))
    result = run_tracker("grade", "0.1.1")
    assert "shows hint 1 of 3" not in result.stdout
    assert "stuck? `tracker hint 0.1.1` shows hint 3 of 3, for “projection is (X - mean) @ components.T" in result.stdout
    shown = run_tracker("hint", "0.1.1").stdout
    assert shown.startswith("Hint 3 of 3 for 0.1.1, for the check “projection is (X - mean)")
    assert "projection = (X - X.mean(0)) @ components.T" in shown
    # Its hint is out: the next ones in order follow.
    assert run_tracker("hint", "0.1.1").stdout.startswith("Hint 1 of 3 for 0.1.1:")
    assert run_tracker("hint", "0.1.1").stdout.startswith("Hint 2 of 3 for 0.1.1:")
    # All out: the grade shows again the hint for the failing check, not merely the last one.
    result = run_tracker("grade", "0.1.1")
    assert "    hint 3: order = np.argsort(vals)" in result.stdout
    assert run_tracker("hint", "0.1.1").stdout.startswith("Hint 3 of 3 for 0.1.1, for the check “projection")
