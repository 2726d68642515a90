"""Where a policy version comes from: a file, or ``REV:PATH`` read from git.

``REV:PATH`` is read as ``git show REV:PATH`` does, in the current folder's repository, and only
when no file of that name exists (so a file name with a colon still works). ``PATH`` is relative
to the repository's top folder, or to the current folder when it starts with ``./``.
"""

from __future__ import annotations

import os
import subprocess

from ..errors import PolicyengineError
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


def read_git(spec: str, *, cwd: str | None = None) -> bytes:
    """The bytes of ``REV:PATH`` (``git show``). Raises SourceError with git's reason."""
    rev, _, path = spec.partition(":")
    try:
        done = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=cwd, capture_output=True,
                              timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise SourceError(f"cannot read `{spec}`: git is not installed (no such file either)"
                          ) from None
    except subprocess.TimeoutExpired:
        raise SourceError(f"cannot read `{spec}`: git did not answer within {GIT_TIMEOUT}s"
                          ) from None
    except OSError as exc:
        raise SourceError(f"cannot read `{spec}`: cannot run git: {exc.strerror}") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = reason[0] if reason else f"git exited with status {done.returncode}"
        for prefix in ("fatal: ", "error: "):
            if why.startswith(prefix):
                why = why[len(prefix):]
        raise SourceError(f"cannot read `{spec}` from git: {why}")
    return done.stdout


def load_version(spec: "str | os.PathLike[str] | Policy") -> Policy:
    """A loaded policy: given as is, read from a file, or from git (``REV:PATH``).
    Raises SourceError when it cannot be read and PolicyError when it does not load."""
    from ..pipeline import load_policy, loads_policy

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
