"""Git operations on the learner's repository.

- Commits are built in a temporary index from the tracker's own files only, so the learner's staged and
  unstaged changes are never committed and never lost.
- Pushing never prompts (no terminal, batch-mode SSH, a time limit) and never forces. A rejected push
  fetches, replays the local commits onto the remote branch in a temporary worktree, regenerates the
  generated files from the merged journal, moves the branch with ``git reset --keep`` (which keeps local
  changes) and tries again, a bounded number of times. Offline, the commit stays and waits.
- In the middle of a merge, rebase or cherry-pick, or on a detached HEAD, every operation refuses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tracker.errors import TrackerError

STUB_MARKERS = (b"raise NotImplementedError", b"= None")
PUSH_TIMEOUT = 60
PUSH_ATTEMPTS = 3

# path -> function from that file's current text ("" if absent) to its new text
Renderer = Callable[[str], str]


class GitError(TrackerError):
    pass


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "echo",
            "SSH_ASKPASS": "echo",
            "GIT_SSH_COMMAND": env.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=15"),
            "GIT_EDITOR": "true",
            "LC_ALL": "C",
        }
    )
    return env


def git(repo: Path, *args: str, env: dict | None = None, input: bytes | None = None, timeout: float = 120,
        check: bool = True) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(
            ["git", *args], cwd=repo, env=env or _env(), input=input, capture_output=True, timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {timeout:g} s and was stopped") from None
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if check and done.returncode != 0:
        message = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done


def out(repo: Path, *args: str, **kwargs) -> str:
    return git(repo, *args, **kwargs).stdout.decode("utf-8", "replace").strip()


def is_repo(repo: Path) -> bool:
    return git(repo, "rev-parse", "--git-dir", check=False).returncode == 0


def git_dir(repo: Path) -> Path:
    return (repo / out(repo, "rev-parse", "--git-dir")).resolve()


def ensure_safe(repo: Path) -> str:
    """The current branch name; refuses mid-merge/rebase/cherry-pick and on a detached HEAD."""
    if not is_repo(repo):
        raise GitError(f"{repo} is not a git repository")
    gd = git_dir(repo)
    for name, what in (("MERGE_HEAD", "a merge"), ("rebase-merge", "a rebase"), ("rebase-apply", "a rebase"),
                       ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert")):
        if (gd / name).exists():
            raise GitError(f"the repository is in the middle of {what}; finish or abort it, then run `tracker sync`")
    branch = git(repo, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if branch.returncode != 0:
        raise GitError("HEAD is detached; check out your branch (for example `git switch main`), then run `tracker sync`")
    return branch.stdout.decode().strip()


def head(repo: Path) -> str | None:
    done = git(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    return done.stdout.decode().strip() or None


def committed_text(repo: Path, rev: str, rel: str) -> str | None:
    done = git(repo, "show", f"{rev}:{rel}", check=False)
    # surrogateescape: a journal with a damaged (binary) line still round-trips byte for byte.
    return done.stdout.decode("utf-8", "surrogateescape") if done.returncode == 0 else None


def committed_file(repo_path: Path, rel: str) -> bytes | None:
    """The newest committed version of ``rel`` that is still a stub (it raises NotImplementedError or holds
    unanswered ``= None`` answers); else the version that first added it; None without git history."""
    if not is_repo(repo_path):
        return None
    done = git(repo_path, "log", "--format=%H", "--", rel, check=False)
    versions = []
    for sha in done.stdout.decode().split():
        blob = git(repo_path, "show", f"{sha}:{rel}", check=False)
        if blob.returncode == 0:
            versions.append(blob.stdout)
    for data in versions:
        if any(marker in data for marker in STUB_MARKERS):
            return data
    return versions[-1] if versions else None


def apply_renderers(root: Path, renderers: dict[str, Renderer]) -> list[str]:
    """Apply renderers to the files under root, writing only what changes; return the paths written."""
    written = []
    for rel, render in renderers.items():
        path = root / rel
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        new = render(current)
        if new != current:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new, encoding="utf-8")
            written.append(rel)
    return written


@dataclass
class CommitResult:
    sha: str | None  # None when nothing changed
    paths: list[str]


def commit_files(repo: Path, renderers: dict[str, Renderer], message: str, plain: list[str] = (),
                 only_if_rendered_changed: bool = False) -> CommitResult:
    """Commit the tracker's own files without touching the learner's index or other files.

    ``renderers`` produce generated files: each is applied to the committed version (what gets committed)
    and to the working-tree version (what gets written), so edits the learner has not committed stay
    uncommitted. ``plain`` files (the journal) are committed as they are in the working tree; with
    ``only_if_rendered_changed`` they alone do not make a commit (a re-grade that changes nothing visible
    waits for the next commit or `tracker sync`).
    """
    ensure_safe(repo)
    parent = head(repo)
    if parent is None:
        raise GitError("the repository has no commit yet; commit the course first")
    blobs: dict[str, str] = {}
    before = {rel: (repo / rel).read_text(encoding="utf-8") if (repo / rel).exists() else "" for rel in renderers}
    apply_renderers(repo, renderers)
    for rel, render in renderers.items():
        committed = committed_text(repo, parent, rel) or ""
        # What the learner changed and did not commit stays uncommitted: render over the committed text.
        blobs[rel] = render(committed) if committed != before[rel] else (repo / rel).read_text(encoding="utf-8")
    for rel in plain:
        path = repo / rel
        if path.exists():
            blobs[rel] = path.read_text(encoding="utf-8", errors="surrogateescape")
    changed = [rel for rel, text in blobs.items() if committed_text(repo, parent, rel) != text]
    if not changed or (only_if_rendered_changed and not set(changed) & set(renderers)):
        return CommitResult(None, [])
    with tempfile.TemporaryDirectory(prefix="tracker-index-") as tmp:
        env = _env()
        env["GIT_INDEX_FILE"] = str(Path(tmp) / "index")
        git(repo, "read-tree", parent, env=env)
        for rel in changed:
            sha = out(repo, "hash-object", "-w", "--stdin", input=blobs[rel].encode("utf-8", "surrogateescape"))
            git(repo, "update-index", "--add", "--cacheinfo", f"100644,{sha},{rel}", env=env)
        tree = out(repo, "write-tree", env=env)
    commit = out(repo, "commit-tree", tree, "-p", parent, "-m", message)
    git(repo, "update-ref", "-m", f"tracker: {message}", "HEAD", commit, parent)
    # Bring the learner's index in line for our files only, unless they staged something there themselves.
    for rel in changed:
        staged = git(repo, "diff", "--cached", "--quiet", parent, "--", rel, check=False).returncode != 0
        if not staged:
            git(repo, "reset", "-q", commit, "--", rel, check=False)
    return CommitResult(commit, changed)


@dataclass
class SyncResult:
    pushed: bool
    message: str


def remote_of(repo: Path, branch: str) -> tuple[str, str] | None:
    """(remote, remote branch) the branch tracks, else origin/<branch>, else None."""
    remote = git(repo, "config", f"branch.{branch}.remote", check=False).stdout.decode().strip()
    merge = git(repo, "config", f"branch.{branch}.merge", check=False).stdout.decode().strip()
    if remote and merge:
        return remote, merge.removeprefix("refs/heads/")
    remotes = out(repo, "remote").split()
    if "origin" in remotes:
        return "origin", branch
    return (remotes[0], branch) if remotes else None


def _push(repo: Path, remote: str, branch: str) -> tuple[str, str]:
    """('ok' | 'rejected' | 'offline', message). Never forces."""
    try:
        done = git(repo, "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}", timeout=PUSH_TIMEOUT, check=False)
    except GitError as exc:
        return "offline", str(exc)
    text = (done.stdout + done.stderr).decode("utf-8", "replace")
    if done.returncode == 0:
        return "ok", "pushed"
    if "rejected" in text or "non-fast-forward" in text or "fetch first" in text:
        return "rejected", "the remote has commits this machine lacks"
    last = text.strip().splitlines()[-1] if text.strip() else "unknown error"
    return "offline", last


def sync(repo: Path, regenerate: Callable[[Path], dict[str, Renderer]], message: str = "sync: regenerate dashboard",
         own_paths: tuple[str, ...] = ()) -> SyncResult:
    """Push local progress; on rejection, replay onto the remote and regenerate, then retry (bounded)."""
    branch = ensure_safe(repo)
    target = remote_of(repo, branch)
    if target is None:
        return SyncResult(False, "no git remote: progress is committed on this machine only")
    remote, remote_branch = target
    for _ in range(PUSH_ATTEMPTS):
        status, text = _push(repo, remote, remote_branch)
        if status == "ok":
            return SyncResult(True, f"pushed to {remote}/{remote_branch}")
        if status == "offline":
            return SyncResult(False, f"could not reach {remote} ({text}); the commits stay here and go with the next sync")
        try:
            git(repo, "fetch", "--quiet", remote, remote_branch, timeout=PUSH_TIMEOUT)
        except GitError as exc:
            return SyncResult(False, f"could not fetch from {remote} ({exc}); the commits stay here")
        _replay(repo, "FETCH_HEAD", regenerate, message, own_paths)
    return SyncResult(False, f"the remote kept moving; gave up after {PUSH_ATTEMPTS} tries (run `tracker sync` again)")


def _replay(repo: Path, upstream_ref: str, regenerate, message: str, own_paths: tuple[str, ...]) -> None:
    upstream = out(repo, "rev-parse", upstream_ref)
    local = head(repo)
    if out(repo, "merge-base", upstream, local) == upstream:
        return  # nothing to replay: the remote is behind or equal
    commits = out(repo, "rev-list", "--reverse", "--no-merges", f"{upstream}..{local}").split()
    tmp = Path(tempfile.mkdtemp(prefix="tracker-sync-"))
    worktree = tmp / "wt"
    try:
        git(repo, "worktree", "add", "--detach", "--quiet", str(worktree), upstream)
        for sha in commits:
            picked = git(worktree, "cherry-pick", "--allow-empty", "--keep-redundant-commits", sha, check=False)
            if picked.returncode == 0:
                continue
            conflicted = out(worktree, "diff", "--name-only", "--diff-filter=U").split()
            foreign = [p for p in conflicted if p not in own_paths]
            if foreign or not conflicted:
                git(worktree, "cherry-pick", "--abort", check=False)
                raise GitError(
                    "your commits and the remote's both changed "
                    f"{', '.join(foreign) or 'the same files'}; merge by hand (`git pull`), then run `tracker sync`"
                )
            # Generated files: take either side now; they are regenerated from the merged journal below.
            git(worktree, "checkout", "--theirs", "--", *conflicted)
            git(worktree, "add", "--", *conflicted)
            git(worktree, "-c", "core.editor=true", "cherry-pick", "--continue")
        written = apply_renderers(worktree, regenerate(worktree))
        if written:
            git(worktree, "add", "--", *written)
            git(worktree, "commit", "--quiet", "-m", message)
        new_head = out(worktree, "rev-parse", "HEAD")
    finally:
        git(repo, "worktree", "remove", "--force", str(worktree), check=False)
        shutil.rmtree(tmp, ignore_errors=True)
        git(repo, "worktree", "prune", check=False)
    # Move the branch; --keep refuses rather than overwrite a file with local changes.
    moved = git(repo, "reset", "--keep", new_head, check=False)
    if moved.returncode != 0:
        raise GitError(
            "your uncommitted changes touch files the remote changed; commit or stash them, then run `tracker sync`"
        )
