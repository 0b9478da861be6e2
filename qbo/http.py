"""The HTTP plumbing shared by the OAuth and Accounting calls: one httpx.Client, injectable transport.

Tests pass `httpx.WSGITransport(app=…)` to talk to the sandbox in-process; the real app leaves
the transport unset and httpx uses sockets.
"""
from __future__ import annotations

from typing import Callable, Union

import httpx

TransportSpec = Union[httpx.BaseTransport, Callable[[], httpx.BaseTransport], None]

USER_AGENT = "CareLedger-QBO/1.0"


class _SharedTransport(httpx.BaseTransport):
    """Lends one transport to short-lived clients without letting them close it."""

    def __init__(self, inner: httpx.BaseTransport):
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:  # the owner closes the real transport
        pass


def resolve_transport(spec: TransportSpec) -> httpx.BaseTransport | None:
    if spec is None:
        return None
    if isinstance(spec, httpx.BaseTransport):
        return spec
    if callable(spec):
        return spec()
    raise TypeError(f"QBO transport must be an httpx transport or a factory, not {type(spec)!r}")


def lend(transport: httpx.BaseTransport | None) -> httpx.BaseTransport | None:
    return _SharedTransport(transport) if transport is not None else None


def timeouts(connect: float = 5.0, read: float = 30.0) -> httpx.Timeout:
    # Writes and pool waits share the read budget; QBO itself gives up after 120 s.
    return httpx.Timeout(read, connect=connect, read=read, write=read, pool=connect)


def build_http_client(*, transport: httpx.BaseTransport | None = None, connect_timeout: float = 5.0,
                      read_timeout: float = 30.0) -> httpx.Client:
    return httpx.Client(
        transport=transport,
        timeout=timeouts(connect_timeout, read_timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )
