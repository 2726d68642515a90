"""Running the application under uvicorn.

With one worker the app is built in this process. With ``--workers N`` uvicorn starts N
processes that each build their own app from the configuration passed in the environment
(``POLICYENGINE_SERVE_CONFIG``, JSON): each has its registry, watcher and metrics; they share
the ledger database.

SIGTERM and SIGINT make uvicorn stop accepting connections, let the requests in flight finish
(each decision is logged before its response is sent, so none is half-logged), then stop.
"""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
import json
import os
from typing import Any

from starlette.applications import Starlette

from .app import ServiceConfig, create_app

CONFIG_ENV = "POLICYENGINE_SERVE_CONFIG"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_from_env() -> Starlette:
    """The factory uvicorn's worker processes call."""
    data = json.loads(os.environ[CONFIG_ENV])
    return create_app(ServiceConfig(**data))


def log_config(level: str) -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["policyengine.service"] = {"handlers": ["default"], "level": level.upper(),
                                                 "propagate": False}
    return config


def run(config: ServiceConfig, *, host: str, port: int, workers: int = 1,
        log_level: str = "info", access_log: bool = True, shutdown_timeout: float = 30.0,
        app: Starlette | None = None) -> None:
    import uvicorn

    common: dict[str, Any] = dict(host=host, port=port, log_level=log_level,
                                  access_log=access_log, log_config=log_config(log_level),
                                  timeout_graceful_shutdown=shutdown_timeout,
                                  server_header=False, lifespan="on")
    if workers > 1:
        os.environ[CONFIG_ENV] = json.dumps(dataclasses.asdict(config))
        uvicorn.run("policyengine.service.server:app_from_env", factory=True, workers=workers,
                    **common)
        return
    uvicorn.run(app if app is not None else create_app(config), **common)
