"""WSGI wrapper that applies the knobs before Flask sees a request: latency and injected faults.

It sits outside Flask so that a dropped connection can escape the WSGI call (Flask would turn an
exception into a 500) and so that "commit then drop" runs the whole request first.
"""
from __future__ import annotations

import io
import socket
import time
from urllib.parse import parse_qs

from qbo_sandbox import clock, jsonutil
from qbo_sandbox.accounting import faults
from qbo_sandbox.accounting.classify import classify
from qbo_sandbox.control.knobs import SandboxConnectionDropped

EXEMPT_PREFIXES = ("/_sandbox", "/app", "/static", "/.well-known", "/op/")


def _drop(environ, why: str):
    """Drop the client connection: TCP shutdown on a real socket, an exception in-process."""
    sock = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        # The dev server treats ConnectionError as "client went away" and stays quiet.
        raise ConnectionResetError(f"qbo_sandbox dropped the connection ({why})")
    raise SandboxConnectionDropped(f"qbo_sandbox dropped the connection ({why})")


def _respond(start_response, status: int, body: bytes, content_type: str):
    reason = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
              503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", content_type),
                                          ("Content-Length", str(len(body))),
                                          ("intuit_tid", new_tid())])
    return [body]


def new_tid() -> str:
    import secrets
    return f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"


class KnobGate:
    def __init__(self, wsgi_app, flask_app):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(EXEMPT_PREFIXES):
            return self.wsgi_app(environ, start_response)
        knobs = self.flask_app.extensions["qbo_sandbox.knobs"]
        delay = knobs.latency_seconds()
        if delay > 0:
            time.sleep(delay)
        if not knobs.faults:
            return self.wsgi_app(environ, start_response)
        body = self._buffer_body(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        args = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        _realm, entity, operation = classify(method, path, args, body)
        rule = knobs.pick_fault(method, path, operation, entity)
        if rule is None:
            return self.wsgi_app(environ, start_response)
        if rule.kind == "error":
            fault = faults.system_error(rule.status)
            payload = jsonutil.dumps({"Fault": fault.fault_json(),
                                      "time": clock.response_time(None)}).encode()
            return _respond(start_response, rule.status, payload, "application/json")
        if rule.kind == "throttle":
            return _respond(start_response, 429, faults.throttle_xml(clock.response_time(None)).encode(),
                            "application/xml")
        if rule.kind == "timeout":
            time.sleep(rule.delay)
            _drop(environ, "timeout")
        if rule.kind == "drop":
            _drop(environ, "before executing")
        # commit_then_drop: run the request to completion (the view commits), discard the answer.
        captured = []
        result = self.wsgi_app(environ, lambda status, headers, exc_info=None: captured.append(status))
        try:
            for _chunk in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()
        _drop(environ, "after commit")

    @staticmethod
    def _buffer_body(environ) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        return body
