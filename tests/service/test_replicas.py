"""Scale out: two `serve` processes on different ports sharing one PostgreSQL ledger lose and
duplicate nothing under concurrent load. Runs when POLICYENGINE_TEST_PG_URL names a
PostgreSQL database (.ci/run starts a throwaway server for it); skipped otherwise."""

from __future__ import annotations

import json
import os
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text

from policyengine.ledger import Ledger

from .conftest import AS_OF, PRICING

PG_URL = os.environ.get("POLICYENGINE_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="POLICYENGINE_TEST_PG_URL is not set")
ACME = "acme-channel-conflict"


@pytest.fixture
def pg_url():
    """A fresh database on the server of POLICYENGINE_TEST_PG_URL, dropped afterwards."""
    name = f"pe_replicas_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    Ledger(url).init()  # once, before the replicas start
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_two_replicas_lose_and_duplicate_nothing(server_factory, pg_url):
    a = server_factory(db=pg_url)
    b = server_factory(db=pg_url)
    assert a.url != b.url
    facts = json.loads(PRICING)
    ids = [f"D-{i}" for i in range(40)]
    received: list[str] = []
    opened: dict[str, list[int]] = {i: [] for i in ids}
    errors: list[str] = []
    lock = threading.Lock()

    def work(server, offset):
        with server.client() as c:
            for n, dispute_id in enumerate(ids):
                r = c.post(f"/v1/policies/{ACME}/decisions",
                           json={"dispute": facts, "as_of": AS_OF})
                if r.status_code != 200:
                    errors.append(r.text)
                    continue
                # both replicas open every dispute at about the same time: one wins
                o = c.post("/v1/disputes", json={"id": ids[(n + offset) % len(ids)],
                                                 "policy": ACME, "facts": facts, "on": AS_OF})
                with lock:
                    received.append(r.headers["X-Decision-Id"])
                    opened[ids[(n + offset) % len(ids)]].append(o.status_code)
                    if o.status_code == 201:
                        received.append(o.headers["X-Decision-Id"])

    threads = [threading.Thread(target=work, args=(srv, k % 4)) for k, srv in
               enumerate([a, b] * 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
    for dispute_id, statuses in opened.items():
        assert sorted(statuses).count(201) == 1, (dispute_id, statuses)
        assert set(statuses) <= {201, 409}, (dispute_id, statuses)
    log = Ledger(pg_url).decision_log()
    logged = [e.decision_id for e in log]
    assert len(logged) == len(set(logged))  # nothing duplicated
    assert set(received) == set(logged)  # nothing lost, nothing logged unanswered
    assert len(received) == len(threads) * len(ids) + len(ids)  # every library decision, one open each
    with Ledger(pg_url) as ledger:
        for dispute_id in ids:
            assert len(ledger.show(dispute_id).events) == 1
