"""Bearer tokens for the decision service: only their hashes are stored.

A token is ``pe_`` + 43 URL-safe characters (32 random bytes). The tokens file is JSON::

    {"version": 1, "tokens": [{"name": "deal-desk", "sha256": "<hex>",
                               "scopes": ["decide", "read"], "created": "2026-12-01T10:00:00Z"}]}

It holds no token, only the sha256 of each (a 256-bit random secret needs no salt or slow hash:
nobody can guess it, and the hash is not reversible). The file is written atomically (a
temporary file in the same folder, fsync, rename) with mode 0600. Lookups compare every stored
hash with :func:`hmac.compare_digest`, so the time taken does not tell how much of a token
matched.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

SCOPES = ("decide", "read", "ledger")
DEFAULT_TOKENS_FILE = "policyengine-tokens.json"
TOKEN_PREFIX = "pe_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class TokenError(ValueError):
    """The tokens file or a token command's input is unusable; the message says what to do."""


@dataclass(frozen=True, slots=True)
class TokenRecord:
    name: str
    sha256: str
    scopes: tuple[str, ...]
    created: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "scopes": list(self.scopes),
                "created": self.created}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scopes(text: str) -> tuple[str, ...]:
    """``decide,read`` -> ("decide", "read"); an unknown scope is a TokenError."""
    from ..core.suggest import did_you_mean, one_of

    scopes: list[str] = []
    for raw in text.split(","):
        scope = raw.strip()
        if not scope:
            continue
        if scope not in SCOPES:
            hint = did_you_mean(scope, SCOPES) or f"one of {one_of(SCOPES)}"
            raise TokenError(f"unknown scope `{scope}`: {hint}")
        if scope not in scopes:
            scopes.append(scope)
    if not scopes:
        raise TokenError(f"no scope given: use --scope with {one_of(SCOPES)}")
    return tuple(s for s in SCOPES if s in scopes)


class TokenStore:
    """The tokens of one tokens file, read once; ``verify`` is safe to call from many threads
    (the records are an immutable tuple)."""

    def __init__(self, records: Iterable[TokenRecord] = (), path: str | None = None) -> None:
        self.records: tuple[TokenRecord, ...] = tuple(records)
        self.path = path

    @classmethod
    def read(cls, path: str | os.PathLike[str], *, missing_ok: bool = False) -> "TokenStore":
        p = Path(path)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            if missing_ok:
                return cls((), os.fspath(p))
            raise TokenError(f"{p}: no tokens file: create a token with `policyengine serve "
                             f"token add NAME --scope decide,read,ledger --tokens {p}`") from None
        except OSError as exc:
            raise TokenError(f"{p}: cannot read the tokens file: {exc.strerror}") from None
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise TokenError(f"{p}: the tokens file is not valid JSON: fix it or remove it"
                             ) from None
        if not isinstance(data, dict) or not isinstance(data.get("tokens"), list):
            raise TokenError(f"{p}: the tokens file has no `tokens` list")
        records = []
        for i, item in enumerate(data["tokens"]):
            try:
                name, digest = item["name"], item["sha256"]
                scopes = tuple(item["scopes"])
                created = str(item.get("created", ""))
            except (KeyError, TypeError):
                raise TokenError(f"{p}: tokens[{i}]: needs `name`, `sha256` and `scopes`"
                                 ) from None
            if not (isinstance(name, str) and isinstance(digest, str)
                    and re.fullmatch(r"[0-9a-f]{64}", digest)
                    and all(s in SCOPES for s in scopes)):
                raise TokenError(f"{p}: tokens[{i}]: not a valid token record")
            records.append(TokenRecord(name, digest, scopes, created))
        return cls(records, os.fspath(p))

    def names(self) -> list[str]:
        return [r.name for r in self.records]

    def verify(self, token: str) -> TokenRecord | None:
        """The record whose hash matches ``token``, or None. Every record is compared (in
        constant time each), so the time does not depend on which one matched."""
        digest = hash_token(token).encode("ascii")
        found = None
        for record in self.records:
            if hmac.compare_digest(digest, record.sha256.encode("ascii")):
                found = record
        return found

    def add(self, name: str, scopes: tuple[str, ...]) -> tuple["TokenStore", str]:
        """A store with a new token named ``name``, and the token (shown once)."""
        if not _NAME.match(name):
            raise TokenError(f"invalid token name `{name}`: use letters, digits, `.`, `_` and "
                             f"`-` (at most 64)")
        if name in self.names():
            raise TokenError(f"a token named `{name}` exists: revoke it first or choose "
                             f"another name")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
        record = TokenRecord(name, hash_token(token), scopes,
                             created.isoformat().replace("+00:00", "Z"))
        return TokenStore((*self.records, record), self.path), token

    def revoke(self, name: str) -> "TokenStore":
        if name not in self.names():
            from ..core.suggest import did_you_mean

            hint = did_you_mean(name, self.names())
            raise TokenError(f"no token named `{name}`" + (f": {hint}" if hint else ""))
        return TokenStore((r for r in self.records if r.name != name), self.path)

    def write(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write atomically with mode 0600 (a reader never sees half a file)."""
        target = Path(path if path is not None else (self.path or DEFAULT_TOKENS_FILE))
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise TokenError(f"no such folder for the tokens file: {folder}")
        text = json.dumps({"version": 1, "tokens": [r.to_dict() for r in self.records]},
                          indent=2) + "\n"
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
