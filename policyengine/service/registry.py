"""The policies a service decides with: a folder of rulebooks, loaded and linted, swapped
atomically.

A rulebook becomes active only when it loads and lint finds no error in it (warnings do not
block; the lint configuration found above the folder applies, so suppressed and baselined
findings do not block either). A file that changes is reloaded the same way; when the new
content is refused, the version loaded before stays in use and the refusal is kept as that
policy's last reload outcome. Readers take :attr:`PolicyRegistry.snapshot` once per request:
it is an immutable value that a reload replaces with one assignment, so a request in flight
finishes on the versions it started with.

Several files may hold versions of one policy id (``policies/acme-2026.yaml``,
``policies/acme-2027.yaml``). The version that decides on a day is the one in force on that
day (``effective <= day <= expires``); when several are, the one with the latest ``effective``
date, then the one loaded last. A version of a policy id that another file already holds
(same id, same version) is refused.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from ..core.diagnostics import Diagnostic, Severity, sort_diagnostics
from ..load import DEFAULT_MAX_BYTES
from ..model.nodes import Policy


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _stamp(at: _dt.datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One loaded, lint-clean rulebook file."""

    policy: Policy
    path: str
    loaded_at: _dt.datetime
    serial: int  # order of activation (later wins among versions with the same effective date)

    @property
    def id(self) -> str:
        return self.policy.id

    def in_force(self, day: _dt.date) -> bool:
        meta = self.policy.meta
        return meta.effective <= day and (meta.expires is None or day <= meta.expires)

    def to_dict(self, *, active: bool) -> dict[str, Any]:
        meta = self.policy.meta
        return {"id": meta.id, "version": meta.version, "digest": self.policy.digest,
                "effective": meta.effective.isoformat(),
                "expires": meta.expires.isoformat() if meta.expires else None,
                "active": active}


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What happened the last time a file was (re)read: ``loaded``, ``refused`` or
    ``removed``; ``diagnostics``: the lint findings (the errors that refused it, or the
    warnings of a loaded version)."""

    path: str
    policy_id: str | None
    status: str
    at: _dt.datetime
    version: str | None = None
    digest: str | None = None
    reason: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.path, "status": self.status, "at": _stamp(self.at),
                "version": self.version, "digest": self.digest, "reason": self.reason,
                "diagnostics": [d.to_dict() for d in self.diagnostics]}


@dataclass(frozen=True)
class Snapshot:
    """The versions in use at one moment (immutable)."""

    versions: Mapping[str, tuple[PolicyVersion, ...]] = field(default_factory=dict)
    outcomes: Mapping[str, ReloadOutcome] = field(default_factory=dict)  # by policy id
    loaded: bool = False  # the first scan has finished
    refused_files: tuple[str, ...] = ()

    def ids(self) -> list[str]:
        return sorted(set(self.versions) | set(self.outcomes))

    def active(self, policy_id: str, day: _dt.date | None = None) -> PolicyVersion | None:
        """The version in force on ``day`` (default: today)."""
        day = day if day is not None else _dt.date.today()
        candidates = [v for v in self.versions.get(policy_id, ()) if v.in_force(day)]
        if not candidates:
            return None
        return max(candidates, key=lambda v: (v.policy.meta.effective, v.serial))

    def for_decision(self, policy_id: str, as_of: _dt.date | None) -> PolicyVersion | None:
        """The version that decides a dispute as of ``as_of``: the one in force then; when
        none is, the one active today (the library then refuses with
        ``policy_not_in_force``), else the latest."""
        versions = self.versions.get(policy_id, ())
        if not versions:
            return None
        chosen = self.active(policy_id, as_of) if as_of is not None else None
        return (chosen or self.active(policy_id)
                or max(versions, key=lambda v: (v.policy.meta.effective, v.serial)))

    def listing(self, day: _dt.date | None = None) -> list[dict[str, Any]]:
        out = []
        for policy_id in sorted(self.versions):
            active = self.active(policy_id, day)
            for v in sorted(self.versions[policy_id],
                            key=lambda v: (v.policy.meta.effective, v.serial)):
                out.append(v.to_dict(active=v is active))
        return out


@dataclass
class _FileState:
    sha256: str
    outcome: ReloadOutcome
    version: PolicyVersion | None  # the version in use from this file (kept when refused)


Listener = Callable[[ReloadOutcome], None]


class PolicyRegistry:
    """Loads the rulebooks of ``folder`` (see the module docstring). ``scan()`` reads the
    folder again and loads what changed; it is serialized by a lock, so the watcher and a
    test may both call it."""

    def __init__(self, folder: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                 lint_config: Any = None, listener: Listener | None = None) -> None:
        self.folder = os.fspath(folder)
        self.max_bytes = max_bytes
        self._config = lint_config
        self._listener = listener
        self._files: dict[str, _FileState] = {}
        self._lock = threading.Lock()
        self._serial = 0
        self._last: dict[str, ReloadOutcome] = {}  # the last reload outcome of each policy id
        self.snapshot = Snapshot()

    def serving(self, path: str) -> bool:
        """True unless the file is known and no version of it is in use (it was refused and
        nothing loaded before)."""
        state = self._files.get(path)
        return state is None or state.version is not None

    def _lint_config(self) -> Any:
        if self._config is None:
            from ..lint.config import load_config

            self._config = load_config(start=self.folder)
        return self._config

    def scan(self) -> list[ReloadOutcome]:
        """Reload the folder; returns the outcomes of the files that changed."""
        from ..lint import collect_files

        with self._lock:
            files, _ = collect_files([self.folder]) if Path(self.folder).is_dir() else ([], [])
            outcomes: list[ReloadOutcome] = []
            seen = set()
            for path in files:
                seen.add(path)
                try:
                    data = Path(path).read_bytes()
                except OSError:
                    continue  # vanished between the listing and the read: the next scan sees it
                sha = hashlib.sha256(data).hexdigest()
                state = self._files.get(path)
                if state is not None and state.sha256 == sha:
                    continue
                outcome, version = self._load(path, state)
                self._files[path] = _FileState(sha, outcome, version)
                outcomes.append(outcome)
            for path in sorted(set(self._files) - seen):
                state = self._files.pop(path)
                outcome = ReloadOutcome(path, state.outcome.policy_id, "removed", _now(),
                                        reason="the file was removed")
                outcomes.append(outcome)
            for outcome in outcomes:
                if outcome.policy_id is not None:
                    self._last[outcome.policy_id] = outcome
            self._publish()
        for outcome in outcomes:
            if self._listener is not None:
                self._listener(outcome)
        return outcomes

    def _load(self, path: str, state: _FileState | None
              ) -> tuple[ReloadOutcome, PolicyVersion | None]:
        from ..lint import LintContext, lint_policy_file
        from ..compile.pipeline import inspect_file

        previous = state.version if state is not None else None
        previous_id = state.outcome.policy_id if state is not None else None
        result = inspect_file(path, max_bytes=self.max_bytes)
        policy = result.policy
        draft_id = result.draft.id if result.draft is not None else previous_id
        if policy is None:
            diags = tuple(sort_diagnostics(d for d in result.diagnostics if d.is_error))
            return (ReloadOutcome(path, draft_id, "refused", _now(),
                                  reason="the rulebook does not load", diagnostics=diags),
                    previous)
        config = self._lint_config()
        context = LintContext(_dt.date.today(), config.solver_timeout, config.analysis_budget)
        diags_list, source = lint_policy_file(path, context, max_bytes=self.max_bytes,
                                              enabled=config.enabled)
        diags = tuple(sort_diagnostics(config.apply(diags_list, source)))
        meta = policy.meta
        if any(d.is_error for d in diags):
            return (ReloadOutcome(path, meta.id, "refused", _now(), meta.version,
                                  policy.digest, reason="lint found errors",
                                  diagnostics=tuple(d for d in diags if d.is_error)),
                    previous)
        for other_path, other in self._files.items():
            v = other.version
            if other_path != path and v is not None and v.id == meta.id \
                    and v.policy.version == meta.version:
                return (ReloadOutcome(path, meta.id, "refused", _now(), meta.version,
                                      policy.digest, reason=f"version {meta.version} of "
                                      f"`{meta.id}` is also in {other_path}"), previous)
        self._serial += 1
        version = PolicyVersion(policy, path, _now(), self._serial)
        return (ReloadOutcome(path, meta.id, "loaded", version.loaded_at, meta.version,
                              policy.digest, diagnostics=diags), version)

    def _publish(self) -> None:
        versions: dict[str, list[PolicyVersion]] = {}
        refused = []
        for path, state in self._files.items():
            if state.version is not None:
                versions.setdefault(state.version.id, []).append(state.version)
            if state.outcome.status == "refused":
                refused.append(path)
        self.snapshot = Snapshot({k: tuple(v) for k, v in versions.items()}, dict(self._last),
                                 loaded=True, refused_files=tuple(sorted(refused)))
