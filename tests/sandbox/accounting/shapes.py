"""Structural comparison of JSON documents: keys, nesting and types must match; values may not.

`differences(sample, actual, optional=…, extra=…)` lists where `actual` departs from `sample`:
a sample key missing from actual (unless its path is in `optional`), a key actual has that the
sample lacks (unless in `extra`), or a different JSON type. Paths read like
`Invoice.Line[].SalesItemLineDetail.Qty`; each list element is compared with the closest sample
element of the same `DetailType` (or any, when elements have none).
"""
from __future__ import annotations

from decimal import Decimal


def kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _variants(items: list) -> dict:
    out: dict = {}
    for item in items:
        key = item.get("DetailType") if isinstance(item, dict) else None
        out.setdefault(key, []).append(item)
    return out


def differences(sample, actual, optional=frozenset(), extra=frozenset(), path="") -> list[str]:
    found = []
    if kind(sample) != kind(actual):
        return [f"{path or '<root>'}: {kind(sample)} in sample, {kind(actual)} here"]
    if isinstance(sample, dict):
        for key, value in sample.items():
            sub = f"{path}.{key}" if path else key
            if key not in actual:
                if sub not in optional:
                    found.append(f"{sub}: missing")
                continue
            found += differences(value, actual[key], optional, extra, sub)
        for key in actual:
            sub = f"{path}.{key}" if path else key
            if key not in sample and sub not in extra:
                found.append(f"{sub}: not in sample")
    elif isinstance(sample, list) and sample and actual:
        variants = _variants(sample)
        for item in actual:
            key = item.get("DetailType") if isinstance(item, dict) else None
            models = variants.get(key)
            if models is None:
                found.append(f"{path}[]: element kind {key!r} not in sample")
                continue
            # The closest sample element of the same kind (e.g. a parent and a sub-customer).
            found += min((differences(m, item, optional, extra, path + "[]") for m in models), key=len)
    return sorted(set(found))
