"""Reading request bodies: bounded while they stream in, parsed into the library's inputs.

The size bound is enforced on the bytes as they arrive (a ``Content-Length`` over it is
refused before anything is read), so a client cannot make the service buffer more than the
bound. Nothing here decides anything: it only turns bytes into (dispute, as_of).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, AsyncIterator

from starlette.requests import Request

from ..core.calendar import parse_date
from ..core.suggest import did_you_mean
from .errors import HTTPProblem

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DECISION_KEYS = ("dispute", "as_of")


def _too_large(limit: int) -> HTTPProblem:
    return HTTPProblem(413, "too_large", f"the request body is over {limit} bytes",
                       hint="send a smaller dispute, or batches of disputes to "
                            "/decisions/batch")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as more than ``limit`` bytes have arrived."""
    length = request.headers.get("content-length")
    if length is not None and length.strip().isdigit() and int(length) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes, what: str = "the request body") -> Any:
    if not body.strip():
        raise HTTPProblem(400, "invalid_json", f"{what} is empty",
                          hint='send a JSON object: {"dispute": {...}}')
    from ..load.json_input import JsonInputError, loads

    try:
        return loads(body)
    except JsonInputError as exc:  # duplicate keys, huge integers, bad UTF-8, deep nesting
        raise HTTPProblem(400, "invalid_json", f"{what} is not usable JSON at line "
                          f"{exc.line}, column {exc.column}: {exc.message}") from None


def parse_date_param(value: Any, path: str) -> _dt.date | None:
    """An optional ``YYYY-MM-DD`` (query parameter or body field): 400 when malformed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise HTTPProblem(400, "invalid_request", f"`{path}` must be a date YYYY-MM-DD",
                          path=path)
    try:
        return parse_date(value)
    except ValueError as exc:
        raise HTTPProblem(400, "invalid_request", str(exc), path=path,
                          hint="give the date as YYYY-MM-DD") from None


def decision_request(payload: Any) -> tuple[Any, _dt.date | None]:
    """``{"dispute": {...}, "as_of": "YYYY-MM-DD"?}`` -> (dispute, as_of). The dispute's
    content is the library's to judge (a refusal is 422); only the envelope is checked here."""
    if not isinstance(payload, dict):
        raise HTTPProblem(400, "invalid_request", 'the body must be a JSON object '
                          '{"dispute": {...}, "as_of": "YYYY-MM-DD"}')
    for key in payload:
        if key not in DECISION_KEYS:
            hint = did_you_mean(key, DECISION_KEYS) or "the keys are `dispute` and `as_of`"
            raise HTTPProblem(400, "invalid_request", f"unknown key `{key}`", path=key,
                              hint=hint)
    if "dispute" not in payload:
        raise HTTPProblem(400, "invalid_request", "no `dispute`", path="dispute",
                          hint='send {"dispute": {...facts...}}')
    if not isinstance(payload["dispute"], dict):
        raise HTTPProblem(400, "invalid_request", "`dispute` must be a JSON object of facts",
                          path="dispute")
    return payload["dispute"], parse_date_param(payload.get("as_of"), "as_of")


async def body_lines(request: Request, limit: int) -> AsyncIterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line of a streamed body; ``None`` for a line over
    ``limit`` bytes (its bytes are skipped, never buffered)."""
    buf = bytearray()
    number = 0
    skipping = False
    async for chunk in request.stream():
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                if not skipping:
                    buf += chunk[start:]
                    if len(buf) > limit:
                        skipping = True
                        buf.clear()
                break
            number += 1
            if skipping:
                yield number, None
                skipping = False
            else:
                buf += chunk[start:end]
                yield number, (bytes(buf) if len(buf) <= limit else None)
            buf.clear()
            start = end + 1
    if skipping:
        yield number + 1, None
    elif buf:
        yield number + 1, bytes(buf)
