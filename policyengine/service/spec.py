"""The building blocks of the service's OpenAPI document: schema references, the problem
record, the error and JSON responses. Imports nothing of the service, so the route modules
(``app.py``, ``ledger_routes.py``) and the document (``openapi.py``) all stand on it."""

from __future__ import annotations

from typing import Any

REF = "#/components/schemas/"


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


DATE = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
PROBLEM = {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "path": {"type": "string"},
    "detail": {"type": "string"}, "hint": {"type": "string"}}}

ERRORS = {
    "400": "Malformed JSON or request (the problem names the field).",
    "401": "No valid bearer token.",
    "403": "The token lacks the scope this route needs.",
    "404": "No such policy (with a did-you-mean hint) or dispute.",
    "409": "The dispute already exists.",
    "413": "The body (or a batch line) is over the size limit.",
    "422": "The library refused the dispute: its problems (code, path, message, hint).",
    "503": "Not ready yet, or the decision log cannot be written.",
}


def error_responses(*statuses: str) -> dict[str, Any]:
    return {s: {"description": ERRORS[s],
                "content": {"application/json": {"schema": ref("Error")}}} for s in statuses}


def json_response(description: str, schema: dict[str, Any], headers: bool = False
                  ) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description,
                           "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = {"X-Decision-Id": {"description": "The decision's id in the log.",
                                            "schema": {"type": "string"}}}
    return out
