"""Hot reload: the policies folder is watched (watchfiles); any change makes the registry
read the folder again (in a worker thread, so requests keep being answered meanwhile). Only
files whose bytes changed are loaded and linted again.

The folder is also read again every ``RESCAN_S`` seconds without an event: a file caught half
written (an event seen between the truncation and the write, both within one tick of the
file system's clock) would otherwise stay refused until its next change. A rescan that finds
the same bytes costs a read and a hash per file.

``POLICYENGINE_WATCH_POLL=1`` (or watchfiles' ``WATCHFILES_FORCE_POLLING``) polls instead of
using the operating system's notifications (for network file systems and some containers).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import anyio

if TYPE_CHECKING:  # pragma: no cover
    from .app import Service

logger = logging.getLogger("policyengine.service")

RESCAN_S = 2.0


async def watch_policies(service: "Service", stop: anyio.Event) -> None:
    from watchfiles import awatch

    folder = service.config.policies
    poll = os.environ.get("POLICYENGINE_WATCH_POLL", "") not in ("", "0")
    try:
        async for _changes in awatch(folder, stop_event=stop, debounce=200, step=50,
                                     force_polling=True if poll else None,
                                     poll_delay_ms=200, recursive=True,
                                     rust_timeout=int(RESCAN_S * 1000),
                                     yield_on_timeout=True):
            try:
                await anyio.to_thread.run_sync(service.registry.scan)
            except Exception:  # a reload must never stop the watcher
                logger.exception("reloading the policies failed")
    except FileNotFoundError:
        logger.error("cannot watch %s: no such folder; hot reload is off", folder)
