"""The HTTP plumbing shared by the OAuth and Accounting calls: one httpx2.Client, injectable transport.

Tests pass `httpx2.WSGITransport(app=…)` to talk to the sandbox in-process; the real app leaves
the transport unset and httpx2 uses sockets.
"""
from __future__ import annotations

from typing import Callable, Union

import httpx2

TransportSpec = Union[httpx2.BaseTransport, Callable[[], httpx2.BaseTransport], None]

USER_AGENT = "CareLedger-QBO/1.0"


class _SharedTransport(httpx2.BaseTransport):
    """Lends one transport to short-lived clients without letting them close it."""

    def __init__(self, inner: httpx2.BaseTransport):
        self._inner = inner

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:  # the owner closes the real transport
        pass


def resolve_transport(spec: TransportSpec) -> httpx2.BaseTransport | None:
    if spec is None:
        return None
    if isinstance(spec, httpx2.BaseTransport):
        return spec
    if callable(spec):
        return spec()
    raise TypeError(f"QBO transport must be an httpx2 transport or a factory, not {type(spec)!r}")


def lend(transport: httpx2.BaseTransport | None) -> httpx2.BaseTransport | None:
    return _SharedTransport(transport) if transport is not None else None


def timeouts(connect: float = 5.0, read: float = 30.0) -> httpx2.Timeout:
    # Writes and pool waits share the read budget; QBO itself gives up after 120 s.
    return httpx2.Timeout(read, connect=connect, read=read, write=read, pool=connect)


def build_http_client(*, transport: httpx2.BaseTransport | None = None, connect_timeout: float = 5.0,
                      read_timeout: float = 30.0) -> httpx2.Client:
    return httpx2.Client(
        transport=transport,
        timeout=timeouts(connect_timeout, read_timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )
