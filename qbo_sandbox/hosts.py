"""The Host header check against DNS rebinding.

A web page on evil.example can make its own name resolve to 127.0.0.1 and then read the
sandbox's pages as if they were its own (same origin). The browser still sends
`Host: evil.example`, so the pages a browser uses (the /app view, the sign-in and consent pages,
the /_sandbox control plane) answer only to the loopback names and the hosts in config
ALLOWED_HOSTS (the mount adds CareLedger's own host name). The Accounting API and the token
endpoints need a bearer token or a client secret a rebinding page does not have, so any Host
may reach them (clients and tests use names such as sandbox.test).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
BROWSER_PATHS = ("/app", "/_sandbox", "/connect/oauth2")


def allowed_hosts(app) -> set[str]:
    return {h.lower() for h in (*LOOPBACK_HOSTS, *app.config.get("ALLOWED_HOSTS", ()))}


def host_name(host_header: str) -> str:
    try:
        return (urlsplit("//" + host_header).hostname or "").lower()
    except ValueError:  # e.g. a malformed IPv6 literal
        return ""


def check_host():
    """before_request: 400 for a browser path asked for under a host name not allowed."""
    if not request.path.startswith(BROWSER_PATHS):
        return None
    if host_name(request.host) in allowed_hosts(current_app):
        return None
    return ("This sandbox does not answer to that host name (add it to ALLOWED_HOSTS).", 400,
            {"Content-Type": "text/plain; charset=utf-8"})
