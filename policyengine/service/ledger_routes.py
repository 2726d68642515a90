"""The ledger over HTTP: each route parses its request, calls one :class:`~policyengine.ledger.Ledger`
method, and serializes the result. A :class:`~policyengine.ledger.LedgerError` becomes an
error response with the ledger's code (status by code, below); a refusal of the library is
422 with its problems. The ledger logs its own decisions (``source`` ``service``, ``actor``
the token's name).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from ..core.errors import DisputeError, Problem
from ..core.suggest import did_you_mean
from .errors import JSON, HTTPProblem, error_response
from .requests import parse_date_param, parse_json, read_body
from .spec import DATE, REF, error_responses, json_response

if TYPE_CHECKING:  # pragma: no cover
    from .app import Service

#: LedgerError code -> HTTP status (anything else: 400)
STATUS = {
    "unknown_dispute": 404,
    "dispute_exists": 409, "date_before_last_event": 409, "dispute_resolved": 409,
    "dispute_open": 409, "remedy_in_force": 409, "remedy_not_granted": 409,
    "version_incompatible": 409, "policy_unreadable": 409,
    "unknown_remedy": 422, "unknown_version": 422, "version_not_in_force": 422,
    "unavailable": 503, "cannot_write": 503, "not_initialized": 503, "schema_outdated": 503,
    "bad_url": 503,
}


def _body(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode("utf-8"), status_code=status, media_type=JSON, headers=headers)


def _object(payload: Any, required: dict[str, type], optional: dict[str, type]
            ) -> dict[str, Any]:
    """Check a JSON object's keys and their JSON types (400 naming the field)."""
    if not isinstance(payload, dict):
        raise HTTPProblem(400, "invalid_request", "the body must be a JSON object")
    keys = (*required, *optional)
    for key, value in payload.items():
        if key not in keys:
            raise HTTPProblem(400, "invalid_request", f"unknown key `{key}`", path=key,
                              hint=did_you_mean(key, keys) or "the keys are " + ", ".join(
                                  f"`{k}`" for k in keys))
        want = required.get(key) or optional[key]
        if (value is None and key in required) or (value is not None
                                                    and not isinstance(value, want)):
            raise HTTPProblem(400, "invalid_request", f"`{key}` must be "
                              f"{'a JSON object' if want is dict else 'a text'}", path=key)
    for key in required:
        if key not in payload:
            raise HTTPProblem(400, "invalid_request", f"no `{key}`", path=key)
    return payload


async def _call(service: "Service", request: Request, method: str, *args: Any,
                **kwargs: Any) -> Any:
    from ..ledger import LedgerError

    def call() -> Any:
        return getattr(service.ledger, method)(*args, **kwargs)

    try:
        return await service.in_thread(call)
    except LedgerError as exc:
        problem = Problem(exc.code, exc.message, None, None, exc.hint)
        return error_response(STATUS.get(exc.code, 400), exc.code, [problem])
    except DisputeError as exc:
        return error_response(422, exc.code, exc.problems)


def _actor(request: Request) -> str | None:
    from .auth import token_of

    token = token_of(request.scope)
    return token.name if token is not None else None


def _decision(result: Any, status: int = 200) -> Response:
    if isinstance(result, Response):
        return result
    return _body(result.to_dict(), status, {"X-Decision-Id": result.decision_id,
                                           "X-Dispute-Id": result.dispute_id})


async def _payload(service: "Service", request: Request) -> Any:
    return parse_json(await read_body(request, service.config.max_body_bytes))


async def open_dispute(service: "Service", request: Request) -> Response:
    snapshot = service.loaded()
    data = _object(await _payload(service, request), {"id": str, "policy": str, "facts": dict},
                   {"on": str})
    on = parse_date_param(data.get("on"), "on")
    version = service.version(snapshot, data["policy"], on)
    import datetime as _dt

    result = await _call(service, request, "open", data["id"], version.policy, data["facts"],
                         on=on or _dt.date.today(), actor=_actor(request))
    return _decision(result, 201)


async def decide_dispute(service: "Service", request: Request) -> Response:
    import datetime as _dt

    data = _object(await _payload(service, request), {}, {"on": str, "facts": dict})
    on = parse_date_param(data.get("on"), "on")
    result = await _call(service, request, "decide", request.path_params["dispute_id"],
                         on=on or _dt.date.today(), facts=data.get("facts"),
                         actor=_actor(request))
    return _decision(result)


async def resolve_dispute(service: "Service", request: Request) -> Response:
    import datetime as _dt

    data = _object(await _payload(service, request), {"outcome": str},
                   {"on": str, "memo": str})
    on = parse_date_param(data.get("on"), "on")
    result = await _call(service, request, "resolve", request.path_params["dispute_id"],
                         on=on or _dt.date.today(), outcome=data["outcome"],
                         memo=data.get("memo"), actor=_actor(request))
    return result if isinstance(result, Response) else _body(result.to_dict())


async def show_dispute(service: "Service", request: Request) -> Response:
    result = await _call(service, request, "show", request.path_params["dispute_id"])
    return result if isinstance(result, Response) else _body(result.to_dict())


