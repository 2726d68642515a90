"""Policy versions: reading a rulebook file or a folder of versions of one policy, and choosing
the version in force on a day."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..core.errors import DisputeError, PolicyError, Problem
from ..model.nodes import Policy
from .errors import LedgerError

_SUFFIXES = (".yaml", ".yml")
# loaded rulebooks by (path, modification time, size): a policy is immutable once loaded
_CACHE: dict[tuple[str, int, int] | None, "SourcedPolicy"] = {}
_CACHE_SIZE = 64
# the source texts checked to load back to a policy's digest (digest -> text)
_VERIFIED: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class SourcedPolicy:
    """A loaded version and the text it was loaded from (kept by the ledger by digest)."""

    policy: Policy
    text: str
    name: str


def read_versions(path: str | os.PathLike[str]) -> list[SourcedPolicy]:
    """One rulebook file, or every ``*.yaml``/``*.yml`` of a folder (not its subfolders and not
    ``*.test.yaml`` policy tests); all must load and share one policy id."""
    from ..compile.pipeline import loads_policy

    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.iterdir()
                       if p.is_file() and p.suffix in _SUFFIXES
                       and not p.name.endswith((".test.yaml", ".test.yml")))
        if not files:
            raise LedgerError("policy_unreadable", f"{root}: the folder holds no rulebook",
                              hint="give a rulebook file, or a folder of *.yaml versions")
    else:
        files = [root]
    out = []
    for f in files:
        try:
            st = f.stat()
            key = (str(f.resolve()), st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        hit = _CACHE.get(key) if key is not None else None
        if hit is not None:
            out.append(hit)
            continue
        try:
            text = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError("policy_unreadable", f"cannot read {f}: "
                              f"{getattr(exc, 'strerror', None) or exc}") from None
        try:
            policy = loads_policy(text, str(f))
        except PolicyError as exc:
            first = next((d for d in exc.diagnostics if d.is_error), None)
            detail = first.format_line() if first is not None else str(exc)
            raise LedgerError("policy_unreadable", f"the rulebook {f} does not load: {detail}",
                              hint="run `policyengine lint` on it") from None
        sourced = SourcedPolicy(policy, text, str(f))
        if key is not None:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = sourced
        out.append(sourced)
    ids = sorted({s.policy.id for s in out})
    if len(ids) > 1:
        raise LedgerError("several_policies", f"{root} holds versions of several policies: "
                          + ", ".join(f"`{i}`" for i in ids),
                          hint="keep the versions of one policy id in one folder")
    return out


def loaded_source(policy: Policy) -> SourcedPolicy:
    """A loaded Policy with the text it was loaded from, without reading its file again (the
    file may have changed since, as when a service refused a reload and kept this version).

    The text is the one the loader kept (``policy.sourcemap.source``). It is checked once per
    process to load back to the policy's digest, so that what the ledger records is the source
    of this version; a Policy altered after loading (``dataclasses.replace``) is refused. A
    Policy built without a source map falls back to its file, which must still hold it."""
    sourcemap = policy.sourcemap
    if sourcemap is None:
        if policy.path is None:
            raise LedgerError("policy_unreadable", f"policy `{policy.id}` {policy.version} was "
                              "not loaded from a rulebook, so its source cannot be kept",
                              hint="pass the rulebook's path instead")
        found = [s for s in read_versions(policy.path) if s.policy.digest == policy.digest]
        if not found:
            raise LedgerError("policy_unreadable", f"{policy.path} changed since policy "
                              f"`{policy.id}` {policy.version} was loaded from it",
                              hint="load it again, or pass the path")
        return found[0]
    text = sourcemap.source.text
    name = policy.path if policy.path is not None else sourcemap.source.path
    digest = policy.digest
    known = _VERIFIED.get(digest)
    if known is not text and known != text:
        from ..compile.pipeline import loads_policy

        try:
            again = loads_policy(text, name).digest
        except PolicyError:
            again = None
        if again != digest:
            raise LedgerError("policy_unreadable", f"policy `{policy.id}` {policy.version} "
                              f"differs from the source it was loaded from ({name}): it was "
                              "changed after loading", hint="pass the policy as loaded, or "
                              "the rulebook's path")
        if len(_VERIFIED) >= _CACHE_SIZE:
            _VERIFIED.pop(next(iter(_VERIFIED)))
        _VERIFIED[digest] = text
    return SourcedPolicy(policy, text, name)


def in_force(policy: Policy, day: _dt.date) -> bool:
    meta = policy.meta
    return meta.effective <= day and (meta.expires is None or day <= meta.expires)


def choose(versions: Sequence[SourcedPolicy], day: _dt.date) -> SourcedPolicy:
    """The version in force on ``day``: of several, the one that took effect last (a later
    amendment supersedes an earlier version whose term has not ended); none: the refusal
    ``policy_not_in_force``, listing the terms."""
    live = [v for v in versions if in_force(v.policy, day)]
    if not live:
        terms = "; ".join(f"{v.policy.version}: {v.policy.meta.effective} to "
                          f"{v.policy.meta.expires or 'open-ended'}"
                          for v in sorted(versions, key=lambda v: v.policy.meta.effective))
        raise DisputeError([Problem("policy_not_in_force", f"no version of the policy is in "
                                    f"force on {day} ({terms})", "as_of")])
    live.sort(key=lambda v: (v.policy.meta.effective, v.policy.version))
    best = live[-1]
    ties = [v for v in live if v.policy.meta.effective == best.policy.meta.effective
            and v.policy.digest != best.policy.digest]
    if len(ties) > 1:
        raise LedgerError("several_policies", f"versions {', '.join(v.policy.version for v in ties)}"
                          f" all take effect on {best.policy.meta.effective}",
                          hint="give each version its own `effective` date")
    return best
