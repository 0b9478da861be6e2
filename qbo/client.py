"""QboClient: the Accounting API v3 over one shared httpx2.Client. HTTP and errors only.

Every call sends `minorversion`; creates, updates and batches send the caller's `requestid`
(QBO replays the original answer for a repeated requestid, which is what makes retrying a
write safe). Tokens come from a `TokenSource` the caller provides, so this module knows
nothing about where they are stored.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator, Protocol

import httpx2

from qbo.errors import (AuthenticationError, QboError, ReadAllowanceExhausted, TransientError,
                        error_for_fault, error_from_response, parse_fault)
from qbo.retry import RetryPolicy

log = logging.getLogger(__name__)

PAGE_SIZE = 1000          # QBO's maximum MAXRESULTS
BATCH_LIMIT = 30          # items per BatchItemRequest (PROTOCOL §5)
REQUEST_ID_MAX = 50
BATCH_REQUEST_ID_MAX = 36
BATCH_ID_MAX = 10
_ENTITY = re.compile(r"^[A-Z][A-Za-z]{1,40}$")
GET_QUERY_LIMIT = 1800    # longer SQL goes in a POST body instead of the URL


class TokenSource(Protocol):
    """Where the client gets bearer tokens; implemented by services/qbo_connection/tokens.py."""

    def access_token(self) -> str: ...

    def refreshed_after_rejection(self, rejected: str) -> str:
        """Called once after a 401: return a newer token (refreshing if nobody else has)."""

    def record_success(self) -> None: ...

    def record_failure(self, error: QboError) -> None: ...


class StaticTokens:
    """A fixed token (e.g. straight after the code exchange, before anything is stored)."""

    def __init__(self, token: str):
        self._token = token

    def access_token(self) -> str:
        return self._token

    def refreshed_after_rejection(self, rejected: str) -> str:
        raise AuthenticationError("QuickBooks refused a token that was just issued", status=401)

    def record_success(self) -> None:
        pass

    def record_failure(self, error: QboError) -> None:
        pass


@dataclass(frozen=True)
class BatchItemResult:
    bid: str
    entity_name: str | None = None      # e.g. "Customer", or "QueryResponse"
    data: dict | None = None
    error: QboError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def quote(value: str) -> str:
    """A string literal for QBO's query language: backslash escapes `'` and `\\` (PROTOCOL §3)."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _check_entity(entity: str) -> str:
    if not _ENTITY.match(entity or ""):
        raise ValueError(f"not a QBO entity name: {entity!r}")
    return entity


def _check_request_id(request_id: str, limit: int = REQUEST_ID_MAX) -> str:
    if not request_id or not isinstance(request_id, str) or len(request_id) > limit:
        raise ValueError(f"requestid must be a non-empty string of at most {limit} characters")
    return request_id


def _transport_failure(error: httpx2.TransportError) -> TransientError:
    # Refused before sending → QuickBooks surely did nothing; later failures are ambiguous.
    ambiguous = not isinstance(error, (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout))
    return TransientError(f"Could not complete the call to QuickBooks ({type(error).__name__})",
                          ambiguous=ambiguous)


Admission = Callable[[str, str], None]
"""`admit(method, path)`: called right before each HTTP request leaves, may block (a rate pacer)."""

class Meter(Protocol):
    """Counts what Intuit meters (implemented by services/qbo_connection/read_budget.py)."""

    def counted(self, reads: int, writes: int) -> None:
        """Once per call QuickBooks answered successfully: its CorePlus reads and Core writes."""

    def exhausted(self) -> None:
        """QuickBooks said the month's read allowance is used up."""


def metered_calls(method: str, path: str, json_body: dict | None) -> tuple[int, int]:
    """(reads, writes) of one API call as Intuit's App Partner Program meters them (PROTOCOL §11):
    every GET and query is a CorePlus read; inside a batch each Query item is a read and every
    other item a write; any other POST is a write."""
    if path == "batch":
        items = (json_body or {}).get("BatchItemRequest") or []
        reads = sum(1 for item in items if isinstance(item, dict) and "Query" in item)
        return reads, len(items) - reads
    if method == "GET" or path == "query":
        return 1, 0
    return 0, 1


class QboClient:
    def __init__(self, http: httpx2.Client, *, base_url: str, realm_id: str, tokens: TokenSource,
                 minor_version: int = 75, retry: RetryPolicy | None = None,
                 admit: Admission | None = None, meter: Meter | None = None):
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.realm_id = str(realm_id)
        self.tokens = tokens
        self.minor_version = minor_version
        self.retry = retry or RetryPolicy()
        # Intuit counts requests as they arrive, so a pacer must admit each one at the moment it
        # is sent: after the token is in hand and every local write is done, and again for a
        # resend after a 401 or a retry (admitting earlier lets bursts through).
        self.admit = admit
        # Counts what Intuit meters, once per successful call (not per retry or failed attempt).
        self.meter = meter

    # --- public API ------------------------------------------------------------------------
    def query(self, sql: str) -> dict:
        """Run one query; returns the QueryResponse object (`{}` when nothing matched)."""
        if len(sql) > GET_QUERY_LIMIT:
            body = self._call("POST", "query", content=sql.encode(),
                              headers={"Content-Type": "application/text"}, safe=True)
        else:
            body = self._call("GET", "query", params={"query": sql}, safe=True)
        return body.get("QueryResponse") or {}

    def query_all(self, entity: str, where: str | None = None, page_size: int | None = None) -> list[dict]:
        return list(self.iter_all(entity, where, page_size))

    def iter_all(self, entity: str, where: str | None = None, page_size: int | None = None) -> Iterator[dict]:
        """Every row, page by page (STARTPOSITION is 1-based; a short page is the last one).
        `page_size` (at most QBO's maximum, PAGE_SIZE) lets callers page smaller."""
        _check_entity(entity)
        page_size = max(1, min(int(page_size or PAGE_SIZE), PAGE_SIZE))
        start = 1
        while True:
            sql = f"SELECT * FROM {entity}"
            if where:
                sql += f" WHERE {where}"
            sql += f" STARTPOSITION {start} MAXRESULTS {page_size}"
            rows = self.query(sql).get(entity) or []
            yield from rows
            if len(rows) < page_size:
                return
            start += len(rows)

    def read(self, entity: str, entity_id: str | int) -> dict:
        _check_entity(entity)
        body = self._call("GET", f"{entity.lower()}/{entity_id}", safe=True)
        return body[entity]

    def create(self, entity: str, body: dict, request_id: str) -> dict:
        _check_entity(entity)
        answer = self._call("POST", entity.lower(), json_body=body,
                            request_id=_check_request_id(request_id))
        return answer[entity]

    def update(self, entity: str, body: dict, request_id: str, sparse: bool = True) -> dict:
        _check_entity(entity)
        if "Id" not in body or "SyncToken" not in body:
            raise ValueError("an update needs the entity's Id and SyncToken")
        payload = dict(body, sparse=bool(sparse))
        answer = self._call("POST", entity.lower(), json_body=payload,
                            request_id=_check_request_id(request_id))
        return answer[entity]

    def batch(self, items: Iterable[dict], request_id: str) -> dict[str, BatchItemResult]:
        """Send ≤30 BatchItemRequest items (each with a unique `bId`); results keyed by bId.
        A fault in one item is returned in its result, not raised."""
        items = list(items)
        if not 1 <= len(items) <= BATCH_LIMIT:
            raise ValueError(f"a batch holds 1 to {BATCH_LIMIT} items, not {len(items)}")
        bids = [str(item.get("bId", "")) for item in items]
        if any(not bid or len(bid) > BATCH_ID_MAX for bid in bids) or len(set(bids)) != len(bids):
            raise ValueError(f"every batch item needs a unique bId of at most {BATCH_ID_MAX} characters")
        answer = self._call("POST", "batch", json_body={"BatchItemRequest": items},
                            request_id=_check_request_id(request_id, BATCH_REQUEST_ID_MAX))
        results: dict[str, BatchItemResult] = {}
        for entry in answer.get("BatchItemResponse") or []:
            bid = str(entry.get("bId", ""))
            if "Fault" in entry:
                fault_type, errors = parse_fault({"Fault": entry["Fault"]})
                results[bid] = BatchItemResult(bid, error=error_for_fault(
                    errors, status=None, fault_type=fault_type))
                continue
            name = next((key for key in entry if key != "bId"), None)
            results[bid] = BatchItemResult(bid, entity_name=name, data=entry.get(name) if name else None)
        return results

    def cdc(self, entities: Iterable[str], changed_since: datetime) -> dict:
        """Change Data Capture: every object of `entities` changed at or after `changed_since`
        (at most 30 days back, at most 1,000 objects; PROTOCOL §8). One read."""
        names = ",".join(_check_entity(name) for name in entities)
        since = changed_since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        return self._call("GET", "cdc", params={"entities": names, "changedSince": since}, safe=True)

    def company_info(self) -> dict:
        body = self._call("GET", f"companyinfo/{self.realm_id}", safe=True)
        return body["CompanyInfo"]

    def preferences(self) -> dict:
        return self._call("GET", "preferences", safe=True)["Preferences"]

    # --- transport -------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, params: dict | None = None,
              json_body: dict | None = None, content: bytes | None = None,
              headers: dict | None = None, request_id: str | None = None,
              safe: bool | None = None) -> dict:
        url = f"{self.base_url}/v3/company/{self.realm_id}/{path}"
        query = dict(params or {})
        if request_id:
            query["requestid"] = request_id
        query["minorversion"] = str(self.minor_version)
        # Reads are always safe to repeat; writes only with a requestid QBO can de-duplicate.
        safe = (method == "GET" or path == "query" or bool(request_id)) if safe is None else safe
        refreshed = {"done": False}

        def attempt() -> dict:
            token = self.tokens.access_token()
            response = self._send(method, url, query, json_body, content, headers, token)
            if response.status_code == 401 and not refreshed["done"]:
                # The token may have expired mid-use or been superseded: refresh once.
                refreshed["done"] = True
                token = self.tokens.refreshed_after_rejection(token)
                response = self._send(method, url, query, json_body, content, headers, token)
            return self._parse(response)

        def on_retry(error: QboError, delay: float) -> None:
            log.warning("QBO %s %s failed (%s); retrying in %.1f s", method, path,
                        type(error).__name__, delay)

        try:
            result = self.retry.run(attempt, safe=safe, on_retry=on_retry)
        except QboError as error:
            self.tokens.record_failure(error)
            if isinstance(error, ReadAllowanceExhausted) and self.meter is not None:
                self.meter.exhausted()
            raise
        self.tokens.record_success()
        if self.meter is not None:
            self.meter.counted(*metered_calls(method, path, json_body))
        return result

    def _send(self, method, url, query, json_body, content, headers, token) -> httpx2.Response:
        request_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if json_body is not None:
            request_headers["Content-Type"] = "application/json"
        request_headers.update(headers or {})
        if self.admit is not None:
            self.admit(method, url.rsplit("/", 1)[-1])
        try:
            return self.http.request(method, url, params=query, json=json_body, content=content,
                                     headers=request_headers)
        except httpx2.TransportError as error:
            raise _transport_failure(error) from None
        except ConnectionError as error:  # raised through an in-process WSGI transport
            raise TransientError(f"Connection to QuickBooks lost ({type(error).__name__})",
                                 ambiguous=True) from None

    @staticmethod
    def _parse(response: httpx2.Response) -> dict:
        if response.status_code != 200:
            raise error_from_response(response.status_code, response.headers, response.content)
        try:
            body = response.json()
        except ValueError:
            if parse_fault(response.content):  # e.g. an XML Fault under HTTP 200
                raise error_from_response(200, response.headers, response.content) from None
            raise QboError("QuickBooks answered with something that is not JSON", status=200) from None
        if isinstance(body, dict) and ("Fault" in body or "fault" in body):
            raise error_from_response(200, response.headers, response.content)
        if not isinstance(body, dict):
            raise QboError("QuickBooks answered with an unexpected shape", status=200)
        return body
