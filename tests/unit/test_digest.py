"""The policy digest: canonical, so comments and layout do not change it; meaning does."""

from __future__ import annotations

import json

import yaml

import policyengine
from conftest import POLICIES


def _reformat(text: str) -> str:
    """The same rulebook without comments, keys reordered, in block style."""
    data = yaml.safe_load(text)

    def shuffle(node):
        if isinstance(node, dict):
            return {k: shuffle(node[k]) for k in sorted(node, reverse=True)}
        if isinstance(node, list):
            return [shuffle(x) for x in node]
        return node
    data = shuffle(data)
    data["policy"]["effective"] = str(data["policy"]["effective"])
    if "expires" in data["policy"]:
        data["policy"]["expires"] = str(data["policy"]["expires"])
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False, width=200)


def test_comments_key_order_and_flow_style_do_not_change_the_digest():
    for path in sorted(POLICIES.glob("*.yaml")):
        if path.name.endswith(".test.yaml"):
            continue
        text = path.read_text(encoding="utf-8")
        a = policyengine.loads_policy(text, path.name)
        b = policyengine.loads_policy(_reformat(text), path.name)
        assert a.digest == b.digest, path.name
        assert a == b


def test_expression_spacing_does_not_change_the_digest():
    text = (POLICIES / "acme-channel-conflict.yaml").read_text(encoding="utf-8")
    a = policyengine.loads_policy(text)
    b = policyengine.loads_policy(text.replace("amount < 10000.0", "amount<10000.0"))
    assert a.digest == b.digest


def test_a_change_of_meaning_changes_the_digest():
    text = (POLICIES / "acme-channel-conflict.yaml").read_text(encoding="utf-8")
    a = policyengine.loads_policy(text)
    for old, new in [("amount < 10000.0", "amount < 20000.0"), ("sunset: 30d", "sunset: 31d"),
                     ("version: 3.1.0", "version: 3.1.1"),
                     ("mdf_reallocation: 5000", "mdf_reallocation: 6000")]:
        assert old in text
        b = policyengine.loads_policy(text.replace(old, new, 1))
        assert a.digest != b.digest, old


def test_the_digest_is_in_every_decision():
    p = policyengine.load_policy(POLICIES / "acme-channel-conflict.yaml")
    d = p.evaluate({"kind": "mdf", "amount": 1.0, "region": "NA", "partner": {"tier": "gold"}},
                   as_of="2026-11-22")
    assert json.loads(d.to_json())["policy"]["digest"] == p.digest
