"""``policyengine init``: the files of a new policy repository.

A starter rulebook with comments, its policy test, the JSON Schemas both are validated with
(written beside them, so that the ``$schema`` comments resolve without this package's checkout),
an example dispute, a pre-commit configuration and a CI workflow. The starter lints clean with
``--strict`` and its test passes; ``tests/unit/test_scaffold.py`` holds it to that.

Nothing is overwritten: when any file exists already, nothing is written at all.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import PolicyengineError
from ..load.schema import schema_path

_TEMPLATES = Path(__file__).resolve().parent / "_templates"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
DEFAULT_ID = "channel-conflict"


class ScaffoldError(PolicyengineError):
    """The scaffold cannot be written (files exist, a bad id, an unwritable folder)."""


@dataclass(frozen=True, slots=True)
class ScaffoldFile:
    path: str  # relative to the target folder, with `/`
    content: bytes
    what: str  # one line for the summary


def _template(name: str, values: dict[str, str]) -> bytes:
    text = (_TEMPLATES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text.encode("utf-8")


def scaffold_files(policy_id: str = DEFAULT_ID, *, effective: _dt.date | None = None,
                   version: str = "0.0.0") -> list[ScaffoldFile]:
    """The files ``init`` writes, for a policy named ``policy_id`` in force from ``effective``
    (default today); ``version`` pins the package in the CI workflow and pre-commit hook."""
    if not _ID.match(policy_id):
        raise ScaffoldError(f"`{policy_id}` is not a policy id: use a letter, then letters, "
                            "digits, `_` or `-` (64 characters at most)")
    day = effective or _dt.date.today()
    values = {"ID": policy_id, "EFFECTIVE": day.isoformat(), "AS_OF": day.isoformat(),
              "DAY_BEFORE": (day - _dt.timedelta(days=1)).isoformat(), "VERSION": version}
    policies = "policies"
    return [
        ScaffoldFile(f"{policies}/{policy_id}.yaml", _template("rulebook.yaml", values),
                     "the starter rulebook"),
        ScaffoldFile(f"{policies}/{policy_id}.test.yaml",
                     _template("rulebook.test.yaml", values), "its policy test"),
        ScaffoldFile(f"{policies}/policy.schema.json", schema_path("policy").read_bytes(),
                     "the rulebook's JSON Schema (for editors)"),
        ScaffoldFile(f"{policies}/policytest.schema.json",
                     schema_path("policytest").read_bytes(),
                     "the policy test's JSON Schema (for editors)"),
        ScaffoldFile(f"examples/{policy_id}--pricing.json", _template("dispute.json", values),
                     "an example dispute"),
        ScaffoldFile(".pre-commit-config.yaml", _template("pre-commit-config.yaml", values),
                     "pre-commit: lint and test on every commit"),
        ScaffoldFile(".github/workflows/policy.yml", _template("workflow.yml", values),
                     "CI: lint and test on every push"),
    ]


def write_scaffold(target: str | os.PathLike[str], files: list[ScaffoldFile]) -> list[Path]:
    """Write ``files`` under ``target`` (created if missing); returns the paths written.

    Raises ScaffoldError, having written nothing, when any of them exists already."""
    root = Path(target)
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"`{root}` is a file, not a folder")
    existing = [f.path for f in files if (root / f.path).exists()]
    if existing:
        raise ScaffoldError(f"{root}: would overwrite {', '.join(f'`{p}`' for p in existing)}; "
                            "nothing was written (choose an empty folder or move those files)")
    written: list[Path] = []
    try:
        for f in files:
            path = root / f.path
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as fh:  # "x": never replace a file that appeared meanwhile
                fh.write(f.content)
            written.append(path)
    except OSError as exc:
        for path in reversed(written):  # leave no half-written scaffold behind
            path.unlink(missing_ok=True)
        raise ScaffoldError(f"cannot write {exc.filename or root}: "
                            f"{exc.strerror or exc}") from None
    return written
