"""The ledger over HTTP (filled in once the ledger's API is merged)."""

from __future__ import annotations

from typing import Any

LEDGER_ROUTES: list[tuple[str, str, Any, str | None]] = []
LEDGER_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {}
LEDGER_COMPONENTS: dict[str, Any] = {}
