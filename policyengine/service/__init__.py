"""The decision service (``policyengine serve``): an ASGI application over the library and the
ledger. See ``docs/service.md``.

    registry.py   the policies folder: load, lint, versions, atomic swap
    watch.py      hot reload (watchfiles)
    tokens.py     bearer tokens (hashes only) and the tokens file
    auth.py       the /v1 authentication middleware and scope checks
    requests.py   bounded body reading and request parsing
    recorder.py   decide-and-log: the decision log entry of every answer
    app.py        routes and handlers (parse, call, serialize)
    ledger_routes.py  the ledger's operations over HTTP
    openapi.py    the OpenAPI document (schemas/openapi.json)
    spec.py       the document's building blocks (references, error responses)
    metrics.py    Prometheus metrics
    server.py     uvicorn
"""
