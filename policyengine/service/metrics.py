"""Prometheus metrics of one service process (``GET /metrics``), in a registry of its own."""

from __future__ import annotations

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, generate_latest,
                               disable_created_metrics)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class ServiceMetrics:
    def __init__(self) -> None:
        disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created doubles the output
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("policyengine_http_requests", "HTTP requests served.",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram(
            "policyengine_http_request_duration_seconds", "Time to answer a request.",
            ["route"], registry=r,
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                     2.5, 5.0, 10.0))
        self.decisions = Counter("policyengine_decisions", "Disputes decided.",
                                 ["policy", "category", "level"], registry=r)
        self.refusals = Counter("policyengine_refusals", "Disputes refused, by refusal code.",
                                ["policy", "code"], registry=r)
        self.reloads = Counter("policyengine_policy_reloads",
                               "Rulebook (re)loads by outcome (loaded, refused, removed).",
                               ["policy", "outcome"], registry=r)
        self.log_failures = Counter("policyengine_decision_log_failures",
                                    "Decisions not answered because the log could not be "
                                    "written (503).", registry=r)
        self.active = Gauge("policyengine_policy_versions",
                            "Versions of each policy id in use.", ["policy"], registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)
