"""Git operations on the learner's repository.

- Commits are built in a temporary index from the tracker's own files only, so the learner's staged and
  unstaged changes are never committed and never lost.
- Pushing never prompts (no terminal, batch-mode SSH, a time limit) and never forces. A rejected push
  fetches, replays the local commits onto the remote branch in a temporary worktree, regenerates the
  generated files from the merged journal, moves the branch with ``git reset --keep`` (which keeps local
  changes) and tries again, a bounded number of times. Offline, the commit stays and waits.
- In the middle of a merge, rebase or cherry-pick, or on a detached HEAD, every operation refuses.
- The learner's ``pre-commit`` and ``commit-msg`` hooks run for the tracker's commits (on the tracker's
  temporary index), and ``pre-push`` for its pushes; a hook that refuses stops the commit or the push, and
  its own words are what the learner reads.
- Sync moves the branch without ``git reset``: files the learner changed are merged three ways, and the
  index is put back exactly as it was (what they staged stays staged).
- A ``.git/index.lock`` left by a tracker that died is removed; anyone else's is reported with the fix.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

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


OWNER = "tracker-index.pid"  # in the git folder while the tracker changes the index: whose lock it is


@contextmanager
def index_lock(repo: Path) -> Iterator[list[str]]:
    """Around every change to the learner's index: a lock left by a dead tracker is removed (and said so in
    the list yielded); a lock held by anything else stops the operation with the exact fix."""
    gd = git_dir(repo)
    lock, owner = gd / "index.lock", gd / OWNER
    notes: list[str] = []
    if owner.exists():
        try:
            pid = int(owner.read_text(encoding="ascii").strip() or 0)
        except (OSError, ValueError):
            pid = 0
        if _alive(pid) and pid != os.getpid():
            raise GitError(f"another tracker (process {pid}) is changing this repository; let it finish, then try again")
        if lock.exists():
            lock.unlink(missing_ok=True)
            notes.append(f"removed {lock}, left behind by a tracker that was stopped (process {pid})")
        owner.unlink(missing_ok=True)
    if lock.exists():
        raise GitError(
            f"git's index is locked ({lock} exists): another git command is running, or one was killed. "
            f"If no git command, editor or IDE is working in this repository, remove the lock with `rm {lock}`, "
            "then run `tracker sync`"
        )
    owner.write_text(f"{os.getpid()}\n", encoding="ascii")
    try:
        yield notes
    finally:
        owner.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class HookRefused(GitError):
    pass


def run_hook(repo: Path, name: str, *args: str, env: dict | None = None) -> None:
    """Run the learner's hook ``name`` as git would (core.hooksPath honoured); raise HookRefused with the
    hook's own output when it refuses."""
    hook = Path(out(repo, "rev-parse", "--git-path", f"hooks/{name}"))
    hook = hook if hook.is_absolute() else repo / hook
    if not (hook.is_file() and os.access(hook, os.X_OK)):
        return
    top = Path(out(repo, "rev-parse", "--show-toplevel"))
    try:
        done = subprocess.run([str(hook), *args], cwd=top, env=env or _env(), capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=PUSH_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise HookRefused(f"your {name} hook ran longer than {PUSH_TIMEOUT} s and was stopped; nothing was committed") from None
    if done.returncode != 0:
        said = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
        raise HookRefused(f"your {name} hook refused the commit (exit {done.returncode})" + (f": {said}" if said else ""))


def head(repo: Path) -> str | None:
    done = git(repo, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    return done.stdout.decode().strip() or None


def committed_bytes(repo: Path, rev: str, rel: str) -> bytes | None:
    done = git(repo, "show", f"{rev}:{rel}", check=False)
    return done.stdout if done.returncode == 0 else None


def committed_text(repo: Path, rev: str, rel: str) -> str | None:
    data = committed_bytes(repo, rev, rel)
    # surrogateescape: a journal with a damaged (binary) line still round-trips byte for byte.
    return data.decode("utf-8", "surrogateescape") if data is not None else None


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
    notes: list[str] = field(default_factory=list)
    coalesced: bool = False  # folded into the tracker's previous commit, which was not pushed yet


GROUP, SINCE = "Tracker-Group", "Tracker-Since"


def _trailers(message: str) -> dict[str, str]:
    found = {}
    for line in message.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in (GROUP, SINCE):
            found[key] = value.strip()
    return found


def pushed(repo: Path, rev: str) -> bool:
    """Whether a remote-tracking branch already holds rev (then it must never be rewritten)."""
    return bool(out(repo, "branch", "-r", "--contains", rev, check=False))


def _coalesce_with(repo: Path, tip: str, group: str | None, now: float, window: float) -> tuple[str, list[str], str] | None:
    """(parent, earlier subjects, since) when the next commit may replace tip: the tracker's own commit of the
    same group, begun less than ``window`` seconds ago, with one parent, not pushed anywhere."""
    if not group or window <= 0:
        return None
    message = out(repo, "log", "-1", "--format=%B", tip)
    found = _trailers(message)
    if found.get(GROUP) != group:
        return None
    try:
        since = float(found.get(SINCE, ""))
    except ValueError:
        return None
    parents = out(repo, "log", "-1", "--format=%P", tip).split()
    if now - since > window or len(parents) != 1 or pushed(repo, tip):
        return None
    lines = [line for line in message.splitlines() if line.strip() and not line.startswith((GROUP, SINCE))]
    earlier = [lines[0]] + [line[2:] for line in lines[1:] if line.startswith("- ")] if lines else []
    return parents[0], earlier, found[SINCE]


def commit_files(repo: Path, renderers: dict[str, Renderer], message: str, plain: list[str] = (),
                 only_if_rendered_changed: bool = False, *, include_edits: bool = False, group: str | None = None,
                 now: float | None = None, window: float = 0) -> CommitResult:
    """Commit the tracker's own files without touching the learner's index or other files.

    ``renderers`` produce generated files: each is applied to the committed version (what gets committed)
    and to the working-tree version (what gets written), so edits the learner has not committed stay
    uncommitted, unless ``include_edits`` (a sync publishes their hand edits of those files too).
    ``plain`` files (the journal) are committed as they are in the working tree; with
    ``only_if_rendered_changed`` they alone do not make a commit (a re-grade that changes nothing visible
    waits for the next commit or `tracker sync`). Commits of one ``group`` made within ``window`` seconds
    of the group's first become one commit, as long as it was not pushed.
    """
    ensure_safe(repo)
    tip = head(repo)
    if tip is None:
        raise GitError("the repository has no commit yet; commit the course first")
    now = time.time() if now is None else now
    blobs: dict[str, str] = {}
    before = {rel: (repo / rel).read_text(encoding="utf-8") if (repo / rel).exists() else "" for rel in renderers}
    apply_renderers(repo, renderers)
    for rel, render in renderers.items():
        committed = committed_text(repo, tip, rel) or ""
        current = (repo / rel).read_text(encoding="utf-8")
        # What the learner changed and did not commit stays uncommitted: render over the committed text.
        blobs[rel] = current if include_edits or committed == before[rel] else render(committed)
    for rel in plain:
        path = repo / rel
        if path.exists():
            blobs[rel] = path.read_text(encoding="utf-8", errors="surrogateescape")
    changed = [rel for rel, text in blobs.items() if committed_text(repo, tip, rel) != text]
    if not changed or (only_if_rendered_changed and not set(changed) & set(renderers)):
        return CommitResult(None, [])
    fold = _coalesce_with(repo, tip, group, now, window)
    parent, earlier, since = fold if fold else (tip, [], f"{now:.0f}")
    body = "".join(f"- {line}\n" for line in earlier[:40])
    trailers = f"{GROUP}: {group}\n{SINCE}: {since}\n" if group else ""
    full = "\n\n".join(part.rstrip("\n") for part in (message, body, trailers) if part) + "\n"
    with tempfile.TemporaryDirectory(prefix="tracker-index-") as tmp:
        env = _env()
        env["GIT_INDEX_FILE"] = str(Path(tmp) / "index")
        git(repo, "read-tree", tip, env=env)
        for rel in changed:
            sha = out(repo, "hash-object", "-w", "--stdin", input=blobs[rel].encode("utf-8", "surrogateescape"))
            git(repo, "update-index", "--add", "--cacheinfo", f"100644,{sha},{rel}", env=env)
        tree = out(repo, "write-tree", env=env)
        run_hook(repo, "pre-commit", env=env)
        msg_file = Path(tmp) / "COMMIT_EDITMSG"
        msg_file.write_text(full, encoding="utf-8")
        run_hook(repo, "commit-msg", str(msg_file), env=env)
        full = msg_file.read_text(encoding="utf-8")
    commit = out(repo, "commit-tree", tree, "-p", parent, input=full.encode("utf-8"))
    with index_lock(repo) as notes:
        git(repo, "update-ref", "-m", f"tracker: {message}", "HEAD", commit, tip)
        # Bring the learner's index in line for our files only, unless they staged something there themselves.
        for rel in changed:
            staged = git(repo, "diff", "--cached", "--quiet", tip, "--", rel, check=False).returncode != 0
            if not staged:
                git(repo, "reset", "-q", commit, "--", rel, check=False)
    return CommitResult(commit, changed, notes, coalesced=fold is not None)


@dataclass
class SyncResult:
    pushed: bool
    message: str
    refused: bool = False  # the remote or a hook said no: the learner must act (the CLI exits non-zero)
    notes: list[str] = field(default_factory=list)


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


def unpushed(repo: Path) -> int | None:
    """How many commits of this branch its remote lacks (as last seen here); None without a remote."""
    try:
        branch = ensure_safe(repo)
    except GitError:
        return None
    target = remote_of(repo, branch)
    if target is None:
        return None
    ref = f"refs/remotes/{target[0]}/{target[1]}"
    if git(repo, "rev-parse", "--verify", "--quiet", ref, check=False).returncode != 0:
        return int(out(repo, "rev-list", "--count", "HEAD") or 0)
    return int(out(repo, "rev-list", "--count", f"{ref}..HEAD") or 0)


OFFLINE = ("unable to access", "could not read from remote", "could not resolve", "does not appear to be a git repository",
           "connection refused", "connection timed out", "network is unreachable", "took longer than")


def _push(repo: Path, remote: str, branch: str, rev: str = "HEAD") -> tuple[str, str]:
    """('ok' | 'rejected' | 'refused' | 'offline', git's own words). Never forces; runs the pre-push hook."""
    try:
        done = git(repo, "push", "--porcelain", remote, f"{rev}:refs/heads/{branch}", timeout=PUSH_TIMEOUT, check=False)
    except GitError as exc:
        return "offline", str(exc)
    text = (done.stderr + done.stdout).decode("utf-8", "replace").strip()
    if done.returncode == 0:
        return "ok", "pushed"
    said = "; ".join(line.strip() for line in text.splitlines() if line.strip() and not line.startswith(("To ", "Done")))
    if "[rejected]" in text and ("fetch first" in text or "non-fast-forward" in text):
        return "rejected", said
    if any(words in text.lower() for words in OFFLINE):
        return "offline", said or "unknown error"
    return "refused", said or f"git push exited {done.returncode}"


def sync(repo: Path, regenerate: Callable[[Path], dict[str, Renderer]], message: str = "sync: regenerate dashboard",
         own_paths: tuple[str, ...] = ()) -> SyncResult:
    """Push local progress; on rejection, replay onto the remote and regenerate, then retry (bounded)."""
    branch = ensure_safe(repo)
    target = remote_of(repo, branch)
    if target is None:
        return SyncResult(False, "no git remote: progress is committed on this machine only")
    remote, remote_branch = target
    notes: list[str] = []
    rev = "HEAD"
    for _ in range(PUSH_ATTEMPTS):
        status, text = _push(repo, remote, remote_branch, rev)
        if status == "ok":
            if rev != "HEAD":
                return SyncResult(True, f"pushed to {remote}/{remote_branch}; but {stuck}", refused=True, notes=notes)
            return SyncResult(True, f"pushed to {remote}/{remote_branch}", notes=notes)
        if status == "offline":
            return SyncResult(False, f"could not reach {remote} ({text}); the commits stay here and go with the next sync",
                              notes=notes)
        if status == "refused":
            return SyncResult(False, f"the push to {remote}/{remote_branch} was refused, nothing was pushed: {text}",
                              refused=True, notes=notes)
        try:
            git(repo, "fetch", "--quiet", remote, f"+{remote_branch}:refs/remotes/{remote}/{remote_branch}",
                timeout=PUSH_TIMEOUT)
        except GitError as exc:
            return SyncResult(False, f"could not fetch from {remote} ({exc}); the commits stay here", notes=notes)
        new_head, merged_notes = _replay(repo, f"refs/remotes/{remote}/{remote_branch}", regenerate, message, own_paths)
        notes += merged_notes
        stuck = move_branch(repo, new_head, own_paths, notes)
        # The merged history goes out even when this checkout cannot move onto it yet: the journal gets there.
        rev = "HEAD" if stuck is None else new_head
    return SyncResult(False, f"the remote kept moving; gave up after {PUSH_ATTEMPTS} tries (run `tracker sync` again)",
                      notes=notes)


def _replay(repo: Path, upstream_ref: str, regenerate, message: str,
            own_paths: tuple[str, ...]) -> tuple[str, list[str]]:
    """The local commits replayed onto upstream in a temporary worktree; returns (the new tip, notes).
    Conflicts in the tracker's shared files are merged without dropping the learner's words."""
    from tracker.publish.merge import MERGERS, Merged, merge_lines

    upstream = out(repo, "rev-parse", upstream_ref)
    local = head(repo)
    notes: list[str] = []
    if out(repo, "merge-base", upstream, local) == upstream:
        return local, notes  # nothing to replay: the remote is behind or equal
    # Commits whose change the remote already holds (an earlier sync pushed them) are not replayed again.
    commits = out(repo, "rev-list", "--reverse", "--no-merges", "--cherry-pick", "--right-only",
                  f"{upstream}...{local}").split()
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
            for rel in conflicted:
                base, ours = committed_text(repo, f"{sha}^", rel) or "", committed_text(repo, sha, rel) or ""
                theirs = committed_text(worktree, "HEAD", rel) or ""
                if rel in MERGERS or rel.startswith("journal/"):
                    merged = MERGERS.get(rel, lambda b, o, t, rel=rel: merge_lines(b, o, t, rel))(base, ours, theirs)
                else:  # a generated file (the heatmap, the site): regenerated from the merged journal below
                    merged = Merged(theirs)
                (worktree / rel).write_text(merged.text, encoding="utf-8")
                notes += [n for n in merged.notes if n not in notes]
            git(worktree, "add", "--", *conflicted)
            git(worktree, "-c", "core.editor=true", "cherry-pick", "--continue")
        written = apply_renderers(worktree, regenerate(worktree))
        if written:
            git(worktree, "add", "--", *written)
            done = git(worktree, "commit", "--quiet", "-m", message, check=False)
            if done.returncode != 0:
                said = (done.stdout + done.stderr).decode("utf-8", "replace").strip()
                raise HookRefused(f"the commit of the regenerated dashboard was refused: {said}")
        return out(worktree, "rev-parse", "HEAD"), notes
    finally:
        git(repo, "worktree", "remove", "--force", str(worktree), check=False)
        shutil.rmtree(tmp, ignore_errors=True)
        git(repo, "worktree", "prune", check=False)


def _index_entries(repo: Path) -> dict[str, str]:
    """path -> 'mode sha stage' of the learner's index."""
    entries = {}
    for line in out(repo, "ls-files", "-s", "-z").split("\0"):
        if line:
            info, _, path = line.partition("\t")
            entries[path] = info
    return entries


def move_branch(repo: Path, new: str, own_paths: tuple[str, ...], notes: list[str]) -> str | None:
    """Move the branch to ``new``, as ``git reset --keep`` would but without losing anything: a file the
    learner changed is merged three ways with the remote's change, and the index ends as the learner left it
    (what they staged stays staged). Returns None once moved, or why this checkout stays where it was."""
    from tracker.publish.merge import MERGERS, merge_lines

    old = head(repo)
    if old == new:
        return None
    changed = [p for p in out(repo, "diff", "--name-only", "-z", old, new).split("\0") if p]
    writes: dict[str, bytes | None] = {}
    collide = ("your uncommitted changes to {} and the remote's {}, so this checkout stays as it was; commit or "
               "stash them, then run `tracker sync`")
    for rel in changed:
        path = repo / rel
        base, theirs = committed_bytes(repo, old, rel), committed_bytes(repo, new, rel)
        mine = path.read_bytes() if path.is_file() else None
        if mine == base or mine == theirs:
            writes[rel] = theirs
            continue
        try:
            texts = [None if b is None else b.decode("utf-8") for b in (base, mine, theirs)]
        except UnicodeDecodeError:
            return collide.format(rel, "collide")
        base_t, mine_t, theirs_t = texts
        if rel in MERGERS and mine_t is not None and theirs_t is not None:
            merged = MERGERS[rel](base_t or "", mine_t, theirs_t)
            merged.text = _with_sections_of(rel, merged.text, theirs_t)  # generated parts: the remote's, fresh
        elif None not in texts:
            merged = merge_lines(base_t, mine_t, theirs_t, rel)
            if merged.notes:
                return collide.format(rel, "overlap")
        else:
            return collide.format(rel, "collide")
        notes += [n for n in merged.notes if n not in notes]
        writes[rel] = merged.text.encode("utf-8")
    modes = {}
    for line in out(repo, "ls-tree", "-z", new, "--", *changed).split("\0") if changed else []:
        if line:
            info, _, rel = line.partition("\t")
            modes[rel] = info.split()[0]
    with index_lock(repo) as lock_notes:
        notes += lock_notes
        before = _index_entries(repo)
        staged = set(p for p in out(repo, "diff", "--cached", "--name-only", "-z", old).split("\0") if p)
        for rel, data in writes.items():
            path = repo / rel
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                if modes.get(rel) == "100755":
                    path.chmod(path.stat().st_mode | 0o111)
        git(repo, "read-tree", new)
        info = []
        for rel in staged - set(changed):
            if rel in before:
                info.append(f"{before[rel]}\t{rel}")
            else:
                info.append(f"0 {'0' * 40}\t{rel}")  # staged for deletion: stays so
        if info:
            git(repo, "update-index", "--index-info", input=("\n".join(info) + "\n").encode("utf-8"))
        git(repo, "update-index", "-q", "--refresh", check=False)
        git(repo, "update-ref", "-m", "tracker: sync", "HEAD", new, old)
    return None


def _with_sections_of(rel: str, text: str, rendered: str) -> str:
    """For the README: the learner's merged text with the generated sections of ``rendered``; for the log:
    the merged text as it is (its entries are already whole)."""
    from tracker.publish import readme

    if rel != "README.md":
        return text
    try:
        spans = readme.find_sections(rendered)
        return readme.replace_sections(text, {sp.name: rendered[sp.start:sp.end] for sp in spans})
    except readme.MarkerError:
        return text
