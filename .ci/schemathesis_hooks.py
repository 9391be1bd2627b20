"""Schemathesis hooks for Lango: the one raw-bytes body (an agency's PDF) is sent as bytes."""

import schemathesis


@schemathesis.serializer("application/pdf")
def pdf(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
