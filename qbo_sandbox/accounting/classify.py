"""Name the operation an API request performs (for fault targeting and throttling)."""
from __future__ import annotations

import json
import re

V3 = re.compile(r"^/v3/company/(?P<realm>[^/]+)/(?P<rest>.*)$")


def classify(method: str, path: str, args, body: bytes | None):
    """(realm_id, entity segment, operation) — any may be None for non-API paths."""
    match = V3.match(path)
    if not match:
        if path.startswith("/oauth2/"):
            return None, None, "token"
        return None, None, None
    realm = match.group("realm")
    segment = match.group("rest").split("/")[0]
    if segment in ("query", "batch", "cdc"):
        return realm, None, segment
    if method.upper() == "GET":
        return realm, segment, "read"
    operation = (args.get("operation") or "").lower()
    if operation == "update" and (args.get("include") or "").lower() == "void":
        return realm, segment, "void"
    if operation:
        return realm, segment, operation
    has_id = False
    if body:
        try:
            parsed = json.loads(body)
            has_id = isinstance(parsed, dict) and parsed.get("Id") not in (None, "")
        except ValueError:
            pass
    return realm, segment, "update" if has_id else "create"
