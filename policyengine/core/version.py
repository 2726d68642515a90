"""The version of the installed distribution, read back from its metadata (``pyproject.toml``
is the one version source); a checkout that was never installed says ``0+unknown``.
Imports nothing from the package: every module that prints the version reads it here, so none
of them imports the package's public face (``policyengine/__init__.py``)."""

from __future__ import annotations

from importlib import metadata as _metadata

#: The name the package is published under (the import name stays ``policyengine``).
DISTRIBUTION = "channel-conflict-policyengine"

try:
    __version__: str = _metadata.version(DISTRIBUTION)
except _metadata.PackageNotFoundError:  # pragma: no cover - a checkout that was not installed
    __version__ = "0+unknown"
