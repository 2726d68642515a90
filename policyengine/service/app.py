"""The ASGI application of ``policyengine serve`` (Starlette).

Handlers only parse, call the library or the ledger, and serialize: deciding is
:func:`policyengine.decide.jsonlines.decide_value` (the library), choosing the version is the
registry's, logging is the recorder's. A decision's body is ``Decision.to_json()`` byte for
byte.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.errors import Problem
from ..decide.jsonlines import LineOutcome, decide_value, invalid_json, parse_line
from ..load import DEFAULT_MAX_BYTES
from ..core.suggest import did_you_mean
from .auth import AuthMiddleware, TokenSource, scope_missing, token_of
from .errors import JSON, HTTPProblem, error_response, problem_response
from .metrics import CONTENT_TYPE, ServiceMetrics
from .recorder import DecisionRecorder, LogUnavailable
from .registry import PolicyRegistry, PolicyVersion, ReloadOutcome, Snapshot
from .requests import (DEFAULT_MAX_BODY_BYTES, body_lines, decision_request, parse_date_param,
                       parse_json, read_body)

logger = logging.getLogger("policyengine.service")

BATCH_CHUNK = 64  # lines decided (and logged) per trip to a worker thread
DEFAULT_MAX_BATCH_LINES = 100_000


@dataclass(frozen=True)
class ServiceConfig:
    """What ``policyengine serve`` was told. ``tokens`` None with ``no_auth``."""

    policies: str
    db: str | None = None
    tokens: str | None = None
    no_auth: bool = False
    watch: bool = True
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_batch_lines: int = DEFAULT_MAX_BATCH_LINES
    max_policy_bytes: int = DEFAULT_MAX_BYTES


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type=JSON, headers=headers)


class Service:
    """The state one process serves with: registry, ledger, tokens, metrics."""

    def __init__(self, config: ServiceConfig, *, ledger: Any = None,
                 tokens: TokenSource | None = None) -> None:
        self.config = config
        self.metrics = ServiceMetrics()
        self.registry = PolicyRegistry(config.policies, max_bytes=config.max_policy_bytes,
                                       listener=self._reloaded)
        if ledger is None:
            from ..ledger import Ledger

            ledger = Ledger(config.db, source="service")
            ledger.init()  # creates or migrates the ledger at --db (safe to run again)
        self.ledger = ledger
        self.recorder = DecisionRecorder(ledger, self.metrics)
        if config.no_auth:
            self.tokens: TokenSource | None = None
        else:
            self.tokens = tokens if tokens is not None else TokenSource(config.tokens)
        self.startup_refused: tuple[str, ...] | None = None  # None until the first scan
        threads = 8 if getattr(self.ledger, "is_postgresql", False) else 1
        self.executor = concurrent.futures.ThreadPoolExecutor(
            threads, thread_name_prefix="policyengine-decide")

    async def in_thread(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run blocking work (deciding and logging, ledger calls) in the service's worker
        threads: one for SQLite (a single writer; more threads only fight over its lock, whose
        busy handler sleeps in growing steps, and over the GIL), eight for PostgreSQL (its
        inserts run concurrently and its client releases the GIL while it waits). Jobs wait
        in the executor's queue, so a worker takes the next one as soon as it is done, without
        a round trip through the event loop per job."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(func, *args))

    def _reloaded(self, outcome: ReloadOutcome) -> None:
        label = outcome.policy_id or outcome.path
        self.metrics.reloads.labels(label, outcome.status).inc()
        if outcome.status == "refused":
            first = next((d.format_line() for d in outcome.diagnostics), "")
            logger.error("policy %s (%s) refused, the version in use stays active: %s%s",
                         label, outcome.path, outcome.reason, f": {first}" if first else "")
        else:
            logger.info("policy %s (%s) %s%s", label, outcome.path, outcome.status,
                        f" version {outcome.version}" if outcome.version else "")
        snapshot = self.registry.snapshot
        for policy_id in snapshot.ids():
            self.metrics.active.labels(policy_id).set(len(snapshot.versions.get(policy_id, ())))

    def first_scan(self) -> None:
        outcomes = self.registry.scan()
        self.startup_refused = tuple(o.path for o in outcomes if o.status == "refused")

    # -- helpers -----------------------------------------------------------------------
    def loaded(self) -> Snapshot:
        snapshot = self.registry.snapshot
        if self.startup_refused is None or not snapshot.loaded:
            raise HTTPProblem(503, "not_ready", "the policies are still loading",
                              hint="retry when GET /ready answers 200",
                              headers={"Retry-After": "1"})
        return snapshot

    def unknown_policy(self, snapshot: Snapshot, policy_id: str) -> HTTPProblem:
        hint = did_you_mean(policy_id, snapshot.ids())
        return HTTPProblem(404, "unknown_policy", f"no policy `{policy_id}`", path="policy_id",
                           hint=hint or f"GET /v1/policies lists the {len(snapshot.ids())} "
                                        f"policies")

    def version(self, snapshot: Snapshot, policy_id: str, as_of: Any) -> PolicyVersion:
        version = snapshot.for_decision(policy_id, as_of)
        if version is None:
            raise self.unknown_policy(snapshot, policy_id)
        return version

    def decide(self, version: PolicyVersion, dispute: Any, as_of: Any, actor: str | None,
               started: float) -> tuple[LineOutcome, str]:
        outcome = decide_value(version.policy, 1, dispute, as_of)
        return outcome, self.recorder.record(version, outcome, actor=actor, started=started)


Handler = Callable[[Service, Request], Awaitable[Response]]


ROUTE_KEY = "policyengine.route"


def _endpoint(service: Service, path: str, handler: Handler, needed: str | None
              ) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        # the route template for the metrics' `route` label; set here rather than read from
        # Starlette's scope["route"], which older Starlette releases do not record
        request.scope[ROUTE_KEY] = path
        if needed is not None and scope_missing(request.scope, needed):
            return error_response(403, "forbidden", [Problem(
                "forbidden", f"the token lacks the scope `{needed}`", None, None,
                f"add a token with `--scope {needed}`")])
        try:
            return await handler(service, request)
        except HTTPProblem as exc:
            return problem_response(exc)
        except LogUnavailable:
            return error_response(503, "log_unavailable", [Problem(
                "log_unavailable", "the decision log cannot be written, so no decision is "
                "answered", None, None, "retry later; the operator should check the ledger "
                "database")], {"Retry-After": "1"})
    return endpoint


def _actor(request: Request) -> str | None:
    token = token_of(request.scope)
    return token.name if token is not None else None


# -- handlers ---------------------------------------------------------------------------------
async def health(service: Service, request: Request) -> Response:
    return _json({"status": "ok"})


async def ready(service: Service, request: Request) -> Response:
    snapshot = service.registry.snapshot
    if service.startup_refused is None or not snapshot.loaded:
        return error_response(503, "not_ready", [Problem("not_ready",
                              "the policies are still loading")], {"Retry-After": "1"})
    waiting = [p for p in service.startup_refused if not service.registry.serving(p)]
    if waiting:
        return error_response(503, "not_ready", [Problem(
            "not_ready", f"{path}: the rulebook was refused at startup", None, None,
            "GET /v1/policies/ID shows why; fix the file (it is reloaded when it changes)")
            for path in waiting])
    return _json({"status": "ready", "policies": len(snapshot.versions)})


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of every route the service serves (``schemas/openapi.json``)."""
    from .ledger_routes import LEDGER_ROUTES
    from .openapi import document

    return document((*ROUTES, *LEDGER_ROUTES))


