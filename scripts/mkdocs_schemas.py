"""MkDocs hook: publish schemas/*.json under the site's schemas/, where their ``$id`` points
(``<site_url>schemas/policy.schema.json``), so that an editor or a validator can fetch them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def on_post_build(config: Any, **kwargs: Any) -> None:
    target = Path(config["site_dir"]) / "schemas"
    target.mkdir(parents=True, exist_ok=True)
    for schema in sorted((ROOT / "schemas").glob("*.schema.json")):
        shutil.copyfile(schema, target / schema.name)
