"""Fixtures of the service tests: rulebook variants, tokens, and real uvicorn servers.

``server_factory`` starts ``policyengine serve`` as a subprocess on a free loopback port
(``--port 0``: the kernel picks it, and the port is read from uvicorn's startup line, so two
tests never race for a port), waits until ``/ready`` answers 200, and stops it at the end.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from conftest import EXAMPLES, POLICIES, ROOT

ACME_TEXT = (POLICIES / "acme-channel-conflict.yaml").read_text(encoding="utf-8")
PRICING = (EXAMPLES / "acme-channel-conflict--pricing-emea.json").read_text(encoding="utf-8")
AS_OF = "2026-11-22"


def acme(*, version: str = "3.1.0", effective: str = "2026-01-01",
         expires: str = "2027-12-31", no_sunset: bool = False, broken: bool = False) -> str:
    """The bundled ACME rulebook with another version, term, a lint error (a remedy without
    sunset) or a load error (an unknown level)."""
    text = ACME_TEXT.replace("  version: 3.1.0", f"  version: {version}")
    text = text.replace("  effective: 2026-01-01", f"  effective: {effective}")
    text = re.sub(r"  expires: 2027-12-31[^\n]*", f"  expires: {expires}", text)
    if no_sunset:
        text = re.sub(r"\n    sunset: 90d[^\n]*", "", text, count=1)
    if broken:
        text = text.replace("otherwise: executive}", "otherwise: executiv}", 1)
    return text


def replace_file(path: Path, text: str) -> None:
    """Write a file the way deployment tools and editors do: a temporary beside it, renamed
    over it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    db: str
    policies: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, token: str | None = "all", **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[token]}"} if token else {}
        kwargs.setdefault("timeout", 30.0)
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


_TOKENS: dict[Path, dict[str, str]] = {}  # tokens file -> the tokens it holds the hashes of


def make_tokens(path: Path) -> dict[str, str]:
    from policyengine.service.tokens import TokenStore

    if path in _TOKENS:
        return _TOKENS[path]
    store = TokenStore.read(path, missing_ok=True)
    tokens = {}
    for name, scopes in (("all", ("decide", "read", "ledger")), ("reader", ("read",)),
                         ("decider", ("decide",))):
        store, tokens[name] = store.add(name, scopes)
    store.write(path)
    _TOKENS[path] = tokens
    return tokens


def start_server(tmp: Path, policies: Path, *, db: str | None = None, extra: tuple[str, ...] = (),
                 wait_ready: bool = True) -> Server:
    tokens_path = tmp / "tokens.json"
    tokens = make_tokens(tokens_path)
    db = db or str(tmp / "ledger.db")
    log_path = tmp / f"server-{time.monotonic_ns()}.log"
    env = {**os.environ, "POLICYENGINE_WATCH_POLL": "1", "PYTHONUNBUFFERED": "1"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "policyengine", "serve", "--policies", str(policies),
             "--db", db, "--tokens", str(tokens_path), "--port", "0", *extra],
            stdout=log, stderr=subprocess.STDOUT, cwd=tmp, env=env)
    deadline = time.monotonic() + 60
    url = None
    while url is None:
        text = log_path.read_text(errors="replace")
        m = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", text)
        if m:
            url = m.group(1)
        elif proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the server did not start:\n{text}")
        else:
            time.sleep(0.05)
    server = Server(url, proc, log_path, db, policies, tokens)
    if wait_ready:
        wait_until(lambda: httpx.get(url + "/ready").status_code == 200, what="ready")
    return server


def wait_until(predicate: Any, *, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Any]:
    servers: list[Server] = []

    def factory(policies: Path | None = None, **kwargs: Any) -> Server:
        if policies is None:
            policies = tmp_path / "policies"
            if not policies.exists():
                policies.mkdir()
                (policies / "acme.yaml").write_text(acme(), encoding="utf-8")
        server = start_server(tmp_path, policies, **kwargs)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.stop(signal.SIGKILL if server.process.poll() is None else signal.SIGTERM)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server over a copy of the bundled policies, shared by the tests that do not change
    its state."""
    tmp = tmp_path_factory.mktemp("server")
    policies = tmp / "policies"
    shutil.copytree(POLICIES, policies)
    srv = start_server(tmp, policies)
    yield srv
    srv.stop()


__all__ = ["ROOT"]
