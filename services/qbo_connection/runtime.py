"""Per-app QBO plumbing: settings, the one shared httpx2.Client, the OAuth flow, the retry policy,
and the request pacer every connected client shares.

Configuration keys (besides the QBO_* URLs in qbo/settings.py):
- QBO_HTTP_TRANSPORT: an httpx2 transport, or a zero-argument factory for one (tests pass
  `httpx2.WSGITransport(app=…)`); unset means real sockets.
- QBO_RETRY_MAX_ATTEMPTS / QBO_RETRY_BASE_DELAY / QBO_RETRY_MAX_DELAY / QBO_RETRY_MAX_THROTTLE_WAIT.
"""
from __future__ import annotations

from dataclasses import replace

import threading

import httpx2
from flask import Flask, current_app

from qbo import http as qbo_http
from qbo.oauth import OAuthFlow
from qbo.retry import RetryPolicy
from qbo.settings import QboSettings, settings_from_config

_KEY = "qbo.runtime"
_lock = threading.Lock()


class _Runtime:
    def __init__(self, app: Flask):
        self.settings = settings_from_config(app.config)
        self.transport = qbo_http.resolve_transport(app.config.get("QBO_HTTP_TRANSPORT"))
        self.http = qbo_http.build_http_client(
            transport=qbo_http.lend(self.transport),
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout)
        self.flow = OAuthFlow(self.settings, self.http, self.transport)
        self.retry = RetryPolicy(
            max_attempts=int(app.config["QBO_RETRY_MAX_ATTEMPTS"]),
            base_delay=float(app.config["QBO_RETRY_BASE_DELAY"]),
            max_delay=float(app.config["QBO_RETRY_MAX_DELAY"]),
            max_throttle_wait=float(app.config["QBO_RETRY_MAX_THROTTLE_WAIT"]),
        )
        self.page_retry = replace(self.retry, max_throttle_wait=min(
            self.retry.max_throttle_wait, float(app.config.get("QBO_PAGE_MAX_THROTTLE_WAIT", 5.0))))
        # Pages, the change check and connecting pace their requests in the same database log of
        # request starts as the exporter and the corrections engine (services/export/
        # shared_pacing.py), so together — every thread and process — they stay inside Intuit's
        # per-company limits: a person reading lists while an export runs provokes no 429 (and
        # its minute's pause) for either. Pages need no throughput, so they keep two requests a
        # second and a wider margin in hand for arrival jitter on a busy host.
        from services.export.pacing import Rule, pacing_from_config  # services.export imports us
        from services.export.shared_pacing import SharedPacers

        options = pacing_from_config(app.config)
        per_second, per_minute = options["general"]
        options["general"] = (Rule(max(1, per_second.limit - 2), per_second.window), per_minute)
        options["margin"] = max(options["margin"], 0.3)
        self.pacers = SharedPacers(**options)


def runtime(app: Flask | None = None) -> _Runtime:
    app = app or current_app._get_current_object()
    found = app.extensions.get(_KEY)
    if found is None:
        with _lock:
            found = app.extensions.get(_KEY)
            if found is None:
                found = app.extensions[_KEY] = _Runtime(app)
    return found


def reset(app: Flask | None = None) -> None:
    """Forget the cached runtime (after a config change, e.g. in tests)."""
    app = app or current_app._get_current_object()
    found = app.extensions.pop(_KEY, None)
    if found is not None:
        found.http.close()


def settings() -> QboSettings:
    return runtime().settings


def http_client() -> httpx2.Client:
    return runtime().http


def oauth_flow() -> OAuthFlow:
    return runtime().flow


def retry_policy() -> RetryPolicy:
    return runtime().retry
