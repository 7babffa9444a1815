"""Git with real repositories: a bare remote on disk and two clones acting as two machines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import git, make_fork, run_tracker


def tracker_in(repo: Path, *args: str):
    return run_tracker(*args, cwd=repo, env={"TRACKER_REPO": str(repo)})


@pytest.fixture
def machines(tmp_path):
    """(remote, desktop, laptop): a bare remote holding the course, and two clones of it."""
    source = make_fork(tmp_path / "source")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(source), str(remote))
    clones = []
    for name in ("desktop", "laptop"):
        git(tmp_path, "clone", "--quiet", str(remote), name)
        clones.append(tmp_path / name)
    return remote, *clones


def log_messages(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s").splitlines()


def test_a_tick_commits_only_the_trackers_files(machines):
    _, desktop, _ = machines
    (desktop / "notes.txt").write_text("my notes\n")  # untracked
    stub = desktop / "exercises/1.1/ex1_int8_quantization.py"
    stub.write_text(stub.read_text() + "\n# work in progress\n")  # unstaged
    (desktop / "curriculum.yaml").write_text((desktop / "curriculum.yaml").read_text() + "\n")
    git(desktop, "add", "curriculum.yaml")  # staged by the learner
    result = tracker_in(desktop, "check", "0.1.c1.1")
    assert result.returncode == 0, result.stderr
    assert log_messages(desktop)[0].startswith("progress(0.1): ticked 1 item · +5 XP today · level 1 · day 1")
    committed = git(desktop, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(committed) == sorted(["CAPTAINS_LOG.md", "README.md", "progress/activity.svg",
                                        *[f"journal/{p.name}" for p in (desktop / "journal").iterdir()]])
    status = git(desktop, "status", "--porcelain").splitlines()
    assert "M  curriculum.yaml" in status  # still staged, not committed
    assert " M exercises/1.1/ex1_int8_quantization.py" in status  # still modified, not committed
    assert "?? notes.txt" in status
    assert "- [x] Vector operations" in (desktop / "README.md").read_text()


def test_no_change_means_no_commit(machines):
    _, desktop, _ = machines
    tracker_in(desktop, "check", "0.1.c1.1")
    before = log_messages(desktop)
    assert tracker_in(desktop, "check", "0.1.c1.1").stdout.strip() == "0.1.c1.1 was already ticked"
    assert tracker_in(desktop, "dashboard").stdout.strip() == "everything is up to date"
    assert log_messages(desktop) == before


def test_two_machines_sync_to_one_history_and_one_readme(machines):
    remote, desktop, laptop = machines
    assert tracker_in(desktop, "check", "0.1.c1").returncode == 0
    assert tracker_in(desktop, "log", "--module", "0.1", "--insight", "PCA is an eigenproblem",
                      "--challenge", "signs", "--next", "k-means").returncode == 0
    assert "pushed to origin/main" in tracker_in(desktop, "sync").stdout

    assert tracker_in(laptop, "check", "0.2.c1.1").returncode == 0
    (laptop / "exercises/papers/lora.py").write_text((laptop / "graders/papers/solutions/lora.py").read_text())
    assert tracker_in(laptop, "grade", "paper.lora").returncode == 0  # passing the quiz marks the paper read
    assert tracker_in(laptop, "check", "paper.lora").returncode == 2  # earned by grading, not by ticking
    result = tracker_in(laptop, "sync")  # rejected first: the desktop pushed; replays and regenerates
    assert "pushed to origin/main" in result.stdout, result.stdout + result.stderr

    assert "pushed to origin/main" in tracker_in(desktop, "sync").stdout  # brings the laptop's work down
    for machine in (desktop, laptop):
        report = json.loads(tracker_in(machine, "status", "--json").stdout)
        basics = report["categories"][0]["modules"]
        assert [i["ticked"] for i in basics[0]["checklist"][0]["items"]] == [True, True, True]
        assert basics[1]["checklist"][0]["items"][0]["ticked"] is True
        assert report["papers"][-1]["ticked"] is True
    assert (desktop / "README.md").read_text() == (laptop / "README.md").read_text()
    assert (desktop / "CAPTAINS_LOG.md").read_text() == (laptop / "CAPTAINS_LOG.md").read_text()
    readme = (desktop / "README.md").read_text()
    assert "- [x] **LoRA:**" in readme and "✅ quiz passed" in readme and "PCA is an eigenproblem" in (desktop / "CAPTAINS_LOG.md").read_text()
    # The remote holds both journals, and no history was rewritten by force.
    files = git(remote, "ls-tree", "--name-only", "HEAD", "journal/").split()
    assert len(files) == 2
    assert git(desktop, "rev-parse", "HEAD") == git(laptop, "rev-parse", "HEAD") == git(remote, "rev-parse", "HEAD")


def test_offline_keeps_the_commit_for_the_next_sync(machines, tmp_path):
    _, desktop, _ = machines
    git(desktop, "remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    tracker_in(desktop, "check", "0.1.c1.1")
    result = tracker_in(desktop, "sync")
    assert "could not reach origin" in result.stdout and "go with the next sync" in result.stdout
    assert log_messages(desktop)[0].startswith("progress(0.1)")


def test_refuses_mid_merge_and_on_detached_head(machines):
    _, desktop, _ = machines
    git(desktop, "checkout", "--quiet", "--detach")
    result = tracker_in(desktop, "sync")
    assert result.returncode == 2 and "HEAD is detached" in result.stderr
    git(desktop, "checkout", "--quiet", "main")
    (Path(git(desktop, "rev-parse", "--absolute-git-dir").strip()) / "MERGE_HEAD").write_text(
        git(desktop, "rev-parse", "HEAD"))
    result = tracker_in(desktop, "sync")
    assert result.returncode == 2 and "in the middle of a merge" in result.stderr
    # A tick is still recorded; the commit waits, with a warning.
    result = tracker_in(desktop, "check", "0.1.c1.1")
    assert result.returncode == 0 and "warning: recorded, but the dashboard was not updated" in result.stderr


def test_readme_without_markers_is_a_clear_error(machines):
    _, desktop, _ = machines
    (desktop / "README.md").write_text("# My own README\n")
    result = tracker_in(desktop, "dashboard")
    assert result.returncode == 2
    assert "README.md has no <!-- tracker:dashboard:start --> marker" in result.stderr


def test_a_study_day_from_the_shell_makes_one_commit_until_it_is_pushed(machines):
    _, desktop, _ = machines
    at = lambda hhmm: {"TRACKER_REPO": str(desktop), "TRACKER_NOW": f"2026-03-02T{hhmm}:00Z"}  # noqa: E731
    for hhmm, args in (("09:00", ("check", "0.1.c1.1")), ("09:05", ("check", "0.1.c1.2")),
                       ("09:10", ("uncheck", "0.1.c1.2")), ("09:20", ("check", "0.1.c1.3"))):
        assert run_tracker(*args, cwd=desktop, env=at(hhmm)).returncode == 0
    messages = log_messages(desktop)
    assert len(messages) == 2 and messages[1] == "course"  # four events, one commit
    body = git(desktop, "log", "-1", "--format=%b")
    assert len([line for line in body.splitlines() if line.startswith("- progress(0.1): ")]) == 3  # the earlier three
    assert "Tracker-Group: day 2026-03-02" in body
    assert "- [x] Vector operations" in git(desktop, "show", "HEAD:README.md")
    # Past the window, a new commit; after a push, never a rewrite of what went out.
    assert run_tracker("check", "0.2.c1.1", cwd=desktop, env=at("10:30")).returncode == 0
    assert len(log_messages(desktop)) == 3
    assert run_tracker("sync", cwd=desktop, env=at("10:31")).returncode == 0
    pushed = git(desktop, "rev-parse", "HEAD")
    assert run_tracker("check", "0.2.c1.2", cwd=desktop, env=at("10:32")).returncode == 0
    assert git(desktop, "rev-parse", "HEAD~1") == pushed


def test_one_commit_per_event_when_configured(machines):
    _, desktop, _ = machines
    (desktop / "tracker.toml").write_text("[git]\ncoalesce_minutes = 0\n")
    for item in ("0.1.c1.1", "0.1.c1.2", "0.1.c1.3"):
        assert tracker_in(desktop, "check", item).returncode == 0
    assert len(log_messages(desktop)) == 4
