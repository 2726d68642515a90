"""The OpenAPI document: the served one is the checked-in schemas/openapi.json, it documents
every route, and a short schemathesis run against a real server finds no 5xx and no response
outside the document (the long run is a section of .ci/run)."""

from __future__ import annotations

import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from conftest import ROOT
from policyengine.service.app import ROUTES, openapi_document
from policyengine.service.ledger_routes import LEDGER_ROUTES

from . import schemathesis_hooks  # noqa: F401  (the JSON Lines media type)

CHECKED_IN = ROOT / "schemas" / "openapi.json"


def test_served_document_is_the_checked_in_one(server):
    served = httpx.get(server.url + "/openapi.json").json()
    assert served == json.loads(CHECKED_IN.read_text(encoding="utf-8")), (
        "schemas/openapi.json is out of date: run "
        "`python -m policyengine.service.openapi > schemas/openapi.json`")
    assert served == json.loads(json.dumps(openapi_document()))


def test_every_route_is_documented_with_its_scope():
    doc = openapi_document()
    for method, path, _handler, scope in (*ROUTES, *LEDGER_ROUTES):
        op = doc["paths"][path][method.lower()]
        assert op.get("x-scope") == scope
        if scope is not None:
            assert "401" in op["responses"] and "403" in op["responses"]
        else:
            assert op["security"] == []


schema = schemathesis.openapi.from_path(str(CHECKED_IN))


@schema.parametrize()
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_fuzz_quick(case, server):
    case.call_and_validate(
        base_url=server.url, headers={"Authorization": f"Bearer {server.tokens['all']}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_schema_conformance], timeout=30)
