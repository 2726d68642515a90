"""schemathesis hooks for the service's JSON Lines media type (also loaded by the fuzz section
of .ci/run through SCHEMATHESIS_HOOKS): the batch body is text, one dispute per line."""

from __future__ import annotations

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")


@schemathesis.deserializer("application/x-ndjson")
def _ndjson(ctx, response):  # the document types the body as a string
    return response.content.decode("utf-8", errors="replace")
