"""Bearer-token authentication of ``/v1``, and the per-route scope check.

Every ``/v1`` request needs ``Authorization: Bearer <token>`` with a token of the tokens file
(401 otherwise); a route needing a scope the token lacks is 403. The tokens file is read again
when it changes (checked at most once a second), so ``token add`` and ``token revoke`` take
effect on a running service without a restart. Tokens are never logged: only the token's name
reaches the decision log and the access log never sees headers.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.errors import Problem
from .errors import error_response
from .tokens import TokenError, TokenRecord, TokenStore

logger = logging.getLogger("policyengine.service")


class TokenSource:
    """The token store of a tokens file, re-read when the file changes."""

    def __init__(self, path: str | None, store: TokenStore | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._checked = 0.0
        self._stamp: tuple[int, int, int] | None = None
        self._store = store if store is not None else TokenStore()
        if store is None and path is not None:
            self._reload(force=True)

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path) if self.path is not None else None
        except OSError:
            return None
        return None if st is None else (st.st_mtime_ns, st.st_size, st.st_ino)

    def _reload(self, *, force: bool = False) -> None:
        stamp = self._stat()
        if not force and stamp == self._stamp:
            return
        try:
            self._store = TokenStore.read(self.path) if self.path else TokenStore()
        except TokenError as exc:
            if force:
                raise
            logger.error("tokens file not reloaded, the previous tokens stay in use: %s", exc)
        self._stamp = stamp

    def store(self) -> TokenStore:
        now = time.monotonic()
        if self.path is not None and now - self._checked >= 1.0:
            with self._lock:
                if now - self._checked >= 1.0:
                    self._checked = now
                    self._reload()
        return self._store


def _unauthorized(message: str) -> Any:
    return error_response(401, "unauthorized", [Problem(
        "unauthorized", message, None, None,
        "send `Authorization: Bearer TOKEN` with a token from `policyengine serve token add`")],
        {"WWW-Authenticate": 'Bearer realm="policyengine"'})


class AuthMiddleware:
    """Checks the bearer token of every ``/v1`` request; puts its record in
    ``scope["state"]["token"]`` (None with ``--no-auth``)."""

    def __init__(self, app: ASGIApp, tokens: TokenSource | None) -> None:
        self.app = app
        self.tokens = tokens  # None: --no-auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (scope["path"] == "/v1"
                                           or scope["path"].startswith("/v1/")):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if self.tokens is None:
            state["token"] = None
            await self.app(scope, receive, send)
            return
        header = None
        for key, value in scope["headers"]:
            if key == b"authorization":
                header = value.decode("latin-1")
                break
        if header is None:
            await _unauthorized("no bearer token")(scope, receive, send)
            return
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            await _unauthorized("the Authorization header is not `Bearer TOKEN`")(
                scope, receive, send)
            return
        record = self.tokens.store().verify(token.strip())
        if record is None:
            await _unauthorized("the token is not valid (unknown or revoked)")(
                scope, receive, send)
            return
        state["token"] = record
        await self.app(scope, receive, send)


def token_of(scope: Scope) -> TokenRecord | None:
    state: dict[str, Any] = scope.get("state", {})
    token: TokenRecord | None = state.get("token")
    return token


def scope_missing(scope: Scope, needed: str) -> bool:
    """True when the request's token (checked by the middleware) lacks ``needed``."""
    state: dict[str, Any] = scope.get("state", {})
    if "token" not in state:
        return True
    token = state["token"]
    return token is not None and needed not in token.scopes
