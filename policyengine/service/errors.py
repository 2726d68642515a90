"""HTTP error bodies of the service: one shape for every error status.

Every error response is ``{"error": {"code": ..., "problems": [{"code", "message", "path"?,
"hint"?}, ...]}}``, the shape of a refused line in a batch (a 422 refusal carries the
library's problems unchanged).
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from starlette.responses import Response

from ..core.errors import Problem

JSON = "application/json"


class HTTPProblem(Exception):
    """Raised by the request parsers; turned into an error response by the app."""

    def __init__(self, status: int, code: str, message: str, *, path: str | None = None,
                 hint: str | None = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problem = Problem(code, message, path, None, hint)
        self.headers = dict(headers or {})


def error_body(code: str, problems: Iterable[Problem]) -> bytes:
    data: dict[str, Any] = {"error": {"code": code,
                                      "problems": [p.to_dict() for p in problems]}}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_response(status: int, code: str, problems: Iterable[Problem],
                   headers: Mapping[str, str] | None = None) -> Response:
    return Response(error_body(code, problems), status_code=status, media_type=JSON,
                    headers=dict(headers or {}))


def problem_response(exc: HTTPProblem) -> Response:
    return error_response(exc.status, exc.problem.code, [exc.problem], exc.headers)
