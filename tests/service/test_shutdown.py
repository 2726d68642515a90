"""Stopping a server under load: SIGTERM lets every request in flight finish (a streaming batch
too) and leaves every answered decision logged exactly once, nothing half-logged; after
``kill -9`` every decision whose response was received is in the log."""

from __future__ import annotations

import json
import signal
import threading
import time

import httpx

from policyengine.ledger import Ledger

from .conftest import AS_OF, PRICING, wait_until

DECIDE = "/v1/policies/acme-channel-conflict/decisions"
BODY = {"dispute": json.loads(PRICING), "as_of": AS_OF}


class Load:
    """Clients deciding in a loop until the server goes away."""

    def __init__(self, server, clients: int = 8) -> None:
        self.server = server
        self.received: list[str] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(clients)]
        for t in self.threads:
            t.start()

    def run(self) -> None:
        with self.server.client(timeout=30.0) as c:
            while not self.stop.is_set():
                try:
                    r = c.post(DECIDE, json=BODY)
                except httpx.TransportError:
                    if self.server.process.poll() is not None:
                        return
                    continue
                if r.status_code != 200:
                    self.errors.append(f"{r.status_code} {r.text}")
                    return
                with self.lock:
                    self.received.append(r.headers["X-Decision-Id"])

    def wait_for(self, n: int) -> None:
        wait_until(lambda: len(self.received) >= n, what=f"{n} decisions")

    def join(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)
        assert not self.errors, self.errors[:3]


def slow_batch(server, lines: int, result: dict, streaming: threading.Event
               ) -> threading.Thread:
    def body():
        for i in range(lines):
            yield (PRICING.strip() + "\n").encode()
            if i == 100:
                streaming.set()  # the request is on the wire: it is in flight
            if i % 50 == 0:
                time.sleep(0.05)

    def run():
        with server.client(timeout=60.0) as c:
            r = c.post(f"{DECIDE}/batch?as_of={AS_OF}", content=body())
            result["status"] = r.status_code
            result["records"] = [json.loads(line) for line in r.text.splitlines()]
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_sigterm_under_load_finishes_in_flight_requests(server_factory):
    srv = server_factory()
    load = Load(srv)
    load.wait_for(20)
    batch: dict = {}
    streaming = threading.Event()
    batch_thread = slow_batch(srv, 300, batch, streaming)
    assert streaming.wait(30)
    srv.process.send_signal(signal.SIGTERM)
    # uvicorn stops gracefully, then re-raises the signal: the exit status says SIGTERM
    assert srv.process.wait(60) in (0, -signal.SIGTERM)
    load.join()
    batch_thread.join(60)
    assert batch["status"] == 200 and len(batch["records"]) == 300  # it was let finish
    assert [r["line"] for r in batch["records"]] == list(range(1, 301))
    entries = Ledger(srv.db).decision_log()
    logged = [e.decision_id for e in entries]
    assert len(logged) == len(set(logged))
    answered = set(load.received) | {r["decision_id"] for r in batch["records"]}
    assert set(logged) == answered  # every answer logged, nothing logged unanswered
    assert all(e.decision is not None and e.refusal is None for e in entries)
    assert "Waiting for application shutdown" in srv.log()
    assert "Finished server process" in srv.log()


def test_kill_9_under_load_loses_no_answered_decision(server_factory):
    srv = server_factory()
    load = Load(srv)
    load.wait_for(40)
    srv.process.send_signal(signal.SIGKILL)
    srv.process.wait(30)
    load.join()
    received = set(load.received)
    logged = {e.decision_id for e in Ledger(srv.db).decision_log()}
    assert received and received <= logged
