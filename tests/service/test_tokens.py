"""Service tokens: hashes only, atomic 0600 file, scopes, constant-time verification; the
`policyengine serve token` commands."""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from policyengine.cli.main import cli
from policyengine.service.tokens import (TokenError, TokenStore, hash_token, parse_scopes)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_add_prints_the_token_once_and_stores_only_its_hash(tmp_path):
    path = tmp_path / "tokens.json"
    res = run("serve", "token", "add", "deal-desk", "--scope", "decide,read",
              "--tokens", str(path))
    assert res.exit_code == 0, res.output
    token = res.stdout.strip()
    assert token.startswith("pe_") and len(token) > 40
    text = path.read_text()
    assert token not in text
    data = json.loads(text)
    assert data["tokens"][0]["sha256"] == hash_token(token)
    assert data["tokens"][0]["scopes"] == ["decide", "read"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not [p for p in os.listdir(tmp_path) if p != "tokens.json"]  # no temporary left
    store = TokenStore.read(path)
    assert store.verify(token).name == "deal-desk"
    assert store.verify(token + "x") is None
    assert store.verify("") is None


def test_list_and_revoke(tmp_path):
    path = str(tmp_path / "t.json")
    first = run("serve", "token", "add", "a", "--scope", "read", "--tokens", path).stdout.strip()
    run("serve", "token", "add", "b", "--scope", "ledger,decide", "--tokens", path)
    listed = run("serve", "token", "list", "--tokens", path)
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["a", "read"], ["b", "decide,ledger"]]
    assert first not in listed.output
    res = run("serve", "token", "revoke", "a", "--tokens", path)
    assert res.exit_code == 0
    store = TokenStore.read(path)
    assert store.names() == ["b"] and store.verify(first) is None


def test_bad_input_exits_2_with_a_hint(tmp_path):
    path = str(tmp_path / "t.json")
    res = run("serve", "token", "add", "a", "--scope", "decied", "--tokens", path)
    assert res.exit_code == 2 and "did you mean `decide`?" in res.output
    run("serve", "token", "add", "a", "--scope", "read", "--tokens", path)
    res = run("serve", "token", "add", "a", "--scope", "read", "--tokens", path)
    assert res.exit_code == 2 and "exists" in res.output
    res = run("serve", "token", "revoke", "aa", "--tokens", path)
    assert res.exit_code == 2 and "no token named `aa`" in res.output
    res = run("serve", "token", "add", "bad name", "--tokens", path)
    assert res.exit_code == 2 and "invalid token name" in res.output
    res = run("serve", "token", "list", "--tokens", str(tmp_path / "none.json"))
    assert res.exit_code == 2 and "token add" in res.output
    (tmp_path / "broken.json").write_text("{")
    res = run("serve", "token", "list", "--tokens", str(tmp_path / "broken.json"))
    assert res.exit_code == 2 and "not valid JSON" in res.output
    res = run("serve", "token", "add", "a", "--tokens", str(tmp_path / "no" / "t.json"))
    assert res.exit_code == 2 and "no such folder" in res.output


def test_scopes_are_normalized():
    assert parse_scopes("read, decide,read") == ("decide", "read")
    with pytest.raises(TokenError):
        parse_scopes(" , ")


def test_no_auth_refuses_a_public_host(tmp_path):
    res = run("serve", "--policies", str(tmp_path), "--no-auth", "--host", "0.0.0.0")
    assert res.exit_code == 2 and "--no-auth" in res.output
    res = run("serve", "--policies", str(tmp_path / "nope"))
    assert res.exit_code == 2 and "no such folder" in res.output
    res = run("serve")
    assert res.exit_code == 2 and "--policies" in res.output
