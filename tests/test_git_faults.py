"""Git under faults, with real repositories (a bare remote and two clones): nothing the learner wrote or
staged is lost, their hooks are obeyed, and a refusal is reported in git's and the hook's own words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import git
from .test_git import log_messages, machines, tracker_in  # noqa: F401 - machines is a fixture


def hook(repo: Path, name: str, body: str) -> None:
    path = repo / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def remote_text(remote: Path, rel: str) -> str:
    return git(remote, "show", f"HEAD:{rel}")


def test_hand_edits_of_the_log_and_readme_on_two_machines_both_survive(machines):
    remote, desktop, laptop = machines
    assert tracker_in(desktop, "log", "--module", "0.1", "--insight", "PCA is an eigenproblem",
                      "--challenge", "signs", "--next", "k-means").returncode == 0
    assert tracker_in(desktop, "sync").returncode == 0
    assert tracker_in(laptop, "sync").returncode == 0  # the laptop now has the entry too
    assert "PCA is an eigenproblem" in (laptop / "CAPTAINS_LOG.md").read_text()

    for machine, words in ((desktop, "desktop"), (laptop, "laptop")):
        log = machine / "CAPTAINS_LOG.md"
        log.write_text(log.read_text().replace("PCA is an eigenproblem", f"PCA, as I saw it on the {words}"))
        readme = machine / "README.md"
        text = readme.read_text()
        if words == "desktop":
            readme.write_text(f"> Written at my desk\n\n{text}")
        else:
            readme.write_text(f"{text}\nWritten on the train\n")
    assert tracker_in(desktop, "check", "0.1.c1.1").returncode == 0
    assert tracker_in(desktop, "sync").returncode == 0
    assert tracker_in(laptop, "check", "0.2.c1.1").returncode == 0
    result = tracker_in(laptop, "sync")  # rejected, replayed: both sides edited the same entry
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the entry for" in result.stderr and "both versions are kept" in result.stderr
    assert tracker_in(desktop, "sync").returncode == 0

    log, readme = remote_text(remote, "CAPTAINS_LOG.md"), remote_text(remote, "README.md")
    assert "PCA, as I saw it on the desktop" in log and "PCA, as I saw it on the laptop" in log
    assert "> Written at my desk" in readme and "Written on the train" in readme
    assert "- [x] Vector operations" in readme  # and the generated parts carry both machines' ticks
    for machine in (desktop, laptop):
        assert (machine / "README.md").read_text() == readme
        assert (machine / "CAPTAINS_LOG.md").read_text() == log
    # Rendering again keeps the merged entry: it is the learner's now.
    assert tracker_in(desktop, "dashboard").stdout.strip() == "everything is up to date"


def test_a_refusing_pre_commit_hook_stops_the_trackers_commit_with_its_own_words(machines):
    _, desktop, _ = machines
    before = git(desktop, "rev-parse", "HEAD")
    hook(desktop, "pre-commit", 'echo "lint first: trailing spaces in README.md" >&2\nexit 1\n')
    result = tracker_in(desktop, "check", "0.1.c1.1")
    assert result.returncode == 0  # the tick is recorded
    assert "pre-commit hook refused the commit" in result.stderr
    assert "lint first: trailing spaces in README.md" in result.stderr
    assert git(desktop, "rev-parse", "HEAD") == before
    result = tracker_in(desktop, "sync")
    assert result.returncode == 2 and "lint first" in result.stderr
    assert git(desktop, "rev-parse", "HEAD") == before


def test_an_accepting_hook_runs_and_sees_the_trackers_staged_files(machines):
    _, desktop, _ = machines
    hook(desktop, "pre-commit", 'git diff --cached --name-only > "$(git rev-parse --git-dir)/seen"\n')
    assert tracker_in(desktop, "check", "0.1.c1.1").returncode == 0
    seen = (desktop / ".git" / "seen").read_text().split()
    assert "README.md" in seen and any(p.startswith("journal/") for p in seen)
    assert log_messages(desktop)[0].startswith("progress(0.1)")


def test_a_refused_push_says_why_in_the_hooks_words_and_exits_non_zero(machines):
    remote, desktop, _ = machines
    before = git(remote, "rev-parse", "HEAD")
    hook(desktop, "pre-push", 'echo "no pushing before the tests pass" >&2\nexit 1\n')
    tracker_in(desktop, "check", "0.1.c1.1")
    result = tracker_in(desktop, "sync")
    assert result.returncode == 2, result.stdout
    assert "refused" in result.stdout and "no pushing before the tests pass" in result.stdout
    assert "could not reach" not in result.stdout
    assert git(remote, "rev-parse", "HEAD") == before


def test_journal_reaches_the_remote_and_the_index_stays_as_staged_with_work_in_the_tree(machines):
    remote, desktop, laptop = machines
    tracker_in(desktop, "check", "0.1.c1.1")
    assert tracker_in(desktop, "sync").returncode == 0
    # The laptop has work in the tree: a staged exercise, an unstaged one, an untracked file.
    stub = laptop / "exercises/1.1/ex1_int8_quantization.py"
    stub.write_text(stub.read_text() + "\n# staged work\n")
    git(laptop, "add", str(stub))
    stub.write_text(stub.read_text() + "# and more, not staged\n")
    (laptop / "scratch.txt").write_text("ideas\n")
    staged_before = git(laptop, "diff", "--cached")
    unstaged_before = git(laptop, "diff")
    tracker_in(laptop, "check", "0.2.c1.1")
    result = tracker_in(laptop, "sync")
    assert result.returncode == 0 and "pushed to origin/main" in result.stdout, result.stdout + result.stderr
    assert git(laptop, "diff", "--cached") == staged_before  # what was staged is staged, exactly
    assert git(laptop, "diff") == unstaged_before
    assert (laptop / "scratch.txt").read_text() == "ideas\n"
    journals = git(remote, "ls-tree", "--name-only", "HEAD", "journal/").split()
    assert len(journals) == 2


def test_uncommitted_changes_that_collide_still_let_the_journal_out(machines):
    remote, desktop, laptop = machines
    (desktop / "notes.md").write_text("line one\n")
    git(desktop, "add", "notes.md")
    git(desktop, "commit", "-qm", "notes")
    git(desktop, "push", "-q", "origin", "main")
    git(laptop, "pull", "-q")
    (desktop / "notes.md").write_text("line one, from the desk\n")
    git(desktop, "commit", "-qam", "desk notes")
    git(desktop, "push", "-q", "origin", "main")
    (laptop / "notes.md").write_text("line one, from the train\n")  # uncommitted, overlapping
    tracker_in(laptop, "check", "0.2.c1.1")
    result = tracker_in(laptop, "sync")
    assert result.returncode == 2
    assert "pushed to origin/main" in result.stdout and "notes.md" in result.stdout and "stays as it was" in result.stdout
    assert (laptop / "notes.md").read_text() == "line one, from the train\n"
    assert len(git(remote, "ls-tree", "--name-only", "HEAD", "journal/").split()) == 1  # the laptop's journal
    assert git(remote, "show", "HEAD:notes.md") == "line one, from the desk\n"
    # Once the learner commits their words, the next sync merges as git does and moves on.
    git(laptop, "stash", "-q")
    assert tracker_in(laptop, "sync").returncode == 0
    assert git(laptop, "rev-parse", "HEAD") == git(remote, "rev-parse", "HEAD")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_an_index_lock_left_by_a_killed_tracker_is_removed(machines):
    _, desktop, _ = machines
    gd = desktop / ".git"
    (gd / "index.lock").write_text("")
    (gd / "tracker-index.pid").write_text(f"{_dead_pid()}\n")
    result = tracker_in(desktop, "check", "0.1.c1.1")
    assert result.returncode == 0 and "left behind by a tracker that was stopped" in result.stderr
    assert not (gd / "index.lock").exists() and not (gd / "tracker-index.pid").exists()
    git(desktop, "add", "-A")  # the learner's own git works again


def test_someone_elses_index_lock_is_reported_with_the_exact_fix(machines):
    _, desktop, _ = machines
    lock = desktop / ".git" / "index.lock"
    lock.write_text("")
    result = tracker_in(desktop, "check", "0.1.c1.1")
    assert result.returncode == 0  # recorded; the commit waits
    assert f"rm {lock}" in result.stderr
    assert lock.exists()
    result = tracker_in(desktop, "sync")
    assert result.returncode == 2 and f"rm {lock}" in result.stderr
    lock.unlink()
    assert tracker_in(desktop, "sync").returncode == 0
    assert "- [x] Vector operations" in remote_text(machines[0], "README.md")


def test_a_picture_and_a_script_from_the_other_machine_arrive_exactly(machines):
    remote, desktop, laptop = machines
    picture = bytes(range(256)) * 4  # not text
    (desktop / "me.png").write_bytes(picture)
    (desktop / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (desktop / "run.sh").chmod(0o755)
    git(desktop, "add", "me.png", "run.sh")
    git(desktop, "commit", "-qm", "my picture")
    git(desktop, "push", "-q", "origin", "main")
    (laptop / "README.md").write_text("![me](me.png)\n\n" + (laptop / "README.md").read_text())  # uncommitted
    tracker_in(laptop, "check", "0.2.c1.1")
    result = tracker_in(laptop, "sync")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (laptop / "me.png").read_bytes() == picture
    assert (laptop / "run.sh").stat().st_mode & 0o111
    assert git(laptop, "status", "--porcelain") == ""  # nothing left over: the README edit went out
    assert remote_text(remote, "README.md").startswith("![me](me.png)\n")