async def openapi(service: Service, request: Request) -> Response:
    return _json(openapi_document())


async def metrics(service: Service, request: Request) -> Response:
    return Response(service.metrics.render(), media_type=CONTENT_TYPE)


async def list_policies(service: Service, request: Request) -> Response:
    return _json(service.loaded().listing())


async def show_policy(service: Service, request: Request) -> Response:
    snapshot = service.loaded()
    policy_id = request.path_params["policy_id"]
    if policy_id not in snapshot.ids():
        raise service.unknown_policy(snapshot, policy_id)
    active = snapshot.active(policy_id)
    outcome = snapshot.outcomes.get(policy_id)
    versions = [v.to_dict(active=v is active) for v in snapshot.versions.get(policy_id, ())]
    return _json({"id": policy_id,
                  "active": active.to_dict(active=True) if active is not None else None,
                  "versions": versions,
                  "last_reload": outcome.to_dict() if outcome is not None else None})


async def policy_schema(service: Service, request: Request) -> Response:
    from ..model.dispute_schema import dispute_schema

    snapshot = service.loaded()
    version = service.version(snapshot, request.path_params["policy_id"], None)
    return _json(dispute_schema(version.policy))


async def decide(service: Service, request: Request) -> Response:
    started = time.perf_counter()
    snapshot = service.loaded()
    body = await read_body(request, service.config.max_body_bytes)
    dispute, as_of = decision_request(parse_json(body))
    version = service.version(snapshot, request.path_params["policy_id"], as_of)
    outcome, decision_id = await service.in_thread(
        service.decide, version, dispute, as_of, _actor(request), started)
    headers = {"X-Decision-Id": decision_id}
    if outcome.decision is None:
        return error_response(422, outcome.code or "refused", outcome.problems, headers)
    return Response(outcome.decision.to_json(), media_type=JSON, headers=headers)