async def due(service: "Service", request: Request) -> Response:
    import datetime as _dt

    on = parse_date_param(request.query_params.get("on"), "on") or _dt.date.today()
    within_text = request.query_params.get("within", "0")
    if not within_text.isdigit() or len(within_text) > 5:
        raise HTTPProblem(400, "invalid_request", "`within` must be a number of days",
                          path="within")
    result = await _call(service, request, "due", on=on, within=int(within_text))
    if isinstance(result, Response):
        return result
    return _body([item.to_dict() for item in result])


async def ledger_metrics(service: "Service", request: Request) -> Response:
    q = request.query_params
    by = q.get("by", "category")
    result = await _call(service, request, "metrics",
                         from_=parse_date_param(q.get("from"), "from"),
                         to=parse_date_param(q.get("to"), "to"), by=by,
                         policy_id=q.get("policy"))
    return result if isinstance(result, Response) else _body(result)


LEDGER_ROUTES: list[tuple[str, str, Any, str | None]] = [
    ("POST", "/v1/disputes", open_dispute, "ledger"),
    ("POST", "/v1/disputes/{dispute_id}/decisions", decide_dispute, "ledger"),
    ("POST", "/v1/disputes/{dispute_id}/resolve", resolve_dispute, "ledger"),
    ("GET", "/v1/disputes/{dispute_id}", show_dispute, "ledger"),
    ("GET", "/v1/due", due, "ledger"),
    ("GET", "/v1/metrics", ledger_metrics, "ledger"),
]

# -- OpenAPI ------------------------------------------------------------------------------------
_DISPUTE_ID = {"name": "dispute_id", "in": "path", "required": True,
               "schema": {"type": "string"}}
_LEDGER_ERRORS = ("400", "401", "403", "404", "409", "413", "422", "503")


def _request(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


LEDGER_COMPONENTS: dict[str, Any] = {
    "OpenDispute": {"type": "object", "additionalProperties": False,
                    "required": ["id", "policy", "facts"], "properties": {
                        "id": {"type": "string"}, "policy": {"type": "string"},
                        "facts": {"type": "object"},
                        "on": {**DATE, "description": "Default: today."}}},
    "DecideDispute": {"type": "object", "additionalProperties": False, "properties": {
        "on": DATE, "facts": {"type": "object",
                               "description": "A JSON merge patch of fact changes."}}},
    "ResolveDispute": {"type": "object", "additionalProperties": False,
                       "required": ["outcome"], "properties": {
                           "on": DATE, "outcome": {"type": "string"},
                           "memo": {"type": "string"}}},
    "Event": {"type": "object", "required": ["dispute", "n", "kind"]},
    "DisputeHistory": {"type": "object", "required": ["dispute", "events", "redacted"]},
    "DueItem": {"type": "object", "required": ["dispute", "kind", "date", "overdue"]},
}

LEDGER_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/v1/disputes"): {
        "summary": "Open a dispute under the version in force on `on`, and decide it.",
        "x-scope": "ledger", "requestBody": _request({"$ref": REF + "OpenDispute"}),
        "responses": {"201": json_response("The first decision.", {"$ref": REF + "Decision"},
                                           True),
                      **error_responses(*_LEDGER_ERRORS)}},
    ("POST", "/v1/disputes/{dispute_id}/decisions"): {
        "summary": "Decide the dispute again from its history (after fact changes).",
        "x-scope": "ledger", "parameters": [_DISPUTE_ID],
        "requestBody": _request({"$ref": REF + "DecideDispute"}),
        "responses": {"200": json_response("The decision.", {"$ref": REF + "Decision"},
                                           True),
                      **error_responses(*_LEDGER_ERRORS)}},
    ("POST", "/v1/disputes/{dispute_id}/resolve"): {
        "summary": "Record the dispute's resolution.", "x-scope": "ledger",
        "parameters": [_DISPUTE_ID], "requestBody": _request({"$ref": REF + "ResolveDispute"}),
        "responses": {"200": json_response("The `resolved` event.", {"$ref": REF + "Event"}),
                      **error_responses(*_LEDGER_ERRORS)}},
    ("GET", "/v1/disputes/{dispute_id}"): {
        "summary": "The dispute's state and history (sensitive facts masked).",
        "x-scope": "ledger", "parameters": [_DISPUTE_ID],
        "responses": {"200": json_response("The history.", {"$ref": REF + "DisputeHistory"}),
                      **error_responses("400", "401", "403", "404", "409", "503")}},
    ("GET", "/v1/due"): {
        "summary": "Deadlines, reviews and sunsets due on a day.", "x-scope": "ledger",
        "parameters": [{"name": "on", "in": "query", "required": False, "schema": DATE},
                       {"name": "within", "in": "query", "required": False,
                        "schema": {"type": "integer", "minimum": 0, "maximum": 99999}}],
        "responses": {"200": json_response("The reminders.", {"type": "array",
                                                              "items": {"$ref": REF + "DueItem"}}),
                      **error_responses("400", "401", "403", "503")}},
    ("GET", "/v1/metrics"): {
        "summary": "The ledger's dispute metrics.", "x-scope": "ledger",
        "parameters": [{"name": n, "in": "query", "required": False, "schema": s}
                       for n, s in (("from", DATE), ("to", DATE),
                                    ("by", {"type": "string"}),
                                    ("policy", {"type": "string"}))],
        "responses": {"200": json_response("The metrics.", {"type": "object"}),
                      **error_responses("400", "401", "403", "503")}},
}
