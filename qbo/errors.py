"""The one place that turns QuickBooks Online failures into a small exception family.

Intuit answers errors in three shapes (PROTOCOL §6), and callers should never care which:
- the Accounting API's `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type"}}`;
- the gateway's lowercase envelope for 401/403 `{"fault":{"error":[{"message",…}],"type"}}`;
- XML `<Fault type><Error code element><Message/><Detail/></Error></Fault>`, which the throttle
  (429, code 3001) sends even to JSON clients. Some real XML faults are not even well formed
  (samples/qbo_fault_400_amount_calc_6070.xml never closes <Error>), so XML is read with
  tolerant patterns rather than a strict parser.

Classification goes by Intuit's code first (it is more precise than the status), then by status.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

# On 429 Intuit documents "wait 60 s"; a Retry-After header is not confirmed (PROTOCOL §7).
DEFAULT_THROTTLE_WAIT = 60.0


@dataclass(frozen=True)
class FaultError:
    """One <Error> of a Fault."""

    code: str = ""
    message: str = ""
    detail: str = ""
    element: str = ""


class QboError(Exception):
    """Base of every failure the QBO layer raises."""

    def __init__(self, message: str, *, status: int | None = None,
                 errors: tuple[FaultError, ...] = (), fault_type: str = "",
                 intuit_tid: str | None = None):
        super().__init__(message)
        self.status = status
        self.errors = tuple(errors)
        self.fault_type = fault_type
        self.intuit_tid = intuit_tid

    @property
    def code(self) -> str:
        return self.errors[0].code if self.errors else ""

    @property
    def element(self) -> str:
        return self.errors[0].element if self.errors else ""

    @property
    def detail(self) -> str:
        return self.errors[0].detail if self.errors else ""


class AuthenticationError(QboError):
    """401/403: the access token is missing, expired, revoked, or lacks rights."""


class AuthorizationError(AuthenticationError):
    """403 (code 3100): the token is valid but not allowed to do this."""


class ReconnectRequired(AuthenticationError):
    """The refresh token is dead (invalid_grant, revoked, expired) or there is no connection:
    only a person signing in to QuickBooks again can fix it."""


class OAuthError(QboError):
    """An OAuth endpoint refused a request (token exchange, revocation, authorization)."""

    def __init__(self, error: str, description: str = "", *, status: int | None = None):
        super().__init__(f"{error}: {description}" if description else error, status=status)
        self.error = error
        self.description = description


class ValidationError(QboError):
    """400: QuickBooks refused the request's content. `errors` holds every Error (6070 sends one per line)."""


class DuplicateNameError(ValidationError):
    """6240: the DisplayName/Name is already used (across Customer, Vendor and Employee)."""


class DuplicateDocumentNumberError(ValidationError):
    """6140: the DocNumber is already used."""


class StaleObjectError(ValidationError):
    """5010: the SyncToken is not the latest; re-read and re-apply."""


class NotFoundError(QboError):
    """610 or HTTP 404: the object does not exist or was made inactive."""


