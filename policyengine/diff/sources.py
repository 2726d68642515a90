"""Where a policy version comes from: a file, or ``REV:PATH`` read from git.

``REV:PATH`` is read as ``git show REV:PATH`` does, in the current folder's repository, and only
when no file of that name exists (so a file name with a colon still works). ``PATH`` is relative
to the repository's top folder, or to the current folder when it starts with ``./``.
"""

from __future__ import annotations

import os
import subprocess

from ..core.errors import PolicyengineError
from ..model.nodes import Policy

GIT_TIMEOUT = 60  # seconds


class SourceError(PolicyengineError):
    """A policy version cannot be read: no such file, no git, no such revision or path."""


def is_git_spec(spec: str) -> bool:
    """Whether ``spec`` names a git object (``REV:PATH``) rather than an existing file."""
    if os.path.exists(spec):
        return False
    rev, sep, path = spec.partition(":")
    return bool(sep and rev and path) and not (len(rev) == 1 and rev.isalpha() and
                                                path.startswith(("\\", "/")))


def _git(args: list[str], spec: str, cwd: str | None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True,
                              timeout=GIT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise SourceError(f"cannot read `{spec}`: git is not installed (no such file either)"
                          ) from None
    except subprocess.TimeoutExpired:
        raise SourceError(f"cannot read `{spec}`: git did not answer within {GIT_TIMEOUT}s"
                          ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in an argument
        why = getattr(exc, "strerror", None) or "the name contains a NUL character"
        raise SourceError(f"cannot read `{spec}`: cannot run git: {why}") from None


def _git_reason(done: subprocess.CompletedProcess[bytes]) -> str:
    reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
    why = reason[0] if reason else f"git exited with status {done.returncode}"
    for prefix in ("fatal: ", "error: "):
        if why.startswith(prefix):
            why = why[len(prefix):]
    return why


def _inside(spec: str, path: str, cwd: str | None) -> str:
    """``path`` relative to the repository's top folder, refusing any way out of it (an
    absolute path, ``..`` above the top)."""
    if not path or "\0" in path:
        raise SourceError(f"cannot read `{spec}`: no path after the revision")
    if os.path.isabs(path) or path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        raise SourceError(f"cannot read `{spec}`: the path must be relative to the repository, "
                          "not absolute")
    relative_to_cwd = path.startswith(("./", "../")) or path in (".", "..")
    if relative_to_cwd:
        done = _git(["rev-parse", "--show-prefix"], spec, cwd)
        if done.returncode != 0:
            raise SourceError(f"cannot read `{spec}` from git: {_git_reason(done)}")
        prefix = done.stdout.decode("utf-8", "replace").strip()
        path = prefix + path
    parts: list[str] = []
    for part in path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise SourceError(f"cannot read `{spec}`: the path leads out of the repository")
            parts.pop()
            continue
        parts.append(part)
    if not parts:
        raise SourceError(f"cannot read `{spec}`: the path names the repository's top folder, "
                          "not a file")
    return "/".join(parts)


def read_git(spec: str, *, cwd: str | None = None) -> bytes:
    """The bytes of ``REV:PATH`` (as ``git show REV:PATH``). Raises SourceError with git's reason.

    The revision is never read as an option: one starting with ``-`` is refused, it is resolved
    to a commit first (``git rev-parse --verify --quiet --end-of-options REV^{commit}``) and
    only that commit's id reaches ``git show``; the path must stay inside the repository."""
    rev, _, path = spec.partition(":")
    if not rev or rev.startswith("-") or "\0" in rev or any(c in rev for c in "\n\r"):
        raise SourceError(f"cannot read `{spec}`: `{rev}` is not a revision (a revision "
                          "cannot start with `-`)")
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                spec, cwd)
    if done.returncode != 0:
        inside = _git(["rev-parse", "--git-dir"], spec, cwd)
        if inside.returncode != 0:
            raise SourceError(f"cannot read `{spec}` from git: {_git_reason(inside)}")
        raise SourceError(f"cannot read `{spec}` from git: no commit `{rev}` in this "
                          "repository")
    commit = done.stdout.decode("ascii", "replace").strip()
    if not commit or not all(c in "0123456789abcdef" for c in commit):
        raise SourceError(f"cannot read `{spec}` from git: `{rev}` does not name one commit")
    inside_path = _inside(spec, path, cwd)
    shown = _git(["show", "--no-textconv", "--end-of-options", f"{commit}:{inside_path}"],
                 spec, cwd)
    if shown.returncode != 0:
        why = _git_reason(shown).replace(f"'{commit}'", f"`{rev}`").replace(commit, rev)
        raise SourceError(f"cannot read `{spec}` from git: {why}")
    return shown.stdout


def load_version(spec: "str | os.PathLike[str] | Policy") -> Policy:
    """A loaded policy: given as is, read from a file, or from git (``REV:PATH``).
    Raises SourceError when it cannot be read and PolicyError when it does not load."""
    from ..compile.pipeline import load_policy, loads_policy

    if isinstance(spec, Policy):
        return spec
    text = os.fspath(spec)
    if is_git_spec(text):
        return loads_policy(read_git(text), text)
    if not os.path.exists(text):
        raise SourceError(f"no such file: `{text}`")
    if os.path.isdir(text):
        raise SourceError(f"`{text}` is a folder, not a rulebook file")
    return load_policy(text)