class JSONLinesResponse(Response):
    """A streamed ``application/x-ndjson`` body. Unlike Starlette's StreamingResponse it does
    not listen for a disconnect while streaming: that would consume the request body the
    stream is still reading. A client that goes away makes ``send`` fail, which ends it."""

    media_type = "application/x-ndjson"

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        super().__init__(None, 200, media_type=self.media_type)
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.chunks = chunks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code,
                    "headers": self.raw_headers})
        async for chunk in self.chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def decide_batch(service: Service, request: Request) -> Response:
    snapshot = service.loaded()
    as_of = parse_date_param(request.query_params.get("as_of"), "as_of")
    version = service.version(snapshot, request.path_params["policy_id"], as_of)
    actor = _actor(request)
    limit, max_lines = service.config.max_body_bytes, service.config.max_batch_lines

    def unlogged(number: int) -> str:
        return invalid_json(number, "the decision log cannot be written: this line and the "
                            "rest were not decided", "log_unavailable").to_json()

    def run(items: list[tuple[int, bytes | None, float]]) -> tuple[list[str], bool]:
        """Decide a chunk, then log it in one transaction: the chunk is answered, or (the log
        cannot be written) none of it is, and the batch stops there."""
        done = []
        failed_at = None
        for number, raw, started in items:
            if raw is None:
                outcome = invalid_json(number, f"the line is over {limit} bytes", "too_large")
            else:
                dispute, refused = parse_line(number, raw)
                outcome = refused or decide_value(version.policy, number, dispute, as_of)
            try:
                entry = service.recorder.entry(version, outcome, actor=actor, started=started)
            except LogUnavailable:
                failed_at = number
                break
            done.append((entry, outcome))
        try:
            service.recorder.write(version, done)
        except LogUnavailable:
            return [unlogged(items[0][0])], False
        out = [outcome.to_json(decision_id=entry.decision_id) for entry, outcome in done]
        if failed_at is not None:
            return out + [unlogged(failed_at)], False
        return out, True

    async def chunks() -> AsyncIterator[bytes]:
        pending: list[tuple[int, bytes | None, float]] = []
        async for number, raw in body_lines(request, limit):
            if number > max_lines:
                yield (invalid_json(number, f"a batch holds at most {max_lines} lines: "
                                    f"this line and the rest were not read",
                                    "too_large").to_json() + "\n").encode("utf-8")
                return
            pending.append((number, raw, time.perf_counter()))
            if len(pending) >= BATCH_CHUNK:
                lines, ok = await service.in_thread(run, pending)
                pending = []
                yield "".join(line + "\n" for line in lines).encode("utf-8")
                if not ok:
                    return
        if pending:
            lines, _ = await service.in_thread(run, pending)
            yield "".join(line + "\n" for line in lines).encode("utf-8")

    return JSONLinesResponse(chunks())


# -- routes -------------------------------------------------------------------------------------
# (method, path, handler, scope needed or None for no /v1 auth)
ROUTES: list[tuple[str, str, Handler, str | None]] = [
    ("GET", "/health", health, None),
    ("GET", "/ready", ready, None),
    ("GET", "/openapi.json", openapi, None),
    ("GET", "/metrics", metrics, None),
    ("GET", "/v1/policies", list_policies, "read"),
    ("GET", "/v1/policies/{policy_id}", show_policy, "read"),
    ("GET", "/v1/policies/{policy_id}/schema", policy_schema, "read"),
    ("POST", "/v1/policies/{policy_id}/decisions", decide, "decide"),
    ("POST", "/v1/policies/{policy_id}/decisions/batch", decide_batch, "decide"),
]


class MetricsMiddleware:
    """Counts every request by method, route template and status, and times it."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            label = scope.get(ROUTE_KEY) or getattr(scope.get("route"), "path", None) \
                or "unmatched"
            self.metrics.requests.labels(scope["method"], label, str(status[0])).inc()
            self.metrics.latency.labels(label).observe(time.perf_counter() - started)


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(404, "not_found", [Problem(
        "not_found", f"no route `{request.url.path}`", None, None,
        "GET /openapi.json lists the routes")])


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return error_response(405, "method_not_allowed", [Problem(
        "method_not_allowed", f"`{request.method}` is not allowed on `{request.url.path}`")],
        {"Allow": getattr(exc, "headers", {}).get("Allow", "")})


async def _internal(request: Request, exc: Exception) -> Response:
    logger.exception("internal error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", [Problem(
        "internal_error", "internal error: please report it with the request that caused it")])


def build_app(service: Service) -> Starlette:
    from .ledger_routes import LEDGER_ROUTES
    from .watch import watch_policies

    routes = [Route(path, _endpoint(service, path, handler, needed), methods=[method])
              for method, path, handler, needed in (*ROUTES, *LEDGER_ROUTES)]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tg:
            stop = anyio.Event()
            if service.config.watch:
                tg.start_soon(watch_policies, service, stop)
            tg.start_soon(anyio.to_thread.run_sync, service.first_scan)
            try:
                yield
            finally:
                stop.set()
                tg.cancel_scope.cancel()
        service.executor.shutdown(wait=True)  # the last log writes finish before the exit

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        404: _not_found, 405: _method_not_allowed, 500: _internal})
    app.state.service = service
    app.add_middleware(AuthMiddleware, tokens=service.tokens)
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)
    return app


def create_app(config: ServiceConfig, **kwargs: Any) -> Starlette:
    return build_app(Service(config, **kwargs))