class ThrottledError(QboError):
    """429 / code 3001: too many requests. `retry_after` is seconds to wait."""

    def __init__(self, message: str, *, retry_after: float = DEFAULT_THROTTLE_WAIT, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ReadAllowanceExhausted(QboError):
    """429 past the monthly CorePlus allowance (App Partner Program, PROTOCOL §11): every read
    answers 429 until the month turns, so waiting a minute and retrying is pointless. Not a
    ThrottledError on purpose: nothing retries it. Writes are not metered and keep working."""


# Intuit has not published the over-cap body; these words tell it from the per-minute throttle.
_MONTHLY_CAP = re.compile(r"corePlus|monthly|per month|this month", re.I)


def _is_monthly_cap(errors: tuple[FaultError, ...]) -> bool:
    return any(_MONTHLY_CAP.search(f"{e.message} {e.detail}") for e in errors)


class TransientError(QboError):
    """5xx, timeouts, connection failures. `ambiguous` means the request may have reached
    QuickBooks and been committed, so a write must only be repeated with the same requestid."""

    def __init__(self, message: str, *, ambiguous: bool = True, **kwargs):
        super().__init__(message, **kwargs)
        self.ambiguous = ambiguous


AUTH_CODES = {"100", "120", "3200", "3100"}
_CODE_CLASSES: dict[str, type[QboError]] = {
    "610": NotFoundError,
    "5010": StaleObjectError,
    "6140": DuplicateDocumentNumberError,
    "6240": DuplicateNameError,
    "3001": ThrottledError,
}


# --- parsing the three envelopes -------------------------------------------------------------

def _fault_from_json(data) -> tuple[str, tuple[FaultError, ...]] | None:
    if not isinstance(data, dict):
        return None
    fault = data.get("Fault")
    upper = True
    if fault is None:
        fault, upper = data.get("fault"), False
    if not isinstance(fault, dict):
        return None
    raw_errors = fault.get("Error" if upper else "error") or []
    errors = []
    for item in raw_errors if isinstance(raw_errors, list) else [raw_errors]:
        if not isinstance(item, dict):
            continue
        get = (lambda k: item.get(k)) if upper else (lambda k: item.get(k.lower()))
        errors.append(FaultError(
            code=str(item.get("code") or ""),
            message=str(get("Message") or ""),
            detail=str(get("Detail") or ""),
            element=str(item.get("element") or ""),
        ))
    return str(fault.get("type") or ""), tuple(errors)


_XML_FAULT = re.compile(r"<(?:\w+:)?Fault\b([^>]*)>", re.S)
_XML_ERROR = re.compile(r"<(?:\w+:)?Error\b([^>]*)>(.*?)(?=<(?:\w+:)?Error\b|</(?:\w+:)?Fault>|$)", re.S)
_XML_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
_XML_CHILD = r"<(?:\w+:)?{0}>(.*?)</(?:\w+:)?{0}>"
_XML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def _xml_text(value: str) -> str:
    for entity, char in _XML_ENTITIES.items():
        value = value.replace(entity, char)
    return value.strip()


def _fault_from_xml(text: str) -> tuple[str, tuple[FaultError, ...]] | None:
    fault = _XML_FAULT.search(text)
    if not fault:
        return None
    fault_type = dict(_XML_ATTR.findall(fault.group(1))).get("type", "")
    errors = []
    for attrs, body in _XML_ERROR.findall(text[fault.end():]):
        attributes = dict(_XML_ATTR.findall(attrs))
        message = re.search(_XML_CHILD.format("Message"), body, re.S)
        detail = re.search(_XML_CHILD.format("Detail"), body, re.S)
        errors.append(FaultError(
            code=attributes.get("code", ""),
            element=attributes.get("element", ""),
            message=_xml_text(message.group(1)) if message else "",
            detail=_xml_text(detail.group(1)) if detail else "",
        ))
    return fault_type, tuple(errors)


def parse_fault(body: str | bytes | dict | None) -> tuple[str, tuple[FaultError, ...]] | None:
    """(fault type, errors) from any of the three envelopes, or None if the body holds no Fault."""
    if body is None:
        return None
    if isinstance(body, dict):
        return _fault_from_json(body)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            return _fault_from_json(json.loads(stripped))
        except ValueError:
            return None
    if stripped.startswith("<"):
        return _fault_from_xml(stripped)
    return None


# --- classification --------------------------------------------------------------------------

def retry_after_seconds(value: str | None, default: float = DEFAULT_THROTTLE_WAIT) -> float:
    """Retry-After as delta-seconds or an HTTP date; Intuit's documented 60 s when absent."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _summary(errors: tuple[FaultError, ...], fallback: str) -> str:
    if not errors:
        return fallback
    first = errors[0]
    text = first.message or fallback
    if first.detail and first.detail not in text:
        text = f"{text}: {first.detail}"
    return f"[{first.code}] {text}" if first.code else text


def error_for_fault(errors: tuple[FaultError, ...], *, status: int | None = None,
                    fault_type: str = "", headers=None, intuit_tid: str | None = None) -> QboError:
    """The exception for a parsed Fault (also used for per-item faults inside a batch)."""
    headers = headers or {}
    code = errors[0].code if errors else ""
    kwargs = dict(status=status, errors=errors, fault_type=fault_type, intuit_tid=intuit_tid)
    message = _summary(errors, f"QuickBooks answered HTTP {status}" if status else "QuickBooks fault")

    if status == 429 and _is_monthly_cap(errors):
        return ReadAllowanceExhausted(message, **kwargs)
    if status == 429 or code == "3001":
        return ThrottledError(message, retry_after=retry_after_seconds(headers.get("Retry-After")),
                              **kwargs)
    if status == 403 or code == "3100":
        return AuthorizationError(message, **kwargs)
    if status == 401 or code in AUTH_CODES or fault_type.upper() in ("AUTHENTICATION", "AUTHENTICATIONFAULT"):
        return AuthenticationError(message, **kwargs)
    if code in _CODE_CLASSES:
        return _CODE_CLASSES[code](message, **kwargs)
    if status == 404:
        return NotFoundError(message, **kwargs)
    if (status is not None and status >= 500) or fault_type == "SystemFault":
        return TransientError(message, ambiguous=True, **kwargs)
    if status is None or status in (200, 400) or fault_type == "ValidationFault":
        return ValidationError(message, **kwargs)
    return QboError(message, **kwargs)


def error_from_response(status: int, headers, body: str | bytes | None) -> QboError:
    """Map an unsuccessful HTTP response (status, headers, raw body) to an exception."""
    headers = headers or {}
    parsed = parse_fault(body)
    fault_type, errors = parsed if parsed else ("", ())
    tid = headers.get("intuit_tid") or headers.get("intuit-tid")
    if not errors and status == 429:
        errors = (FaultError(code="3001", message="ThrottleExceeded"),)
    return error_for_fault(errors, status=status, fault_type=fault_type, headers=headers,
                           intuit_tid=tid)


def oauth_error_from_response(status: int, body: str | bytes | None) -> OAuthError:
    """Intuit's OAuth endpoints answer `{"error_description":…, "error":…}`."""
    error, description = "server_error" if status >= 500 else "invalid_request", ""
    try:
        data = json.loads(body) if body else {}
        if isinstance(data, dict):
            error = str(data.get("error") or error)
            description = str(data.get("error_description") or "")
    except ValueError:
        pass
    if error == "invalid_grant":
        return ReconnectRequiredOAuth(error, description, status=status)
    return OAuthError(error, description, status=status)


class ReconnectRequiredOAuth(OAuthError, ReconnectRequired):
    """invalid_grant from the token endpoint: the refresh token (or code) is dead."""
