"""Hot reload under lint, against a real server: a broken rulebook is refused (the old version
keeps deciding, the refusal is reported on the policy, in the log and in metrics), and the
fixed one becomes active."""

from __future__ import annotations

import json

import httpx

from .conftest import AS_OF, PRICING, acme, replace_file, wait_until

ACME = "acme-channel-conflict"


def last_reload(client):
    return client.get(f"/v1/policies/{ACME}").json()["last_reload"]


def test_broken_then_fixed(server_factory):
    srv = server_factory()
    rulebook = srv.policies / "acme.yaml"
    decide = {"dispute": json.loads(PRICING), "as_of": AS_OF}
    with srv.client() as c:
        first = c.post(f"/v1/policies/{ACME}/decisions", json=decide).json()
        assert first["policy"]["version"] == "3.1.0"

        replace_file(rulebook, acme(version="3.2.0", no_sunset=True))  # lint error: refused
        wait_until(lambda: last_reload(c)["status"] == "refused", what="the refusal")
        outcome = last_reload(c)
        assert outcome["version"] == "3.2.0" and outcome["reason"] == "lint found errors"
        assert outcome["diagnostics"] and outcome["diagnostics"][0]["severity"] == "error"
        detail = c.get(f"/v1/policies/{ACME}").json()
        assert detail["active"]["version"] == "3.1.0"
        r = c.post(f"/v1/policies/{ACME}/decisions", json=decide)
        assert r.status_code == 200 and r.content == json.dumps(
            first, ensure_ascii=False, separators=(",", ":")).encode()
        metrics = httpx.get(srv.url + "/metrics").text
        assert f'policyengine_policy_reloads_total{{outcome="refused",policy="{ACME}"}} 1.0' \
            in metrics
        assert "refused, the version in use stays active: lint found errors" in srv.log()

        rulebook.write_text(acme(broken=True))  # written in place; does not even load
        wait_until(lambda: last_reload(c)["reason"] == "the rulebook does not load",
                   what="the second refusal")
        assert c.post(f"/v1/policies/{ACME}/decisions", json=decide).json()["policy"][
            "version"] == "3.1.0"

        replace_file(rulebook, acme(version="3.2.0"))  # fixed
        wait_until(lambda: last_reload(c)["status"] == "loaded", what="the fixed version")
        assert c.get(f"/v1/policies/{ACME}").json()["active"]["version"] == "3.2.0"
        r = c.post(f"/v1/policies/{ACME}/decisions", json=decide)
        assert r.json()["policy"]["version"] == "3.2.0"
        assert httpx.get(srv.url + "/ready").status_code == 200


def test_versions_in_one_folder_and_a_new_file(server_factory, tmp_path):
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / "acme-2026.yaml").write_text(acme(version="1.0.0", effective="2026-01-01",
                                                expires="2026-12-31"))
    srv = server_factory(folder)
    with srv.client() as c:
        (folder / "acme-2027.yaml").write_text(acme(version="2.0.0", effective="2027-01-01",
                                                    expires="2027-12-31"))
        wait_until(lambda: len(c.get("/v1/policies").json()) == 2, what="the new version")
        decide = f"/v1/policies/{ACME}/decisions"
        facts = json.loads(PRICING)
        r = c.post(decide, json={"dispute": facts, "as_of": "2027-03-01"})
        assert r.json()["policy"]["version"] == "2.0.0"
        r = c.post(decide, json={"dispute": facts, "as_of": "2026-03-01"})
        assert r.json()["policy"]["version"] == "1.0.0"
        (folder / "acme-2027.yaml").unlink()
        wait_until(lambda: len(c.get("/v1/policies").json()) == 1, what="the removal")
        assert last_reload(c)["status"] == "removed"
