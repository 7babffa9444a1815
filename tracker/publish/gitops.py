"""Git operations on the learner's repository (GitPython).

For now: reading committed versions of files, so that `tracker reset` can restore a stub exactly as the
course shipped it.
"""

from __future__ import annotations

from pathlib import Path

STUB_MARKERS = (b"raise NotImplementedError", b"= None")


def _repo(path: Path):
    import git

    try:
        return git.Repo(path, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def committed_file(repo_path: Path, rel: str) -> bytes | None:
    """The newest committed version of ``rel`` that is still a stub (it raises NotImplementedError or
    holds unanswered ``= None`` answers); else the version that first added it; None without git history."""
    import git

    repo = _repo(repo_path)
    if repo is None:
        return None
    try:
        shas = repo.git.log("--format=%H", "--", rel).split()
    except git.GitCommandError:
        return None
    versions = []
    for sha in shas:
        try:
            blob = repo.commit(sha).tree / rel
        except KeyError:
            continue
        versions.append(blob.data_stream.read())
    for data in versions:
        if any(marker in data for marker in STUB_MARKERS):
            return data
    return versions[-1] if versions else None
