"""The service's OpenAPI 3.1 document, built from the route table and the package's JSON
Schemas (the decision schema is ``schemas/decision.schema.json``).

The document is checked in as ``schemas/openapi.json``; a test fails when the served one and
the checked-in one differ. Regenerate it with::

    python -m policyengine.service.openapi > schemas/openapi.json
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any, Iterable

from ..core.version import __version__
from .ledger_routes import LEDGER_COMPONENTS, LEDGER_OPERATIONS
from .spec import DATE, PROBLEM, REF, error_responses, json_response, ref


def _imported(schema: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """A JSON Schema file as components: its ``$defs`` become ``NameDef`` components."""
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    out = {name: schema}
    out.update({f"{name}{k[0].upper()}{k[1:]}": v for k, v in defs.items()})

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                key = ref[len("#/$defs/"):]
                node["$ref"] = REF + f"{name}{key[0].upper()}{key[1:]}"
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(out)
    return out


def _decision_schema() -> dict[str, Any]:
    from ..load.schema import load_schema  # the bundled schemas, installed or from the source tree

    data: dict[str, Any] = copy.deepcopy(load_schema("decision"))
    return data


COMPONENTS: dict[str, Any] = {
    "Problem": PROBLEM,
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "problems"], "properties": {
            "code": {"type": "string"},
            "problems": {"type": "array", "items": ref("Problem")}}}}},
    "DecisionRequest": {"type": "object", "additionalProperties": False,
                        "required": ["dispute"], "properties": {
                            "dispute": {"type": "object",
                                        "description": "The facts, and the reserved keys "
                                                       "escalation and remedies_in_force: see "
                                                       "GET /v1/policies/{id}/schema."},
                            "as_of": {**DATE, "description": "Default: today."}}},
    "PolicyVersion": {"type": "object", "required": ["id", "version", "digest", "effective",
                                                     "expires", "active"], "properties": {
        "id": {"type": "string"}, "version": {"type": "string"},
        "digest": {"type": "string"}, "effective": DATE,
        "expires": {"anyOf": [DATE, {"type": "null"}]}, "active": {"type": "boolean"}}},
    "ReloadOutcome": {"type": "object", "required": ["file", "status", "at", "diagnostics"],
                      "properties": {
        "file": {"type": "string"}, "status": {"enum": ["loaded", "refused", "removed"]},
        "at": {"type": "string"}, "version": {"type": ["string", "null"]},
        "digest": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]},
        "diagnostics": {"type": "array", "items": {"type": "object"}}}},
    "PolicyDetail": {"type": "object", "required": ["id", "active", "versions", "last_reload"],
                     "properties": {
        "id": {"type": "string"},
        "active": {"anyOf": [ref("PolicyVersion"), {"type": "null"}]},
        "versions": {"type": "array", "items": ref("PolicyVersion")},
        "last_reload": {"anyOf": [ref("ReloadOutcome"), {"type": "null"}]}}},
    "Status": {"type": "object", "required": ["status"], "properties": {
        "status": {"type": "string"}, "policies": {"type": "integer"}}},
}

_POLICY_ID = {"name": "policy_id", "in": "path", "required": True, "schema": {"type": "string"},
              "example": "acme-channel-conflict"}
_EXAMPLE_DISPUTE = {"kind": "pricing", "amount": 120000.0, "region": "EMEA",
                    "partner": {"tier": "gold"}}
_AUTH = ["401", "403"]

OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/health"): {"summary": "Liveness.", "security": [], "responses": {
        "200": json_response("Alive.", ref("Status"))}},
    ("GET", "/ready"): {"summary": "Readiness: 200 once every policy is loaded.",
                        "security": [], "responses": {
        "200": json_response("Ready.", ref("Status")), **error_responses("503")}},
    ("GET", "/openapi.json"): {"summary": "This document.", "security": [], "responses": {
        "200": json_response("The OpenAPI document.", {"type": "object"})}},
    ("GET", "/metrics"): {"summary": "Prometheus metrics.", "security": [], "responses": {
        "200": {"description": "Prometheus text format.",
                "content": {"text/plain": {"schema": {"type": "string"}}}}}},
    ("GET", "/v1/policies"): {"summary": "Every version of every policy, active flagged.",
                              "x-scope": "read", "responses": {
        "200": json_response("The versions.", {"type": "array",
                                                "items": ref("PolicyVersion")}),
        **error_responses(*_AUTH, "503")}},
    ("GET", "/v1/policies/{policy_id}"): {
        "summary": "The active version and the outcome of the last reload.",
        "x-scope": "read", "parameters": [_POLICY_ID], "responses": {
            "200": json_response("The policy.", ref("PolicyDetail")),
            **error_responses(*_AUTH, "404", "503")}},
    ("GET", "/v1/policies/{policy_id}/schema"): {
        "summary": "The JSON Schema of the active version's disputes.",
        "x-scope": "read", "parameters": [_POLICY_ID], "responses": {
            "200": json_response("A JSON Schema.", {"type": "object"}),
            **error_responses(*_AUTH, "404", "503")}},
    ("POST", "/v1/policies/{policy_id}/decisions"): {
        "summary": "Decide one dispute: the body is Decision.to_json(), byte for byte.",
        "x-scope": "decide", "parameters": [_POLICY_ID],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": ref("DecisionRequest"),
            "example": {"dispute": _EXAMPLE_DISPUTE, "as_of": "2026-11-22"}}}},
        "responses": {"200": json_response("The decision.", ref("Decision"), headers=True),
                      **error_responses("400", *_AUTH, "404", "413", "422", "503")}},
    ("POST", "/v1/policies/{policy_id}/decisions/batch"): {
        "summary": "Decide a JSON Lines stream of disputes: one record per line, in order.",
        "x-scope": "decide", "parameters": [_POLICY_ID, {
            "name": "as_of", "in": "query", "required": False, "schema": DATE}],
        "requestBody": {"required": True, "content": {"application/x-ndjson": {
            "schema": {"type": "string"},
            "example": json.dumps(_EXAMPLE_DISPUTE) + "\n"}}},
        "responses": {"200": {"description": 'One record per input line: {"line", '
                                             '"decision_id", "decision"} or {"line", '
                                             '"decision_id"?, "error"}.',
                              "content": {"application/x-ndjson": {
                                  "schema": {"type": "string"}}}},
                      **error_responses("400", *_AUTH, "404", "503")}},
}


def document(routes: Iterable[tuple[str, str, Any, str | None]]) -> dict[str, Any]:
    """The document of ``routes``, ``(method, path, handler, scope needed)`` in the order they
    are served (``app.openapi_document`` passes the service's whole table): the route modules
    import this one, never the other way round."""
    operations = {**OPERATIONS, **LEDGER_OPERATIONS}
    paths: dict[str, dict[str, Any]] = {}
    for method, path, _handler, needed in routes:
        op = dict(operations[(method, path)])  # KeyError: a route without its documentation
        op.setdefault("operationId", f"{method.lower()}_" + path.strip("/").replace(
            "/", "_").replace("{", "").replace("}", "").replace(".", "_"))
        if needed is None:
            op["security"] = []
        paths.setdefault(path, {})[method.lower()] = op
    components = {**_imported(_decision_schema(), "Decision"), **COMPONENTS}
    components.update(LEDGER_COMPONENTS)
    return {
        "openapi": "3.1.0",
        "info": {"title": "policyengine decision service", "version": __version__,
                 "description": "Decide partner and channel conflicts over HTTP; every "
                                "decision is logged. See docs/service.md."},
        "servers": [{"url": "http://127.0.0.1:8181"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "A token from `policyengine serve token add`; the "
                                      "route's scope is in x-scope."}}},
    }


if __name__ == "__main__":  # python -m policyengine.service.openapi: the route table is the app's
    from .app import openapi_document

    sys.stdout.write(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n")
