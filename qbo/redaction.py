"""Keep OAuth secrets out of every log record, whoever logs them (our code, httpx2, authlib).

A logging filter on the root handlers rewrites token-looking values in messages and arguments.
"""
from __future__ import annotations

import logging
import re

_PATTERNS = [
    # Authorization headers (Bearer or Basic) and token fields in JSON, forms or query strings.
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]+"), r"\1[REDACTED]"),
    (re.compile(r"(?i)((?:access|refresh|id)_token|client_secret|code|token)(['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9._~+/=-]{8,}"),
     r"\1\2[REDACTED]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()
_previous_factory = None


def _redacting_record_factory(*args, **kwargs):
    record = _previous_factory(*args, **kwargs)
    _FILTER.filter(record)
    return record


_redacting_record_factory.careledger_redacting = True


def install_redaction() -> None:
    """Attach the filter to the root logger's handlers and to loggers that carry HTTP details."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO)
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    for name in ("httpx2", "httpcore2", "authlib", "urllib3", "requests_oauthlib", "werkzeug"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    # Filters on handlers and named loggers miss handlers added later (gunicorn, pytest, a custom
    # logging config) and records of child loggers (e.g. "authlib.oauth2.rfc6749.grants…", which
    # the in-process sandbox uses to log issued tokens). Redacting where records are created
    # covers every logger and every handler, whatever their order.
    global _previous_factory
    current = logging.getLogRecordFactory()
    if not getattr(current, "careledger_redacting", False):
        _previous_factory = current
        logging.setLogRecordFactory(_redacting_record_factory)
