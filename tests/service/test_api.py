"""The HTTP API against a real uvicorn server (a subprocess on a free loopback port): every
status code, decisions byte-identical to the library, refusals with the library's problems,
batches in the CLI's record format, the decision log, the ledger routes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid

import httpx
import pytest

from policyengine import DisputeError, load_policy
from policyengine.model.dispute_schema import dispute_schema
from policyengine.decide.jsonlines import decide_line
from policyengine.ledger import Ledger

from .conftest import AS_OF, PRICING, acme

ACME = "acme-channel-conflict"
DECIDE = f"/v1/policies/{ACME}/decisions"
FACTS = json.loads(PRICING)


@pytest.fixture(scope="session")
def policy(server):
    """The rulebook the server decides with, loaded by the same path (traces name it)."""
    return load_policy(server.policies / "acme-channel-conflict.yaml")


def log_entry(server, decision_id):
    entries = [e for e in Ledger(server.db).decision_log() if e.decision_id == decision_id]
    assert len(entries) == 1, f"decision {decision_id} is logged {len(entries)} times"
    return entries[0]


def bundled_ids(server):
    """The ids of the rulebooks in the served folder (policy tests aside)."""
    return {load_policy(p).meta.id for p in server.policies.glob("*.yaml")
            if not p.name.endswith(".test.yaml")}


def test_health_and_ready_need_no_token(server):
    assert httpx.get(server.url + "/health").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/ready")
    assert ready.status_code == 200 and ready.json()["policies"] == len(bundled_ids(server))


def test_decision_is_the_library_bytes_and_is_logged(server, policy):
    with server.client("decider") as c:
        r = c.post(DECIDE, json={"dispute": FACTS, "as_of": AS_OF})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.content == policy.evaluate(FACTS, as_of=dt.date(2026, 11, 22)).to_json()
    entry = log_entry(server, r.headers["X-Decision-Id"])
    assert entry.actor == "decider" and entry.source == "service"
    assert (entry.policy_id, entry.policy_version, entry.policy_digest) == (
        ACME, "3.1.0", policy.digest)
    assert entry.decision["level"]["id"] == "regional" and entry.refusal is None
    assert entry.latency_ms > 0
    # restricted category (pricing): the ledger's masking hides the fact values
    assert entry.dispute["amount"] != FACTS["amount"]


def test_refusal_is_422_with_the_library_problems(server, policy):
    dispute = {"kind": "pricng", "amount": -1, "partner": {"tier": "gold"}, "extra": 1}
    with pytest.raises(DisputeError) as raised:
        policy.evaluate(dispute, as_of=dt.date(2026, 11, 22))
    with server.client() as c:
        r = c.post(DECIDE, json={"dispute": dispute, "as_of": AS_OF})
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == raised.value.code == "invalid_facts"
    assert body["problems"] == [p.to_dict() for p in raised.value.problems]
    assert any(p.get("hint") == "did you mean `pricing`?" for p in body["problems"])
    entry = log_entry(server, r.headers["X-Decision-Id"])
    assert entry.decision is None and entry.refusal["code"] == "invalid_facts"
    # a dispute outside the policy's term: the library's refusal too
    r = server.client().post(DECIDE, json={"dispute": FACTS, "as_of": "2031-01-01"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "policy_not_in_force"


@pytest.mark.parametrize("body, path", [
    (b"{", None), (b"", None), (b"\xff\xfe", None), (b"[1]", None),
    (b'{"dispute": {}, "asof": "2026-11-22"}', "asof"),
    (b'{"as_of": "2026-11-22"}', "dispute"),
    (b'{"dispute": [1]}', "dispute"),
    (b'{"dispute": {}, "as_of": "22/11/2026"}', "as_of"),
])
def test_malformed_requests_are_400_naming_the_field(server, body, path):
    r = server.client().post(DECIDE, content=body)
    assert r.status_code == 400
    problem = r.json()["error"]["problems"][0]
    assert problem.get("path") == path
    if path == "asof":
        assert problem["hint"] == "did you mean `as_of`?"


@pytest.mark.parametrize("body, says", [
    (b'{"dispute": {"kind": "mdf", "kind": "pricing"}}', "`kind`"),
    (b'{"dispute": {"amount": 1' + b"0" * 5000 + b'}}', "digits"),
    ("\ufeff".encode() + b'{"dispute": {"kind": "pricing"}, "dispute": {}}', "`dispute`"),
])
def test_ambiguous_json_is_400_as_in_the_cli(server, body, says):
    """Duplicate keys and integers past Python's conversion limit are refused over HTTP as the
    CLI refuses them (the same reader, policyengine/load/json_input.py); a BOM is accepted."""
    r = server.client().post(DECIDE, content=body)
    assert r.status_code == 400, r.text
    problem = r.json()["error"]["problems"][0]
    assert problem["code"] == "invalid_json" and says in problem["message"]


def test_bodies_over_the_limit_are_413_even_when_streamed(server):
    big = b'{"dispute": {"kind": "' + b"x" * (2 * 1024 * 1024) + b'"}}'
    with server.client() as c:
        assert c.post(DECIDE, content=big).status_code == 413

        def chunks():  # no Content-Length: the bound holds while the body streams in
            for _ in range(64):
                yield b" " * 65536
        r = c.post(DECIDE, content=chunks())
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_unknown_policy_is_404_with_did_you_mean(server):
    with server.client() as c:
        r = c.post("/v1/policies/acme-chanel-conflict/decisions", json={"dispute": FACTS})
        assert r.status_code == 404
        assert r.json()["error"]["problems"][0]["hint"] == f"did you mean `{ACME}`?"
        assert c.get("/v1/policies/nope").status_code == 404
        assert c.get("/v1/policies/nope/schema").status_code == 404
        assert c.get("/v1/no-such-route").status_code == 404
        r = c.get(DECIDE)
        assert r.status_code == 405 and "POST" in r.headers["allow"]


def test_authentication_and_scopes(server):
    r = httpx.get(server.url + "/v1/policies")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    for header in ("Bearer pe_not-a-token", "Basic abc", "Bearer", "pe_x"):
        r = httpx.get(server.url + "/v1/policies", headers={"Authorization": header})
        assert r.status_code == 401, header
    with server.client("reader") as c:
        assert c.get("/v1/policies").status_code == 200
        assert c.post(DECIDE, json={"dispute": FACTS}).status_code == 403
        assert c.get("/v1/due").status_code == 403
    with server.client("decider") as c:
        assert c.get("/v1/policies").status_code == 403
    assert server.tokens["all"] not in server.log()  # tokens are never logged


def test_policies_listing_detail_and_schema(server, policy):
    with server.client("reader") as c:
        listing = c.get("/v1/policies").json()
        assert {p["id"] for p in listing} == bundled_ids(server) >= {ACME, "jv-alliance"}
        assert all(p["active"] for p in listing)
        detail = c.get(f"/v1/policies/{ACME}").json()
        assert detail["active"]["digest"] == policy.digest
        assert detail["last_reload"]["status"] == "loaded"
        assert c.get(f"/v1/policies/{ACME}/schema").json() == json.loads(
            json.dumps(dispute_schema(policy)))


def test_batch_streams_the_cli_records_in_order(server, policy):
    lines = [PRICING.strip(), "{not json", json.dumps({"kind": "mdf", "amount": 1.5}), "",
             json.dumps(dict(FACTS, amount=5.0))]
    body = ("\n".join(lines) + "\n").encode()
    with server.client("decider") as c:
        r = c.post(f"{DECIDE}/batch?as_of={AS_OF}", content=body)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    out = [json.loads(line) for line in r.text.splitlines()]
    assert [rec["line"] for rec in out] == [1, 2, 3, 4, 5]
    for rec, raw in zip(out, lines):
        decision_id = rec.pop("decision_id")
        want = decide_line(policy, rec["line"], raw.encode(), dt.date(2026, 11, 22)).record()
        assert rec == want
        log_entry(server, decision_id)
    assert "decision" in out[0] and out[1]["error"]["code"] == "invalid_json"


def test_a_batch_of_several_chunks_is_answered_and_logged_line_by_line(server):
    """Chunks are logged in one transaction each: every answered line has its own entry."""
    from policyengine.service.app import BATCH_CHUNK

    count = 2 * BATCH_CHUNK + 3
    lines = [json.dumps(dict(FACTS, amount=float(1000 + i))) if i % 5 else "{bad"
             for i in range(count)]
    with server.client("decider") as c:
        r = c.post(f"{DECIDE}/batch?as_of={AS_OF}", content="\n".join(lines).encode())
    out = [json.loads(line) for line in r.text.splitlines()]
    assert [rec["line"] for rec in out] == list(range(1, count + 1))
    ids = [rec["decision_id"] for rec in out]
    assert len(set(ids)) == count
    logged = {e.decision_id: e for e in Ledger(server.db).decision_log()}
    for rec, decision_id in zip(out, ids):
        entry = logged[decision_id]
        assert (entry.refusal is None) == ("decision" in rec)
        if entry.decision is None:
            assert entry.refusal is not None and entry.refusal["code"] == "invalid_json"


def test_batch_line_over_the_limit_and_bad_as_of(server):
    body = PRICING.strip().encode() + b"\n" + b"x" * (1024 * 1024 + 10) + b"\n" + \
        PRICING.strip().encode()
    with server.client() as c:
        r = c.post(f"{DECIDE}/batch", content=body)
        out = [json.loads(line) for line in r.text.splitlines()]
        assert [rec["line"] for rec in out] == [1, 2, 3]
        assert out[1]["error"]["code"] == "too_large"
        assert c.post(f"{DECIDE}/batch?as_of=tomorrow", content=b"{}").status_code == 400
        assert c.post("/v1/policies/nope/decisions/batch", content=b"{}").status_code == 404


def test_prometheus_metrics(server):
    with server.client() as c:
        c.post(DECIDE, json={"dispute": FACTS, "as_of": AS_OF})
        c.post(DECIDE, json={"dispute": {}, "as_of": AS_OF})
    text = httpx.get(server.url + "/metrics").text
    assert f'policyengine_decisions_total{{category="pricing",level="regional",policy="{ACME}"}}' \
        in text
    assert f'policyengine_refusals_total{{code="invalid_facts",policy="{ACME}"}}' in text
    assert 'policyengine_policy_reloads_total{outcome="loaded"' in text
    assert ('policyengine_http_requests_total{method="POST",'
            'route="/v1/policies/{policy_id}/decisions",status="200"}') in text


def test_the_ledger_over_http(server):
    dispute_id = f"D-{uuid.uuid4().hex[:8]}"
    with server.client() as c:
        r = c.post("/v1/disputes", json={"id": dispute_id, "policy": ACME, "facts": FACTS,
                                         "on": AS_OF})
        assert r.status_code == 201, r.text
        assert r.json()["level"]["id"] == "regional"
        assert log_entry(server, r.headers["X-Decision-Id"]).dispute_id == dispute_id
        again = c.post("/v1/disputes", json={"id": dispute_id, "policy": ACME, "facts": FACTS,
                                             "on": AS_OF})
        assert again.status_code == 409 and again.json()["error"]["code"] == "dispute_exists"
        r = c.post(f"/v1/disputes/{dispute_id}/decisions", json={"on": "2026-12-10"})
        assert r.status_code == 200 and r.headers["X-Decision-Id"]
        r = c.post(f"/v1/disputes/{dispute_id}/decisions", json={"on": "2026-12-01"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "date_before_last_event"
        assert c.get("/v1/due", params={"on": "2026-12-30"}).status_code == 200
        r = c.post(f"/v1/disputes/{dispute_id}/resolve", json={"on": "2026-12-11",
                                                               "outcome": "realigned"})
        assert r.status_code == 200 and r.json()["kind"] == "resolved"
        shown = c.get(f"/v1/disputes/{dispute_id}").json()
        assert shown["dispute"]["status"] == "resolved" and len(shown["events"]) == 3
        assert c.get("/v1/disputes/nope").status_code == 404
        assert c.post("/v1/disputes/nope/decisions", json={}).status_code == 404
        r = c.post("/v1/disputes", json={"id": "x", "policy": ACME, "fact": {}})
        assert r.status_code == 400 and r.json()["error"]["problems"][0]["hint"] == \
            "did you mean `facts`?"
        r = c.post("/v1/disputes", json={"id": "y", "policy": "acme", "facts": {}})
        assert r.status_code == 404
        r = c.post("/v1/disputes", json={"id": "z", "policy": ACME, "facts": {}, "on": AS_OF})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_facts"
        assert c.get("/v1/due", params={"on": "soon"}).status_code == 400


def test_503_when_the_decision_log_cannot_be_written(server_factory):
    srv = server_factory()
    with srv.client() as c:
        assert c.post(DECIDE, json={"dispute": FACTS, "as_of": AS_OF}).status_code == 200
        con = sqlite3.connect(srv.db)
        from policyengine.ledger.tables import decision_log

        con.execute(f"DROP TABLE {decision_log.name}")
        con.commit()
        con.close()
        r = c.post(DECIDE, json={"dispute": FACTS, "as_of": AS_OF})
        assert r.status_code == 503 and r.json()["error"]["code"] == "log_unavailable"
        assert "X-Decision-Id" not in r.headers
        out = c.post(f"{DECIDE}/batch", content=PRICING.encode()).text.splitlines()
        assert json.loads(out[-1])["error"]["code"] == "log_unavailable"
    assert "policyengine_decision_log_failures_total 2.0" in httpx.get(srv.url + "/metrics").text


def test_not_ready_while_a_rulebook_was_refused_at_startup(server_factory, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "acme.yaml").write_text(acme(broken=True))
    srv = server_factory(folder, wait_ready=False)
    from .conftest import wait_until

    wait_until(lambda: "refused" in srv.log(), what="the refusal in the log")
    r = httpx.get(srv.url + "/ready")
    assert r.status_code == 503 and "refused at startup" in r.text
    assert httpx.get(srv.url + "/health").status_code == 200
    from .conftest import replace_file

    replace_file(folder / "acme.yaml", acme())  # fixed: the replica becomes ready
    wait_until(lambda: httpx.get(srv.url + "/ready").status_code == 200, what="ready")


def test_token_add_and_revoke_take_effect_without_a_restart(server):
    from policyengine.service.tokens import TokenStore

    from .conftest import wait_until

    path = server.policies.parent / "tokens.json"
    store, token = TokenStore.read(path).add("temporary", ("read",))
    store.write(path)
    headers = {"Authorization": f"Bearer {token}"}
    wait_until(lambda: httpx.get(server.url + "/v1/policies", headers=headers).status_code
               == 200, what="the new token")
    TokenStore.read(path).revoke("temporary").write(path)
    wait_until(lambda: httpx.get(server.url + "/v1/policies", headers=headers).status_code
               == 401, what="the revocation")
    with server.client("reader") as c:  # the other tokens still work
        assert c.get("/v1/policies").status_code == 200
